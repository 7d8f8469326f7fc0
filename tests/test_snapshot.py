"""Loading ``ama-estate/1`` snapshots: good files load completely, bad ones are refused with one
clear message that names the file and the first bad entry (shared/estate-format.md)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from amaaudit.snapshot import FORMAT, SnapshotError, canonical, load, parse_time, write
from scenarios import (ARM_EXAMPLES, ARM_RESOURCE_EXAMPLES, DEMO, REPO, Scenario, arm_documents,
                       arm_examples_document, estate_of, install_suite, run_repo, vm_named, write_estate)

MINIMAL = {"format": FORMAT, "captured_at": "2026-11-25T09:00:00Z", "resources": []}


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
    names = sorted(vm.name for vm in estate_of(snap.document).vms)
    assert names[:2] == ["vm01", "vm02"] and names.count("web") == 2


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
]


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
    assert "\n" not in message and "Traceback" not in message
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
