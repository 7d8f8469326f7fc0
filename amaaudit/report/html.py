"""The report's own part of the HTML page: header, verdict, counts, waivers, matrix and details.

Everything from the estate (names, tags, messages) is untrusted: server-side it is escaped
with :func:`html.escape`; data for the page's script goes into ``<script type="application/json">``
with ``<``, ``>`` and ``&`` escaped, and the script builds the DOM with ``textContent`` only.
What is static (header, counts) is plain HTML so it shows before any script runs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from .. import __version__
from . import i18n
from .header import gap_text

ASSETS = Path(__file__).parent / "assets"
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """JSON that cannot end its ``<script>`` element early, whatever the strings in it hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _JSON_ESCAPES:     # str.replace scans in C; str.translate looks up every character
        text = text.replace(char, escaped)
    return text


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _fact(label: str, value: str, cls: str = "") -> str:
    return f'<div class="aa-fact {cls}"><dt>{_e(label)}</dt><dd>{value}</dd></div>'


def header(head: dict[str, Any], lang: str, waivers: list[dict[str, Any]]) -> str:
    w = i18n.words(lang)
    estate, opts, counts, vms = head["estate"], head["options"], head["counts"], head["vms"]
    kind = estate.get("kind") or "file"
    facts = [_fact(w["estate"], f'<span class="aa-mono">{_e(estate.get("label") or "-")}</span>')]
    parts = estate.get("sources") or []
    note = w["captured_note_combined"] if len(parts) > 1 else w["captured_note"]
    facts.append(_fact(w["captured_at"], f'<b>{_e(estate.get("captured_at") or "-")}</b> '
                                         f'<span class="aa-muted">({_e(note)})</span>'))
    facts.append(_fact(w["cloud"], _e(estate.get("cloud") or "-")))
    if len(parts) > 1:
        items = "".join(
            f'<li><span class="aa-mono">{_e(p.get("label") or "-")}</span> · <b>{_e(p.get("captured_at") or "-")}</b>'
            + (f' · {_e(w["source_machines"].format(n=p["machines"]))}' if isinstance(p.get("machines"), int) else "")
            + (f' · {_e(p["principal"])}' if p.get("principal") else "") + "</li>" for p in parts)
        replaced = (estate.get("replaced") or {}).get("count") or 0
        note = w["sources_note"].format(n=len(parts)) + (f"; {w['replaced'].format(n=replaced)}" if replaced else "")
        facts.append(_fact(w["sources"], f'<ul class="aa-sources">{items}</ul>'
                                         f'<span class="aa-muted">{_e(note)}</span>', "aa-fact-sources"))
    if estate.get("principal"):
        facts.append(_fact(w["run_by"], _e(estate["principal"])))
    facts.append(_fact(w["suite"], f"amaaudit {_e(head.get('version', __version__))}"))
    workspaces = opts.get("workspace") or []
    chips = [f'<span class="aa-chip"><b>{_e(w["expected_ws"])}</b> '
             f'{_e(", ".join(workspaces) if workspaces else w["workspace_any"])}</span>',
             f'<span class="aa-chip"><b>{_e(w["hb_max_age"])}</b> {_e(opts.get("heartbeat_max_age"))} {_e(w["minutes"])}</span>',
             f'<span class="aa-chip"><b>{_e(w["fail_on_warning"])}</b> '
             f'{_e(w["yes"] if opts.get("fail_on_warning") else w["no"])}</span>',
             f'<span class="aa-chip"><b>{_e(w["waiver_file"])}</b> {_e(opts.get("waivers") or w["none"])}</span>']
    broken = vms.get("broken", 0)
    gaps = head.get("incomplete") or []
    if gaps:       # never "every VM passes" when some VMs could not even be listed
        verdict = (f'<div class="aa-verdict aa-verdict-fail" role="status">'
                   f'{_e(w["verdict_incomplete"].format(scopes=gap_text(gaps)))}')
        if broken:
            verdict += f' <span class="aa-verdict-more">{_e(w["verdict_fail"].format(n=f"{broken:,}"))}</span>'
    elif not vms.get("total"):
        verdict = f'<div class="aa-verdict aa-verdict-none" role="status">{_e(w["verdict_none"])}'
    elif broken:
        verdict = f'<div class="aa-verdict aa-verdict-fail" role="status">{_e(w["verdict_fail"].format(n=f"{broken:,}"))}'
    else:
        verdict = f'<div class="aa-verdict aa-verdict-pass" role="status">{_e(w["verdict_pass"])}'
    if counts.get("error"):
        errors = f"{counts['error']:,}"
        verdict += f' <span class="aa-verdict-more">{_e(w["verdict_error"].format(n=errors))}</span>'
    verdict += "</div>"
    tiles = [f'<div class="aa-tile aa-tile-vms"><span class="aa-n" data-count="vms">{vms.get("total", 0):,}</span>'
             f'<span class="aa-l">{_e(w["vms_checked"])}</span></div>',
             f'<div class="aa-tile aa-tile-broken"><span class="aa-n" data-count="vms-broken">{broken:,}</span>'
             f'<span class="aa-l">{_e(w["vms_broken"])}</span></div>']
    for outcome in ("fail", "error", "warn", "waived", "skip", "pass"):
        tiles.append(f'<div class="aa-tile aa-o-{outcome}"><span class="aa-n" data-count="{outcome}">'
                     f'{counts.get(outcome, 0):,}</span><span class="aa-l">{_e(w["o_" + outcome])}</span></div>')
    return (f'<header class="aa-hero">'
            f'<div class="aa-hero-top"><div><div class="aa-kicker">amaaudit · {_e(w["title"])}</div>'
            f'<p class="aa-subtitle">{_e(w["subtitle"])}</p></div>'
            f'<span class="aa-kind aa-kind-{_e(kind)}">{_e(w["kind_" + kind] if "kind_" + kind in w else kind)}</span></div>'
            f'<dl class="aa-facts">{"".join(facts)}</dl>'
            f'<div class="aa-options"><span class="aa-options-label">{_e(w["options"])}</span>{"".join(chips)}</div>'
            f'{verdict}<div class="aa-tiles">{"".join(tiles)}</div>'
            f'<p class="aa-muted aa-counts-note">{_e(w["results"])}: {sum(counts.values()):,} · '
            f'{_e(w["counts_note"])}</p></header>'
            + waiver_table(waivers, lang))


def _selector(waiver: dict[str, Any]) -> str:
    parts = [f"{k}={waiver[k]}" for k in ("step", "test", "vm", "resource_id", "tag") if waiver.get(k)]
    return " · ".join(parts)


def waiver_table(waivers: list[dict[str, Any]], lang: str) -> str:
    if not waivers:
        return ""
    w = i18n.words(lang)
    rows = []
    for item in waivers:
        status = item["status"]
        label = {"applied": w["w_applied"].format(n=item["applied"]),
                 "expired": w["w_expired"].format(n=item["expired_hits"]),
                 "unused": w["w_unused"]}[status]
        if item.get("error_hits"):
            label += " · " + w["w_error_hits"].format(n=item["error_hits"])
        rows.append(f'<tr class="aa-w-{_e(status)}"><td class="aa-mono">{_e(item["id"])}</td>'
                    f'<td class="aa-mono">{_e(_selector(item))}</td><td>{_e(item["justification"])}</td>'
                    f'<td>{_e(item["owner"])}</td><td>{_e(item["ticket"])}</td><td>{_e(item["expires"])}</td>'
                    f'<td><span class="aa-wstatus aa-wstatus-{_e(status)}">{_e(label)}</span></td></tr>')
    heads = "".join(f"<th>{_e(w[k])}</th>" for k in
                    ("w_id", "w_selector", "w_justification", "w_owner", "w_ticket", "w_expires", "w_status"))
    return (f'<section class="aa-card aa-waivers" id="aa-waivers"><h2>{_e(w["waivers"])}</h2>'
            f'<table class="aa-table"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def legend(lang: str, baseline: bool = False) -> str:
    w = i18n.words(lang)
    items = [f'<span class="aa-lg"><i class="aa-c aa-c-{c}">{sym}</i>{_e(w["legend_" + o])}</span>'
             for o, c, sym in (("pass", "p", "✓"), ("fail", "f", "✗"), ("warn", "w", "!"), ("waived", "v", "~"),
                               ("error", "e", "?"), ("skip", "s", "–"), ("none", "n", ""))]
    items.append(f'<span class="aa-lg"><i class="aa-c aa-c-f aa-first">✗</i>{_e(w["legend_first"])}</span>')
    if baseline:
        items.append(f'<span class="aa-lg"><i class="aa-c aa-c-f aa-new">✗</i>{_e(w["legend_new"])}</span>')
    return f'<div class="aa-legend">{"".join(items)}</div>'


def app(head: dict[str, Any], matrix: dict[str, Any], lang: str, waivers: list[dict[str, Any]],
        table_note: str, before_matrix: str = "") -> str:
    """The block that goes first in pytest-html's summary: style, header, matrix shell and its script.
    ``before_matrix``: HTML placed between the header and the matrix (the changes since a baseline)."""
    w = i18n.words(lang)
    data = {"lang": lang, "words": w, "steps": [{**s, "run": m["run"]} for s, m in zip(i18n.steps(lang), matrix["steps"])],
            "short": [i18n.word("short_" + s["name"], lang) for s in matrix["steps"]],
            "subs": matrix["subs"], "rgs": matrix["rgs"], "vms": matrix["vms"],
            "kinds": [{"code": k, "label": i18n.machine_kind(k, lang)} for k in matrix["kinds"]],
            "baseline": bool(head.get("baseline"))}
    return (f'<style>{asset("report.css")}</style>'
            f'<div id="aa-app" class="aa" lang="{_e(lang)}">{header(head, lang, waivers)}{before_matrix}'
            f'<section class="aa-main"><div class="aa-card aa-matrix-pane">'
            f'<div class="aa-pane-head"><h2 id="aa-matrix-title">{_e(w["matrix"])}</h2>'
            f'<span class="aa-muted" id="aa-shown"></span></div>'
            f'<p class="aa-muted aa-hint">{_e(w["matrix_hint"])}</p>{kind_notes(matrix["kinds"], lang)}'
            f'<div class="aa-toolbar" id="aa-toolbar"></div>{legend(lang, bool(head.get("baseline")))}'
            f'<div id="aa-matrix" class="aa-mx" role="grid" aria-labelledby="aa-matrix-title"></div></div>'
            f'<aside class="aa-card aa-details-pane" id="aa-details" aria-live="polite">'
            f'<p class="aa-muted">{_e(w["details_empty"])}</p></aside></section>'
            f'<div class="aa-table-head"><h2>{_e(w["all_results"])}</h2><p class="aa-muted">{_e(table_note)}</p></div>'
            f'</div><script type="application/json" id="aa-data">{embed_json(data)}</script>'
            f'<script>{asset("report.js")}</script>')


def kind_notes(kinds: list[str], lang: str) -> str:
    """What ARM does not show of each machine kind present (nothing for plain VMs)."""
    words = i18n.words(lang)
    notes = [i18n.word("kind_note_" + k, lang) for k in kinds if "kind_note_" + k in words]
    return "".join(f'<p class="aa-muted aa-hint aa-kind-note">{_e(n)}</p>' for n in notes)


def details_blob(details: dict[str, Any]) -> str:
    """The on-demand details, placed after the matrix's script so the parser reaches them later."""
    return f'<script type="application/json" id="aa-details-data">{embed_json(details)}</script>'
