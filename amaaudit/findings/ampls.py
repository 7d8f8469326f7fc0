from .. import arm
from ..model.monitor import DCE_TYPE, WORKSPACE_TYPE
from ..text import Text
from .core import CRITICAL, HIGH, WARNING, Finding, az, each_named, named, number

PORTAL_SCOPE = Text("Azure portal > the AMPLS > Configure > Azure Monitor Resources > + Add",
                    "Azure portal > 当該 AMPLS > [構成] > [Azure Monitor リソース] > [+ 追加]")
# A placeholder the user replaces; quoted like a value, so a line pasted unedited runs nothing else.
ENDPOINT_ID = "<data collection endpoint id>"


def _is(resource, resource_type: str) -> bool:
    return arm.parse(resource.id).type.lower() == resource_type.lower()


def _public_setting(resource) -> tuple[Text, str, dict]:
    """What makes ``resource`` refuse public ingestion: the portal's words, the command that accepts
    it, and the field with its value (the evidence)."""
    where = arm.parse(resource.id)
    if _is(resource, WORKSPACE_TYPE):
        return (Text(f"on {named(resource).en}, Network Isolation > Accept data ingestion from public networks: Yes "
                     "(publicNetworkAccessForIngestion)",
                     f"{named(resource).ja} の [ネットワーク分離] > [パブリック ネットワークからのデータ インジェストを"
                     "受け入れる] を [はい] (publicNetworkAccessForIngestion)"),
                az("monitor", "log-analytics", "workspace", "update", resource_group=where.resource_group,
                   workspace_name=resource.name, subscription=where.subscription, ingestion_access="Enabled"),
                {"id": resource.id, "publicNetworkAccessForIngestion": resource.public_ingestion})
    if _is(resource, DCE_TYPE):
        return (Text(f"on {named(resource).en}, Network Isolation > Accept access from public networks: Yes "
                     "(networkAcls.publicNetworkAccess)",
                     f"{named(resource).ja} の [ネットワーク分離] > [パブリック ネットワークからのアクセスを受け入れる] を"
                     " [はい] (networkAcls.publicNetworkAccess)"),
                az("monitor", "data-collection", "endpoint", "update", resource_group=where.resource_group,
                   name=resource.name, subscription=where.subscription, public_network_access="Enabled"),
                {"id": resource.id, "networkAcls.publicNetworkAccess": resource.public_network_access})
    return (Text(f"on {named(resource).en}, its public network access setting",
                 f"{named(resource).ja} のパブリック ネットワーク アクセスの設定"), "", {"id": resource.id})


def unreachable(vm, refusing) -> Finding:
    names = each_named(refusing)
    count = len(refusing)
    settings = [_public_setting(r) for r in refusing]
    return Finding(
        "AMPLS_UNREACHABLE", "ampls", CRITICAL, refusing[0].id,
        Text(f"{names.en} {number(count, 'refuses', 'refuse')} public ingestion, but no Azure Monitor Private Link "
             f"Scope is reachable from {vm.label.en}'s network (no AMPLS private endpoint in its VNet or in a private "
             "DNS zone linked to it).",
             f"{names.ja} はパブリック ネットワークからのインジェストを拒否していますが、{vm.label.ja} のネットワークからは "
             "AMPLS (Azure Monitor Private Link Scope) に到達できません (VNet 内にも、リンクされたプライベート DNS ゾーン経由にも "
             "AMPLS のプライベート エンドポイントがありません)。"),
        Text(f"Either accept public ingestion where it is refused: {'; '.join(s[0].en for s in settings)} "
             f"(the {number(count, 'command', 'commands')} below); or keep "
             f"{number(count, 'it', 'them')} private: create a private endpoint to an AMPLS holding "
             f"{number(count, 'it', 'them')} in (or DNS-linked to) {vm.label.en}'s VNet.",
             f"拒否している設定でパブリック インジェストを許可するか ({'、'.join(s[0].ja for s in settings)}。以下のコマンド)、"
             f"プライベートのままにする場合は、これらを含む AMPLS へのプライベート エンドポイントを {vm.label.ja} の VNet "
             "(または DNS でリンクされた VNet) に作成してください。"),
        tuple(s[1] for s in settings if s[1]),
        {"refusePublic": [s[2] for s in settings]})


def scope_missing(vm, paths) -> Finding:
    p = paths[0]
    return Finding(
        "AMPLS_MISSING", "ampls", CRITICAL, p.endpoint.id,
        Text(f"The private endpoint {p.endpoint.name} used by {vm.label.en} points at an AMPLS that does not "
             f"exist: {p.connection.target_id}.",
             f"{vm.label.ja} が使用するプライベート エンドポイント {p.endpoint.name} の接続先 AMPLS が存在しません: "
             f"{p.connection.target_id}。"),
        Text(f"Recreate the AMPLS and connect the private endpoint {p.endpoint.name} to it, or remove that private "
             "endpoint and its DNS records.",
             f"AMPLS を作成し直してプライベート エンドポイント {p.endpoint.name} を接続するか、そのプライベート エンドポイントと "
             "DNS レコードを削除してください。"),
        (), {"privateEndpoint": p.endpoint.id, "privateLinkServiceId": p.connection.target_id})


def _connection_id(scope, endpoint) -> str | None:
    """The AMPLS-side id of the connection from ``endpoint`` (its name is not the endpoint's)."""
    props = scope.doc.get("properties") if isinstance(scope.doc.get("properties"), dict) else {}
    connections = props.get("privateEndpointConnections")
    for c in connections if isinstance(connections, list) else ():
        cprops = c.get("properties") if isinstance(c, dict) and isinstance(c.get("properties"), dict) else {}
        pe = cprops.get("privateEndpoint") if isinstance(cprops.get("privateEndpoint"), dict) else {}
        if arm.key(pe.get("id")) == arm.key(endpoint.id) and isinstance(c.get("id"), str):
            return c["id"]
    return None


def not_approved(vm, paths) -> Finding:
    p = paths[0]
    connection = _connection_id(p.scope, p.endpoint)
    if connection:
        commands = (az("network", "private-endpoint-connection", "approve", id=connection,
                       description="Approved"),)
    else:   # the scope's document does not list it: find it, then approve it
        commands = (az("network", "private-endpoint-connection", "list", id=p.scope.id, output="table"),
                    az("network", "private-endpoint-connection", "approve",
                       id="<id of the endpoint's connection, from the list>", description="Approved"))
    return Finding(
        "AMPLS_CONNECTION_NOT_APPROVED", "ampls", CRITICAL, p.endpoint.id,
        Text(f"The private endpoint {p.endpoint.name} to AMPLS {p.scope.name} used by {vm.label.en} is "
             f"'{p.connection.status or 'unknown'}', not Approved.",
             f"{vm.label.ja} が使用する AMPLS {p.scope.name} へのプライベート エンドポイント {p.endpoint.name} の接続状態が "
             f"'{p.connection.status or '不明'}' で、承認 (Approved) されていません。"),
        Text(f"Approve the connection of the private endpoint {p.endpoint.name} on AMPLS {p.scope.name}: Azure portal > "
             "the AMPLS > Configure > Private Endpoint connections > select > Approve.",
             f"AMPLS {p.scope.name} でプライベート エンドポイント {p.endpoint.name} の接続を承認してください: Azure portal > "
             "当該 AMPLS > [構成] > [プライベート エンドポイント接続] > 選択 > [承認]。"),
        commands,
        {"privateEndpoint": p.endpoint.id, "status": p.connection.status,
         **({"connection": connection} if connection else {})})


def not_scoped(vm, scope, missing) -> Finding:
    names = each_named(missing)
    strict = scope.ingestion_access_mode.lower() == "privateonly"
    where = arm.parse(scope.id)
    count = len(missing)
    return Finding(
        "AMPLS_RESOURCE_NOT_SCOPED", "ampls", CRITICAL, scope.id,
        Text(f"{vm.label.en} reaches Azure Monitor through AMPLS {scope.name} (ingestion access mode "
             f"{scope.ingestion_access_mode}), but {names.en} {number(count, 'is', 'are')} not added to it"
             + (f": with PrivateOnly the agent cannot reach {number(count, 'it', 'them')} at all." if strict else
                f": {number(count, 'its name resolves', 'their names resolve')} to public addresses while the agent "
                "uses only private endpoints."),
             f"{vm.label.ja} は AMPLS {scope.name} (インジェスト アクセス モード {scope.ingestion_access_mode}) 経由で "
             f"Azure Monitor に接続しますが、{names.ja} が AMPLS に追加されていません"
             + ("。PrivateOnly のため、エージェントはこれらに一切到達できません。" if strict else "。"
                "名前解決の結果がパブリック IP となり、必要なエンドポイントに接続できません。")),
        Text(f"Add {number(count, 'it', 'them')} to AMPLS {scope.name}: {PORTAL_SCOPE.en} "
             f"(or the {number(count, 'command', 'commands')} below).",
             f"AMPLS {scope.name} に追加してください: {PORTAL_SCOPE.ja} (または以下のコマンド)。"),
        tuple(az("monitor", "private-link-scope", "scoped-resource", "create", resource_group=where.resource_group,
                 scope_name=scope.name, name=f"{r.name}-connection", linked_resource=r.id,
                 subscription=where.subscription) for r in missing),
        {"ampls": scope.id, "ingestionAccessMode": scope.ingestion_access_mode,
         "notScoped": [r.id for r in missing]})


def dcr_without_dce(vm, rules) -> Finding:
    names = ", ".join(r.name for r in rules)
    count = len(rules)
    return Finding(
        "AMPLS_DCR_WITHOUT_DCE", "ampls", HIGH, rules[0].id,
        Text(f"{vm.label.en} uses private link, but its {number(count, 'data collection rule', 'data collection rules')} "
             f"{names} {number(count, 'uses', 'use')} no data collection endpoint; with AMPLS every DCR must use a DCE "
             "(in the VM's region, added to the AMPLS).",
             f"{vm.label.ja} はプライベート リンクを使用していますが、データ収集ルール {names} "
             "にデータ収集エンドポイント (DCE) が設定されていません。AMPLS では全ての DCR で DCE (VM と同じリージョン、"
             "AMPLS に追加済み) を使用する必要があります。"),
        Text(f"Create a DCE in the VM's region and add it to the AMPLS, set it on the "
             f"{number(count, 'data collection rule', 'data collection rules')} {names}, and associate it with "
             f"{vm.label.en} (association name configurationAccessEndpoint); the commands below, with the DCE's id.",
             f"VM のリージョンに DCE を作成して AMPLS に追加し、データ収集ルール {names} に設定したうえで {vm.label.ja} に"
             "関連付けてください (関連付け名 configurationAccessEndpoint。以下のコマンドに DCE の ID を指定)。"),
        tuple(az("monitor", "data-collection", "rule", "update", resource_group=arm.parse(r.id).resource_group,
                 name=r.name, subscription=arm.parse(r.id).subscription, data_collection_endpoint_id=ENDPOINT_ID)
              for r in rules)
        + (az("monitor", "data-collection", "rule", "association", "create", name="configurationAccessEndpoint",
              endpoint_id=ENDPOINT_ID, resource=vm.id),),
        {"rulesWithoutDce": [r.id for r in rules]})


# -- the machine's own private link (an Arc Private Link Scope) ---------------------------------------
def _scope_name(link) -> str:
    return arm.parse(link.scope_id).name


def host_scope_missing(vm, link) -> Finding:
    return Finding(
        "ARC_PRIVATE_LINK_SCOPE_MISSING", "ampls", CRITICAL, vm.id,
        Text(f"{vm.label.en} is associated with the Azure Arc private link scope {_scope_name(link)}, which does not "
             f"exist ({link.scope_id}): its agent has no private path to the Arc services.",
             f"{vm.label.ja} は Azure Arc プライベート リンク スコープ {_scope_name(link)} に関連付けられていますが、"
             f"このスコープは存在しません ({link.scope_id})。エージェントには Arc サービスへのプライベート経路がありません。"),
        Text("Associate the server with an existing Azure Arc private link scope in its region (Azure portal > Azure "
             "Arc > Private link scopes > the scope > Azure Arc resources > Add), or recreate the scope and its "
             "private endpoint.",
             "サーバーを同じリージョンの既存の Azure Arc プライベート リンク スコープに関連付ける (Azure portal > Azure Arc > "
             "[プライベート リンク スコープ] > 当該スコープ > [Azure Arc リソース] > [追加]) か、スコープとプライベート "
             "エンドポイントを作成し直してください。"),
        (), {"privateLinkScopeResourceId": link.scope_id})


def host_scope_other_region(vm, link) -> Finding:
    scope = link.scope
    return Finding(
        "ARC_PRIVATE_LINK_SCOPE_REGION", "ampls", CRITICAL, scope.id,
        Text(f"{vm.label.en} ({vm.location}) uses the Azure Arc private link scope {scope.name} in {scope.location}; "
             "an Arc-enabled server and its private link scope must be in the same Azure region.",
             f"{vm.label.ja} ({vm.location}) は {scope.location} の Azure Arc プライベート リンク スコープ {scope.name} を"
             "使用しています。Arc 対応サーバーとプライベート リンク スコープは同じ Azure リージョンにある必要があります。"),
        Text(f"Associate the server with an Azure Arc private link scope in {vm.location} (create one with its private "
             "endpoint if needed).",
             f"{vm.location} の Azure Arc プライベート リンク スコープにサーバーを関連付けてください (必要に応じてプライベート "
             "エンドポイントと共に作成します)。"),
        (), {"scope": scope.id, "scopeLocation": scope.location, "machineLocation": vm.location})


def host_scope_not_approved(vm, link) -> Finding:
    scope = link.scope
    pending = [c for c in scope.connections if c.status.lower() != "approved"]
    shown = ", ".join(f"{arm.parse(c.endpoint_id).name or '?'}: {c.status or 'unknown'}" for c in pending) or "none"
    return Finding(
        "ARC_PRIVATE_LINK_NOT_APPROVED", "ampls", CRITICAL, scope.id,
        Text(f"The Azure Arc private link scope {scope.name} of {vm.label.en} has no approved private endpoint "
             f"connection for hybridcompute (connections: {shown}).",
             f"{vm.label.ja} の Azure Arc プライベート リンク スコープ {scope.name} に、承認済み (Approved) の hybridcompute "
             f"プライベート エンドポイント接続がありません (接続: {shown})。"),
        Text("Approve the private endpoint connection (Azure portal > Azure Arc > Private link scopes > the scope > "
             "Private endpoint connections > select > Approve), or create a private endpoint for group hybridcompute.",
             "プライベート エンドポイント接続を承認してください (Azure portal > Azure Arc > [プライベート リンク スコープ] > "
             "当該スコープ > [プライベート エンドポイント接続] > 選択 > [承認])。接続がない場合は hybridcompute の"
             "プライベート エンドポイントを作成してください。"),
        tuple(az("network", "private-endpoint-connection", "approve", id=c.id) for c in pending if c.id),
        {"scope": scope.id, "connections": [{"privateEndpoint": c.endpoint_id, "status": c.status} for c in scope.connections]})


def host_without_ampls(vm, link) -> Finding:
    """Arc private link covers the Arc services only; AMA's data needs AMPLS from the same network."""
    vnets = ", ".join(sorted({arm.parse(pe.vnet_id).name for pe in link.endpoints})) or "?"
    return Finding(
        "ARC_PRIVATE_LINK_WITHOUT_AMPLS", "ampls", WARNING, vm.id,
        Text(f"{vm.label.en} reaches the Arc services privately (scope {_scope_name(link)}, VNet {vnets}), but no "
             "Azure Monitor Private Link Scope is reachable there: AMA's data goes to public endpoints, which a "
             "network that allows only private traffic blocks.",
             f"{vm.label.ja} は Arc サービスにプライベートで接続しています (スコープ {_scope_name(link)}、VNet {vnets}) が、"
             "そこから到達できる AMPLS がありません。AMA のデータはパブリック エンドポイントに送信され、プライベート通信のみを"
             "許可するネットワークではブロックされます。"),
        Text("If the server's network allows only private traffic, create an AMPLS with the workspace and a data "
             "collection endpoint, and a private endpoint to it in the same VNet; else allow AMA's public endpoints.",
             "サーバーのネットワークがプライベート通信のみを許可する場合は、ワークスペースとデータ収集エンドポイントを含む "
             "AMPLS を作成し、同じ VNet にそのプライベート エンドポイントを作成してください。それ以外の場合は AMA の"
             "パブリック エンドポイントへの通信を許可してください。"),
        (), {"scope": link.scope_id, "privateEndpoints": [pe.id for pe in link.endpoints]})
