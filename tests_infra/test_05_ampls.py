"""通信要件の確認 (AMPLS) 原因 A -- the workspace and DCE are added to the AMPLS the machine reaches."""

import pytest

from amaaudit import arm
from amaaudit import findings as finding
from amaaudit.text import Text
from amaaudit.verdict import evidence, not_applicable, require, warn

pytestmark = pytest.mark.ampls


def test_ampls_scope(vm):
    """With private link: endpoint Approved, every destination workspace and DCE scoped, every DCR with a DCE;
    a machine kind's own private link (Arc's scope) exists, is in the machine's region and approved."""
    host = vm.host_private_link          # None unless the machine's kind has one and uses it
    if host is not None:
        require(host.scope is not None, finding.ampls.host_scope_missing, vm, host)
        require(host.same_region, finding.ampls.host_scope_other_region, vm, host)
        require(host.approved, finding.ampls.host_scope_not_approved, vm, host)
        evidence(hostScope=host.scope.id, hostEndpoints=[pe.id for pe in host.endpoints])
    paths = vm.network.private_link_paths
    workspaces, dces = vm.log_workspaces(), vm.data_collection_endpoints()
    refusing = [ws for ws in workspaces if ws.public_ingestion.lower() != "enabled"] + \
               [dce for dce in dces if dce.public_network_access.lower() == "disabled"]
    if not paths and not refusing and vm.collection_gap:
        raise vm.collection_gap                    # an unread destination may refuse public ingestion
    if not paths and not refusing and host is not None:
        warn(finding.ampls.host_without_ampls, vm, host)    # Arc is private, AMA's data is not
        return
    if not paths and not refusing:
        not_applicable(Text("public path: no AMPLS private endpoint in or DNS-linked to the machine's VNets, and "
                            "every destination accepts public ingestion",
                            "パブリック経路: マシンの VNet 内にも DNS リンク先にも AMPLS のプライベート エンドポイントがなく、"
                            "すべての送信先がパブリックからのインジェストを受け付けます"))
    require(paths, finding.ampls.unreachable, vm, refusing)
    existing = [p for p in paths if p.scope is not None]
    require(existing, finding.ampls.scope_missing, vm, paths)
    approved = [p for p in existing if p.connection.status.lower() == "approved"]
    require(approved, finding.ampls.not_approved, vm, existing)
    scope = approved[0].scope
    evidence(ampls=scope.id, privateEndpoint=approved[0].endpoint.id, via=approved[0].via,
             ingestionAccessMode=scope.ingestion_access_mode, scoped=[r.id for r in [*workspaces, *dces]])

    if not workspaces and not dces:
        if vm.collection_gap:
            raise vm.collection_gap
        not_applicable(Text("blocked by step 'dcr': the machine sends to no workspace or DCE, so there is nothing "
                            "the AMPLS must hold", "手順 'dcr' により実施できません: マシンの送信先となるワークスペースや "
                            "DCE がないため、AMPLS に含まれるべきリソースがありません"))
    missing = [r for r in [*workspaces, *dces] if arm.key(r.id) not in scope.scoped_ids]
    require(not missing, finding.ampls.not_scoped, vm, scope, missing)
    without_dce = [r for r in vm.rules if not r.endpoint_id]
    require(not without_dce, finding.ampls.dcr_without_dce, vm, without_dce)
    if vm.collection_gap:                          # an unread DCR may name an unscoped workspace
        raise vm.collection_gap
