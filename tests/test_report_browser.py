"""The HTML report in headless Chromium (file:// only, no network): the matrix shows the right
cell states, its links open the right details, the Japanese report renders, hostile names and
tags are shown as text and never run, and a large matrix stays virtualized."""

from __future__ import annotations

import json

import pytest

from amaaudit.report import chromium, html, matrix
from amaaudit.steps import STEPS
from report_fixtures import XSS_META, XSS_NAME, XSS_TAG, XSS_TAG2, scenario_run

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(chromium.executable() is None, reason="chromium is not installed")]

STATE = {"p": "pass", "f": "fail", "w": "warn", "s": "skip", "e": "error", "v": "waived", "n": "none"}


@pytest.fixture(scope="module")
def browser():
    with chromium.Browser(1400, 1000) as b:
        yield b


def script_errors(browser) -> list[str]:
    """Uncaught exceptions the page has thrown so far (Runtime.exceptionThrown events)."""
    return [json.dumps(e["params"]["exceptionDetails"])[:300] for e in browser.events
            if e.get("method") == "Runtime.exceptionThrown"]


def settle(browser) -> None:
    """Let pending events (hashchange, rendering) run."""
    browser.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))", await_promise=True)


def matrix_states(browser) -> dict[str, str]:
    """VM name -> one letter per step, read from the cells the page shows."""
    return browser.evaluate("""(() => {
        const out = {};
        document.querySelectorAll('#aa-matrix .aa-mx-row').forEach(row => {
            out[row.querySelector('.aa-vm').textContent] = [...row.querySelectorAll('.aa-c')]
                .map(c => [...c.classList].find(k => /^aa-c-.$/.test(k)).slice(-1)).join('');
        });
        return out; })()""")


def test_the_matrix_shows_every_result_state(browser):
    run = scenario_run()
    browser.open(run.html)
    assert script_errors(browser) == []
    shown = matrix_states(browser)
    expected = {}
    for result in run.findings["results"]:
        states = expected.setdefault(result["vm"], ["n"] * len(STEPS))
        states[[s.name for s in STEPS].index(result["step"])] = {
            "pass": "p", "fail": "f", "warn": "w", "skip": "s", "error": "e", "waived": "v"}[result["outcome"]]
    assert shown == {vm: "".join(s) for vm, s in expected.items()}
    order = [s.name for s in STEPS]
    assert STATE[shown["vm-noama"][order.index("agent")]] == "fail"
    assert STATE[shown["vm-stopped"][order.index("power")]] == "fail"
    assert STATE[shown["vm-stopped"][order.index("dcr")]] == "skip"
    assert STATE[shown["vm-warn"][order.index("agent")]] == "warn"
    assert STATE[shown["vm-unreadable"][order.index("dcr")]] == "error"
    assert STATE[shown["vm-noid"][order.index("identity")]] == "waived"
    # the first broken link of each VM is marked, once
    first = browser.evaluate("""Object.fromEntries([...document.querySelectorAll('#aa-matrix .aa-mx-row')]
        .map(r => [r.querySelector('.aa-vm').textContent,
                   [...r.querySelectorAll('.aa-c.aa-first')].map(c => c.dataset.step)]))""")
    assert first["vm-noama"] == ["agent"] and first["vm-stopped"] == ["power"]
    assert first["vm-unreadable"] == ["network"] and first["vm-ok"] == [] and first["vm-noid"] == []
    # broken VMs first; the header's counts are the run's
    assert list(shown)[:4] == ["vm-stopped", "vm-noama", "vm-unreadable", "vm-lapsed"]
    counts = browser.evaluate("Object.fromEntries([...document.querySelectorAll('[data-count]')]"
                              ".map(e => [e.dataset.count, Number(e.textContent.replace(/,/g, ''))]))")
    assert {k: counts[k] for k in run.findings["header"]["counts"]} == run.findings["header"]["counts"]
    assert counts["vms"] == 8 and counts["vms-broken"] == 4
    hero = browser.evaluate("document.querySelector('.aa-hero').textContent")
    assert "auditor@contoso.example" in hero and "2026-11-25T09:00:00Z" in hero and "amaaudit 0." in hero


def test_a_cell_link_opens_its_details(browser):
    run = scenario_run()
    browser.open(run.html)
    browser.evaluate("""document.querySelector('#aa-matrix .aa-mx-row a.aa-c[data-step="identity"][href*="vm-lapsed"]')
                        .click()""")
    settle(browser)
    pane = browser.evaluate("""(() => {
        const pane = document.getElementById('aa-details'), step = document.getElementById('aa-d-identity');
        const p = pane.getBoundingClientRect(), s = step.getBoundingClientRect();
        return {hash: location.hash, name: pane.querySelector('.aa-d-name').textContent,
                current: step.classList.contains('aa-current'), text: step.textContent,
                visible: s.top >= Math.max(p.top, 0) - 1 && s.top < Math.min(p.bottom, innerHeight)}; })()""")
    assert pane["name"] == "vm-lapsed" and pane["current"] and pane["visible"], pane
    assert "identity" in pane["hash"] and "vm-lapsed" in pane["hash"]
    assert "expired on 2026-11-24" in pane["text"] and "OPS-2" in pane["text"]
    # the support draft of a failing VM, ready to paste
    draft = browser.evaluate("document.querySelector('#aa-details .aa-draft-text').textContent")
    assert "Azure VM vm-lapsed (Linux, japaneast)" in draft and "dcr-linux" in draft
    browser.evaluate("document.querySelector('#aa-details .aa-tab[data-lang=ja]').click()")
    assert "vm-lapsed という名称の Azure VM リソース" in \
        browser.evaluate("document.querySelector('#aa-details .aa-draft-text').textContent")
    # a row of pytest-html's table links to the same details
    browser.evaluate("""[...document.querySelectorAll('#results-table a.aa-open')]
                        .find(a => a.getAttribute('href').includes('vm-noama') && a.getAttribute('href').endsWith('s=agent'))
                        .click()""")
    settle(browser)
    assert browser.evaluate("document.querySelector('#aa-details .aa-d-name').textContent") == "vm-noama"
    assert "AGENT_NOT_INSTALLED" in browser.evaluate("document.querySelector('#aa-d-agent.aa-current').textContent")
    # texts stored once for every VM (the pieces around the name) are shown with this VM's name
    agent = browser.evaluate("""(() => { const s = document.getElementById('aa-d-agent');
        return {msg: s.querySelector('.aa-msg').textContent, cmd: s.querySelector('.aa-cmd').textContent,
                ev: s.querySelector('.aa-json').textContent, test: s.querySelector('.aa-test').textContent}; })()""")
    noama = run.results("vm-noama")["agent"]
    assert agent["msg"] == noama["message"] and agent["cmd"] == "\n".join(noama["commands"])
    assert json.loads(agent["ev"]) == noama["evidence"] and agent["test"].endswith(noama["nodeid"])


def test_filters_and_sorting(browser):
    browser.open(scenario_run().html)

    def names():
        return browser.evaluate("[...document.querySelectorAll('#aa-matrix .aa-vm')].map(a => a.textContent)")

    browser.evaluate("""(() => { const s = document.getElementById('aa-f-rg');
        s.value = [...s.options].find(o => o.textContent === 'rg-other').value;
        s.dispatchEvent(new Event('change')); })()""")
    assert names() == [XSS_NAME]
    browser.evaluate("(() => { const s = document.getElementById('aa-f-rg'); s.value = '-1';"
                     " s.dispatchEvent(new Event('change'));"
                     " const q = document.getElementById('aa-f-show'); q.value = 'broken';"
                     " q.dispatchEvent(new Event('change')); })()")
    assert sorted(names()) == ["vm-lapsed", "vm-noama", "vm-stopped", "vm-unreadable"]
    browser.evaluate("(() => { const q = document.getElementById('aa-f-show'); q.value = 'all';"
                     " q.dispatchEvent(new Event('change'));"
                     " document.querySelector('#aa-matrix .aa-sort[data-sort=name]').click(); })()")
    shown = names()
    assert shown == sorted(shown, key=str.lower) and len(shown) == 8
    assert "8" in browser.evaluate("document.getElementById('aa-shown').textContent")


def test_the_japanese_report_renders(browser):
    run = scenario_run("ja")
    browser.open(run.html)
    page = browser.evaluate("""({lang: document.getElementById('aa-app').lang,
        hero: document.querySelector('.aa-hero').textContent,
        heads: [...document.querySelectorAll('#aa-matrix .aa-step-h')].map(b => b.title),
        table: document.querySelector('#results-table').textContent})""")
    assert page["lang"] == "ja"
    assert "確認したマシン" in page["hero"] and "判定はこの時刻を基準としています" in page["hero"]
    assert "3. Azure Monitor エージェントの状態の確認" in page["heads"]
    assert "マネージド ID の設定の確認" in page["table"]
    browser.evaluate("document.querySelector('#aa-matrix a.aa-c[data-step=\"agent\"][href*=\"vm-noama\"]').click()")
    settle(browser)
    step = browser.evaluate("document.getElementById('aa-d-agent').textContent")
    assert "拡張機能" in step and "対処方法" in step and "確認内容" in step
    assert matrix_states(browser) == matrix_states_of(run)


def matrix_states_of(run) -> dict[str, str]:
    states: dict[str, list[str]] = {}
    for r in run.findings["results"]:
        s = states.setdefault(r["vm"], ["n"] * len(STEPS))
        s[[x.name for x in STEPS].index(r["step"])] = matrix.STATE[r["outcome"]]
    return {vm: "".join(s) for vm, s in states.items()}


def test_hostile_names_and_tags_are_text_and_never_run(browser):
    run = scenario_run()
    browser.open(run.html)
    title_before = browser.evaluate("document.title")
    browser.evaluate(f"document.querySelector('#aa-matrix a.aa-vm[title={json.dumps(XSS_NAME)}]').click()")
    settle(browser)
    browser.evaluate("document.querySelectorAll('#results-table .collapsible td.col-vm')"
                     ".forEach(td => td.click())")          # open every row of pytest-html's table too
    settle(browser)
    found = browser.evaluate("""({
        ran: [window.__xss1, window.__xss2, window.__xss3, window.__xss4].some(v => v !== undefined),
        title: document.title,
        images: document.querySelectorAll('img[src="x"]').length,
        svgs: document.querySelectorAll('svg[onload]').length,
        name: document.querySelector('#aa-details .aa-d-name').textContent,
        tags: [...document.querySelectorAll('#aa-details .aa-tag')].map(t => t.textContent),
        tableVm: [...document.querySelectorAll('#results-table td.col-vm')].map(td => td.textContent),
        env: document.getElementById('environment').textContent})""")
    assert found["ran"] is False and found["title"] == title_before != "owned"
    assert script_errors(browser) == []
    assert found["images"] == 0 and found["svgs"] == 0
    assert found["name"] == XSS_NAME
    assert f"owner={XSS_TAG}" in found["tags"] and f"note={XSS_TAG2}" in found["tags"]
    assert XSS_META in found["env"]
    assert any(text.startswith(XSS_NAME) for text in found["tableVm"])     # its skipped steps are listed


def test_a_large_matrix_is_virtualized(browser, tmp_path):
    sub = "00000000-0000-0000-0000-000000000001"
    records = []
    for i in range(5000):
        rid = f"/subscriptions/{sub}/resourceGroups/rg-{i % 7}/providers/Microsoft.Compute/virtualMachines/vm{i:05d}"
        for step in STEPS:
            outcome = "fail" if (i % 9 == 0 and step.name == "agent") else "pass"
            records.append({"vm": f"vm{i:05d}", "resource_id": rid, "subscription": sub, "resource_group": f"rg-{i % 7}",
                            "step": step.name, "test": f"test_{step.name}", "nodeid": f"t::{step.name}[{i}]",
                            "outcome": outcome, **({"severity": "critical", "findings": []} if outcome == "fail" else {})})
    head = {"tool": "amaaudit", "version": "0", "estate": {"kind": "file", "label": "big", "captured_at": "t",
                                                            "cloud": "AzureCloud", "principal": None},
            "options": {"workspace": [], "heartbeat_max_age": 15, "fail_on_warning": False, "waivers": None},
            "counts": {"pass": len(records) - 556, "fail": 556}, "vms": {"total": 5000, "broken": 556}}
    data, details = matrix.build(records, head, "en", lambda rid: None)
    page = tmp_path / "big.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>big</title></head><body>"
                    + html.app(head, data, "en", [], "") + html.details_blob(details) + "</body></html>",
                    encoding="utf-8")
    browser.open(page)
    rows = browser.evaluate("document.querySelectorAll('#aa-matrix .aa-mx-row').length")
    assert 0 < rows < 100
    assert browser.evaluate("document.querySelector('#aa-matrix .aa-vm').textContent") == "vm00000"   # broken first
    browser.evaluate("(() => { const s = document.querySelector('.aa-mx-scroll'); s.scrollTop = s.scrollHeight; "
                     "s.dispatchEvent(new Event('scroll')); })()")
    settle(browser)
    last = browser.evaluate("[...document.querySelectorAll('#aa-matrix .aa-vm')].map(a => a.textContent).pop()")
    assert last == "vm04999"
    assert browser.evaluate("document.querySelectorAll('#aa-matrix .aa-mx-row').length") < 100
