from .. import arm
from ..text import Text
from .core import CRITICAL, HIGH, Finding, sh

PORTAL_SCOPE = Text("Azure portal > the AMPLS > Configure > Azure Monitor Resources > + Add",
                    "Azure portal > 当該 AMPLS > [構成] > [Azure Monitor リソース] > [+ 追加]")


def unreachable(vm, refusing) -> Finding:
    names = ", ".join(f"{r.name}" for r in refusing)
    return Finding(
        "AMPLS_UNREACHABLE", "ampls", CRITICAL, refusing[0].id,
        Text(f"{names} refuse public ingestion, but no Azure Monitor Private Link Scope is reachable from VM {vm.name}'s "
             "network (no AMPLS private endpoint in its VNet or in a private DNS zone linked to it).",
             f"{names} はパブリック ネットワークからのインジェストを拒否していますが、VM {vm.name} のネットワークからは "
             "AMPLS (Azure Monitor Private Link Scope) に到達できません (VNet 内にも、リンクされたプライベート DNS ゾーン経由にも "
             "AMPLS のプライベート エンドポイントがありません)。"),
        Text("Create a private endpoint to an AMPLS holding these resources in (or DNS-linked to) the VM's VNet, or allow "
             "public ingestion on the workspace (Network Isolation > Accept data ingestion from public networks).",
             "これらのリソースを含む AMPLS へのプライベート エンドポイントを VM の VNet (または DNS でリンクされた VNet) に"
             "作成するか、ワークスペースでパブリック ネットワークからのインジェストを許可してください。"),
        (), {"refusePublic": [r.id for r in refusing]})


def scope_missing(vm, paths) -> Finding:
    return Finding(
        "AMPLS_MISSING", "ampls", CRITICAL, paths[0].endpoint.id,
        Text(f"The private endpoint {paths[0].endpoint.name} used by VM {vm.name} points at an AMPLS that does not "
             f"exist: {paths[0].connection.target_id}.",
             f"VM {vm.name} が使用するプライベート エンドポイント {paths[0].endpoint.name} の接続先 AMPLS が存在しません: "
             f"{paths[0].connection.target_id}。"),
        Text("Recreate the AMPLS and its private endpoint, or remove the stale endpoint and its DNS records.",
             "AMPLS とプライベート エンドポイントを作成し直すか、古いエンドポイントと DNS レコードを削除してください。"),
        (), {"privateEndpoint": paths[0].endpoint.id, "privateLinkServiceId": paths[0].connection.target_id})


def not_approved(vm, paths) -> Finding:
    p = paths[0]
    return Finding(
        "AMPLS_CONNECTION_NOT_APPROVED", "ampls", CRITICAL, p.endpoint.id,
        Text(f"The private endpoint {p.endpoint.name} to AMPLS {p.scope.name} used by VM {vm.name} is "
             f"'{p.connection.status or 'unknown'}', not Approved.",
             f"VM {vm.name} が使用する AMPLS {p.scope.name} へのプライベート エンドポイント {p.endpoint.name} の接続状態が "
             f"'{p.connection.status or '不明'}' で、承認 (Approved) されていません。"),
        Text("Approve it: Azure portal > the AMPLS > Configure > Private Endpoint connections > select > Approve.",
             "承認してください: Azure portal > 当該 AMPLS > [構成] > [プライベート エンドポイント接続] > 選択 > [承認]。"),
        (f"az network private-endpoint-connection approve --id {sh(p.scope.id + '/privateEndpointConnections/' + p.endpoint.name)}",),
        {"privateEndpoint": p.endpoint.id, "status": p.connection.status})


def not_scoped(vm, scope, missing) -> Finding:
    names = ", ".join(f"{r.name} ({arm.parse(r.id).type.split('/')[-1]})" for r in missing)
    strict = scope.ingestion_access_mode.lower() == "privateonly"
    rg = arm.parse(scope.id).resource_group
    return Finding(
        "AMPLS_RESOURCE_NOT_SCOPED", "ampls", CRITICAL, scope.id,
        Text(f"VM {vm.name} reaches Azure Monitor through AMPLS {scope.name} (ingestion access mode "
             f"{scope.ingestion_access_mode}), but {names} {'is' if len(missing) == 1 else 'are'} not added to it"
             + (": with PrivateOnly the agent cannot reach them at all." if strict else
                ": their names resolve to public addresses while the agent uses only private endpoints."),
             f"VM {vm.name} は AMPLS {scope.name} (インジェスト アクセス モード {scope.ingestion_access_mode}) 経由で "
             f"Azure Monitor に接続しますが、{names} が AMPLS に追加されていません"
             + ("。PrivateOnly のため、エージェントはこれらに一切到達できません。" if strict else "。"
                "名前解決の結果がパブリック IP となり、必要なエンドポイントに接続できません。")),
        Text(f"Add them to the AMPLS: {PORTAL_SCOPE.en}.", f"AMPLS に追加してください: {PORTAL_SCOPE.ja}。"),
        tuple(f"az monitor private-link-scope scoped-resource create --resource-group {sh(rg)} --scope-name "
              f"{sh(scope.name)} --name {sh(r.name + '-connection')} --linked-resource {sh(r.id)}" for r in missing),
        {"ampls": scope.id, "ingestionAccessMode": scope.ingestion_access_mode,
         "notScoped": [r.id for r in missing]})


def dcr_without_dce(vm, rules) -> Finding:
    return Finding(
        "AMPLS_DCR_WITHOUT_DCE", "ampls", HIGH, rules[0].id,
        Text(f"VM {vm.name} uses private link, but its data collection rules {', '.join(r.name for r in rules)} use no "
             "data collection endpoint; with AMPLS every DCR must use a DCE (in the VM's region, added to the AMPLS).",
             f"VM {vm.name} はプライベート リンクを使用していますが、データ収集ルール {', '.join(r.name for r in rules)} "
             "にデータ収集エンドポイント (DCE) が設定されていません。AMPLS では全ての DCR で DCE (VM と同じリージョン、"
             "AMPLS に追加済み) を使用する必要があります。"),
        Text("Create a DCE in the VM's region, add it to the AMPLS, set it on the DCR and associate it with the VM "
             "(association name configurationAccessEndpoint).",
             "VM のリージョンに DCE を作成して AMPLS に追加し、DCR に設定したうえで VM に関連付けてください "
             "(関連付け名 configurationAccessEndpoint)。"),
        (f"az monitor data-collection rule association create --name configurationAccessEndpoint "
         f"--endpoint-id <data collection endpoint id> --resource {sh(vm.id)}",),
        {"rulesWithoutDce": [r.id for r in rules]})
