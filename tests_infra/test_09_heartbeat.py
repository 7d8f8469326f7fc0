"""Heartbeat -- the outcome: AMA's Heartbeat reached one of the machine's destination workspaces recently."""

import pytest

from amaaudit import findings as finding
from amaaudit.model import Unknown
from amaaudit.model.estate import HEARTBEAT_QUERY_OP
from amaaudit.text import Text
from amaaudit.verdict import evidence, not_applicable, require, unless_incomplete

pytestmark = pytest.mark.heartbeat


def test_recent_heartbeat(vm, heartbeat_max_age):
    """The newest Heartbeat (Category 'Azure Monitor Agent') is no older than the max age before captured_at."""
    estate = vm.estate
    if not estate.heartbeats_collected:
        not_applicable(Text("Heartbeat was not collected in this snapshot, so it is not judged (this is not a pass)",
                            "このスナップショットでは Heartbeat を収集していないため判定しません (合格ではありません)"))
    workspaces = vm.log_workspaces()
    if not workspaces and vm.collection_gap:
        raise vm.collection_gap
    if not workspaces:
        not_applicable(Text("blocked by step 'dcr': the machine sends to no existing workspace, so there is nowhere "
                            "to look",
                            "手順 'dcr' により実施できません: マシンの送信先に存在するワークスペースがなく、確認先がありません"))
    queried = [ws for ws in workspaces if ws.customer_id.lower() in estate.heartbeat_workspaces]
    unreadable = [estate.errors.covering(ws.id, HEARTBEAT_QUERY_OP) for ws in workspaces]
    # A uniform scale-set instance's rows carry its scale set's _ResourceId and its own Computer.
    seen = [(estate.last_heartbeat(vm.heartbeat_resource_id, ws.customer_id, vm.heartbeat_computer), ws)
            for ws in queried]
    seen = sorted(((t, ws) for t, ws in seen if t is not None), key=lambda x: x[0], reverse=True)
    if seen:
        last, ws = seen[0]
        age = (vm.captured_at - last).total_seconds() / 60      # the capture time of the snapshot holding it
        if age <= heartbeat_max_age:
            evidence(workspace=ws.id, customerId=ws.customer_id, lastHeartbeat=f"{last:%Y-%m-%dT%H:%M:%SZ}",
                     ageMinutes=round(age, 1), maxAgeMinutes=heartbeat_max_age)
            return
    failed = next((e for e in unreadable if e), None)
    if failed:
        raise Unknown(Text(f"the Heartbeat of {vm.label.en}", f"{vm.label.ja} の Heartbeat"), failed)
    if not queried:
        names = ", ".join(ws.name for ws in workspaces)
        not_applicable(Text(f"Heartbeat was not collected for {names}", f"{names} の Heartbeat は収集されていません"))
    with unless_incomplete(vm.collection_gap):    # it may send to a workspace we could not see
        require(seen, finding.heartbeat.missing, vm, queried, None)
        require(False, finding.heartbeat.stale, vm, last, age, heartbeat_max_age, ws)

