"""データ収集ルールの設定の確認 -- the VM is associated with a DCR that sends to the right workspace."""

import pytest

from amaaudit import arm
from amaaudit import findings as finding
from amaaudit.findings.core import WARNING
from amaaudit.verdict import evidence, require, unless_incomplete, warn

pytestmark = pytest.mark.dcr


def test_dcr_sends_to_workspace(vm, expected_workspaces):
    """At least one associated DCR exists, fits the OS, and routes logs to an existing (expected) workspace."""
    with unless_incomplete(vm.collection_gap):  # an unread association may be the one that works
        associations = vm.rule_associations        # a DCE-only association is not a DCR
        require(associations, finding.dcr.not_associated, vm, vm.endpoint_associations)

        deleted, rules = vm.deleted_rule_associations, vm.rules
        require(rules, finding.dcr.rule_missing, vm, deleted)

        fitting = [r for r in rules if r.fits_os(vm.os_type)]
        require(fitting, finding.dcr.kind_mismatch, vm, rules)

        routes = [(r, route) for r in fitting for route in r.log_routes]
        require(routes, finding.dcr.no_log_destination, vm, fitting)

        reached = [(r, route, r.workspace(route)) for r, route in routes]
        existing = [(r, route, ws) for r, route, ws in reached if ws is not None]
        require(existing, finding.dcr.workspace_missing, vm, [(r, route) for r, route, ws in reached])

        if expected_workspaces:
            wanted = [x for x in existing if any(x[2].matches(w) for w in expected_workspaces)]
            require(wanted, finding.dcr.wrong_workspace, vm, existing, expected_workspaces)
            existing = wanted

        ingesting = [x for x in existing if not x[2].ingestion_stopped]
        require(ingesting, finding.dcr.ingestion_stopped, vm, existing)
        evidence(routes=[{"association": next((a.id for a in associations if arm.key(a.rule_id) == arm.key(r.id)), None),
                          "rule": r.id, "destination": route.destination, "workspace": ws.id}
                         for r, route, ws in ingesting])

    # A working path exists; broken extras beside it are worth fixing but do not block logs.
    if deleted:
        warn(finding.dcr.rule_missing, vm, deleted, WARNING)
    if len(fitting) < len(rules):
        warn(finding.dcr.kind_mismatch, vm, [r for r in rules if r not in fitting], WARNING)
    gone = [(r, route) for r, route, ws in reached if ws is None]
    if gone:
        warn(finding.dcr.workspace_missing, vm, gone, WARNING)
