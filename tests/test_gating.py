"""Gating changes, end to end: --baseline labels (new, unchanged, resolved; a machine that appears or goes
away), --fail-on any|new exit codes beside waivers, warnings and an INCOMPLETE inventory, the refusals of
a baseline or of options that cannot work, and --what-if on the demo estate with each shape Azure's tools
write: the same checks run on the estate as it is in a subprocess, each new result is attributed to the
change that causes it, and the outputs (findings.json, JUnit, terminal, report) say the same."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from amaaudit.plugin import preflight
from scenarios import REPO, Scenario, run_suite

DATA = Path(__file__).resolve().parent / "data" / "whatif"
SCHEMA = json.loads((REPO / "docs" / "findings.schema.json").read_text(encoding="utf-8"))
ALL_STEPS = ("os", "power", "agent", "network", "ampls", "dns", "dcr", "identity", "heartbeat")


def findings(pytester) -> dict:
    doc = json.loads((pytester.path / "reports" / "findings.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    return doc


def keep(pytester, name: str = "baseline.json") -> Path:
    """This run's findings.json, kept aside as the next run's baseline."""
    target = pytester.path / name
    shutil.copy(pytester.path / "reports" / "findings.json", target)
    return target


def labels(doc: dict) -> dict[tuple[str, str], str | None]:
    return {(r["vm"], r["step"]): r.get("baseline", "ABSENT") for r in doc["results"]}


def junit_labels(pytester) -> dict[str, str]:
    out = {}
    for case in ET.parse(pytester.path / "reports" / "junit.xml").getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "baseline" in props:
            out[case.get("name")] = props["baseline"]
    return out


def one_paragraph(run, *said: str) -> None:
    text = run.output
    assert run.ret == 4, text[-2000:]
    assert "Traceback" not in text and "INTERNALERROR" not in text, text[-2000:]
    for part in said:
        assert part in text, text[-2000:]


def estate_before() -> Scenario:
    s = Scenario()
    s.machine("steady")                                      # healthy in both runs
    s.machine("breaks")                                      # healthy, then its agent goes
    s.machine("still-broken", ama=False, beat=None)          # the same failure in both runs
    s.machine("gets-fixed", ama=False, beat=None)            # fails, then is fixed
    s.machine("goes-away", ama=False, beat=None)             # fails, then is deleted
    vm = s.machine("unreadable", rules=[], beat=None)        # could not evaluate, in both runs
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed", "no")
    return s


def estate_after() -> Scenario:
    s = Scenario()
    s.machine("steady")
    s.machine("breaks", ama=False, beat=None)
    s.machine("still-broken", ama=False, beat=None)
    s.machine("gets-fixed")
    vm = s.machine("unreadable", rules=[], beat=None)
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed",
            "another message, request id 1234")            # the same read failing: unchanged
    s.machine("appears", ama=False, beat=None)               # a machine the baseline did not know
    return s


# -- --baseline ------------------------------------------------------------------------------------------
def test_every_label_and_what_was_resolved(pytester):
    first = run_suite(pytester, estate_before().build())
    assert first.ret == 1
    base = keep(pytester)
    assert "baseline" not in findings(pytester)["header"]                 # absent without a baseline
    assert all("baseline" not in r for r in findings(pytester)["results"])

    run = run_suite(pytester, estate_after().build(), "--baseline", str(base))
    assert run.ret == 1                                                   # --fail-on any (the default)
    doc = findings(pytester)
    got = labels(doc)
    assert got[("steady", "agent")] is None and got[("steady", "os")] is None      # pass: null
    assert got[("breaks", "agent")] == "new" and got[("breaks", "heartbeat")] == "new"
    assert got[("still-broken", "agent")] == "unchanged"
    assert got[("unreadable", "dcr")] == "unchanged"                      # compared by the read that failed
    assert got[("appears", "agent")] == "new"                             # unknown to the baseline: new
    assert ("goes-away", "agent") not in got
    header = doc["header"]["baseline"]
    assert header["source"] == "file" and header["file"] == str(base) and header["fail_on"] == "any"
    assert header["new"] == sum(1 for v in got.values() if v == "new")
    assert header["unchanged"] == sum(1 for v in got.values() if v == "unchanged")
    resolved = {(r["vm"], r["step"], r["code"], r["checked"]) for r in header["resolved"]}
    assert ("gets-fixed", "agent", "AGENT_NOT_INSTALLED", True) in resolved
    assert ("goes-away", "agent", "AGENT_NOT_INSTALLED", False) in resolved    # gone: no longer checked
    assert not any(vm in ("still-broken", "breaks", "unreadable") for vm, *_ in resolved)
    # JUnit says the same on every test case
    junit = junit_labels(pytester)
    assert junit["test_agent_provisioned[breaks]"] == "new"
    assert junit["test_agent_provisioned[still-broken]"] == "unchanged"
    assert junit["test_agent_provisioned[steady]"] == "none"
    assert len(junit) == len(doc["results"])
    # the terminal: one line of counts, then the VMs with new findings first
    counts = next(line for line in run.output.splitlines() if line.startswith("baseline: "))
    fixed = sum(1 for r in header["resolved"] if r["checked"])
    unseen = len(header["resolved"]) - fixed
    assert fixed and unseen
    assert counts.startswith(f"baseline: {header['new']} new, {header['unchanged']} unchanged, {fixed} resolved, "
                             f"{unseen} no longer checked against baseline {base}")
    order = [line.split()[0] for line in run.output.splitlines()
             if line.split() and line.split()[0] in ("breaks", "appears", "still-broken", "unreadable")
             and "(rg-app," in line]
    assert set(order[:2]) == {"breaks", "appears"}, order
    # the report: the section above the matrix, new results marked
    html = (pytester.path / "reports" / "report.html").read_text(encoding="utf-8")
    assert html.index('id="aa-changes"') < html.index('id="aa-matrix"')


def test_fail_on_new_fails_only_on_new_failures(pytester):
    run_suite(pytester, estate_before().build())
    base = keep(pytester)
    worse = run_suite(pytester, estate_after().build(), "--baseline", str(base), "--fail-on", "new")
    assert worse.ret == 1 and "--fail-on new: " in worse.output

    same = estate_before()
    same.machine("warns", ext={"auto_upgrade": False})                   # only a new warning
    run = run_suite(pytester, same.build(), "--baseline", str(base), "--fail-on", "new")
    assert run.ret == 0, run.output[-2000:]                                # unchanged failures do not fail it...
    assert run["still-broken", "agent"] == "fail"                          # ...and are still reported
    assert "still-broken" in run.output
    assert labels(findings(pytester))[("warns", "agent")] == "new"
    strict = run_suite(pytester, same.build(), "--baseline", str(base), "--fail-on", "new", "--fail-on-warning")
    assert strict.ret == 1                                                 # a new warning counts with it
    anyway = run_suite(pytester, same.build(), "--baseline", str(base))
    assert anyway.ret == 1                                                 # --fail-on any: as before


def test_waivers_keep_working_beside_fail_on_new(pytester):
    run_suite(pytester, estate_before().build())
    base = keep(pytester)
    waivers = pytester.path / "waivers.yaml"
    waivers.write_text("waivers:\n  - id: W1\n    step: agent\n    vm: breaks\n    justification: being rebuilt\n"
                       "    owner: ops\n    ticket: OPS-1\n    expires: 2027-01-31\n"
                       "  - id: W2\n    step: heartbeat\n    vm: breaks\n    justification: being rebuilt\n"
                       "    owner: ops\n    ticket: OPS-1\n    expires: 2027-01-31\n", encoding="utf-8")
    s = Scenario()                             # the baseline's estate, but "breaks" lost its agent
    for name, kw in (("steady", {}), ("breaks", {"ama": False, "beat": None}),
                     ("still-broken", {"ama": False, "beat": None}), ("gets-fixed", {"ama": False, "beat": None}),
                     ("goes-away", {"ama": False, "beat": None})):
        s.machine(name, **kw)
    vm = s.machine("unreadable", rules=[], beat=None)
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed", "no")
    run = run_suite(pytester, s.build(), "--baseline", str(base), "--fail-on", "new", "--waivers", str(waivers))
    assert run["breaks", "agent"] == "waived"
    got = labels(findings(pytester))
    assert got[("breaks", "agent")] == "new"                                 # waived, and still said to be new
    assert run.ret == 0, run.output[-2000:]


def test_an_incomplete_inventory_still_fails(pytester):
    run_suite(pytester, estate_before().build())
    base = keep(pytester)
    s = estate_before()
    s.error("/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-other",
            "Microsoft.Compute/virtualMachines/read", 403, "AuthorizationFailed", "no")
    run = run_suite(pytester, s.build(), "--baseline", str(base), "--fail-on", "new")
    assert run.ret == 1 and "INCOMPLETE" in run.output


# -- refusals ----------------------------------------------------------------------------------------------
def test_fail_on_new_needs_something_to_compare_with(pytester):
    one_paragraph(run_suite(pytester, None, "--fail-on", "new"), "--fail-on new", "--baseline FILE")


def test_baseline_and_what_if_together_are_refused(pytester):
    one_paragraph(run_suite(pytester, None, "--baseline", "x.json", "--what-if", "y.json"), "Give one of them")


@pytest.mark.parametrize("content, said", [
    (None, "does not exist"),
    ("not json", "not valid JSON"),
    ('{"format": "amaaudit-findings/1", "header": {"n": NaN}, "results": []}', "it holds NaN, which is not JSON"),
    ('{"format": "ama-estate/1", "resources": []}', 'not "amaaudit-findings/1"'),
    ('{"format": "amaaudit-findings/1", "header": {"tool": "amaaudit"}, "results": [{"vm": 1}]}', "results[0]"),
])
def test_a_file_that_is_not_a_findings_json_is_refused(pytester, content, said):
    path = pytester.path / "base.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    one_paragraph(run_suite(pytester, None, "--baseline", str(path)), said, "Cannot use baseline", "Nothing was checked")


def test_a_baseline_taken_with_other_verdict_options_is_refused(pytester):
    run_suite(pytester, estate_before().build(), "--heartbeat-max-age", "30")
    base = keep(pytester)
    one_paragraph(run_suite(pytester, estate_before().build(), "--baseline", str(base)),
                  "--heartbeat-max-age (30 there, 15 here)", "other options that change verdicts")
    run = run_suite(pytester, estate_before().build(), "--baseline", str(base), "--heartbeat-max-age", "30")
    assert run.ret == 1 and "0 new" in run.output


def test_another_version_or_fewer_steps_is_warned_about(pytester):
    run_suite(pytester, estate_before().build(), "-m", "agent")
    base = keep(pytester)
    doc = json.loads(base.read_text(encoding="utf-8"))
    doc["header"]["version"] = "0.0.9"
    base.write_text(json.dumps(doc), encoding="utf-8")
    run = run_suite(pytester, estate_before().build(), "--baseline", str(base))
    warnings = findings(pytester)["header"]["baseline"]["warnings"]
    assert any("0.0.9" in w for w in warnings)
    assert any("did not run the step(s) os, power, network" in w for w in warnings)
    assert "amaaudit baseline: The baseline did not run" in run.output
    assert labels(findings(pytester))[("still-broken", "heartbeat")] == "new"


# -- --what-if ------------------------------------------------------------------------------------------------
def test_child_arguments_replace_what_if_baseline_estate_and_outputs():
    args = ["-k", "vm25", "--what-if", "w.json", "--fail-on=new", "--estate", "e.json", "--html=r.html",
            "--junitxml", "j.xml", "--findings-json=f.json", "--subscription", "s", "--basetemp=/tmp/b",
            "--workspace", "ws", "-n", "2", "--waivers=w.yaml", "tests_infra", "--", "--estate"]
    out = preflight.child_args(args, Path("/tmp/estate.json"), Path("/tmp/f.json"))
    assert out == ["--estate=/tmp/estate.json", "--findings-json=/tmp/f.json", "--html=", "--junitxml=",
                   "--amaaudit-preflight-child", "-k", "vm25", "--workspace", "ws", "-n", "2", "--waivers=w.yaml",
                   "tests_infra", "--", "--estate"]


def test_what_if_in_the_az_shape_attributes_each_new_result(pytester):
    run = run_suite(pytester, None, "--what-if", str(DATA / "az-group-delete-dns-link.json"), "--fail-on", "new")
    assert run.ret == 1, run.output[-3000:]
    doc = findings(pytester)
    got = labels(doc)
    for vm in ("vm23", "vm24", "vm25", "vm30"):
        assert got[(vm, "dns")] == "new", vm
    assert got[("vm02", "agent")] == "unchanged"                          # the demo's own failures stay
    header = doc["header"]["baseline"]
    assert header["source"] == "what-if" and header["file"] is None and header["new"] == 4
    whatif = header["what_if"]
    assert whatif["shape"] == "az" and [c["change_type"] for c in whatif["changes"]] == ["Delete", "Modify"]
    said = ("deleting virtualNetworkLink link-vnet-spoke of privatelink.monitor.azure.com breaks DNS for "
            "vm23, vm24, vm25, vm30")
    assert whatif["changes"][0]["says"]["en"] == said
    assert whatif["changes"][1]["breaks"] == []                            # the zone's new tag is not blamed
    assert f"amaaudit what-if: {said}" in run.output
    assert "as tests" not in doc["header"]["estate"]["label"] and "would leave it" in doc["header"]["estate"]["label"]
    assert not (pytester.path / "reports" / "estate-as-it-is.json").exists()
    html = (pytester.path / "reports" / "report.html").read_text(encoding="utf-8")
    assert "What the planned deployment would change" in html and "link-vnet-spoke" in html


def test_what_if_that_changes_nothing_passes_fail_on_new(pytester):
    nothing = pytester.path / "nothing.json"
    nothing.write_text(json.dumps({"status": "Succeeded", "error": None, "changes": [
        {"resourceId": "/subscriptions/0a9b8c7d-6e5f-4d3c-2b1a-0f9e8d7c6b5a/resourceGroups/rg-dns", "changeType": "NoChange"}]}),
        encoding="utf-8")
    run = run_suite(pytester, None, "--what-if", str(nothing), "--fail-on", "new")
    assert run.ret == 0, run.output[-3000:]                               # the demo fails, but nothing is new
    assert findings(pytester)["header"]["baseline"]["new"] == 0
    assert "break nothing this run checks" in run.output
    assert run_suite(pytester, None, "--what-if", str(nothing)).ret == 1  # --fail-on any: the demo's failures


def test_what_if_in_the_rest_shape_makes_unsupported_resources_unknown(pytester):
    run = run_suite(pytester, None, "--what-if", str(DATA / "rest-sub-unsupported-dcr.json"), "--fail-on", "new")
    assert run.ret == 1
    doc = findings(pytester)
    new = [r for r in doc["results"] if r.get("baseline") == "new"]
    assert new and all(r["outcome"] == "error" for r in new)
    assert {r["vm"] for r in new} >= {"vm06", "vm14"}
    assert all("dcr-windows-events" in r["reason"] for r in new if r["step"] == "dcr")
    change = doc["header"]["baseline"]["what_if"]["changes"][0]
    assert change["change_type"] == "Unsupported" and "unevaluable" in change["says"]["en"]


def test_what_if_in_the_powershell_shape_changes_an_inline_rule(pytester):
    run = run_suite(pytester, None, "--what-if", str(DATA / "powershell-nsg-deny-rule.json"), "-k", "vm01 or vm23")
    assert run["vm01", "network"] == "fail" and run["vm23", "network"] == "pass"
    doc = findings(pytester)
    assert labels(doc)[("vm01", "network")] == "new"
    assert doc["header"]["steps_run"] == list(ALL_STEPS)
    assert {r["vm"] for r in doc["results"]} == {"vm01", "vm23"}        # the child ran the same selection
    assert doc["header"]["baseline"]["unchanged"] == 0 and doc["header"]["baseline"]["resolved"] == []


def test_what_if_from_a_terraform_plan(pytester):
    run = run_suite(pytester, None, "--what-if", str(DATA / "terraform-azapi-plan.json"), "--fail-on", "new")
    assert run.ret == 1
    doc = findings(pytester)
    assert labels(doc)[("vm01", "dcr")] == "new"
    assert "not modelled" in run.output and "azurerm_resource_group.new" in run.output
    assert doc["header"]["baseline"]["what_if"]["shape"] == "terraform"


def test_a_bad_what_if_file_is_refused_before_anything_runs(pytester):
    bad = pytester.path / "whatif.json"
    bad.write_text('{"status": "Failed", "error": {"code": "InvalidTemplate", "message": "bad"}, "changes": []}',
                   encoding="utf-8")
    one_paragraph(run_suite(pytester, None, "--what-if", str(bad)), "did not succeed", "InvalidTemplate")


def test_what_if_under_xdist_equals_the_serial_run(tmp_path):
    plan = str(DATA / "az-group-delete-dns-link.json")
    from scenarios import run_repo
    serial = run_repo(["--what-if", plan, "--fail-on", "new"], tmp_path / "serial" / "junit.xml")
    xdist = run_repo(["--what-if", plan, "--fail-on", "new", "-n", "2"], tmp_path / "n2" / "junit.xml")
    assert serial.ret == xdist.ret == 1, xdist.output[-2000:]
    assert (tmp_path / "n2" / "junit.findings.json").read_bytes() == \
        (tmp_path / "serial" / "junit.findings.json").read_bytes()
    junit = [sorted((k, r["baseline"]) for k, rs in run.records.items() for r in rs) for run in (serial, xdist)]
    assert junit[0] == junit[1] and ("vm25", "dns") in dict(junit[0]) and dict(junit[0])[("vm25", "dns")] == "new"


def _new(outcome: str, *severities: str) -> dict:
    return {"vm": "vm01", "resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm01",
            "step": "dcr", "outcome": outcome, "baseline": "new",
            "findings": [{"code": f"C_{s.upper()}", "severity": s, "message": {"en": f"{s} finding", "ja": s}}
                         for s in severities]}


def test_the_changes_section_counts_what_decides_the_exit_status_and_names_the_deciding_finding():
    from amaaudit import baseline
    from amaaudit.report import changes
    summary = {"new": 2, "unchanged": 0, "resolved": [], "fail_on": "new", "file": "base.json", "captured_at": None}
    # A warning recorded before the failure: the row names the failure's code, as JUnit and the message do.
    records = [_new("fail", "medium", "high"), _new("warn", "medium")]
    plain = changes.section(summary, records, "en", baseline.failing_outcomes(False))
    rows = plain.split('<tr class="aa-new-row">')[1:]
    assert '<code class="aa-code">C_HIGH</code>' in rows[0] and "high finding" in rows[0]
    assert '<code class="aa-code">C_MEDIUM</code>' in rows[1]
    assert "depends on the 1 new failing result(s)" in plain
    # --fail-on-warning: the new warning decides the exit status too, and the report says so.
    with_warnings = changes.section(summary, records, "en", baseline.failing_outcomes(True))
    assert "depends on the 2 new failing result(s)" in with_warnings
