"""Estates larger than one run: several snapshots, one estate (``--estate`` given more than once).

The promise: N partial captures (split by subscription, each a live discovery of its own
subscription and of whatever its machines reference elsewhere) give exactly the verdicts of one
capture of the whole. And the rules of combining: documents by id (identical ones once, a
changed one from the capture taken last, said in every header), errors and Heartbeat merged,
every machine judged at its own capture's instant.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.compose import capture_times, compose, sources_of  # noqa: E402
from amaaudit.discovery import discover, write_snapshot  # noqa: E402
from amaaudit.model import Estate  # noqa: E402
from amaaudit.snapshot import SnapshotError, from_document, load  # noqa: E402
from scenarios import Scenario, judge, run_repo  # noqa: E402
from tests.fakearm import FakeArm  # noqa: E402
from tests.fakearm.estates import landing_zone  # noqa: E402
from tests.fakearm.harness import fast_settings, install_az_stub  # noqa: E402

OTHER = "abababab-0000-4000-8000-000000000001"


def snap(doc: dict, label: str):
    return from_document(copy.deepcopy(doc), label)


def verdicts(snapshot) -> dict:
    return judge(Estate(snapshot), render=False)


# -- captured live, split by subscription ------------------------------------------------------------
@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """One capture of four subscriptions, and four captures of one subscription each (files)."""
    folder = tmp_path_factory.mktemp("captures")
    doc = landing_zone(40, seed=3)
    subs = sorted({r["id"].split("/")[2] for r in doc["resources"]
                   if r["type"] == "Microsoft.Compute/virtualMachines"})
    mp = pytest.MonkeyPatch()
    try:
        with FakeArm(doc) as fake:
            install_az_stub(mp, folder, fake)
            whole = discover(fast_settings(fake, subs))
            parts = []
            for i, sub in enumerate(subs):
                part = discover(fast_settings(fake, [sub], backend="resource-graph" if i % 2 else "arm"))
                path = folder / f"part-{i}.json"
                write_snapshot(part, path)
                parts.append(path)
    finally:
        mp.undo()
    whole_path = folder / "whole.json"
    write_snapshot(whole, whole_path)
    return whole_path, parts


def test_partial_captures_give_exactly_the_verdicts_of_the_whole(captures):
    whole_path, parts = captures
    whole = load(whole_path)
    combined = compose([load(p) for p in parts])
    # every resource and every read error of the whole, nothing else (the shared ones once)
    assert {r["id"].lower() for r in combined.resources} == {r["id"].lower() for r in whole.resources}
    assert len(combined.resources) == len(whole.resources)
    assert combined.errors == [] and whole.errors == []
    by_whole, by_parts = verdicts(whole), verdicts(combined)
    assert len(by_whole) == 9 * 40
    assert {k: (v, by_parts.get(k)) for k, v in by_whole.items() if by_parts.get(k) != v} == {}
    assert {"pass", "fail"} <= set(by_whole.values())         # a real mix, not all one outcome
    # each machine is held by the capture of its own subscription, and judged at that capture's instant
    times = capture_times(combined)
    for path in parts:
        part = load(path)
        for r in part.resources:
            if r["type"] == "Microsoft.Compute/virtualMachines":
                assert times[r["id"].lower()] == part.captured_at
    assert combined.captured_at == max(load(p).captured_at for p in parts)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [None, 2], ids=["serial", "xdist"])
def test_a_run_of_several_estate_files_is_the_run_of_the_whole(captures, tmp_path, workers):
    whole_path, parts = captures
    args = [a for p in parts for a in ("--estate", str(p))]
    if workers:
        args += ["-n", str(workers)]
    combined = run_repo(args, tmp_path / "combined" / "junit.xml", timeout=300)
    whole = run_repo(["--estate", str(whole_path)], tmp_path / "whole" / "junit.xml", timeout=300)
    assert combined.ret == whole.ret == 1
    assert dict(combined) == dict(whole) and len(whole) == 9 * 40
    header = json.loads((tmp_path / "combined" / "junit.findings.json").read_text())["header"]["estate"]
    assert header["kind"] == "file" and [s["label"] for s in header["sources"]] == [str(p) for p in parts]
    assert sum(s["machines"] for s in header["sources"]) == 40
    assert header["replaced"] == {"count": 0, "resources": []}
    assert "4 snapshots combined" in combined.output
    for p in parts:
        assert str(p) in combined.output
    single = json.loads((tmp_path / "whole" / "junit.findings.json").read_text())["header"]["estate"]
    assert len(single["sources"]) == 1 and single["sources"][0]["machines"] is None


# -- the rules of combining --------------------------------------------------------------------------
def two_runs():
    """Two runs an hour apart: vm-a and vm-silent in the first, vm-b in the second; both read the shared
    monitoring. vm-silent had sent nothing when the first run looked; the second run saw it at 09:30."""
    a = Scenario(captured_at="2026-11-25T09:00:00Z", source={"kind": "arm", "principal": {"name": "ci-a"}})
    a.machine("vm-a", beat=10.0)                 # 10 min before ITS capture: fresh there, stale an hour later
    silent = a.machine("vm-silent", beat=None)
    b = Scenario(captured_at="2026-11-25T10:00:00Z", source={"kind": "arm", "principal": {"name": "ci-b"}})
    b.machine("vm-b", beat=2.0)
    b.heartbeat(silent, b.law, 30.0)
    return a.build(), b.build()


def test_each_machine_is_judged_at_its_own_captures_instant():
    a, b = two_runs()
    combined = compose([snap(a, "a.json"), snap(b, "b.json")])
    estate = Estate(combined)
    at = {vm.name: f"{estate.captured_at_of(vm.id):%H:%M}" for vm in estate.vms}
    assert at == {"vm-a": "09:00", "vm-silent": "09:00", "vm-b": "10:00"}
    assert f"{combined.captured_at:%H:%M}" == "10:00"
    got, own = verdicts(combined), verdicts(snap(a, "a"))
    # vm-a's Heartbeat came 10 min before its own capture: fresh, as its own run said (judged at the
    # latest capture it would be 70 min old: stale)
    assert got[("vm-a", "heartbeat")] == own[("vm-a", "heartbeat")] == "pass"
    # vm-silent: its own run asked the workspace and found nothing; the later run's row is not about the
    # instant vm-silent is judged at, so it is not used: the verdict is its own run's
    assert got[("vm-silent", "heartbeat")] == own[("vm-silent", "heartbeat")] == "fail"
    assert not [h for h in combined.heartbeats if h["resource_id"].endswith("/vm-silent")]
    assert got[("vm-b", "heartbeat")] == "pass"
    # the shared documents (workspace, rules, network) are the same in both: kept once, nothing replaced
    assert combined.source["replaced_count"] == 0
    assert len(combined.resources) == len({r["id"].lower() for r in a["resources"] + b["resources"]})
    assert [(s["label"], s["captured_at"], s["machines"]) for s in sources_of(combined)] == [
        ("a.json", "2026-11-25T09:00:00Z", 2), ("b.json", "2026-11-25T10:00:00Z", 1)]


def test_a_document_that_changed_between_captures_is_taken_from_the_latest_and_said():
    a, b = two_runs()
    dcr = lambda doc: next(r for r in doc["resources"] if r["name"] == "dcr-linux")  # noqa: E731
    dcr(a)["properties"]["description"] = "before"
    dcr(b)["properties"]["description"] = "after"
    for order in ((a, b), (b, a)):                       # whichever is named first, the later capture wins
        labels = ["a.json", "b.json"] if order[0] is a else ["b.json", "a.json"]
        combined = compose([snap(order[0], labels[0]), snap(order[1], labels[1])])
        kept = next(r for r in combined.resources if r["name"] == "dcr-linux")
        assert kept["properties"]["description"] == "after"
        assert combined.source["replaced_count"] == 1
        assert combined.source["replaced"] == [{"id": dcr(b)["id"], "dropped": ["a.json"], "kept": "b.json"}]


def test_errors_are_merged_and_a_composed_snapshot_composes_again(tmp_path):
    a, b = two_runs()
    a["errors"] = [{"scope": f"/subscriptions/{OTHER}", "operation": "Microsoft.Web/sites/read", "status": 403,
                    "code": "AuthorizationFailed", "message": "no"}]
    b["errors"] = copy.deepcopy(a["errors"]) + [{"scope": f"/subscriptions/{OTHER}/resourceGroups/x",
                                                 "operation": "Microsoft.Compute/virtualMachines/read",
                                                 "status": 403, "code": "AuthorizationFailed", "message": "no"}]
    first = compose([snap(a, "a.json"), snap(b, "b.json")])
    assert len(first.errors) == 2
    assert Estate(first).errors.inventory_gaps()              # the failed VM list still makes the run INCOMPLETE
    path = tmp_path / "ab.json"
    write_snapshot(first.document, path)
    c = Scenario(captured_at="2026-11-25T11:00:00Z")
    c.machine("vm-c")
    again = compose([load(path), snap(c.build(), "c.json")])
    times = {k.rsplit("/", 1)[-1]: f"{v:%H:%M}" for k, v in capture_times(again).items()}
    assert times == {"vm-a": "09:00", "vm-silent": "09:00", "vm-b": "10:00", "vm-c": "11:00"}
    assert [s["label"] for s in sources_of(again)] == ["a.json", "b.json", "c.json"]
    assert verdicts(again)[("vm-a", "heartbeat")] == "pass"


def test_snapshots_of_different_clouds_are_refused_in_one_paragraph():
    a, b = two_runs()
    b["cloud"] = "AzureChinaCloud"
    with pytest.raises(SnapshotError) as info:
        compose([snap(a, "a.json"), snap(b, "b.json")])
    message = str(info.value)
    assert "\n" not in message and "a.json is AzureCloud" in message and "b.json is AzureChinaCloud" in message


def test_the_same_file_twice_is_one_source(tmp_path):
    a, _ = two_runs()
    path = tmp_path / "a.json"
    path.write_text(json.dumps(a), encoding="utf-8")
    run = run_repo(["--estate", str(path), "--estate", str(path), "-k", "vm-a"], tmp_path / "out" / "junit.xml")
    header = json.loads((tmp_path / "out" / "junit.findings.json").read_text())["header"]["estate"]
    assert run.ret == 0, run.output[-2000:]
    assert len(header["sources"]) == 1 and header["label"] == str(path)
