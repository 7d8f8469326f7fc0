"""The report layer's outputs for pipelines and auditors: JUnit properties, findings.json (against
its documented schema), the HTML report's counts, redaction and escaping, the support drafts.
The browser side of the HTML report is in test_report_browser.py."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from amaaudit.report import findings_json, html, matrix, redact, support
from amaaudit.steps import STEPS
from report_fixtures import SECRET, page_data, XSS_META, XSS_NAME, XSS_TAG, XSS_TAG2, run_pytest, scenario_run
from scenarios import REPO, SUB, Scenario

SCHEMA = json.loads((REPO / "docs" / "findings.schema.json").read_text(encoding="utf-8"))
JUNIT_PROPS = ("vm", "resource_id", "subscription", "resource_group", "step", "outcome")


def validate(doc: dict) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


# -- JUnit -------------------------------------------------------------------------------------------
def test_every_junit_testcase_carries_the_result_properties():
    run = scenario_run()
    root = ET.parse(run.junit).getroot()
    suites = list(root.iter("testsuite"))
    assert root.tag == "testsuites" and len(suites) == 1
    cases = list(suites[0].iter("testcase"))
    assert len(cases) == int(suites[0].get("tests")) == len(run.findings["results"])
    by_node = {r["nodeid"]: r for r in run.findings["results"]}
    for case in cases:
        assert case.get("classname") and case.get("name") and case.get("time") is not None
        props = case.findall("properties/property")
        names = [p.get("name") for p in props]
        assert all(names.count(n) == 1 for n in names), names          # no stale duplicates
        values = {p.get("name"): p.get("value") for p in props}
        assert set(JUNIT_PROPS) <= set(values), (case.get("name"), values)
        path = case.get("classname").replace(".", "/") + ".py"
        result = by_node[f"{path}::{case.get('name')}"]
        assert {k: values[k] for k in JUNIT_PROPS} == {k: result[k] for k in JUNIT_PROPS}
        if result["outcome"] in ("fail", "waived"):
            assert values["severity"] == result["severity"] and values["code"] == result["code"]
        # xunit2 shape: one result element at most, of the kind the outcome says
        kinds = [el.tag for el in case if el.tag in ("failure", "error", "skipped")]
        expected = {"pass": [], "warn": [], "fail": ["failure"], "error": ["error"], "skip": ["skipped"],
                    "waived": ["skipped"]}[result["outcome"]]
        assert kinds == expected, (case.get("name"), kinds)
    totals = {k: int(suites[0].get(k)) for k in ("failures", "errors", "skipped")}
    counts = run.findings["header"]["counts"]
    assert totals == {"failures": counts["fail"], "errors": counts["error"],
                      "skipped": counts["skip"] + counts["waived"]}


# -- findings.json -----------------------------------------------------------------------------------
def test_findings_json_follows_its_schema_and_adds_up():
    run = scenario_run()
    doc = run.findings
    validate(doc)
    header, results = doc["header"], doc["results"]
    assert header["estate"]["kind"] == "file" and header["estate"]["captured_at"] == "2026-11-25T09:00:00Z"
    assert header["estate"]["principal"] == "auditor@contoso.example (object id 0c1d2e3f-0000-4000-8000-000000000042)"
    assert header["options"]["waivers"].endswith("waivers.yaml") and header["options"]["report_lang"] == "en"
    assert sum(header["counts"].values()) == len(results)
    assert header["vms"] == {"total": 8, "broken": 4, "with_findings": 6, "without_failures": 4}
    order = [(r["vm"].lower(), r["resource_id"].lower(), header["steps"].index(r["step"])) for r in results]
    assert order == sorted(order)
    noama = run.results("vm-noama")["agent"]
    assert noama["outcome"] == "fail" and noama["severity"] == "critical" and noama["code"] == "AGENT_NOT_INSTALLED"
    assert "vm-noama" in noama["message"] and noama["remediation"] and noama["commands"]
    assert any("vm-noama" in c for c in noama["commands"]) and noama["evidence"] is not None
    assert run.results("vm-unreadable")["dcr"]["reason"].startswith("could not evaluate")
    assert run.results("vm-stopped")["agent"]["reason"].startswith("blocked")


def test_findings_json_is_written_atomically_and_validated(tmp_path):
    doc = findings_json.document({"tool": "amaaudit", "version": "0", "estate": {
        "kind": None, "label": None, "captured_at": None, "cloud": None, "source": {}, "principal": None},
        "options": {"workspace": [], "heartbeat_max_age": 15, "fail_on_warning": False, "waivers": None,
                    "report_lang": "en"},
        "counts": dict.fromkeys(("pass", "fail", "warn", "skip", "error", "waived"), 0),
        "vms": {"total": 0, "broken": 0, "with_findings": 0, "without_failures": 0}}, [], "en")
    target = findings_json.write(tmp_path / "deep" / "findings.json", doc)
    validate(json.loads(target.read_text(encoding="utf-8")))
    assert [p.name for p in target.parent.iterdir()] == ["findings.json"]     # no temporary left behind
    assert oct(target.stat().st_mode & 0o777) == "0o644"


@pytest.mark.slow
def test_findings_json_is_identical_with_and_without_xdist():
    one, two = scenario_run(), scenario_run(xdist=True)
    assert two.ret == one.ret
    assert two.findings_path.read_bytes() == one.findings_path.read_bytes()


def test_findings_json_goes_next_to_the_html_report_by_default(tmp_path):
    s = Scenario()
    s.machine("vm01")
    run = run_pytest(tmp_path / "deep" / "out", "-m", "os", estate_doc=s.build(), findings_option=False)
    assert run.ret == 0, run.output
    assert run.findings["results"][0]["vm"] == "vm01"      # read from out/findings.json


def test_report_lang_ja_gives_japanese_messages():
    run = scenario_run("ja")
    assert run.findings["header"]["options"]["report_lang"] == "ja"
    noama = run.results("vm-noama")["agent"]
    assert "拡張機能" in noama["message"] and noama["findings"][0]["message"]["en"] in \
        scenario_run().results("vm-noama")["agent"]["message"]


# -- the HTML report, without a browser --------------------------------------------------------------
def test_untrusted_text_never_reaches_the_page_unescaped():
    for lang in ("en", "ja"):
        text = scenario_run(lang).html.read_text(encoding="utf-8")
        for payload in (XSS_NAME, XSS_TAG, XSS_TAG2, XSS_META, "<script>window.__xss"):
            assert payload not in text, payload
    details = page_data(scenario_run().html, "aa-details-data")
    assert any(XSS_TAG in json.dumps(d.get("tags"), ensure_ascii=False) for d in details["d"].values())


def pytest_html_data(path: Path) -> dict:
    import html as std_html
    blob = re.search(r'data-jsonblob="(.*?)"', path.read_text(encoding="utf-8"), re.S).group(1)
    return json.loads(std_html.unescape(blob))


def test_environment_table_hides_secrets_and_escapes_values():
    run = scenario_run()
    assert SECRET not in run.html.read_text(encoding="utf-8")
    environment = pytest_html_data(run.html)["environment"]
    assert environment["AZURE_CLIENT_SECRET"] == redact.HIDDEN
    assert environment["Build note"] == XSS_META.replace("<", "&lt;").replace(">", "&gt;")


def test_pytest_html_counters_are_restated_truthfully():
    run = scenario_run()
    text = run.html.read_text(encoding="utf-8")
    counts = run.findings["header"]["counts"]
    filters = dict((m.group(2), int(m.group(1))) for m in re.finditer(r'<span class="(?:\w+)">(\d+) ([^<,(]+)', text))
    passed = counts["pass"] + counts["warn"]          # pytest counts a test with a warning as passed
    assert filters["Passed "] == passed and f"{passed} Passed (1 listed)" in text
    assert filters["Failed"] == counts["fail"]
    assert filters["Errors"] == counts["error"]
    assert filters["Skipped"] == counts["skip"]
    assert filters["Waived"] == counts["waived"]


def test_the_table_lists_what_needs_attention_only():
    run = scenario_run()
    data = pytest_html_data(run.html)
    rows = [row for found in data["tests"].values() for row in found]
    verdicts = sorted(re.sub(r"<.*?>", "", row["resultsTableRow"][1]) for row in rows)
    counts = run.findings["header"]["counts"]
    assert len(rows) == sum(v for k, v in counts.items() if k != "pass")
    assert "pass" not in verdicts


def test_a_capped_table_builds_only_the_rows_it_can_list(monkeypatch):
    """Rows are listed worst first, then in the order they came: a row that TABLE_ROWS rows as bad
    or worse came before is never built, and the table is the one building every row gave."""
    from types import SimpleNamespace

    from amaaudit.plugin import html as plugin_html
    from amaaudit.report.results import RANK

    monkeypatch.setattr(plugin_html, "TABLE_ROWS", 4)
    built = []
    real_cells = plugin_html.table.cells
    monkeypatch.setattr(plugin_html.table, "cells", lambda *a: built.append(a[1]["nodeid"]) or real_cells(*a))
    report = plugin_html.HtmlReport(SimpleNamespace(lang="en"))
    report.report_data = SimpleNamespace(data={"tests": {}})
    outcomes = ["skip", "fail", "pass", "warn", "skip", "fail", "error", "skip", "fail", "error", "skip", "warn",
                "fail", "pass", "error"]
    for i, outcome in enumerate(outcomes):
        rep = SimpleNamespace(nodeid=f"t.py::test[{i}]", when="call", passed=outcome in ("pass", "warn"),
                              amaaudit=_record(f"vm{i}", "agent", outcome))
        cells = ['<td class="col-result">x</td>']
        report.pytest_html_results_table_row(rep, cells)
        if cells:           # what pytest-html does with a row that has cells
            report.report_data.data["tests"].setdefault(rep.nodeid, []).append({"i": i})
    assert report._trim_table() == 4
    listed = [row["i"] for found in report.report_data.data["tests"].values() for row in found]
    every = sorted((RANK[o], i) for i, o in enumerate(outcomes) if o != "pass")
    assert sorted(listed) == sorted(i for _, i in every[:4]) == [1, 6, 9, 14]
    assert len(built) < len(every)                   # the rest were never built
    assert {f"t.py::test[{i}]" for i in listed} <= set(built)


# -- the pieces -----------------------------------------------------------------------------------
def test_embedded_json_cannot_close_its_script_element():
    text = html.embed_json({"a": "</script><script>x()</script>", "b": "<!--", "c": "&amp;", "d": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["a"] == "</script><script>x()</script>"


@pytest.mark.parametrize("key, value, hidden", [
    ("AZURE_CLIENT_SECRET", "abc", True), ("GITHUB_TOKEN", "ghp_x", True), ("ARM_ACCESS_KEY", "k", True),
    ("DB_PASSWORD", "p", True), ("STORAGE_CONNECTION_STRING", "x", True), ("SAS_URL", "u", True),
    ("BUILD_URL", "https://ci/job/1?sv=2020&sig=abcdef123", True), ("note", "Bearer abcdefghijklmnop", True),
    ("Python", "3.11.2", False), ("BUILD_NUMBER", "42", False), ("Platform", "Linux", False),
])
def test_redaction(key, value, hidden):
    assert (redact.mapping({key: value})[key] == redact.HIDDEN) is hidden
    assert redact.mapping({"Plugins": {key: value}})["Plugins"][key] == (redact.HIDDEN if hidden else value)


def _record(vm: str, step: str, outcome: str, **extra) -> dict:
    rid = f"/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachines/{vm}"
    return {"vm": vm, "resource_id": rid, "subscription": SUB, "resource_group": "rg-a", "location": "japaneast",
            "step": step, "test": f"test_{step}", "nodeid": f"t.py::test_{step}[{vm}]", "outcome": outcome, **extra}


def _finding(code: str, step: str, severity: str = "critical") -> dict:
    return {"code": code, "step": step, "severity": severity, "resource_id": "x",
            "message": {"en": f"{code} happened", "ja": f"{code} が発生"}, "remediation": {"en": "fix it", "ja": "直す"},
            "commands": ["az do"], "evidence": {"k": 1}}


def test_matrix_cells_and_first_broken_link():
    records = [_record("b", s.name, "pass") for s in STEPS]
    records += [_record("a", "os", "pass"), _record("a", "agent", "warn", findings=[_finding("W", "agent", "warning")]),
                _record("a", "dcr", "fail", severity="critical", findings=[_finding("DCR_X", "dcr")]),
                _record("a", "heartbeat", "error", reason="could not evaluate: x"),
                _record("a", "identity", "waived", findings=[_finding("ID", "identity")])]
    data, details = matrix.build(records, {"estate": {"captured_at": "t"}, "version": "0"}, "en", lambda rid: None)
    names = [row[0] for row in data["vms"]]
    assert names == ["a", "b"]
    assert data["vms"][0][3] == "o.w...fve".replace("o", "p") and data["vms"][0][4] == 6    # dcr breaks first
    assert data["vms"][1][3] == "ppppppppp" and data["vms"][1][4] == -1
    assert list(details["d"]) == ["0"]                 # only VMs with something to say have details
    draft = details["d"]["0"]["draft"]
    text = "\n".join(details["s"][i] for i in draft["en"]["description"])
    assert "DCR_X happened" in text and "Resource ID: /subscriptions/" in text


def test_support_draft_has_the_guides_shape():
    by_step = {"agent": _record("vm9", "agent", "fail", findings=[_finding("AGENT_X", "agent")]),
               "os": _record("vm9", "os", "pass")}
    header = {"estate": {"captured_at": "2026-11-25T09:00:00Z"}, "version": "9.9"}
    facts = {"os": "Linux", "location": "japaneast", "dcrs": ["dcr-linux"], "dces": []}
    ja = support.draft(by_step, facts, header, "ja")
    assert ja["service"] == "Azure Monitor Agent (AMA) on Linux machine"
    assert ja["problem_type"] == "I created a DCR but the data is not in the Log Analytics Workspace"
    for part in ("vm9 という名称の Azure VM リソース", "■ 対象のリソース", "■ 実施したアクション",
                 "- Azure Monitor エージェントの状態の確認: 問題あり — AGENT_X が発生",
                 "使用しているデータ収集ルールのリソース名は dcr-linux です。",
                 "データ収集エンドポイントは使用していません。", "■ お問い合わせのゴールやご状況"):
        assert part in ja["description"], part
    en = support.draft(by_step, {**facts, "dcrs": None, "dces": ["dce-1"]}, header, "en")
    assert "could not be read" in en["description"] and "Data collection endpoint(s) in use: dce-1." in en["description"]
    assert "amaaudit 9.9" in en["description"] and "2026-11-25T09:00:00Z" in en["description"]


def test_support_drafts_in_the_report_name_the_dcr_and_the_dce():
    details = page_data(scenario_run().html, "aa-details-data")
    rows = page_data(scenario_run().html, "aa-data")["vms"]
    index = str(next(i for i, row in enumerate(rows) if row[0] == "vm-noama"))
    draft = details["d"][index]["draft"]
    en = "\n".join(detail_text(details, i, "vm-noama") for i in draft["en"]["description"])
    ja = "\n".join(detail_text(details, i, "vm-noama") for i in draft["ja"]["description"])
    assert "Azure VM vm-noama (Linux, japaneast)" in en and "dcr-linux" in en and "No data collection endpoint" in en
    assert "vm-noama という名称" in ja and "dcr-linux" in ja
    ok = str(next(i for i, row in enumerate(rows) if row[0] == "vm-warn"))
    assert "draft" not in details["d"][ok]          # warnings only: nothing to ask support about


def detail_text(details: dict, index: int, vm: str) -> str:
    """A text of the details as the page shows it: a list is the pieces around the VM's name."""
    entry = details["s"][index]
    return vm.join(entry) if isinstance(entry, list) else entry


def test_details_store_a_text_that_names_its_vm_once_for_every_vm():
    finding = _finding("NO_AGENT", "agent")
    records = []
    for vm in ("vm-alpha", "vm-bravo", "vm-charlie"):
        f = {**finding, "message": {"en": f"VM {vm} has no agent", "ja": f"VM {vm} にエージェントがありません"},
             "commands": [f"az vm extension set --vm-name {vm} -n AzureMonitorLinuxAgent"],
             "evidence": {"vm": vm, "extensions": []}}
        records.append(_record(vm, "agent", "fail", severity="critical", findings=[f]))
    data, details = matrix.build(records, {"estate": {"captured_at": "t"}, "version": "0"}, "en", lambda rid: None)
    shown = {}
    for index, detail in details["d"].items():
        vm = data["vms"][int(index)][0]
        (result,) = detail["steps"]["agent"]
        (f,) = result["f"]
        shown[vm] = (detail_text(details, f["msg"], vm), detail_text(details, f["cmd"][0], vm),
                     json.loads(detail_text(details, f["ev"], vm)), detail_text(details, result["t"], vm),
                     (f["msg"], f["cmd"][0], f["ev"], result["t"]))
        assert set(detail["steps"]) == {"agent"}       # steps with nothing to say are left out
    for vm in ("vm-alpha", "vm-bravo", "vm-charlie"):
        assert shown[vm][:4] == (f"VM {vm} has no agent", f"az vm extension set --vm-name {vm} -n AzureMonitorLinuxAgent",
                                 {"vm": vm, "extensions": []}, f"t.py::test_agent[{vm}]")
    assert len({s[4] for s in shown.values()}) == 1      # one entry each, shared by the three VMs
    assert "vm-alpha" not in json.dumps(details["s"])


def test_a_vm_list_that_could_not_be_read_makes_the_run_incomplete_and_failing(tmp_path):
    """VMs that were never listed were never checked: every output says so, and the gate fails."""
    s = Scenario()
    s.machine("vm01")
    other = "/subscriptions/0b0b0b0b-0000-4000-8000-000000000002"
    gap = {"scope": other, "operation": "Microsoft.Compute/virtualMachines/read", "status": 403,
           "code": "AuthorizationFailed", "message": "The client does not have authorization"}
    s.errors.append(gap)
    run = run_pytest(tmp_path / "gap", estate_doc=s.build())
    assert run.ret == 1, run.output                      # vm01 passes, yet the run fails
    assert run.findings["header"]["incomplete"] == [gap]
    assert {r["outcome"] for r in run.findings["results"]} <= {"pass", "skip"}   # no AMPLS: dns/ampls skip
    validate(run.findings)
    assert f"INCOMPLETE: the VM list of {other} (403 AuthorizationFailed) could not be read" in run.output
    banner = re.search(r'<div class="aa-verdict ([^"]*)" role="status">(.*?)</div>',
                       run.html.read_text(encoding="utf-8"))
    assert banner.group(1) == "aa-verdict-fail"          # never "every checked VM passes"
    assert banner.group(2).startswith(f"Incomplete: the machine list of {other} (403 AuthorizationFailed)")

    s.errors[0] = {**gap, "scope": f"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm01",
                   "operation": "Microsoft.Compute/virtualMachines/instanceView/read"}
    run = run_pytest(tmp_path / "one-vm", estate_doc=s.build())
    assert run.findings["header"]["incomplete"] == []    # a read about one VM is that VM's business


def test_skip_and_error_reasons_read_in_the_reports_language_and_stay_english_for_programs():
    ja, en = scenario_run("ja"), scenario_run()
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    by_id = {r["nodeid"]: r for r in en.findings["results"]}
    unexplained = [r for r in ja.findings["results"] if r["outcome"] in ("skip", "error")]
    assert {r["outcome"] for r in unexplained} == {"skip", "error"}
    for result in unexplained:
        assert japanese.search(result["message"]), result["message"]
        assert result["reason"] == by_id[result["nodeid"]]["reason"]          # the machine-read field
        assert not japanese.search(result["reason"])
