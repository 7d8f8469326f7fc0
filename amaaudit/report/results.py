"""One result as every output presents it, from the record the plugin attached to the report.

The record is the single source: this module only picks and orders what is already there
(the primary finding, its text in the report's language); it never judges anything.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..findings.core import FAILING
from ..steps import ORDER

OUTCOMES = ("pass", "fail", "warn", "skip", "error", "waived")
# Worst first: what a person must look at before anything else.
RANK = {"error": 0, "fail": 1, "waived": 2, "warn": 3, "skip": 4, "pass": 5}


def sort_key(record: dict[str, Any]) -> tuple:
    """Deterministic order (independent of pytest-xdist's scheduling): VM, then the guide's step order."""
    return (record["vm"].lower(), record["resource_id"].lower(), ORDER.get(record["step"], 99),
            record.get("test", ""), record.get("nodeid", ""))


class Ordered(list):
    """Records already in ``sort_key`` order: sorted once per run, not once per output."""


def ordered(records: Iterable[dict[str, Any]]) -> Ordered:
    return records if isinstance(records, Ordered) else Ordered(sorted(records, key=sort_key))


def primary(record: dict[str, Any]) -> dict[str, Any] | None:
    """The finding that decided the outcome: the failing one if any, else the first warning."""
    findings = record.get("findings")
    if not findings:
        return None
    for f in findings:       # a loop, not next(generator): asked several times for each of 90,000 results
        if f["severity"] in FAILING:
            return f
    return findings[0]


def counts(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(OUTCOMES, 0)
    for record in records:
        total[record["outcome"]] = total.get(record["outcome"], 0) + 1
    return total


def reason(record: dict[str, Any], lang: str) -> str:
    """Why a result was skipped or not evaluated, in ``lang``. ``record["reason"]`` itself stays
    English: it is what programs (and the outputs' classification of skips) match on."""
    return (record.get("reason_text") or {}).get(lang) or record.get("reason") or ""


_ASK = object()


def message(record: dict[str, Any], lang: str, finding: dict[str, Any] | None | object = _ASK) -> str:
    """What a result says in one line: its deciding finding's message, else its reason. ``finding``: its
    :func:`primary`, where the caller already has it."""
    if finding is _ASK:
        finding = primary(record)
    return finding["message"][lang] if finding else reason(record, lang)    # type: ignore[index]


def blocked(record: dict[str, Any]) -> bool:
    """A skip that an earlier step explains (the VM is stopped, an earlier link is broken)."""
    reason = (record.get("reason") or "").removeprefix("not applicable: ")
    return record["outcome"] == "skip" and reason.startswith("blocked")


def to_object(record: dict[str, Any], lang: str) -> dict[str, Any]:
    """The findings.json object of one result (documented in docs/findings.schema.json)."""
    finding = primary(record)
    commands: list[str] = []
    for f in record.get("findings") or []:
        if f is finding or f["severity"] in FAILING:
            commands += [c for c in f.get("commands", []) if c not in commands]
    said = message(record, lang, finding) or None
    out = {
        "vm": record["vm"], "kind": record.get("kind") or "vm", "resource_id": record["resource_id"],
        "subscription": record["subscription"],
        "resource_group": record["resource_group"], "location": record.get("location") or None,
        "step": record["step"], "test": record.get("test"), "nodeid": record.get("nodeid"),
        "outcome": record["outcome"], "severity": record.get("severity"),
        "code": finding["code"] if finding else None, "message": said,
        "remediation": finding["remediation"][lang] if finding else None,
        "commands": commands, "evidence": finding["evidence"] if finding else None,
        "reason": record.get("reason") or None, "waiver": record.get("waiver"),
        "findings": record.get("findings") or [],
    }
    if record.get("unread"):
        out["unread"] = record["unread"]
    if "baseline" in record:           # only with --baseline or --what-if: absent otherwise
        out["baseline"] = record["baseline"]
    return out
