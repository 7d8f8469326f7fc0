from .. import arm
from ..text import Text
from .core import CRITICAL, HIGH, WARNING, Finding, az, number, sh

PORTAL = Text("Azure portal > the AMPLS > Configure > Private Endpoint connections > (private endpoint) > Settings > "
              "DNS configuration > (zone) > DNS Management > Virtual network links > + Add",
              "Azure portal > 当該 AMPLS > [構成] > [プライベート エンドポイント接続] > (プライベート エンドポイント) > "
              "[設定] > [DNS の構成] > (プライベート DNS ゾーン) > [DNS の管理] > [仮想ネットワーク リンク] > [+ 追加]")


def zone_missing(vm, zone_name, endpoint) -> Finding:
    return Finding(
        "DNS_ZONE_MISSING", "dns", CRITICAL, endpoint.id,
        Text(f"The private DNS zone {zone_name}, which the private endpoint {endpoint.name} used by {vm.label.en} "
             "needs, does not exist; the names it maps resolve to public addresses.",
             f"{vm.label.ja} が使用するプライベート エンドポイント {endpoint.name} に必要なプライベート DNS ゾーン "
             f"{zone_name} が存在しません。名前解決の結果がパブリック IP になります。"),
        Text(f"Add the zone {zone_name} to the DNS configuration of the private endpoint {endpoint.name} (Azure portal > "
             "the private endpoint > Settings > DNS configuration > Add configuration), which creates it and its records.",
             f"プライベート エンドポイント {endpoint.name} の DNS 構成にゾーン {zone_name} を追加してください (Azure portal > "
             "当該プライベート エンドポイント > [設定] > [DNS の構成] > [構成の追加])。ゾーンとレコードが作成されます。"),
        (), {"zone": zone_name, "privateEndpoint": endpoint.id})


def not_linked(vm, zone, vnet, state) -> Finding:
    where = arm.parse(zone.id)
    return Finding(
        "DNS_ZONE_NOT_LINKED", "dns", CRITICAL, zone.id,
        Text(f"Private DNS zone {zone.name} is not linked to VNet {vnet.name} of {vm.label.en}"
             + (f" (link state: {state})" if state else "") + "; from the VM the AMA endpoints resolve to public "
             "addresses instead of the private endpoint, and the connection fails.",
             f"プライベート DNS ゾーン {zone.name} が {vm.label.ja} の VNet {vnet.name} にリンクされていません"
             + (f" (リンク状態: {state})" if state else "") + "。VM から各エンドポイントを名前解決してもプライベート IP に"
             "変換されず、接続に失敗します。"),
        # One wording for every unlinked zone (the terminal says a shared fix once); the message
        # names the zone and the VNet, the command targets them.
        Text(f"Link the VNet to the zone: {PORTAL.en} (or the command below).",
             f"VNet をゾーンにリンクしてください: {PORTAL.ja} (または以下のコマンド)。"),
        (az("network", "private-dns", "link", "vnet", "create", resource_group=where.resource_group,
            zone_name=zone.name, name=f"{vnet.name}-link", virtual_network=vnet.id, registration_enabled="false",
            subscription=where.subscription),),
        {"zone": zone.id, "vnet": vnet.id, "linkState": state or None})


def record_missing(vm, zone, problems: list[Text], endpoint) -> Finding:
    return Finding(
        "DNS_RECORD_MISSING", "dns", CRITICAL, zone.id,
        Text(f"Private DNS zone {zone.name} lacks the records {vm.label.en} needs to reach its private endpoint "
             f"{endpoint.name}: {'; '.join(p.en for p in problems[:5])}.",
             f"プライベート DNS ゾーン {zone.name} に、{vm.label.ja} がプライベート エンドポイント {endpoint.name} に"
             f"到達するためのレコードがありません: {'、'.join(p.ja for p in problems[:5])}。"),
        Text(f"Re-create the DNS zone group of the private endpoint {endpoint.name} (or add the workspace/DCE to the "
             f"AMPLS, which adds their records) so that the A records in private DNS zone {zone.name} point at the "
             "endpoint's IPs.",
             f"プライベート エンドポイント {endpoint.name} の DNS ゾーン グループを作り直す (またはワークスペース/DCE を AMPLS に"
             f"追加する) ことで、プライベート DNS ゾーン {zone.name} の A レコードがエンドポイントの IP を指すようにしてください。"),
        (), {"zone": zone.id, "problems": [p.en for p in problems[:20]], "privateEndpointIps": sorted(endpoint.ips)})


def zone_shared(vm, zone, endpoints) -> Finding:
    names = ", ".join(f"{pe.name} -> {arm.parse(c.target_id).name}" for pe in endpoints for c in pe.ampls_connections)
    return Finding(
        "DNS_ZONE_SHARED_BY_AMPLS", "dns", HIGH, zone.id,
        Text(f"Private DNS zone {zone.name} (used by {vm.label.en}) is written by private endpoints of different AMPLS "
             f"({names}); they overwrite each other's records.",
             f"プライベート DNS ゾーン {zone.name} ({vm.label.ja} が使用) に、異なる AMPLS のプライベート エンドポイント "
             f"({names}) がレコードを書き込んでおり、互いに上書きされます。"),
        Text("Use one AMPLS per DNS (a VNet connects to only one AMPLS); put all workspaces and DCEs in it.",
             "DNS を共有する範囲では AMPLS を 1 つにし (VNet が接続できる AMPLS は 1 つ)、全てのワークスペースと DCE を追加してください。"),
        (), {"zone": zone.id, "privateEndpoints": [pe.id for pe in endpoints]})


def custom_dns(vm, servers) -> Finding:
    shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in servers.items())
    many = len({s for v in servers.values() for s in v}) > 1
    return Finding(
        "DNS_CUSTOM_SERVERS", "dns", WARNING, vm.id,
        Text(f"{vm.label.en} uses custom DNS {number(2 if many else 1, 'server', 'servers')} ({shown}); the private "
             f"zones only work if {number(2 if many else 1, 'that server forwards', 'those servers forward')} "
             "monitor.azure.com, oms/ods.opinsights.azure.com, agentsvc.azure-automation.net and blob.core.windows.net "
             f"to Azure DNS (168.63.129.16). ARM cannot show {number(2 if many else 1, 'its', 'their')} configuration.",
             f"{vm.label.ja} はカスタム DNS サーバー ({shown}) を使用しています。プライベート DNS ゾーンは、これらのサーバーが "
             "monitor.azure.com、oms/ods.opinsights.azure.com、agentsvc.azure-automation.net、blob.core.windows.net を "
             "Azure DNS (168.63.129.16) に転送している場合にのみ有効です。ARM からはその設定を確認できません。"),
        Text(f"Check the conditional forwarders on {number(2 if many else 1, 'that server', 'those servers')}; from the "
             "VM, the endpoint names must resolve to "
             "private IPs (nslookup <endpoint>).",
             "DNS サーバーの条件付きフォワーダーをご確認ください。VM からエンドポイント名がプライベート IP に名前解決される"
             "必要があります (nslookup <endpoint>)。"),
        (), {"dnsServers": servers})


def dns_unseen(vm, why: Text) -> Finding:
    """The machine resolves names with a DNS that ARM cannot show (an Arc server's, on premises)."""
    return Finding(
        "DNS_OUTSIDE_ARM", "dns", WARNING, vm.id,
        Text(f"{vm.label.en}: {why.en}.", f"{vm.label.ja}: {why.ja}。"),
        Text("On the machine, check that the private endpoints' names resolve to their private IPs "
             "(the commands below); if not, forward the public zones to Azure DNS (a DNS Private Resolver "
             "inbound endpoint in the linked VNet).",
             "マシン上で、プライベート エンドポイントの名前がプライベート IP に名前解決されることをご確認ください "
             "(以下のコマンド)。されない場合は、公開ゾーンを Azure DNS (リンクされた VNet 内の DNS Private Resolver の"
             "受信エンドポイント) に転送してください。"),
        tuple(f"nslookup {sh(host)}" for host in _hosts_of(vm)), {"dns": "not visible in ARM"})


def _hosts_of(vm) -> list[str]:
    link = vm.host_private_link
    return sorted({fqdn for pe in (link.endpoints if link else []) for fqdn in pe.dns_configs})[:6]
