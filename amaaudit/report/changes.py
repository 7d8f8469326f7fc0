"""The report's "Changes since the baseline" section (``--baseline``, ``--what-if``): above the matrix,
the counts, then the new results (with, for a what-if, the change each one is attributed to), then
what was resolved. Plain HTML built on the server, so it shows before any script runs; everything
from the estate or the input files is escaped. Long lists are capped: findings.json has every entry.
"""

from __future__ import annotations

from html import escape
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from .. import arm
from . import i18n
from .attribution import Index, causes
from .results import message, primary

ROWS = 200           # per list; a what-if that breaks thousands of machines is summed up, not listed


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _link(record: dict[str, Any]) -> str:
    href = f"#r={quote(str(record.get('resource_id') or '').lower(), safe='')}&s={quote(str(record.get('step')))}"
    return f'<a class="aa-vm" href="{_e(href)}">{_e(record.get("vm"))}</a>'


def _capped(total: int, shown: int, w: dict[str, str]) -> str:
    return f'<p class="aa-muted">{_e(w["list_capped"].format(shown=shown, total=total))}</p>' if total > shown else ""


def _new_table(new: list[dict[str, Any]], summary: dict[str, Any], lang: str, w: dict[str, str]) -> str:
    if not new:
        return f'<p class="aa-muted aa-nothing-new">{_e(w["nothing_new"])}</p>'
    whatif = summary.get("what_if")
    changes = Index([(arm.key(c["resource_id"]), SimpleNamespace(**c)) for c in whatif["changes"]] if whatif else [])
    heads = [w["vm"], w["step"], w["verdict"], "Code", w["reason"]] + ([w["caused_by"]] if whatif else [])
    rows = []
    for record in new[:ROWS]:
        finding = primary(record)
        cells = [_link(record), _e(record["step"]),
                 f'<span class="aa-badge aa-o-{_e(record["outcome"])}">{_e(w["o_" + record["outcome"]])}</span>',
                 f'<code class="aa-code">{_e(finding["code"] if finding else "-")}</code>',
                 _e(message(record, lang))]
        if whatif:
            found = causes(record, changes)
            said = "; ".join(f'{c.change_type} {arm.parse(c.resource_id).name}' for c in found)
            cells.append(f'<span class="aa-mono">{_e(said)}</span>' if found
                         else f'<span class="aa-muted">{_e(w["no_change_cited"])}</span>')
        rows.append("<tr class=\"aa-new-row\">" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{_e(h)}</th>" for h in heads)
    return (f'<h3>{_e(w["new_results"])} ({len(new):,})</h3>'
            f'<table class="aa-table aa-new-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + _capped(len(new), min(len(new), ROWS), w))


def _resolved_table(resolved: list[dict[str, Any]], w: dict[str, str]) -> str:
    if not resolved:
        return ""
    rows = []
    for item in resolved[:ROWS]:
        state = (w["r_unseen"] if not item.get("checked") else
                 w["r_now"].format(codes=", ".join(item["now"])) if item.get("now") else w["r_fixed"])
        rows.append(f'<tr><td>{_link(item)}</td><td>{_e(item["step"])}</td>'
                    f'<td><code class="aa-code">{_e(item.get("code") or "-")}</code></td><td>{_e(item.get("message"))}</td>'
                    f'<td class="aa-muted">{_e(state)}</td></tr>')
    return (f'<h3>{_e(w["resolved_results"])} ({len(resolved):,})</h3>'
            f'<table class="aa-table aa-resolved-table"><tbody>{"".join(rows)}</tbody></table>'
            + _capped(len(resolved), min(len(resolved), ROWS), w))


def _changes_table(whatif: dict[str, Any], lang: str, w: dict[str, str]) -> str:
    rows = []
    for change in whatif["changes"][:ROWS]:
        says = (change.get("says") or {}).get(lang)
        rows.append(f'<tr class="aa-change aa-change-{_e(change["change_type"].lower())}">'
                    f'<td>{_e(change["change_type"])}</td><td class="aa-mono">{_e(change["resource_id"])}</td>'
                    f'<td class="aa-muted">{_e(change["effect"])}</td>'
                    f'<td>{_e(says) if says else "<span class=aa-muted>" + _e(w["breaks_nothing"]) + "</span>"}</td></tr>')
    heads = "".join(f"<th>{_e(w[k])}</th>" for k in ("c_type", "c_resource", "c_effect", "c_breaks"))
    notes = "".join(f'<p class="aa-note">{_e(n)}</p>' for n in whatif.get("notes") or [])
    return (f'<h3>{_e(w["planned_changes"])} ({len(whatif["changes"]):,})</h3>{notes}'
            f'<table class="aa-table aa-changes-table"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody>'
            '</table>' + _capped(len(whatif["changes"]), min(len(whatif["changes"]), ROWS), w))


def section(summary: dict[str, Any] | None, records: list[dict[str, Any]], lang: str,
            failing_outcomes: tuple[str, ...] = ("fail", "error")) -> str:
    """The section's HTML ("" without a baseline). ``failing_outcomes``: what ``--fail-on new`` counts
    (:func:`amaaudit.baseline.failing_outcomes`)."""
    if not summary:
        return ""
    w = i18n.words(lang)
    whatif = summary.get("what_if")
    title = w["changes_whatif"] if whatif else w["changes"]
    against = (w["against_whatif"].format(file=whatif["file"]) if whatif
               else w["against_file"].format(file=summary.get("file"), captured_at=summary.get("captured_at") or "?"))
    resolved = summary["resolved"]
    gone = sum(1 for r in resolved if r.get("checked"))
    tiles = [("new", summary["new"], w["n_new"]), ("unchanged", summary["unchanged"], w["n_unchanged"]),
             ("resolved", gone, w["n_resolved"])]
    if len(resolved) > gone:
        tiles.append(("unseen", len(resolved) - gone, w["n_unseen"]))
    counts = "".join(f'<span class="aa-bl aa-bl-{k}"><b data-baseline="{k}">{n:,}</b> {_e(label)}</span>'
                     for k, n, label in tiles)
    notes = "".join(f'<p class="aa-note">{_e(text)}</p>' for text in summary.get("warnings") or [])
    if summary.get("fail_on") == "new":
        failing = sum(1 for r in records if r.get("baseline") == "new" and r["outcome"] in failing_outcomes)
        notes += f'<p class="aa-note aa-fail-on">{_e(w["fail_on_new"].format(n=failing))}</p>'
    new = [r for r in records if r.get("baseline") == "new"]
    new.sort(key=lambda r: {"error": 0, "fail": 1, "warn": 2, "waived": 3}.get(r["outcome"], 4))
    return (f'<section class="aa-card aa-changes" id="aa-changes"><h2>{_e(title)}</h2>'
            f'<p class="aa-muted">{_e(against)}</p><div class="aa-bl-counts">{counts}</div>{notes}'
            + (_changes_table(whatif, lang, w) if whatif else "")
            + _new_table(new, summary, lang, w) + _resolved_table(resolved, w) + "</section>")
