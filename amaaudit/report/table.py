"""The cells and the expanded detail of a row of pytest-html's results table.

pytest-html inserts cells and the row's log as HTML, unescaped (the test id included), so
every value here is escaped. The detail is one line of HTML: pytest-html wraps log lines
that start with "E" in a span, which would cut a multi-line fragment apart.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import quote

from ..steps import BY_NAME
from . import i18n, results

COLUMNS = (("result", "Result", True), ("verdict", "verdict", True), ("vm", "vm", True),
           ("rg", "resource_group", True), ("sub", "subscription", True), ("step", "step", True),
           ("severity", "severity", True), ("finding", "found", False))
SHORT = 180


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _one_line(text: str) -> str:
    return _e(text).replace("\n", "&#10;")


def header(lang: str) -> list[str]:
    words = i18n.words(lang)
    cells = []
    for name, key, sortable in COLUMNS:
        label = key if name == "result" else words[key]
        cells.append(f'<th class="sortable" data-column-type="{name}">{_e(label)}</th>' if sortable
                     else f'<th data-column-type="{name}">{_e(label)}</th>')
    return cells


def link(record: dict[str, Any]) -> str:
    """The matrix/details address of a result: the page's script resolves it, nothing else reads it."""
    return f"#r={quote(record['resource_id'].lower(), safe='')}&s={quote(record['step'], safe='')}"


def cells(result_cell: str, record: dict[str, Any], lang: str) -> list[str]:
    text = results.message(record, lang)
    if len(text) > SHORT:
        text = text[:SHORT - 1] + "…"
    step = BY_NAME.get(record["step"])
    outcome = record["outcome"]
    return [result_cell,
            f'<td class="col-verdict aa-verdict-cell aa-v-{_e(outcome)}">{_e(i18n.word("o_" + outcome, lang))}</td>',
            f'<td class="col-vm">{_e(record["vm"])} <a class="aa-open" href="{_e(link(record))}" '
            f'title="{_e(i18n.word("details", lang))}">&#8599;</a></td>',
            f'<td class="col-rg">{_e(record["resource_group"])}</td>',
            f'<td class="col-sub aa-mono">{_e(record["subscription"])}</td>',
            f'<td class="col-step">{_e(step.title.get(lang) if step else record["step"])}</td>',
            f'<td class="col-severity">{_e(record.get("severity") or "")}</td>',
            f'<td class="col-finding">{_e(text)}</td>']


def plain_cells(result_cell: str, nodeid: str) -> list[str]:
    """A row that is not a compliance result (a collection error, a test outside the suite)."""
    return [result_cell, '<td class="col-verdict"></td>', f'<td class="col-vm">{_e(nodeid)}</td>',
            '<td class="col-rg"></td>', '<td class="col-sub"></td>', '<td class="col-step"></td>',
            '<td class="col-severity"></td>', '<td class="col-finding"></td>']


def detail(record: dict[str, Any], lang: str) -> str:
    words = i18n.words(lang)
    parts = ['<div class="aa aa-row-detail">']
    waiver = record.get("waiver")
    if waiver:
        key = {"applied": "waiver_applied", "expired": "waiver_expired"}.get(waiver.get("status"), "waiver_error")
        ok = waiver.get("status") == "applied"
        parts.append(f'<p class="aa-waiver aa-waiver-{"ok" if ok else "bad"}">{_one_line(words[key].format(**waiver))}</p>')
    for f in record.get("findings") or []:
        parts.append(f'<div class="aa-finding aa-sev-{_e(f["severity"])}"><div class="aa-f-title">'
                     f'<span class="aa-sev">{_e(f["severity"])}</span><code class="aa-code">{_e(f["code"])}</code></div>'
                     f'<p class="aa-msg">{_one_line(f["message"][lang])}</p>'
                     f'<div class="aa-fix"><div class="aa-label">{_e(words["fix"])}</div>'
                     f'<p>{_one_line(f["remediation"][lang])}</p></div>')
        if f.get("commands"):
            parts.append(f'<div class="aa-label">{_e(words["commands"])}</div>'
                         f'<pre class="aa-pre aa-cmd">{_one_line(chr(10).join(f["commands"]))}</pre>')
        if f.get("evidence"):
            parts.append(f'<details class="aa-ev"><summary>{_e(words["evidence"])}</summary>'
                         f'<pre class="aa-pre aa-json">{_one_line(json.dumps(f["evidence"], indent=2, ensure_ascii=False))}'
                         '</pre></details>')
        parts.append("</div>")
    if record.get("reason") and not record.get("findings"):
        parts.append(f'<p class="aa-why"><span class="aa-label">{_e(words["reason"])}: </span>'
                     f'{_one_line(results.reason(record, lang))}</p>')
    parts.append(f'<p class="aa-test aa-muted aa-mono">{_e(words["test"])}: {_e(record.get("nodeid") or "")}</p></div>')
    return "".join(parts)
