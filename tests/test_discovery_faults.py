"""Fault matrix of discovery: every injected failure ends as an errors entry (or is absorbed
by a retry), discovery completes, unaffected resources are all there, nothing is written.

Each case prints one row of the matrix (fault x outcome).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.discovery import discover  # noqa: E402
from amaaudit.model import Estate  # noqa: E402
from amaaudit.snapshot import from_document  # noqa: E402
from scenarios import judge  # noqa: E402
from tests.fakearm import FakeArm, build_estate  # noqa: E402
from tests.fakearm.estates import APP, CUSTOMER_ID, UNIFORM  # noqa: E402
from tests.fakearm.harness import fast_settings, install_az_stub  # noqa: E402

DCRA_READ = "Microsoft.Insights/dataCollectionRuleAssociations/read"
ESTATE = build_estate(4)
VM0, VM1 = ESTATE.vm_ids[0], ESTATE.vm_ids[1]
WS = next(r["id"] for r in ESTATE.doc["resources"] if r["type"] == "Microsoft.OperationalInsights/workspaces")
DCR = next(r["id"] for r in ESTATE.doc["resources"] if r["id"].endswith("/dcr-linux"))
DCE = next(r["id"] for r in ESTATE.doc["resources"] if r["type"] == "Microsoft.Insights/dataCollectionEndpoints")
ZONE = next(r["id"] for r in ESTATE.doc["resources"] if r["id"].endswith("/privateDnsZones/privatelink.monitor.azure.com"))
ALL_VMS = {i.lower() for i in ESTATE.vm_ids} | {r["id"].lower() for r in ESTATE.doc["resources"]
                                               if r["id"].lower().endswith("/virtualmachines/vm-004")}
ARC = {i.lower() for i in ESTATE.arc_ids}
ARC_PL = next(i for i in ESTATE.arc_ids if i.endswith("/arc-pl"))
ARC_SCOPE = next(r["id"] for r in ESTATE.doc["resources"] if r["id"].endswith("/privateLinkScopes/arc-pls"))
WEB = ESTATE.scale_set_ids[UNIFORM]
INSTANCES = {r["id"].lower() for r in ESTATE.doc["resources"]
             if r["id"].lower().startswith(WEB.lower() + "/virtualmachines/")}
# every machine whose DCR associations are read: the VMs, the Arc servers, the Uniform set with instances
DCRA_OWNERS = len(ALL_VMS) + len(ARC) + 1


@dataclass
class Case:
    name: str
    faults: list[dict]
    check: Callable[[dict, FakeArm], None]
    backend: str = "arm"
    settings: dict[str, Any] = field(default_factory=dict)


def ids(doc: dict) -> set[str]:
    return {r["id"].lower() for r in doc["resources"]}


def errs(doc: dict, operation: str | None = None) -> list[dict]:
    return [e for e in doc["errors"] if operation is None or e["operation"] == operation]


def all_vms_present(doc: dict) -> None:
    assert ALL_VMS <= ids(doc)


def expect_only(doc: dict, *, scope: str, operation: str, status: int | None, code: str | None = None) -> None:
    assert len(doc["errors"]) == 1, doc["errors"]
    e = doc["errors"][0]
    assert e["scope"].lower() == scope.lower() and e["operation"] == operation and e["status"] == status, e
    if code:
        assert e["code"] == code, e
    assert e["message"]


def complete_and_clean(doc: dict) -> None:
    assert doc["errors"] == []
    assert ids(doc) == ESTATE.expected_ids()


def incomplete(doc: dict) -> list[dict]:
    """The failed machine lists that make the run INCOMPLETE (the model's reading of ``errors``)."""
    return Estate(from_document(doc, "discovered")).errors.inventory_gaps()


def _dcra_403(doc, fake):
    es = errs(doc, DCRA_READ)
    assert len(es) == DCRA_OWNERS and all(e["status"] == 403 and e["code"] == "AuthorizationFailed" for e in es)
    assert len(doc["errors"]) == DCRA_OWNERS
    all_vms_present(doc)
    assert DCR.lower() not in ids(doc)  # unreachable without associations: unknown, said by the errors
    assert all("instanceView" in r["properties"] for r in doc["resources"] if r["id"].lower() in ALL_VMS)


def _retried_ok(min_waits: int):
    def check(doc, fake):
        complete_and_clean(doc)
        assert doc["source"]["throttle_waits"] >= min_waits
    return check


def _rt_429(doc, fake):
    rt = next(r["id"] for r in ESTATE.doc["resources"] if r["type"] == "Microsoft.Network/routeTables")
    expect_only(doc, scope=rt, operation="Microsoft.Network/routeTables/read", status=429, code="TooManyRequests")
    assert rt.lower() not in ids(doc)
    assert doc["source"]["throttle_waits"] == 2  # max_retries
    all_vms_present(doc)


def _ws_500(doc, fake):
    expect_only(doc, scope=WS, operation="Microsoft.OperationalInsights/workspaces/read", status=500)
    # the workspace may exist: its Heartbeat is still asked for, through the DCR's workspaceId
    assert doc["heartbeat_workspaces"] == [CUSTOMER_ID] and doc["heartbeats"]


def _ws_timeout(doc, fake):
    expect_only(doc, scope=WS, operation="Microsoft.OperationalInsights/workspaces/read", status=None, code="Timeout")
    all_vms_present(doc)


def _dce_reset(doc, fake):
    expect_only(doc, scope=DCE, operation="Microsoft.Insights/dataCollectionEndpoints/read", status=None,
                code="ConnectionError")
    assert DCE.lower() not in ids(doc)


def _dcr_malformed(doc, fake):
    expect_only(doc, scope=DCR, operation="Microsoft.Insights/dataCollectionRules/read", status=200,
                code="MalformedResponse")
    assert DCR.lower() not in ids(doc) and WS.lower() not in ids(doc)
    assert doc["heartbeat_workspaces"] == [] and doc["heartbeats"] == []


def _zonegroups_403(doc, fake):
    endpoints = sorted(r["id"].lower() for r in ESTATE.doc["resources"] if r["id"].endswith(("/pe-ampls", "/pe-arc")))
    assert sorted(e["scope"].lower() for e in doc["errors"]) == endpoints
    assert all(e["operation"] == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read" and e["status"] == 403
               for e in doc["errors"])


def _vm_list_page2(doc, fake):
    expect_only(doc, scope=f"/subscriptions/{APP}", operation="Microsoft.Compute/virtualMachines/read", status=500)
    vms = {r["id"].lower() for r in doc["resources"] if r["type"] == "Microsoft.Compute/virtualMachines"} - INSTANCES
    assert vms == {VM0.lower(), VM1.lower()}  # page 1 stays valid


def _arc_list_403(doc, fake):
    expect_only(doc, scope=f"/subscriptions/{APP}", operation="Microsoft.HybridCompute/machines/read", status=403,
                code="AuthorizationFailed")
    assert not ARC & ids(doc) and ALL_VMS <= ids(doc) and INSTANCES <= ids(doc)
    assert incomplete(doc) == doc["errors"]


def _arc_unregistered(doc, fake):
    assert doc["errors"] == [] and not incomplete(doc)
    assert not ARC & ids(doc) and ALL_VMS <= ids(doc)
    assert doc["source"]["providers_not_registered"] == [f"/subscriptions/{APP}: Microsoft.HybridCompute"]


def _instances_403(doc, fake):
    expect_only(doc, scope=WEB, operation="Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read",
                status=403, code="AuthorizationFailed")
    assert not INSTANCES & ids(doc) and WEB.lower() in ids(doc)
    assert incomplete(doc) == doc["errors"]


def _instances_page2(doc, fake):
    expect_only(doc, scope=WEB, operation="Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read",
                status=500)
    got = INSTANCES & ids(doc)
    assert len(got) == 2 and all("instanceView" in r["properties"] for r in doc["resources"]
                                 if r["id"].lower() in got)       # page 1 stays valid
    assert incomplete(doc) == doc["errors"]


def _arc_extensions_500(doc, fake):
    arc_ok = next(i for i in ARC if i.endswith("/arc-ok"))
    expect_only(doc, scope=arc_ok, operation="Microsoft.HybridCompute/machines/extensions/read", status=500)
    assert ARC <= ids(doc)


def _arc_scope_403(doc, fake):
    expect_only(doc, scope=ARC_SCOPE, operation="Microsoft.HybridCompute/privateLinkScopes/read", status=403)
    assert ARC_SCOPE.lower() not in ids(doc)
    assert not any("/privateendpoints/pe-arc" in i for i in ids(doc))     # reached only through the scope


def _a_page2(doc, fake):
    expect_only(doc, scope=ZONE, operation="Microsoft.Network/privateDnsZones/A/read", status=500)
    records = [r for r in doc["resources"] if r["id"].lower().startswith(ZONE.lower() + "/a/")]
    assert len(records) == 2  # of 3


def _la_403(doc, fake):
    expect_only(doc, scope=WS, operation="Microsoft.OperationalInsights/workspaces/query/Heartbeat/read",
                status=403, code="InsufficientAccessError")
    assert doc["heartbeat_workspaces"] == [] and doc["heartbeats"] == []
    assert ids(doc) == ESTATE.expected_ids()


def _nic_401(doc, fake):
    nic = next(r["id"] for r in ESTATE.doc["resources"] if r["id"].endswith("/networkInterfaces/nic-vm-001"))
    expect_only(doc, scope=nic, operation="Microsoft.Network/networkInterfaces/read", status=401,
                code="InvalidAuthenticationToken")
    all_vms_present(doc)
    assert ids(doc) == ESTATE.expected_ids() - {nic.lower()}


def _vm_403(doc, fake):
    expect_only(doc, scope=VM1, operation="Microsoft.Compute/virtualMachines/read", status=403,
                code="AuthorizationFailed")
    vm = next(r for r in doc["resources"] if r["id"].lower() == VM1.lower())
    assert "instanceView" not in vm["properties"]  # known from the list, power state unknown
    assert ids(doc) == ESTATE.expected_ids()  # its NIC is still followed from the listed document


def _registration_409(doc, fake):
    expect_only(doc, scope=VM0, operation=DCRA_READ, status=409, code="MissingSubscriptionRegistration")
    assert not any("/register" in r.path.lower() for r in fake.log)


def _arg_fallback(doc, fake):
    complete_and_clean(doc)
    assert doc["source"]["resource_graph_fallbacks"]


def _no_fault_missing_dcr(doc, fake):
    complete_and_clean(doc)
    assert ESTATE.missing_dcr.lower() not in ids(doc)


CASES = [
    Case("none (404 on a referenced DCR)", [], _no_fault_missing_dcr),
    Case("403 on DCR associations", [dict(path=r"/dataCollectionRuleAssociations\?", status=403,
                                          code="AuthorizationFailed")], _dcra_403),
    Case("401 on one NIC", [dict(path=r"/networkInterfaces/nic-vm-001\?", status=401,
                                 code="InvalidAuthenticationToken")], _nic_401),
    Case("403 on one VM's GET (instance view)", [dict(path=r"/virtualMachines/vm-001\?", status=403,
                                                     code="AuthorizationFailed")], _vm_403),
    Case("403 on one VM's GET (ARG)", [dict(path=r"/virtualMachines/vm-001\?", status=403,
                                            code="AuthorizationFailed")], _vm_403, backend="resource-graph"),
    Case("429 Retry-After: 1, twice, on a VM", [dict(path=r"/virtualMachines/vm-000\?", status=429,
                                                    code="TooManyRequests", retry_after="1", times=2)],
         _retried_ok(2)),
    Case("429 without Retry-After, once, on an NSG", [dict(path=r"/networkSecurityGroups/", status=429,
                                                          code="TooManyRequests", times=1)], _retried_ok(1)),
    Case("429 always on a route table", [dict(path=r"/routeTables/", status=429, code="TooManyRequests")],
         _rt_429),
    Case("ARG POST 429 without Retry-After (quota headers), once",
         [dict(path=r"ResourceGraph", method="POST", status=429, code="RateLimiting", times=1,
               headers={"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01"})],
         _retried_ok(1), backend="resource-graph"),
    Case("500 always on the workspace", [dict(path=r"/workspaces/law-central\?", status=500,
                                             code="InternalServerError")], _ws_500),
    Case("503 once on the DCE", [dict(path=r"/dataCollectionEndpoints/", status=503, code="ServiceUnavailable",
                                      times=1)], _retried_ok(0)),
    Case("timeout on the workspace", [dict(path=r"/workspaces/law-central\?", delay=2.0)], _ws_timeout,
         settings=dict(read_timeout=0.4, max_retries=1)),
    Case("connection reset on the DCE", [dict(path=r"/dataCollectionEndpoints/", reset=True)], _dce_reset),
    Case("malformed JSON on the DCR", [dict(path=r"/dataCollectionRules/dcr-linux\?", malformed=True)],
         _dcr_malformed),
    Case("nextLink page 2 of the VM list fails", [dict(path=r"/providers/Microsoft\.Compute/virtualMachines\?",
                                                       page=2, status=500, code="InternalServerError")],
         _vm_list_page2),
    Case("nextLink page 2 of A records fails", [dict(path=r"privatelink\.monitor\.azure\.com/A\?", page=2,
                                                     status=500, code="InternalServerError")], _a_page2),
    Case("403 on the Heartbeat query", [dict(path=r"/v1/workspaces/", status=403, code="InsufficientAccessError")],
         _la_403),
    Case("409 MissingSubscriptionRegistration", [dict(path=r"vm-000/providers/Microsoft.Insights/", status=409,
                                                      code="MissingSubscriptionRegistration")], _registration_409),
    Case("ARG insightsresources query fails", [dict(path=r"ResourceGraph", body="insightsresources", status=500,
                                                    code="InternalServerError")], _arg_fallback,
         backend="resource-graph"),
    Case("ARG 403 on every query", [dict(path=r"ResourceGraph", status=403, code="AuthorizationFailed")],
         _arg_fallback, backend="resource-graph"),
    Case("403 on private endpoint zone groups (ARG)", [dict(path=r"/privateDnsZoneGroups\?", status=403,
                                                           code="AuthorizationFailed")],
         _zonegroups_403, backend="resource-graph"),
    # -- the other kinds of machine ------------------------------------------------------------------
    Case("403 on the Arc machine list", [dict(path=r"/providers/Microsoft\.HybridCompute/machines\?", status=403,
                                              code="AuthorizationFailed")], _arc_list_403),
    Case("403 on the Arc machine list (ARG)", [dict(path=r"/providers/Microsoft\.HybridCompute/machines\?",
                                                    status=403, code="AuthorizationFailed")], _arc_list_403,
         backend="resource-graph"),
    Case("409 MissingSubscriptionRegistration on the Arc list",
         [dict(path=r"/providers/Microsoft\.HybridCompute/machines\?", status=409,
               code="MissingSubscriptionRegistration")], _arc_unregistered),
    Case("403 on a scale set's instance list", [dict(path=r"/vmss-web/virtualMachines\?", status=403,
                                                     code="AuthorizationFailed")], _instances_403),
    Case("403 on a scale set's instance list (ARG)", [dict(path=r"/vmss-web/virtualMachines\?", status=403,
                                                           code="AuthorizationFailed")], _instances_403,
         backend="resource-graph"),
    Case("nextLink page 2 of an instance list fails", [dict(path=r"/vmss-web/virtualMachines\?", page=2,
                                                            status=500, code="InternalServerError")],
         _instances_page2),
    Case("500 on an Arc server's extension list", [dict(path=r"/arc-ok/extensions\?", status=500,
                                                        code="InternalServerError")], _arc_extensions_500),
    Case("403 on the Arc private link scope", [dict(path=r"/privateLinkScopes/arc-pls\?", status=403,
                                                    code="AuthorizationFailed")], _arc_scope_403),
]


_CLEAN: dict[str, dict] = {}


def verdicts(doc: dict) -> dict:
    return judge(Estate(from_document(doc, "discovered")), render=False)


def clean_verdicts(backend: str, monkeypatch, tmp_path) -> dict:
    """What the checks say of the estate when nothing fails (once per back-end)."""
    if backend not in _CLEAN:
        with FakeArm(ESTATE.doc, page_size=2) as fake:
            install_az_stub(monkeypatch, tmp_path, fake)
            _CLEAN[backend] = verdicts(discover(fast_settings(fake, ESTATE.listed, backend=backend)))
    return _CLEAN[backend]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(case: Case, monkeypatch, tmp_path, capsys):
    clean = clean_verdicts(case.backend, monkeypatch, tmp_path)
    with FakeArm(ESTATE.doc, page_size=2) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        for f in case.faults:
            fake.add_fault(**f)
        doc = discover(fast_settings(fake, ESTATE.listed, backend=case.backend, **case.settings))
        case.check(doc, fake)
        assert fake.writes() == []
        outcome = ", ".join(sorted({f"{e['status']}/{e['code']} x{sum(1 for x in doc['errors'] if x['code'] == e['code'])}"
                                    for e in doc["errors"]})) or "no errors"
        # The verdicts on what was captured: each one as on a clean capture, or *could not
        # evaluate* (or not judged); never a pass that the clean capture did not give.
        faulted = verdicts(doc)
        changed = {k: (clean.get(k), v) for k, v in faulted.items() if clean.get(k) != v}
        assert all(v in ("error", "skip") for _, v in changed.values()), {k: v for k, v in changed.items()
                                                                          if v[1] not in ("error", "skip")}
        assert not any(v == "pass" and clean.get(k) != "pass" for k, v in faulted.items())
        outcome += f"; verdicts: {len(faulted) - len(changed)} as clean, " \
                   f"{sum(1 for _, v in changed.values() if v == 'error')} could not evaluate"
        with capsys.disabled():
            print(f"\n  FAULT {case.name:<48} [{case.backend:<14}] completed; {outcome}; "
                  f"{len(doc['resources'])} resources; {doc['source']['throttle_waits']} throttle waits; "
                  f"{doc['source']['requests']} requests", end="")
