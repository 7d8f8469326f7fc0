"""The per-VM view of a run, built from the reports' ``amaaudit`` records."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable

from ..steps import ORDER, STEPS

OUTCOME_RANK = {"fail": 0, "error": 1, "waived": 2, "warn": 3, "skip": 4, "pass": 5}


def records(stats: dict[str, list]) -> list[dict[str, Any]]:
    out = []
    for reports in stats.values():
        for rep in reports:
            record = getattr(rep, "amaaudit", None)
            if record:
                out.append(record)
    return out


def by_vm(items: Iterable[dict[str, Any]]) -> "OrderedDict[str, dict[str, dict[str, Any]]]":
    """resource id -> step -> record, VMs in the order of their first appearance sorted by name."""
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for record in items:
        grouped.setdefault(record["resource_id"].lower(), {})[record["step"]] = record
    ordered = sorted(grouped.items(), key=lambda kv: (next(iter(kv[1].values()))["vm"].lower(), kv[0]))
    return OrderedDict(ordered)


def first_broken(steps: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The first link of the chain, in the guide's order, that fails or cannot be evaluated."""
    for step in STEPS:
        record = steps.get(step.name)
        if record and record["outcome"] in ("fail", "error"):
            return record
    return None


def counts(items: Iterable[dict[str, Any]]) -> dict[str, int]:
    total = {k: 0 for k in OUTCOME_RANK}
    for record in items:
        total[record["outcome"]] = total.get(record["outcome"], 0) + 1
    return total


def step_sorted(steps: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(steps.values(), key=lambda r: ORDER.get(r["step"], 99))
