"""Live discovery of every kind of machine -- Azure Arc-enabled servers, Uniform scale-set instances,
Flexible scale-set members -- on both back-ends, against the fake ARM (tests/fakearm/estates.py).

What each kind's checks read must be in the snapshot (and nothing it does not need), a read that
fails must become the right ``errors`` entry (a machine list: the run is INCOMPLETE), and Resource
Graph's silence must never decide a verdict the ``arm`` back-end would not give.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.discovery import discover, redact  # noqa: E402
from amaaudit.model import Estate  # noqa: E402
from amaaudit.snapshot import from_document  # noqa: E402
from scenarios import judge  # noqa: E402
from tests.fakearm import FakeArm, build_estate  # noqa: E402
from tests.fakearm.estates import APP, ARC_ZONES, FLEXIBLE, UNIFORM, fresh_heartbeats  # noqa: E402
from tests.fakearm.harness import ARG_LACKS, comparable, fast_settings, install_az_stub, without  # noqa: E402

BACKENDS = ["arm", "resource-graph"]
ARC_TYPE = "Microsoft.HybridCompute/machines"


@pytest.fixture(scope="module")
def estate():
    return build_estate(4)


@pytest.fixture()
def fake(estate, monkeypatch, tmp_path):
    with FakeArm(estate.doc, page_size=2, arg_page_size=7) as server:
        install_az_stub(monkeypatch, tmp_path, server)
        yield server


def verdicts(doc: dict) -> dict:
    return judge(Estate(from_document(doc, "discovered")), render=False)


def by_id(doc: dict) -> dict[str, dict]:
    return {r["id"].lower(): r for r in doc["resources"]}


def served(estate, suffix: str) -> dict:
    return next(r for r in estate.doc["resources"] if r["id"].endswith(suffix))


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_kind_is_discovered_with_what_its_checks_read(backend, estate, fake):
    doc = discover(fast_settings(fake, estate.listed, backend=backend))
    assert doc["errors"] == []
    got = by_id(doc)
    # exactly what the machines reference: the empty Uniform set's NSG and associations are not read
    assert set(got) == estate.expected_ids()
    for rid, document in got.items():       # as served (Resource Graph has no etag or systemData)
        expected = redact(next(r for r in estate.doc["resources"] if r["id"].lower() == rid))
        assert without(document) == without(expected), rid

    # Arc: the machine's own document (what only a GET tells: the extension service), no embedded
    # extensions; each extension with its single-status instance view
    for machine in estate.arc_ids:
        document = got[machine.lower()]
        assert "resources" not in document and document["properties"]["serviceStatuses"]["extensionService"]
    arc_extensions = [r for r in doc["resources"] if r["type"] == f"{ARC_TYPE}/extensions"]
    assert len(arc_extensions) == 3 and all(e["properties"]["instanceView"]["status"] for e in arc_extensions)
    # ... its Arc private link scope, the endpoint's VNet (reached only that way) and the three Arc zones
    assert served(estate, "/privateLinkScopes/arc-pls")["id"].lower() in got
    assert served(estate, "/virtualNetworks/vnet-arc")["id"].lower() in got
    for zone in ARC_ZONES:
        zone_id = served(estate, f"/privateDnsZones/{zone}")["id"].lower()
        assert zone_id in got
        assert any(i.startswith(zone_id + "/virtualnetworklinks/") for i in got)
        assert any(i.startswith(zone_id + "/a/") for i in got)

    # Uniform instances with their instance view, as ARM typed them; the set's model network and associations
    web = estate.scale_set_ids[UNIFORM].lower()
    instances = [r for r in doc["resources"] if r["id"].lower().startswith(web + "/virtualmachines/")]
    assert len(instances) == 3 and all("instanceView" in r["properties"] for r in instances)
    assert {r["type"] for r in instances} == {"Microsoft.Compute/virtualMachines",
                                              "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"}
    assert any(i.startswith(web + "/providers/microsoft.insights/datacollectionruleassociations/") for i in got)
    assert served(estate, "/networkSecurityGroups/nsg-vmss")["id"].lower() in got
    assert served(estate, "/networkSecurityGroups/nsg-vmss-subnet")["id"].lower() in got
    assert estate.scale_set_ids[FLEXIBLE].lower() in got

    # Heartbeat: Computer tells the instances apart; the row of a non-Azure computer is left out
    key = lambda h: (h["workspace_id"], h["resource_id"], h.get("computer", ""))  # noqa: E731
    assert sorted(doc["heartbeats"], key=key) == sorted(fresh_heartbeats(estate), key=key)
    assert {h.get("computer") for h in doc["heartbeats"] if h["resource_id"] == web} == {
        i["properties"]["osProfile"]["computerName"] for i in instances[:2]}
    assert all(h["resource_id"] for h in doc["heartbeats"])

    # every kind is a row of the checks, with the verdicts its documents call for
    judged = verdicts(doc)
    assert {m for m, _ in judged} >= {"arc-ok", "arc-down", "arc-noext", "arc-pl", "vmss-web_0", "vmss-web_1",
                                      "vmss-web_2"}
    assert judged["arc-down", "power"] == "fail" and judged["arc-noext", "agent"] == "fail"
    assert judged["vmss-web_2", "agent"] == "fail"                    # behind the model: no AMA on it
    assert judged["vmss-web_0", "agent"] == "pass" and judged["vmss-web_0", "heartbeat"] == "pass"
    assert judged["arc-ok", "heartbeat"] == "pass" and judged["arc-pl", "ampls"] == "pass"
    assert fake.writes() == []


def test_both_backends_give_the_same_verdicts_for_every_kind(estate, fake):
    arm = discover(fast_settings(fake, estate.listed, backend="arm"))
    fake.clear()
    arg = discover(fast_settings(fake, estate.listed, backend="resource-graph"))
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)
    assert verdicts(arm) == verdicts(arg)
    # Arc servers, their extensions and scope, and scale sets came from Resource Graph: ARM was not asked
    # for them, except the one Arc server ARG shows no extension for (an absence, confirmed)
    arm_paths = [r.path.lower() for r in fake.log if r.method == "GET"]
    arc_gets = [p for p in arm_paths if "/microsoft.hybridcompute/machines/" in p]
    assert arc_gets == [next(i for i in estate.arc_ids if i.endswith("/arc-noext")).lower() + "/extensions"]
    assert not any(p.endswith(("/virtualmachinescalesets/vmss-web", "/virtualmachinescalesets/vmss-flex"))
                   for p in arm_paths)


@pytest.mark.parametrize("backend", BACKENDS)
def test_forbidden_arc_and_instance_lists_make_the_run_incomplete(backend, estate, fake):
    web = estate.scale_set_ids[UNIFORM]
    fake.forbid(f"/subscriptions/{APP}", ARC_TYPE)
    fake.forbid(web, "Microsoft.Compute/virtualMachineScaleSets/virtualMachines")
    doc = discover(fast_settings(fake, estate.listed, backend=backend))
    assert sorted((e["scope"], e["operation"], e["status"]) for e in doc["errors"]) == sorted([
        (f"/subscriptions/{APP}", "Microsoft.HybridCompute/machines/read", 403),
        (web, "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read", 403)])
    gaps = Estate(from_document(doc, "discovered")).errors.inventory_gaps()
    assert sorted(g["operation"] for g in gaps) == ["Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read",
                                                    "Microsoft.HybridCompute/machines/read"]
    got = by_id(doc)
    assert not any(i.lower() in got for i in estate.arc_ids)
    assert not any(i.startswith(web.lower() + "/") for i in got)      # no instance, so nothing of its model
    assert all(i.lower() in got for i in estate.vm_ids)               # the VMs are all there


def test_an_arc_extension_arg_hides_gives_the_arm_verdict(estate, fake):
    """Resource Graph leaves out an Arc extension the caller may not read; the resource-graph back-end asks
    ARM about the empty list and gets the 403 the arm back-end gets: could not evaluate, never a fail."""
    arc_ok = next(i for i in estate.arc_ids if i.endswith("/arc-ok"))
    fake.forbid(arc_ok, f"{ARC_TYPE}/extensions")
    arm = discover(fast_settings(fake, estate.listed, backend="arm"))
    fake.clear()
    arg = discover(fast_settings(fake, estate.listed, backend="resource-graph"))
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)
    [err] = arm["errors"]
    assert (err["scope"], err["operation"], err["status"]) == (arc_ok, f"{ARC_TYPE}/extensions/read", 403)
    by_arm, by_arg = verdicts(arm), verdicts(arg)
    assert by_arm == by_arg
    assert by_arm["arc-ok", "agent"] == "error"


def test_arg_rows_that_do_not_tell_all_are_read_from_arm(estate, monkeypatch, tmp_path):
    """An Arc machine row without the extension service's status, an Arc extension row without its
    instance view: Resource Graph's row is not taken for the whole document, ARM's GET and list are."""
    from tests.fakearm import server as fake_server

    row = fake_server._arg_row

    def thin(doc):
        out = row(doc)
        if out["id"].lower().endswith("/arc-ok") and isinstance(out.get("properties"), dict):
            out["properties"] = {k: v for k, v in out["properties"].items() if k != "serviceStatuses"}
        if "/arc-down/extensions/" in out["id"].lower():
            out["properties"] = {k: v for k, v in out["properties"].items() if k != "instanceView"}
        return out

    monkeypatch.setattr(fake_server, "_arg_row", thin)
    with FakeArm(estate.doc, page_size=2, arg_page_size=7) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        arm = discover(fast_settings(fake, estate.listed, backend="arm"))
        fake.clear()
        arg = discover(fast_settings(fake, estate.listed, backend="resource-graph"))
        arc_reads = sorted(r.path.lower().rsplit("/machines/", 1)[1] for r in fake.log
                           if "/microsoft.hybridcompute/machines/" in r.path.lower())
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)
    assert arc_reads == ["arc-down/extensions", "arc-noext/extensions", "arc-ok"]
    assert arg["source"]["resource_graph_confirmations"]["arc"] == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unregistered_namespace_has_no_machines_and_is_no_error(backend, estate, fake):
    """409 MissingSubscriptionRegistration on a machine list: ARM does not unregister a namespace while
    resources of it exist, so there are none; the run is complete and says so in its source."""
    fake.unregister(APP, "Microsoft.HybridCompute")
    doc = discover(fast_settings(fake, estate.listed, backend=backend))
    assert doc["errors"] == []
    assert doc["source"]["providers_not_registered"] == [f"/subscriptions/{APP}: Microsoft.HybridCompute"]
    assert not Estate(from_document(doc, "discovered")).errors.inventory_gaps()
    assert not any(r["type"].startswith("Microsoft.HybridCompute/") for r in doc["resources"])
    assert any(r.status == 409 for r in fake.log)


def test_a_409_elsewhere_stays_a_failed_read(estate, fake):
    """Only a list of machines may read 409 as "none": an Arc machine's extension list answering it is an
    errors entry (the extensions of that machine are unknown)."""
    fake.add_fault(r"/arc-ok/extensions\?", status=409, code="MissingSubscriptionRegistration")
    doc = discover(fast_settings(fake, estate.listed))
    [err] = doc["errors"]
    assert err["status"] == 409 and err["operation"] == f"{ARC_TYPE}/extensions/read"
    assert "providers_not_registered" not in doc["source"]
