"""What a reader must know before any result: which estate, when, by whom, with which options.

Shared by the HTML header and the findings.json header, so both say the same thing.
Nothing here depends on the wall clock or on pytest-xdist, so findings.json stays identical
between runs of the same snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from .. import __version__
from ..compose import replacements, sources_of
from ..plugin import gating, source
from ..steps import ORDER
from . import redact
from .results import counts


def principal(snapshot_source: dict[str, Any]) -> str | None:
    """Who ran a live capture, as discovery recorded it (a name, an object id, or both)."""
    found = snapshot_source.get("principal") if isinstance(snapshot_source, dict) else None
    if isinstance(found, dict):
        name = found.get("name") or found.get("displayName") or found.get("upn") or found.get("appId")
        oid = found.get("object_id") or found.get("objectId") or found.get("oid")
        return " ".join(p for p in (str(name) if name else None, f"(object id {oid})" if oid else None) if p) or None
    return str(found) if found else None


def vm_counts(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    worst: dict[str, set[str]] = defaultdict(set)
    for record in records:
        worst[record["resource_id"].lower()].add(record["outcome"])
    broken = sum(1 for outcomes in worst.values() if outcomes & {"fail", "error"})
    findings = sum(1 for outcomes in worst.values() if outcomes & {"fail", "error", "warn", "waived"})
    return {"total": len(worst), "broken": broken, "with_findings": findings, "without_failures": len(worst) - broken}


def options(config) -> dict[str, Any]:
    """The options that change verdicts (and the report's language)."""
    waivers = config.getoption("waivers")
    return {"workspace": list(config.getoption("workspace") or []),
            "heartbeat_max_age": config.getoption("heartbeat_max_age"),
            "fail_on_warning": bool(config.getoption("fail_on_warning")),
            "waivers": str(waivers) if waivers else None,
            "report_lang": config.getoption("report_lang"),
            "fail_on": config.getoption("fail_on"),
            "baseline": config.getoption("baseline"), "what_if": config.getoption("what_if")}


def sources(snap) -> list[dict[str, Any]]:
    """Every capture the estate is made of (one, unless several --estate files were combined)."""
    return [{"label": part["label"], "captured_at": part["captured_at"], "cloud": part["cloud"],
             "principal": principal(part["source"]), "machines": part["machines"],
             "source": redact.mapping(part["source"])} for part in sources_of(snap)]


def build(config, records: list[dict[str, Any]]) -> dict[str, Any]:
    loaded = source.loaded(config)
    estate: dict[str, Any] = {"kind": None, "label": None, "captured_at": None, "cloud": None,
                              "source": {}, "principal": None, "sources": [],
                              "replaced": {"count": 0, "resources": []}}
    gaps: list[dict[str, Any]] = []
    if loaded is not None:
        gaps = [{k: entry.get(k) for k in ("scope", "operation", "status", "code", "message")}
                for entry in loaded.estate.errors.inventory_gaps()]
        snap = loaded.snapshot
        src = snap.source if isinstance(snap.source, dict) else {}
        parts = sources(snap)
        composed = src.get("kind") == "composed"
        who = list(dict.fromkeys(p["principal"] for p in parts if p["principal"]))
        replaced, shown = replacements(snap)
        estate = {"kind": loaded.kind, "label": loaded.label,
                  "captured_at": f"{snap.captured_at:%Y-%m-%dT%H:%M:%SZ}", "cloud": snap.cloud,
                  # a combined estate's provenance is its list of sources (below), not the machine lists
                  "source": {"kind": "composed", "sources": len(parts)} if composed else redact.mapping(src),
                  "principal": "; ".join(who) or None, "sources": parts,
                  "replaced": {"count": replaced, "resources": [
                      {"id": r.get("id"), "kept": r.get("kept"), "dropped": list(r.get("dropped") or [])}
                      for r in shown]}}
    out = {"tool": "amaaudit", "version": __version__, "estate": estate, "options": options(config),
           "counts": counts(records), "vms": vm_counts(records), "incomplete": gaps,
           "steps_run": sorted({r["step"] for r in records}, key=lambda s: ORDER.get(s, 99))}
    gate = gating.gate(config)
    if gate is not None:
        out["baseline"] = gate.summary(records)
    return out


def gap_text(gaps: list[dict[str, Any]]) -> str:
    """``<scope> (<status> <code>)``, for each failed VM list, in one line."""
    return "; ".join(f"{g.get('scope')} ({' '.join(str(g[k]) for k in ('status', 'code') if g.get(k))})"
                     .replace(" ()", "") for g in gaps)
