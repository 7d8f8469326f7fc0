"""docs/estate.schema.json: every snapshot amaaudit writes or ships validates, and the schema
rejects what it should. The loader is stricter than the schema, never looser: over the fuzz
corpus, "loaded" implies "valid" (tests/test_fuzz_snapshot.py); here, what the schema rejects
the loader refuses too."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest

from amaaudit.discovery import discover, write_snapshot
from amaaudit.snapshot import SnapshotError, from_document, load, write
from scenarios import MON, REPO, Scenario, arm_examples_document, demo_document, rid, write_estate
from tests.fakearm import FakeArm, build_estate
from tests.fakearm.harness import fast_settings, install_az_stub

SCHEMA_PATH = REPO / "docs" / "estate.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def assert_valid(doc: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


# -- what amaaudit ships and writes validates -------------------------------------------------------
def test_the_bundled_demo_validates():
    assert_valid(demo_document())


def test_the_arm_examples_document_validates():
    assert_valid(arm_examples_document())


def _scenarios() -> dict[str, dict]:
    healthy = Scenario()
    healthy.machine("vm01")
    healthy.machine("win01", os="Windows")
    failing = Scenario()
    vm = failing.machine("unreadable", beat=None)
    failing.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed", "no")
    failing.error(f"/subscriptions/{MON}", "Microsoft.Insights/dataCollectionRules/read", 429, "TooManyRequests", "")
    failing.associate(failing.machine("deleted", rules=[]),
                      rule_id=rid(MON, "rg-mon", "Microsoft.Insights/dataCollectionRules", "dcr-deleted"))
    failing.machine("off", power="deallocated", beat=None)
    failing.heartbeat_workspaces = [failing.law["properties"]["customerId"]]
    no_heartbeats = Scenario()
    no_heartbeats.machine("vm01", beat=None)
    empty = Scenario()
    return {"healthy": healthy.build(), "failing": failing.build(), "no-heartbeats": no_heartbeats.build(),
            "no-machines": empty.build()}


@pytest.mark.parametrize("name", sorted(_scenarios()))
def test_scenario_estates_validate_and_load(name, tmp_path):
    doc = _scenarios()[name]
    assert_valid(doc)
    load(write_estate(tmp_path / f"{name}.json", doc))


def test_a_benchmark_estate_validates():
    spec = importlib.util.spec_from_file_location("make_estate", REPO / "bench" / "make_estate.py")
    make_estate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_estate)
    doc, _ = make_estate.build(300, seed=7)
    assert_valid(doc)
    from_document(doc, "bench")


def _saved(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("backend", ["arm", "resource-graph"])
def test_snapshots_saved_by_live_discovery_validate(backend, monkeypatch, tmp_path):
    """Discovery against the fake ARM (as tests/test_discovery.py runs it, with failed reads), saved
    the way --save-estate saves it: the file validates and loads."""
    estate = build_estate(4, secrets=True)
    with FakeArm(estate.doc, page_size=2, arg_page_size=7) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        fake.add_fault(r"/dataCollectionRuleAssociations\?", status=403, code="AuthorizationFailed")
        fake.add_fault(r"/workspaces/law-central\?", status=500, code="InternalServerError")
        doc = discover(fast_settings(fake, estate.listed, backend=backend))
    assert doc["errors"]
    out = tmp_path / "estate.json"
    write_snapshot(doc, out)
    assert_valid(_saved(out))
    load(out)


def test_the_demo_served_live_and_saved_validates(monkeypatch, tmp_path):
    """tests/test_live_cli.py's estate: the demo served by the fake ARM, vm12's associations a 403."""
    served = demo_document()
    served.pop("errors")
    subscription = next(r["id"].split("/")[2] for r in served["resources"]
                        if r["type"] == "Microsoft.Compute/virtualMachines")
    with FakeArm(served, page_size=5) as fake:
        fake.add_fault(r"virtualMachines/vm12/providers/Microsoft\.Insights/dataCollectionRuleAssociations",
                       status=403, code="AuthorizationFailed", message="no")
        install_az_stub(monkeypatch, tmp_path, fake)
        doc = discover(fast_settings(fake, [subscription]))
    snap = from_document(doc, "live")                   # as the plugin does, then --save-estate
    write(snap.document, tmp_path / "estate.json")
    saved = _saved(tmp_path / "estate.json")
    assert any(e.get("status") == 403 for e in saved["errors"])
    assert_valid(saved)


# -- the schema rejects what it should, and the loader refuses it too ---------------------------------
def _base() -> dict:
    s = Scenario()
    s.machine("vm01")
    s.error(f"/subscriptions/{MON}", "Microsoft.Insights/dataCollectionRules/read")
    return s.build()


def _with(path: str, value):
    doc = _base()
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    target = doc
    for key in keys[:-1]:
        target = target[key]
    if value is _DROP:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return doc


_DROP = object()
REJECTED = {
    "format-missing": ("format", _DROP), "format-other": ("format", "ama-estate/2"),
    "captured_at-number": ("captured_at", 1732525200), "cloud-other": ("cloud", "AzureMoon"),
    "cloud-null": ("cloud", None), "source-list": ("source", ["x"]), "resources-object": ("resources", {}),
    "resource-string": ("resources.0", "vm01"), "id-missing": ("resources.0.id", _DROP),
    "id-relative": ("resources.0.id", "subscriptions/x"), "id-too-long": ("resources.0.id", "/" + "x" * 4096),
    "type-without-slash": ("resources.0.type", "VM"), "name-number": ("resources.0.name", 7),
    "name-too-long": ("resources.0.name", "n" * 1025), "tags-string": ("resources.0.tags", "a=b"),
    "properties-list": ("resources.0.properties", []), "heartbeats-object": ("heartbeats", {}),
    "heartbeat-no-time": ("heartbeats.0.last_heartbeat", _DROP), "heartbeat-empty-workspace": ("heartbeats.0.workspace_id", ""),
    "heartbeat-computer-number": ("heartbeats.0.computer", 7), "heartbeat_workspaces-numbers": ("heartbeat_workspaces", [1]),
    "errors-object": ("errors", {}), "error-scope-root": ("errors.0.scope", "/"),
    "error-scope-bare": ("errors.0.scope", "/subscriptions/"), "error-scope-management-group": (
        "errors.0.scope", "/providers/Microsoft.Management/managementGroups/mg"),
    "error-scope-empty-segment": ("errors.0.scope", "/subscriptions/x//resourceGroups/g"),
    "error-no-operation": ("errors.0.operation", ""),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_the_schema_rejects_and_the_loader_refuses(name, tmp_path):
    doc = _with(*REJECTED[name])
    assert not VALIDATOR.is_valid(doc)
    with pytest.raises(SnapshotError):
        load(write_estate(tmp_path / "bad.json", doc))


def test_nulls_the_loader_reads_as_absent_are_valid(tmp_path):
    doc = _base()
    doc.update(source=None, heartbeats=None, heartbeat_workspaces=None, errors=None)
    doc["resources"][0].update(kind=None, tags=None, identity=None)
    assert_valid(doc)
    load(write_estate(tmp_path / "nulls.json", copy.deepcopy(doc)))
