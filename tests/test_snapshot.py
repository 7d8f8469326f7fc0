"""Loading ``ama-estate/1`` snapshots: good files load completely, bad ones are refused with one
clear message that names the file and the first bad entry (docs/estate-format.md)."""

from __future__ import annotations

import copy
import json
import math
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amaaudit import arm
from amaaudit import snapshot as snapshot_module
from amaaudit.snapshot import (FORMAT, MAX_DEPTH, MAX_ID_LENGTH, MAX_NAME_LENGTH, SnapshotError, canonical,
                               from_document, load, parse_time, write)
from scenarios import (ARM_EXAMPLES, ARM_RESOURCE_EXAMPLES, DEMO, REPO, Scenario, arm_documents,
                       arm_examples_document, estate_of, install_suite, run_repo, vm_named, write_estate)

MINIMAL = {"format": FORMAT, "captured_at": "2026-11-25T09:00:00Z", "resources": []}
CONTRACT = "See docs/estate-format.md and docs/estate.schema.json (README: 'Estate snapshots')."


def small() -> dict:
    s = Scenario()
    s.machine("vm01")
    return s.build()


# -- good files ----------------------------------------------------------------------------------
def test_demo_loads():
    snap = load(DEMO)
    assert snap.label == str(DEMO)
    assert snap.captured_at == datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    assert snap.cloud == "AzureCloud"
    assert snap.heartbeats is not None and snap.errors
    machines = estate_of(snap.document).machines
    names = sorted(m.name for m in machines if m.kind == "vm")
    assert names[:2] == ["vm01", "vm02"] and names.count("web") == 2
    assert {m.kind for m in machines} == {"vm", "arc", "vmss"}        # every kind AMA runs on


def test_minimal_file_loads_with_defaults(tmp_path):
    snap = load(write_estate(tmp_path / "min.json", MINIMAL))
    assert (snap.cloud, snap.source, snap.resources, snap.heartbeats, snap.heartbeat_workspaces, snap.errors) == \
        ("AzureCloud", {}, [], None, None, [])


def test_unknown_top_level_keys_and_fields_are_kept(tmp_path):
    doc = small()
    doc["x-future"] = {"anything": [1, 2]}
    doc["resources"][0]["x-vendor"] = "kept"
    snap = load(write_estate(tmp_path / "e.json", doc))
    assert snap.resources[0]["x-vendor"] == "kept"
    assert snap.document["x-future"] == {"anything": [1, 2]}


def test_utf8_bom_and_non_ascii_names(tmp_path):
    doc = small()
    doc["resources"][0]["tags"] = {"担当": "基盤チーム"}
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert load(path).resources[0]["tags"] == {"担当": "基盤チーム"}


@pytest.mark.parametrize("text, expected", [
    ("2026-11-25T09:00:00Z", "2026-11-25T09:00:00+00:00"),
    ("2026-11-25T18:00:00+09:00", "2026-11-25T09:00:00+00:00"),
    ("2026-11-25T09:00:00.1234567Z", "2026-11-25T09:00:00.123456+00:00"),   # Log Analytics: 7 digits
    ("2026-11-25T09:00:00", "2026-11-25T09:00:00+00:00"),                     # naive: taken as UTC
    ("2026-11-25t09:00:00z", "2026-11-25T09:00:00+00:00"),
])
def test_parse_time(text, expected):
    assert parse_time(text).isoformat() == expected


@pytest.mark.parametrize("value", [None, "", "yesterday", 1732525200, "2026-13-45T00:00:00Z", ["2026-11-25"]])
def test_parse_time_rejects(value):
    assert parse_time(value) is None


def test_identical_duplicates_are_kept_once(tmp_path):
    doc = small()
    doc["resources"].append(copy.deepcopy(doc["resources"][0]))
    snap = load(write_estate(tmp_path / "dup.json", doc))
    assert len(snap.resources) == len(doc["resources"]) - 1


def test_write_is_sorted_stable_and_round_trips(tmp_path):
    doc = small()
    doc["resources"].reverse()
    write(doc, tmp_path / "out" / "estate.json")
    text = (tmp_path / "out" / "estate.json").read_text(encoding="utf-8")
    written = json.loads(text)
    ids = [r["id"].lower() for r in written["resources"]]
    assert ids == sorted(ids)
    assert written == canonical(doc)
    write(written, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == text
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["estate.json"]    # no temporary file left
    assert load(tmp_path / "out" / "estate.json").resources == written["resources"]


# -- the real ARM payloads -----------------------------------------------------------------------
@pytest.mark.parametrize("example", ARM_RESOURCE_EXAMPLES)
def test_each_real_arm_payload_loads(example, tmp_path):
    docs = arm_documents(example)
    snap = load(write_estate(tmp_path / "e.json", {**MINIMAL, "resources": docs}))
    assert {d["id"].lower() for d in snap.resources} == {d["id"].lower() for d in docs}
    estate_of(snap.document)    # indexes build


def test_real_arm_payloads_together_load_and_answer(tmp_path):
    snap = load(write_estate(tmp_path / "arm.json", arm_examples_document()))
    # the extension (GET and list), association and rule (GET and list) examples repeat documents
    assert len(snap.resources) == len(arm_examples_document()["resources"]) - 3
    estate = estate_of(snap.document)
    vm = vm_named(estate, "myVM")
    assert (vm.os_type, vm.power_state, vm.guest_os) == (
        "Windows", "running", ("Windows Server 2016 Datacenter", "Microsoft Windows NT 10.0.14393.0"))
    assert [e.name for e in vm.extensions] == ["myVMExtension"] and vm.ama_extensions == []
    # the associations are filed under ".../virtualMachines/myVm": ids compare case-insensitively
    assert [a.name for a in vm.rule_associations] == ["myAssociation"]
    assert [a.name for a in vm.endpoint_associations] == ["configurationAccessEndpoint"]
    rule = vm.rule_associations[0].rule
    assert rule.name == "myCollectionRule"
    assert [r.destination for r in rule.log_routes] == ["centralWorkspace"]
    assert rule.workspace(rule.log_routes[0]) is None         # centralTeamWorkspace is not in the examples
    assert vm.log_workspaces() == []


def test_type_less_example_is_refused_naming_the_entry(tmp_path):
    """Some spec examples omit "type" (SubnetGet); a snapshot entry without it is refused, clearly."""
    path = write_estate(tmp_path / "subnet.json", {**MINIMAL, "resources": arm_documents("network__SubnetGet.json")})
    with pytest.raises(SnapshotError) as caught:
        load(path)
    assert str(path) in str(caught.value) and 'resources[0]' in str(caught.value)
    assert 'no usable "type"' in str(caught.value)


def test_examples_were_copied_into_the_repo():
    assert (ARM_EXAMPLES / "SOURCES.tsv").is_file()
    assert ARM_EXAMPLES.is_relative_to(REPO / "tests")


# -- bad files -----------------------------------------------------------------------------------
def _mutate(change):
    doc = small()
    change(doc)
    return doc


def _set(path: str, value):
    """A change that sets a dotted path (numbers index lists) to value; `...=DELETE` removes it."""
    def change(doc):
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        target = doc
        for key in keys[:-1]:
            target = target[key]
        if value is DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return change


DELETE = object()

# (id, change to a good snapshot, words the message must contain: the entry and what is wrong)
BAD_DOCUMENTS = [
    ("top-level-list", lambda d: None, ["top level is a JSON list"]),
    ("format-missing", _set("format", DELETE), ['"format" is missing']),
    ("format-wrong", _set("format", "ama-estate/2"), ['"format" is "ama-estate/2"', "ama-estate/1"]),
    ("format-number", _set("format", 1), ['"format" is 1']),
    ("captured_at-missing", _set("captured_at", DELETE), ['"captured_at"', "missing"]),
    ("captured_at-bad", _set("captured_at", "last tuesday"), ['"captured_at" is "last tuesday"']),
    ("cloud-bad", _set("cloud", "AzureMoon"), ['"cloud" is "AzureMoon"', "AzureUSGovernment"]),
    ("source-list", _set("source", ["x"]), ['"source" must be an object']),
    ("resources-missing", _set("resources", DELETE), ['"resources"', "missing"]),
    ("resources-object", _set("resources", {"a": 1}), ['"resources" is a JSON dict, not a list']),
    ("resource-not-object", _set("resources.2", "vm01"), ["resources[2] is a JSON str"]),
    ("resource-no-id", _set("resources.2.id", DELETE), ['resources[2] has no usable "id"']),
    ("resource-relative-id", _set("resources.2.id", "subscriptions/x"), ['resources[2] has no usable "id"']),
    ("resource-id-number", _set("resources.2.id", 42), ['resources[2] has no usable "id" (got 42)']),
    ("resource-no-type", _set("resources.2.type", DELETE), ['resources[2] (/subscriptions/', 'no usable "type"']),
    ("resource-type-word", _set("resources.2.type", "VM"), ['resources[2]', 'no usable "type" (got "VM")']),
    ("properties-list", _set("resources.2.properties", []), ['resources[2]', '"properties" of JSON type list']),
    ("tags-string", _set("resources.2.tags", "env=prod"), ['resources[2]', '"tags" of JSON type str']),
    ("identity-string", _set("resources.2.identity", "SystemAssigned"), ['resources[2]', '"identity"']),
    ("name-number", _set("resources.2.name", 7), ['resources[2]', '"name" of JSON type int']),
    ("location-object", _set("resources.2.location", {"x": 1}), ['resources[2]', '"location" of JSON type dict']),
    ("kind-list", _set("resources.2.kind", ["Linux"]), ['resources[2]', '"kind" of JSON type list']),
    ("heartbeats-object", _set("heartbeats", {}), ['"heartbeats" must be a list']),
    ("heartbeat-not-object", _set("heartbeats.0", "beat"), ["heartbeats[0] is not an object"]),
    ("heartbeat-no-workspace", _set("heartbeats.0.workspace_id", DELETE), ['heartbeats[0] has no "workspace_id"']),
    ("heartbeat-no-resource", _set("heartbeats.0.resource_id", ""), ['heartbeats[0] has no "resource_id"']),
    ("heartbeat-bad-time", _set("heartbeats.0.last_heartbeat", "soon"), ['heartbeats[0] has "last_heartbeat" "soon"']),
    ("heartbeat-time-missing", _set("heartbeats.0.last_heartbeat", DELETE), ["heartbeats[0]", '"last_heartbeat" null']),
    ("heartbeat_workspaces-string", _set("heartbeat_workspaces", "guid"), ['"heartbeat_workspaces" must be a list']),
    ("heartbeat_workspaces-numbers", _set("heartbeat_workspaces", [1]), ['"heartbeat_workspaces" must be a list']),
    ("errors-object", _set("errors", {"scope": "/"}), ['"errors" must be a list']),
    ("error-not-object", _set("errors", ["403"]), ["errors[0] is not an object"]),
    ("error-no-scope", _set("errors", [{"operation": "x/read"}]), ['errors[0] has no "scope"']),
    ("error-no-operation", _set("errors", [{"scope": "/subscriptions/x"}]), ['errors[0] has no "operation"']),
    # falsy values of the wrong type were taken for "absent"
    ("source-false", _set("source", False), ['"source" must be an object', "not a JSON bool"]),
    ("errors-zero", _set("errors", 0), ['"errors" must be a list', "not a JSON int"]),
    ("resource-id-leading-space", _set("resources.2.id", " /subscriptions/x"), ['resources[2] has no usable "id"']),
    ("resource-id-slashes", _set("resources.2.id", "//"), ['resources[2] has no usable "id"']),
    # a document that contradicts itself: a workspace typed as a VM became a phantom VM
    ("type-contradicts-id", _set("resources.0.type", "Microsoft.Compute/virtualMachines"), [
        "resources[0] (/subscriptions/", '"type" "Microsoft.Compute/virtualMachines"',
        'its id names a "Microsoft.OperationalInsights/workspaces"', "contradicts itself"]),
    ("type-of-a-resource-group", _set("resources.2.id", "/subscriptions/x/resourceGroups/rg-mon"), [
        "resources[2] (/subscriptions/x/resourceGroups/rg-mon)", "its id names a subscription or resource group"]),
    ("type-without-name", _set("resources.2.type", "Microsoft.Insights/dataCollectionRules/dcr-windows"), [
        "resources[2]", "contradicts itself"]),
    # sizes no Azure resource has
    ("id-too-long", _set("resources.2.id", "/subscriptions/x/resourceGroups/g/providers/Microsoft.Insights/"
                                           "dataCollectionRules/" + "d" * MAX_ID_LENGTH),
     ['resources[2] has an "id" of 4,', "no Azure id is longer than 4,096"]),
    ("name-too-long", _set("resources.2.name", "n" * (MAX_NAME_LENGTH + 1)),
     ["resources[2] (/subscriptions/", '"name" of 1,025 characters']),
    ("heartbeat-resource-id-too-long", _set("heartbeats.0.resource_id", "/x" * 2049),
     ['heartbeats[0] has a "resource_id" of 4,098 characters']),
    # times the verdicts' arithmetic cannot use
    ("captured_at-before-1970", _set("captured_at", "1969-12-31T23:59:59Z"),
     ['"captured_at" is "1969-12-31T23:59:59Z"', "from 1970-01-01 to 9000-01-01 UTC"]),
    ("captured_at-year-9000", _set("captured_at", "9000-01-01T00:00:00Z"), ['"captured_at" is "9000-01-01']),
    ("captured_at-no-utc-instant", _set("captured_at", "0001-01-01T00:00:00+01:00"), ['"captured_at" is "0001-']),
    ("captured_at-overflows-forward", _set("captured_at", "9999-12-31T23:59:59-01:00"), ['"captured_at" is "9999-']),
    ("heartbeat-year-1", _set("heartbeats.0.last_heartbeat", "0001-01-01T00:00:00Z"),
     ['heartbeats[0] has "last_heartbeat" "0001-01-01T00:00:00Z"', "from 1970-01-01"]),
    ("heartbeat-far-future", _set("heartbeats.0.last_heartbeat", "9999-12-31T23:59:59.9999999Z"),
     ["heartbeats[0]", "not a plausible"]),
    # the Heartbeat Computer column is a string
    ("heartbeat-computer-number", _set("heartbeats.0.computer", 7), ['heartbeats[0] has "computer" of JSON type int']),
    ("heartbeat-computer-null", _set("heartbeats.0.computer", None), ['"computer" of JSON type NoneType']),
    ("heartbeat-computer-list", _set("heartbeats.0.computer", ["vm01"]), ['"computer" of JSON type list']),
]


BAD_SCOPES = ["/", "//", "/subscriptions", "/subscriptions/", "foo", "subscriptions/x", " /subscriptions/x",
              "/providers/Microsoft.Management/managementGroups/mg", "/subscriptions//resourceGroups/rg",
              "/subscriptions/x//", "/subscriptions/ /resourceGroups/rg", "/subscriptions/x/resourceGroups",
              "/subscriptions/x/resourceGroups/", "/subscriptions/x/foo/bar", "/subscriptions/x/providers",
              "/subscriptions/x/providers/Microsoft.Insights", "/subscriptions/x/resourceGroups/rg/providers/"]
BAD_DOCUMENTS += [(f"error-scope-{scope!r}", _set("errors", [{"scope": scope, "operation": "x/read"}]),
                   ["errors[0] has", "not a subscription or resource id"]) for scope in BAD_SCOPES]


@pytest.mark.parametrize("change, words", [pytest.param(c, w, id=i) for i, c, w in BAD_DOCUMENTS])
def test_bad_document_is_refused_with_one_clear_message(change, words, tmp_path):
    doc = [] if words == ["top level is a JSON list"] else _mutate(change)
    path = write_estate(tmp_path / "bad.json", doc)
    with pytest.raises(SnapshotError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"Estate file {path} ")
    for word in words:
        assert word in message
    assert "\n" not in message and "Traceback" not in message and len(message) < 1000
    assert message.endswith(CONTRACT)
    assert caught.value.__cause__ is None


def test_duplicate_id_with_different_content_names_both_entries(tmp_path):
    doc = small()
    twin = copy.deepcopy(doc["resources"][0])
    twin["id"] = twin["id"].upper()           # the same resource, in other case ...
    twin["properties"]["customerId"] = "00000000-0000-0000-0000-000000000000"   # ... saying something else
    doc["resources"].append(twin)
    with pytest.raises(SnapshotError) as caught:
        load(write_estate(tmp_path / "dup.json", doc))
    n = len(doc["resources"]) - 1
    assert f"resources[{n}] and resources[0] have the same id" in str(caught.value)
    assert "case-insensitively" in str(caught.value)


@pytest.mark.parametrize("content, words", [
    (b"", ["is not valid JSON (line 1, column 1"]),
    (b"{'format': 'ama-estate/1'}", ["is not valid JSON"]),
    (b"<html>502 Bad Gateway</html>", ["is not valid JSON"]),
    (b"\xff\xfe{\x00}\x00", ["is not UTF-8 text"]),
    (b"[" * 100000 + b"]" * 100000, ["nests JSON too deeply"]),
])
def test_unreadable_bytes_are_refused(content, words, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SnapshotError) as caught:
        load(path)
    assert str(caught.value).startswith(f"Estate file {path} ")
    assert all(w in str(caught.value) for w in words)


def test_truncated_file_is_refused_as_truncated(tmp_path):
    text = json.dumps(small(), indent=1)
    for cut in (1, len(text) // 3, len(text) // 2, len(text) - 2):
        path = tmp_path / f"cut{cut}.json"
        path.write_text(text[:cut], encoding="utf-8")
        with pytest.raises(SnapshotError, match="is not valid JSON .*It may be truncated"):
            load(path)


def test_missing_and_unreadable_paths(tmp_path):
    with pytest.raises(SnapshotError, match="does not exist. Check the path given to --estate"):
        load(tmp_path / "nope.json")
    with pytest.raises(SnapshotError, match="cannot be read"):
        load(tmp_path)          # a directory


# -- through pytest: a usage error, not a traceback ---------------------------------------------
BAD_FILES = {
    "not-json": "this is not json",
    "truncated": json.dumps(MINIMAL)[:-10],
    "wrong-format": json.dumps({**MINIMAL, "format": "ama-estate/0"}),
    "no-resources": json.dumps({"format": FORMAT, "captured_at": "2026-11-25T09:00:00Z"}),
    "entry-without-id": json.dumps({**MINIMAL, "resources": [{"type": "Microsoft.Compute/virtualMachines"}]}),
}


def _assert_one_error_paragraph(ret: int, output: str, path) -> None:
    assert ret not in (0, 1), output          # a usage error: no test ran
    errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1, output
    assert str(path) in errors[0]
    assert "Traceback" not in output and 'File "' not in output, output


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_pytest_refuses_bad_estate_with_one_error(kind, pytester):
    install_suite(pytester)
    path = pytester.path / f"{kind}.json"
    path.write_text(BAD_FILES[kind], encoding="utf-8")
    result = pytester.runpytest_inprocess("--estate", str(path))
    _assert_one_error_paragraph(result.ret, "\n".join(result.outlines + result.errlines), path)


def test_pytest_refuses_bad_estate_from_the_checkout(tmp_path):
    """As a user types it, in a fresh process, from the repo root, with the file elsewhere."""
    path = tmp_path / "bad estate.json"
    path.write_text(BAD_FILES["truncated"], encoding="utf-8")
    run = run_repo(["--estate", str(path)], tmp_path / "junit.xml")
    _assert_one_error_paragraph(run.ret, run.output, path)
    assert "It may be truncated" in run.output


# -- what real ARM and Log Analytics write still loads --------------------------------------------
SUB_ID = "/subscriptions/11111111-2222-4333-8444-555555555555"
RG_ID = f"{SUB_ID}/resourceGroups/rg-app"
REAL_SHAPES = [
    {"id": SUB_ID, "type": "Microsoft.Resources/subscriptions"},
    {"id": RG_ID, "type": "Microsoft.Resources/resourceGroups", "name": "rg-app", "location": "japaneast"},
    # Arc-enabled server and its extension: ids say Machines/Extensions, the type says machines/extensions
    {"id": f"{RG_ID}/providers/Microsoft.HybridCompute/machines/arc01", "type": "Microsoft.HybridCompute/machines",
     "kind": None, "identity": {"type": "SystemAssigned"}, "properties": {"status": "Connected"}},
    {"id": f"{RG_ID}/providers/Microsoft.HybridCompute/Machines/arc01/Extensions/AzureMonitorLinuxAgent",
     "type": "Microsoft.HybridCompute/machines/extensions", "properties": {"publisher": "Microsoft.Azure.Monitor"}},
    {"id": f"{RG_ID}/providers/Microsoft.HybridCompute/privateLinkScopes/pls", "type": "Microsoft.HybridCompute/privateLinkScopes"},
    {"id": f"{RG_ID}/providers/Microsoft.HybridCompute/machines/arc01/providers/Microsoft.Insights/"
           "dataCollectionRuleAssociations/dcra", "type": "Microsoft.Insights/dataCollectionRuleAssociations"},
    # scale sets: the model, and uniform instances typed either way (the REST example types one as a VM)
    {"id": f"{RG_ID}/providers/Microsoft.Compute/virtualMachineScaleSets/ss", "type": "Microsoft.Compute/virtualMachineScaleSets"},
    {"id": f"{RG_ID}/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0",
     "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"},
    {"id": f"{RG_ID}/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/1",
     "type": "Microsoft.Compute/virtualMachines"},
    {"id": f"{RG_ID}/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/1/networkInterfaces/nic",
     "type": "Microsoft.Network/networkInterfaces"},
    # Resource Graph lower-cases types; other tools lower-case ids
    {"id": f"{RG_ID.lower()}/providers/microsoft.insights/datacollectionrules/dcr", "type": "microsoft.insights/dataCollectionRules"},
    {"id": f"{RG_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.monitor.azure.com/A/api",
     "type": "Microsoft.Network/privateDnsZones/A"},
]


def test_real_shapes_load_and_the_model_builds(tmp_path):
    doc = {**MINIMAL, "resources": REAL_SHAPES, "heartbeats": [
        {"workspace_id": "w", "resource_id": REAL_SHAPES[7]["id"], "last_heartbeat": "2026-11-25T08:59:10.1234567Z",
         "category": "Azure Monitor Agent", "computer": "ss000000"}],
        "errors": [{"scope": scope, "operation": "x/read"} for scope in GOOD_SCOPES]}
    snap = load(write_estate(tmp_path / "real.json", doc))
    assert len(snap.resources) == len(REAL_SHAPES) and snap.heartbeats[0]["computer"] == "ss000000"
    estate_of(snap.document)


GOOD_SCOPES = [SUB_ID, SUB_ID.upper() + "/", RG_ID, f"{RG_ID}/providers/Microsoft.Compute/virtualMachines/vm01",
               f"{RG_ID}/providers/Microsoft.Compute/virtualMachines/vm01/providers/"
               "Microsoft.Insights/dataCollectionRuleAssociations",                  # a list that failed
               f"{SUB_ID}/providers/Microsoft.Insights/dataCollectionRules", f"{RG_ID}/providers/A.B/c/d/e/f"]


@pytest.mark.parametrize("text", ["1970-01-01T00:00:00Z", "8999-12-31T23:59:59.9999999Z", "2026-11-25T18:00:00+09:00",
                                  "2026-11-25T09:00:00.1234567+00:00", "2026-11-25T09:00:00-05:30"])
def test_times_at_the_edges_of_the_range_load(text, tmp_path):
    doc = small()
    doc["captured_at"] = doc["heartbeats"][0]["last_heartbeat"] = text
    assert load(write_estate(tmp_path / "t.json", doc)).captured_at == parse_time(text)


def test_sizes_azure_allows_load(tmp_path):
    doc = small()
    target = doc["resources"][2]
    target["name"] = "n" * MAX_NAME_LENGTH
    target["id"] = target["id"].rsplit("/", 1)[0] + "/" + "d" * (MAX_ID_LENGTH - len(target["id"].rsplit("/", 1)[0]) - 1)
    assert len(target["id"]) == MAX_ID_LENGTH
    ext = doc["resources"][7]
    ext["properties"]["instanceView"] = {"statuses": [{"code": "x", "message": "m" * 20_000_000}]}   # 20 MB
    snap = load(write_estate(tmp_path / "big.json", doc))
    assert len(snap.resources[7]["properties"]["instanceView"]["statuses"][0]["message"]) == 20_000_000


# -- raw text another tool may write: numbers, lone surrogates, deep nesting -----------------------
def _raw(doc: dict, token: str) -> bytes:
    """The document as JSON text with the string "@@" replaced by ``token`` (raw JSON)."""
    return json.dumps(doc).replace('"@@"', token).encode("ascii")


def _refusal(tmp_path, raw: bytes) -> str:
    path = tmp_path / "raw.json"
    path.write_bytes(raw)
    with pytest.raises(SnapshotError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"Estate file {path} ") and "\n" not in message and len(message) < 1000, message
    message.encode("utf-8")          # printable anywhere: no surrogate, no raw control character
    assert caught.value.__cause__ is None
    return message


@pytest.mark.parametrize("token, shown", [
    ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e400", "1e400"), ("-1.5E+999", "-1.5E+999"),
    ("9" * 5000, "999999999999... (5,000 digits)")])
def test_numbers_json_cannot_round_trip_are_refused_naming_the_entry(token, shown, tmp_path):
    doc = small()
    doc["resources"][6]["properties"]["hardwareProfile"] = {"diskGb": "@@"}
    message = _refusal(tmp_path, _raw(doc, token))
    assert f"resources[6] ({doc['resources'][6]['id']}).properties.hardwareProfile.diskGb holds the number {shown}" \
        in message, message
    assert "which JSON cannot carry" in message and message.endswith(CONTRACT)


def test_a_number_in_a_file_broken_further_on_is_still_named(tmp_path):
    message = _refusal(tmp_path, b'{"format": "ama-estate/1", "x": NaN, "resources": [')
    assert "the file holds the number NaN" in message


def test_finite_numbers_and_big_integers_load(tmp_path):
    doc = small()
    doc["resources"][6]["properties"]["n"] = ["@@"]
    raw = _raw(doc, "1e308, -0.0, 1e-400, " + "9" * 4000)
    path = tmp_path / "ok.json"
    path.write_bytes(raw)
    assert load(path).resources[6]["properties"]["n"] == [1e308, -0.0, 0.0, int("9" * 4000)]


SURROGATE_PLACES = [      # (where the string goes, what the message names: @ is the key as shown)
    ("name", lambda d: d["resources"][6].__setitem__("name", "@@"), "resources[6] (/subscriptions/", ".name holds"),
    ("tag value", lambda d: d["resources"][6].__setitem__("tags", {"owner": "@@"}), "resources[6] (", ".tags.owner holds"),
    ("tag key", lambda d: d["resources"][6].__setitem__("tags", {"@@": "x"}), "resources[6] (", ".tags[@] is a key holding"),
    ("top-level key", lambda d: d.__setitem__("@@", 1), "", "snapshot: [@] is a key holding"),
    ("id", lambda d: d["resources"][6].__setitem__("id", "@@"), "resources[6].id holds", ""),
    ("heartbeat", lambda d: d["heartbeats"][0].__setitem__("category", "@@"), "", "heartbeats[0].category holds"),
]


@pytest.mark.parametrize("place, entry, path", [pytest.param(c, e, p, id=i) for i, c, e, p in SURROGATE_PLACES])
@pytest.mark.parametrize("escape", ['"\\ud800"', '"a\\udfffb"', '"\\uDBFF"', '"x\\ude00"'])
def test_lone_surrogates_are_refused_naming_the_entry(place, entry, path, escape, tmp_path):
    doc = small()
    place(doc)
    message = _refusal(tmp_path, json.dumps(doc).replace('"@@"', escape).encode("ascii"))
    assert entry in message and path.replace("@", json.dumps(json.loads(escape))) in message, message
    assert "lone UTF-16 surrogate" in message and message.endswith(CONTRACT)


def test_a_key_with_a_surrogate_is_shown_escaped(tmp_path):
    doc = small()
    doc["resources"][6]["tags"] = {"@@": "x"}
    message = _refusal(tmp_path, json.dumps(doc).replace('"@@"', '"k\\ud800"').encode("ascii"))
    assert '.tags["k\\ud800"] is a key holding a lone UTF-16 surrogate (\\ud800), which is not text' in message


def test_surrogate_pairs_are_text_and_load(tmp_path):
    doc = small()
    doc["resources"][6]["tags"] = {"emoji": "😀", "𝒳": "ＶＭ"}
    path = tmp_path / "pair.json"
    path.write_bytes(json.dumps(doc).encode("ascii"))          # written as \ud83d\ude00
    assert b"\\ud83d\\ude00" in path.read_bytes()
    assert load(path).resources[6]["tags"] == {"emoji": "😀", "𝒳": "ＶＭ"}


def _nest(levels: int):
    value: object = "leaf"
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


def test_nesting_to_the_limit_loads_and_can_be_written(tmp_path):
    doc = small()
    doc["resources"][6]["properties"]["deep"] = _nest(MAX_DEPTH - 4)      # top, resources, resource, properties
    snap = load(write_estate(tmp_path / "deep.json", doc))
    write(snap.document, tmp_path / "again.json")                         # redaction walks it too
    again = {r["id"]: r for r in load(tmp_path / "again.json").resources}
    assert again[doc["resources"][6]["id"]]["properties"]["deep"] == doc["resources"][6]["properties"]["deep"]


@pytest.mark.parametrize("levels", [MAX_DEPTH - 3, 200, 900])
def test_deeper_nesting_is_refused_naming_the_entry(levels, tmp_path):
    doc = small()
    doc["resources"][6]["properties"]["deep"] = _nest(levels)
    message = _refusal(tmp_path, json.dumps(doc).encode("ascii"))
    assert f"resources[6] ({doc['resources'][6]['id']}).properties.deep" in message
    assert "more levels)..." in message and f"nests more than {MAX_DEPTH} levels deep" in message


def test_depth_and_surrogates_are_refused_without_bytes_too():
    """Live discovery hands a parsed document: the same refusals, found by walking it."""
    doc = small()
    doc["resources"][6]["properties"]["deep"] = _nest(MAX_DEPTH)
    with pytest.raises(SnapshotError, match=r"resources\[6\] .*nests more than 64 levels"):
        from_document(doc, "live")
    doc = small()
    doc["resources"][3]["tags"] = {"t": "\udc00"}
    with pytest.raises(SnapshotError, match=r"resources\[3\] .*\.tags\.t holds a lone UTF-16 surrogate"):
        from_document(doc, "live")
    doc = small()
    doc["resources"][3]["properties"]["x"] = math.inf
    with pytest.raises(SnapshotError, match=r"resources\[3\] .*\.properties\.x holds the number inf"):
        from_document(doc, "live")


# -- the fast paths agree with the exact rules -------------------------------------------------------
def _exact_depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_exact_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_exact_depth(v) for v in value), default=0)
    return 0


TRICKY = st.sampled_from(['"', "\\", '\\"', "[", "]", "{", "}", '"]', '\\\\"', "\\u005b", "[{", '"}', "'", "\\n"])
TEXTS = st.lists(TRICKY | st.text(max_size=3), max_size=4).map("".join)
NESTED = st.recursive(st.none() | st.integers() | TEXTS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(TEXTS, inner, max_size=3), max_leaves=12)


@settings(max_examples=300, deadline=None, database=None)
@given(value=NESTED, wrap=st.integers(0, 80), data=st.data())
def test_the_byte_level_depth_bound_is_sound(value, wrap, data):
    for i in range(wrap):
        value = [value, data.draw(TEXTS)] if i % 3 else {data.draw(TEXTS): value}
    text = json.dumps(value, indent=data.draw(st.sampled_from([None, 0, 2])), ensure_ascii=data.draw(st.booleans()),
                      separators=data.draw(st.sampled_from([None, (",", ":")])))
    raw = ("\ufeff" if data.draw(st.booleans()) else "").encode() + text.encode("utf-8", "surrogatepass")
    depth = _exact_depth(value)
    within = snapshot_module._depth_within_limit(raw)
    if within:
        assert depth <= MAX_DEPTH
    if depth <= MAX_DEPTH // 2:
        assert within


SEGMENTS = st.sampled_from(["subscriptions", "SUBSCRIPTIONS", "resourceGroups", "resourcegroups", "providers",
                            "Providers", "Microsoft.Compute", "microsoft.compute", "virtualMachines", "extensions",
                            "Microsoft.Insights", "dataCollectionRuleAssociations", "x", "", " ", "ſubscriptions",
                            "\u212aey", "İ"])


@settings(max_examples=400, deadline=None, database=None)
@given(parts=st.lists(SEGMENTS, min_size=1, max_size=12), type_parts=st.lists(SEGMENTS, min_size=2, max_size=4),
       trailing=st.booleans(), data=st.data())
def test_the_type_pattern_agrees_with_arm_parse(parts, type_parts, trailing, data):
    rid = "/" + "/".join(parts) + ("/" if trailing else "")
    rtype = "/".join(type_parts)
    if data.draw(st.booleans()):          # often the type the id really names, in any case
        named = arm.parse(rid).type
        rtype = data.draw(st.sampled_from([named, named.lower(), named.upper()])) if "/" in named else rtype
    named = arm.parse(rid).type.lower()
    exact = (named == rtype.lower() or (named, rtype.lower()) in snapshot_module.TYPE_ALIASES) if named \
        else rtype.lower().startswith("microsoft.resources/")
    assert snapshot_module._type_fits_id(rid, rtype, {}) == exact


@pytest.mark.parametrize("rid, rtype", [(d["id"], d["type"]) for d in REAL_SHAPES])
def test_the_type_pattern_takes_the_fast_path_for_ordinary_ids(rid, rtype):
    pattern = snapshot_module._id_pattern(rtype.lower())
    fast = pattern is not None and rid.isascii() and pattern.fullmatch(rid.lower()) is not None
    assert fast == (arm.parse(rid).type.lower() == rtype.lower())


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(max_size=40) | st.from_regex(r"\d{1,4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?([zZ]|[+-]\d\d:\d\d(:\d\d)?)?",
                                                 fullmatch=True))
def test_parse_time_never_raises(text):
    moment = parse_time(text)
    assert moment is None or (moment.tzinfo is not None and moment.utcoffset().total_seconds() == 0)


def test_write_refuses_what_json_cannot_carry(tmp_path):
    doc = small()
    doc["resources"][6]["properties"]["x"] = math.nan
    with pytest.raises(ValueError):
        write(doc, tmp_path / "nan.json")
    assert list(tmp_path.iterdir()) == []       # no temporary file left


def test_written_snapshots_are_strict_json(tmp_path):
    write(json.loads(DEMO.read_text(encoding="utf-8")), tmp_path / "demo.json")
    json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"),
               parse_constant=lambda token: pytest.fail(f"{token} written"))


def test_messages_cite_the_contract_in_the_repository():
    for doc in ("docs/estate-format.md", "docs/estate.schema.json"):
        assert (REPO / doc).is_file() and doc in CONTRACT
    pointers = [str(p.relative_to(REPO)) for p in [*REPO.glob("amaaudit/**/*.py"), REPO / "README.md"]
                if re.search(r"shared/estate-format|\.\./shared", p.read_text(encoding="utf-8"))]
    assert pointers == []


def test_live_discovery_of_a_document_that_breaks_the_contract_is_one_usage_error(pytester, monkeypatch, tmp_path):
    """What Azure (here the fake ARM) returns goes through the same checks: one paragraph, no traceback."""
    from tests.fakearm import FakeArm, build_estate
    from tests.fakearm.harness import install_az_stub

    estate = build_estate(2)
    doc = copy.deepcopy(estate.doc)
    nic = next(r for r in doc["resources"] if r["type"] == "Microsoft.Network/networkInterfaces")
    nic["tags"] = {"owner": "a\udfffb"}            # served as the escape "a\udfffb"
    install_suite(pytester)
    with FakeArm(doc) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        result = pytester.runpytest_inprocess("--subscription", estate.listed[0], "--arm-endpoint", fake.url,
                                              "--logs-endpoint", fake.url)
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output[-3000:]
    errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and "Traceback" not in output, output[-3000:]
    assert "Estate file live: " in errors[0] and ".tags.owner holds a lone UTF-16 surrogate (\\udfff)" in errors[0]
