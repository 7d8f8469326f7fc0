from .. import arm
from ..endpoints import connectivity_commands
from ..text import Text
from .core import CRITICAL, WARNING, Finding, sh

DOCS = "https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-network-configuration"
UNSEEN = Text("ARM cannot show a proxy, a firewall's rules or on-premises DNS on the way; the commands below "
              "test the real path from inside the VM.",
              "プロキシ、ファイアウォールのルール、オンプレミス DNS は ARM からは確認できません。以下のコマンドで VM 内から"
              "実際の経路をご確認ください。")


def probe_commands(endpoints) -> tuple[str, ...]:
    return tuple(c for e in endpoints for c in connectivity_commands(e.host))


def nic_missing(vm, nic_ids) -> Finding:
    names = ", ".join(arm.parse(n).name for n in nic_ids)
    return Finding(
        "NIC_MISSING", "network", CRITICAL, vm.id,
        Text(f"VM {vm.name} refers to network interfaces that do not exist: {names}.",
             f"VM {vm.name} が参照するネットワーク インターフェイスが存在しません: {names}。"),
        Text("Re-attach a network interface to the VM.", "VM にネットワーク インターフェイスを接続し直してください。"),
        (), {"networkInterfaces": list(nic_ids)})


def blocked(vm, endpoints, denied) -> Finding:
    first_egress, first_endpoint, decision = denied[0]
    rule = decision.deciding
    hosts = sorted({e.host for _, e, _ in denied})
    nsg_name = rule.nsg_name or arm.parse(rule.nsg_id or "").name
    rg = arm.parse(rule.nsg_id or "").resource_group or vm.resource_group
    priority = max(100, (rule.priority or 4096) - 1)
    tags = sorted({t for _, e, _ in denied for t in e.service_tags})
    return Finding(
        "NETWORK_EGRESS_DENIED", "network", CRITICAL, rule.nsg_id or vm.id,
        Text(f"Outbound TCP 443 from VM {vm.name} (NIC {first_egress.nic.name}, {first_egress.ip.private_ip}) is denied "
             f"by NSG {nsg_name}, rule {rule.rule_name} (priority {rule.priority}, {rule.layer} level) for "
             f"{', '.join(hosts)}.",
             f"VM {vm.name} (NIC {first_egress.nic.name}、{first_egress.ip.private_ip}) からの TCP 443 送信が NSG "
             f"{nsg_name} のルール {rule.rule_name} (優先度 {rule.priority}、{rule.layer} レベル) により "
             f"{', '.join(hosts)} への通信で拒否されています。"),
        Text(f"Allow outbound TCP 443 to the service tags {' and '.join(tags)} with a rule of higher priority "
             f"than {rule.rule_name} (Azure portal > NSG {nsg_name} > Settings > Outbound security rules > Add), "
             f"then test each endpoint from the VM. Requirements: {DOCS}",
             f"{rule.rule_name} より優先度の高いルールで、サービス タグ {' と '.join(tags)} への TCP 443 送信を許可して"
             f"ください (Azure portal > NSG {nsg_name} > [設定] > [送信セキュリティ規則] > [追加])。その後 VM から各"
             f"エンドポイントへの接続をご確認ください。要件: {DOCS}"),
        tuple(f"az network nsg rule create --resource-group {sh(rg)} --nsg-name {sh(nsg_name)} "
              f"--name Allow-{tag}-443 --priority {priority - i} --direction Outbound --access Allow --protocol Tcp "
              f"--destination-port-ranges 443 --destination-address-prefixes {tag}"
              for i, tag in enumerate(tags)) + probe_commands(endpoints),
        {"endpoints": [e.host for e in endpoints],
         "denied": [{"endpoint": e.host, "nic": eg.nic.name, "nsg": d.deciding.nsg_id, "rule": d.deciding.rule_name,
                     "priority": d.deciding.priority} for eg, e, d in denied[:10]]})


def undecidable(vm, endpoints, uncertain) -> Finding:
    _, _, decision = uncertain[0]
    return Finding(
        "NETWORK_EGRESS_UNCERTAIN", "network", WARNING, vm.id,
        Text(f"Whether VM {vm.name} may reach {', '.join(sorted({e.host for _, e, _ in uncertain}))} on TCP 443 "
             f"cannot be decided from ARM: {decision.explanation}",
             f"VM {vm.name} から {', '.join(sorted({e.host for _, e, _ in uncertain}))} への TCP 443 通信の可否は "
             f"ARM の情報からは判断できません: {decision.explanation}"),
        Text("Test the endpoints from the VM with the commands below (the guide's connectivity check).",
             "以下のコマンド (ガイドの接続確認方法) で VM からエンドポイントへの接続をご確認ください。") + Text(" ", " ") + UNSEEN,
        probe_commands(endpoints), {"uncertain": [d.explanation for _, _, d in uncertain[:5]]})


def forced_tunnel(vm, endpoints, routes) -> Finding:
    route = routes[0]
    hop = f"{route.next_hop_type}" + (f" {route.next_hop_ip}" if route.next_hop_ip else "")
    return Finding(
        "NETWORK_FORCED_TUNNEL", "network", WARNING, route.route_table_id or vm.id,
        Text(f"The subnet of VM {vm.name} sends {route.address_prefix} to {hop} (route table {route.route_table_name}, "
             f"route {route.route_name}): AMA's traffic passes a firewall or gateway that must allow the endpoints "
             "below by FQDN (Azure Firewall: an application rule or the AzureMonitor tag) with HTTPS inspection off.",
             f"VM {vm.name} のサブネットは {route.address_prefix} を {hop} へ送信します (ルート テーブル "
             f"{route.route_table_name}、ルート {route.route_name})。AMA の通信はファイアウォール/ゲートウェイを経由するため、"
             "以下のエンドポイントを FQDN で許可し (Azure Firewall ではアプリケーション ルールまたは AzureMonitor タグ)、"
             "HTTPS インスペクションを無効にする必要があります。"),
        Text("Check the firewall allows them. Note the guide: with Azure Firewall, Test-NetConnection may report "
             "TcpTestSucceeded: True while application rules still deny the traffic; use the openssl test too.",
             "ファイアウォールで許可されていることをご確認ください。ガイドの注意点のとおり、Azure Firewall を使用している場合、"
             "Test-NetConnection が TcpTestSucceeded : True でもアプリケーション ルールで拒否される場合があります。"),
        probe_commands(endpoints),
        {"routeTable": route.route_table_id, "route": route.route_name, "addressPrefix": route.address_prefix,
         "nextHop": hop})
