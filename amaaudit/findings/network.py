from .. import arm
from ..netpath import Verdict
from ..text import Text
from .commands import commands
from .core import CRITICAL, WARNING, Finding, az, number, ps, sh

DOCS = "https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-network-configuration"
UNSEEN = Text("ARM cannot show a proxy, a firewall's rules or on-premises DNS on the way; the commands below "
              "test the real path from inside the VM.",
              "プロキシ、ファイアウォールのルール、オンプレミス DNS は ARM からは確認できません。以下のコマンドで VM 内から"
              "実際の経路をご確認ください。")


def probe_commands(endpoints) -> tuple[str, ...]:
    """The guide's connectivity tests for each endpoint, run on the VM: PowerShell on Windows, openssl on
    Linux. A host comes from a DCE's URL in the snapshot, so it is quoted like any other value."""
    out = []
    for e in endpoints:
        out.append(f"Test-NetConnection {ps(e.host)} -Port 443")
        out.append(f"echo | openssl s_client -connect {sh(e.host + ':443')} -servername {sh(e.host)} -showcerts")
    return tuple(out)


FIRST_PRIORITY, LAST_PRIORITY = 100, 4096      # the priorities a custom NSG rule may have


class _Blocking:
    """One NSG that denies some of AMA's endpoints: its first denying rule and what it denies."""

    def __init__(self, decision):
        self.decision, self.hosts, self.tags, self.rules = decision, set(), set(), {}

    @property
    def nsg_id(self) -> str:
        return self.decision.nsg_id or ""

    @property
    def name(self) -> str:
        return self.decision.nsg_name or arm.parse(self.nsg_id).name

    def add(self, decision, endpoint) -> None:
        self.hosts.add(endpoint.host)
        self.tags |= endpoint.service_tags
        self.rules[decision.rule_name] = decision.priority
        if (decision.priority or 65500) < (self.decision.priority or 65500):
            self.decision = decision

    def commands(self, vm) -> tuple[str, ...]:
        """Allow rules that outrank every deny seen here, or none when no custom priority can."""
        top = min(LAST_PRIORITY, (self.decision.priority or LAST_PRIORITY + 1) - 1)
        tags = sorted(self.tags)
        if top - len(tags) + 1 < FIRST_PRIORITY:
            return ()
        where = arm.parse(self.nsg_id)
        return tuple(az("network", "nsg", "rule", "create", resource_group=where.resource_group or vm.resource_group,
                        nsg_name=self.name, subscription=where.subscription or vm.subscription,
                        name=f"Allow-{tag}-443", priority=top - i, direction="Outbound", access="Allow",
                        protocol="Tcp", destination_port_ranges="443", destination_address_prefixes=tag)
                     for i, tag in enumerate(tags))


def _blocking(denied) -> list[_Blocking]:
    """Every NSG that denies, NIC and subnet alike: traffic passes only when both allow, so each one
    that denies needs its own fix."""
    found: dict[str, _Blocking] = {}
    for _, endpoint, path in denied:
        for decision in (path.nic, path.subnet):
            if decision.verdict is Verdict.DENIED:
                key = arm.key(decision.nsg_id) or str(decision.nsg_name)
                found.setdefault(key, _Blocking(decision)).add(decision, endpoint)
    return list(found.values())


def blocked(vm, endpoints, denied) -> Finding:
    first_egress, _, first = denied[0]
    nsgs = _blocking(denied) or [_Blocking(first.deciding)]
    rule = nsgs[0].decision
    hosts = sorted({e.host for _, e, _ in denied})
    fixes_en, fixes_ja, nsg_commands = [], [], []
    for nsg in nsgs:
        d = nsg.decision
        made = nsg.commands(vm)
        nsg_commands += made
        tags = sorted(nsg.tags)
        if made:
            fixes_en.append(f"on NSG {nsg.name}, allow outbound TCP 443 to the service {number(len(tags), 'tag', 'tags')} "
                            f"{' and '.join(tags)} with a rule of higher priority than {d.rule_name} "
                            f"(priority {d.priority}; Azure portal > NSG {nsg.name} > Settings > Outbound security "
                            "rules > Add)")
            fixes_ja.append(f"NSG {nsg.name} で、{d.rule_name} (優先度 {d.priority}) より優先度の高いルールでサービス タグ "
                            f"{' と '.join(tags)} への TCP 443 送信を許可 (Azure portal > NSG {nsg.name} > [設定] > "
                            "[送信セキュリティ規則] > [追加])")
        else:
            fixes_en.append(f"on NSG {nsg.name}, change or remove rule {d.rule_name}: at priority {d.priority} no "
                            "custom rule can come before it")
            fixes_ja.append(f"NSG {nsg.name} のルール {d.rule_name} を変更または削除 (優先度 {d.priority} より前に"
                            "カスタム ルールを置けません)")
    fix_en = "; ".join(fixes_en)
    return Finding(
        "NETWORK_EGRESS_DENIED", "network", CRITICAL, rule.nsg_id or vm.id,
        Text(f"Outbound TCP 443 from {vm.label.en} (network interface {first_egress.nic.name}, "
             f"{first_egress.ip.private_ip}) is denied by NSG {nsgs[0].name}, rule {rule.rule_name} (priority "
             f"{rule.priority}, {rule.layer} level)"
             + (f", and by NSG {', NSG '.join(n.name for n in nsgs[1:])}" if len(nsgs) > 1 else "")
             + f" for {', '.join(hosts)}.",
             f"{vm.label.ja} (ネットワーク インターフェイス {first_egress.nic.name}、{first_egress.ip.private_ip}) からの "
             f"TCP 443 送信が NSG {nsgs[0].name} のルール {rule.rule_name} (優先度 {rule.priority}、{rule.layer} レベル)"
             + (f"、および NSG {'、NSG '.join(n.name for n in nsgs[1:])}" if len(nsgs) > 1 else "")
             + f" により {', '.join(hosts)} への通信で拒否されています。"),
        Text(f"{fix_en[:1].upper()}{fix_en[1:]}; then test each endpoint from the VM (the commands below). "
             f"Requirements: {DOCS}",
             f"{'。'.join(fixes_ja)}。その後 VM から各エンドポイントへの接続をご確認ください (以下のコマンド)。要件: {DOCS}"),
        tuple(nsg_commands) + probe_commands(endpoints),
        {"endpoints": [e.host for e in endpoints],
         "denied": [{"endpoint": e.host, "nic": eg.nic.name, "nsg": d.deciding.nsg_id, "rule": d.deciding.rule_name,
                     "priority": d.deciding.priority} for eg, e, d in denied[:10]]})


def undecidable(vm, endpoints, uncertain) -> Finding:
    _, _, decision = uncertain[0]
    return Finding(
        "NETWORK_EGRESS_UNCERTAIN", "network", WARNING, vm.id,
        Text(f"Whether {vm.label.en} may reach {', '.join(sorted({e.host for _, e, _ in uncertain}))} on TCP 443 "
             f"cannot be decided from ARM: {decision.explanation}",
             f"{vm.label.ja} から {', '.join(sorted({e.host for _, e, _ in uncertain}))} への TCP 443 通信の可否は "
             f"ARM の情報からは判断できません: {decision.explanation}"),
        Text("Test the endpoints from the VM with the commands below (the guide's connectivity check).",
             "以下のコマンド (ガイドの接続確認方法) で VM からエンドポイントへの接続をご確認ください。") + Text(" ", " ") + UNSEEN,
        probe_commands(endpoints), {"uncertain": [d.explanation for _, _, d in uncertain[:5]]})


def forced_tunnel(vm, endpoints, routes) -> Finding:
    route = routes[0]
    hop = f"{route.next_hop_type}" + (f" {route.next_hop_ip}" if route.next_hop_ip else "")
    return Finding(
        "NETWORK_FORCED_TUNNEL", "network", WARNING, route.route_table_id or vm.id,
        Text(f"The subnet of {vm.label.en} sends {route.address_prefix} to {hop} (route table {route.route_table_name}, "
             f"route {route.route_name}): AMA's traffic passes a firewall or gateway that must allow the endpoints "
             "below by FQDN (Azure Firewall: an application rule or the AzureMonitor tag) with HTTPS inspection off.",
             f"{vm.label.ja} のサブネットは {route.address_prefix} を {hop} へ送信します (ルート テーブル "
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


# -- a machine whose network ARM does not show (Arc-enabled servers) -----------------------------------
def outside_arm(vm, why: Text, endpoints) -> Text:
    """Why the network step is not judged, and what to run on the machine instead: every endpoint it
    needs, the agent's own check, and the guide's probes."""
    hosts = ", ".join(f"{e.host} ({e.purpose})" for e in endpoints)
    check = commands(vm).network_check()
    probes = " | ".join(probe_commands(endpoints))
    return Text(f"{why.en}. From {vm.label.en}, outbound TCP 443 must reach: {hosts}. Run on "
                f"the machine: {check} | {probes}",
                f"{why.ja}。{vm.label.ja} から TCP 443 で次の宛先に到達できる必要があります: {hosts}。"
                f"マシン上で実行してください: {check} | {probes}")


def proxy_without_bypass(vm, proxy, missing: list[str]) -> Finding:
    """An agent-level proxy on a machine that uses private endpoints, without bypassing them."""
    return Finding(
        "ARC_PROXY_BYPASS_MISSING", "network", WARNING, vm.id,
        Text(f"{vm.label.en} sends its agents' traffic through the proxy {proxy.url} (agentConfiguration.proxyUrl) "
             f"and uses private endpoints, but the proxy bypass ({', '.join(proxy.bypass) or 'none'}) lacks "
             f"{' and '.join(missing)}: that traffic goes to the proxy instead of the private endpoints, and a proxy "
             "that resolves the public names cannot reach them.",
             f"{vm.label.ja} はエージェントの通信をプロキシ {proxy.url} 経由で送信し (agentConfiguration.proxyUrl)、"
             f"プライベート エンドポイントを使用していますが、プロキシのバイパス ({', '.join(proxy.bypass) or 'なし'}) に "
             f"{'、'.join(missing)} がありません。この通信はプライベート エンドポイントではなくプロキシに送られます。"),
        Text(f"On the server, add {' and '.join(missing)} to the proxy bypass (the command below; `Arc` covers "
             "his/guestconfiguration, `AMA` the Azure Monitor Agent endpoints).",
             f"サーバー上でプロキシのバイパスに {'、'.join(missing)} を追加してください (以下のコマンド。`Arc` は "
             "his/guestconfiguration、`AMA` は Azure Monitor エージェントのエンドポイントを対象とします)。"),
        commands(vm).bypass_proxy(missing),
        {"proxyUrl": proxy.url, "proxyBypass": list(proxy.bypass), "missing": missing})
