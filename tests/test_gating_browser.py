"""The report of a --what-if run in headless Chromium (file:// only): the "changes" section sits above the
matrix with the planned changes, the new results and what each is attributed to; the matrix marks new
results and filters on them; a hostile resource id in the what-if file is shown as text and never runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amaaudit.report import chromium
from scenarios import run_repo

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(chromium.executable() is None, reason="chromium is not installed")]

DATA = Path(__file__).resolve().parent / "data" / "whatif"
HOSTILE = "<img src=x onerror=window.__xss_whatif=1>"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("whatif-report")
    plan = json.loads((DATA / "az-group-delete-dns-link.json").read_text(encoding="utf-8"))
    plan["changes"].append({"resourceId": "/subscriptions/0a9b8c7d-6e5f-4d3c-2b1a-0f9e8d7c6b5a/resourceGroups/rg-x/"
                                          f"providers/Microsoft.Network/privateDnsZones/{HOSTILE}",
                            "changeType": "Delete", "before": None, "after": None})
    path = folder / "whatif.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    run = run_repo(["--what-if", str(path), "--fail-on", "new"], folder / "junit.xml")
    assert run.ret == 1, run.output[-3000:]
    return folder / "junit.html"


def test_the_changes_section_and_new_cells(report):
    with chromium.Browser(1400, 1000) as browser:
        browser.open(report)
        assert [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"] == []
        page = browser.evaluate("""(() => {
            const section = document.getElementById('aa-changes');
            const matrix = document.getElementById('aa-matrix');
            return {
              above: !!(section.compareDocumentPosition(matrix) & Node.DOCUMENT_POSITION_FOLLOWING),
              title: section.querySelector('h2').textContent,
              counts: Object.fromEntries([...section.querySelectorAll('[data-baseline]')]
                                           .map(b => [b.dataset.baseline, b.textContent])),
              newVms: [...section.querySelectorAll('.aa-new-table tbody tr')].map(r => r.cells[0].textContent),
              causes: [...section.querySelectorAll('.aa-new-table tbody tr')].map(r => r.cells[5].textContent),
              says: [...section.querySelectorAll('.aa-changes-table tbody tr')].map(r => r.cells[3].textContent),
              newCells: [...matrix.querySelectorAll('a.aa-c.aa-new')].map(c =>
                  c.closest('.aa-mx-row').querySelector('.aa-vm').textContent + ':' + c.dataset.step).sort(),
              ran: window.__xss_whatif !== undefined,
              hostile: [...section.querySelectorAll('.aa-changes-table td')].some(td => td.textContent.includes('<img')),
            }; })()""")
        assert page["above"] and page["title"] == "What the planned deployment would change"
        assert page["counts"]["new"] == "4"
        assert sorted(page["newVms"]) == ["vm23", "vm24", "vm25", "vm30"]
        assert all("link-vnet-spoke" in c for c in page["causes"])
        assert page["says"][0].startswith("deleting virtualNetworkLink link-vnet-spoke of privatelink.monitor.azure.com "
                                          "breaks DNS for vm23")
        assert page["newCells"] == ["vm23:dns", "vm24:dns", "vm25:dns", "vm30:dns"]
        assert not page["ran"] and page["hostile"]                   # shown as text, never run
        shown = browser.evaluate("""(() => { const s = document.getElementById('aa-f-show'); s.value = 'new';
            s.dispatchEvent(new Event('change'));
            return [...document.querySelectorAll('#aa-matrix .aa-vm')].map(a => a.textContent).sort(); })()""")
        assert shown == ["vm23", "vm24", "vm25", "vm30"]
        browser.evaluate("document.querySelector('#aa-changes .aa-new-table a.aa-vm').click()")
        browser.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))", await_promise=True)
        assert browser.evaluate("document.querySelector('#aa-details .aa-d-name').textContent") == "vm23"
