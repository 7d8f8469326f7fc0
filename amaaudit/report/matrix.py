"""The data behind the VM x step matrix and the on-demand details, compact enough for 10,000 VMs.

The page renders the matrix from ``rows`` (a few dozen bytes per VM) before anything else and
builds a VM's details from ``details`` only when someone opens it. Only VMs with something to
say (not all-pass) have details; a passing step needs no more than its cell.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from ..steps import STEPS
from . import results, support

KIND_ORDER = ("vm", "vmss", "arc")          # how the report lists machine kinds (others after, by name)
STATE = {"pass": "p", "fail": "f", "warn": "w", "skip": "s", "error": "e", "waived": "v"}
NOT_CHECKED = "."


class Strings:
    """A string table: most text repeats across VMs (remediation, skip reasons, the lines of
    the support drafts), so details refer to it by index; 10,000 VMs stay a few MB."""

    def __init__(self):
        self.table: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.table)
            self.table.append(text)
        return found


def _by_vm(records: list[dict[str, Any]]) -> list[tuple[str, dict[str, list[dict[str, Any]]]]]:
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for record in results.ordered(records):
        grouped[record["resource_id"].lower()][record["step"]].append(record)
    return sorted(grouped.items(), key=lambda kv: (next(iter(kv[1].values()))[0]["vm"].lower(), kv[0]))


def _worst(step_records: list[dict[str, Any]]) -> dict[str, Any]:
    return min(step_records, key=lambda r: results.RANK[r["outcome"]])


def _result_detail(record: dict[str, Any], lang: str, s: Strings) -> dict[str, Any]:
    out: dict[str, Any] = {"o": record["outcome"], "t": record.get("nodeid") or record.get("test", "")}
    if record.get("severity"):
        out["sev"] = record["severity"]
    if record.get("reason"):
        out["why"] = s(results.reason(record, lang))
    if record.get("waiver"):
        out["w"] = record["waiver"]
    findings = []
    for f in record.get("findings") or []:
        findings.append({"sev": f["severity"], "code": f["code"], "msg": s(f["message"][lang]),
                         "fix": s(f["remediation"][lang]), "cmd": [s(c) for c in f.get("commands") or []],
                         "ev": f.get("evidence") or {}})
    if findings:
        out["f"] = findings
    return out


def build(records: list[dict[str, Any]], header: dict[str, Any], lang: str,
          facts_of: Callable[[str], dict[str, Any] | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(matrix data, details data). ``facts_of(resource id)``: what the snapshot says about the VM.

    Details: {"s": string table, "d": {row index: {"loc", "tags", "steps": {step: [result]}, "draft"}}},
    where messages, fixes, commands, reasons and draft lines are indexes into the table.
    """
    strings = Strings()
    vms = _by_vm(records)
    subs = sorted({next(iter(s.values()))[0]["subscription"] for _, s in vms}, key=str.lower)
    shown_rg: dict[str, str] = {}      # resource group names are case-insensitive: one column value each
    for _, by_step in vms:
        name = next(iter(by_step.values()))[0]["resource_group"]
        shown_rg.setdefault(name.lower(), name)
    rgs = sorted(shown_rg)
    sub_index = {s: i for i, s in enumerate(subs)}
    rg_index = {g: i for i, g in enumerate(rgs)}
    ran = {r["step"] for r in records}
    labelled = bool(header.get("baseline"))
    kinds = sorted({next(iter(s.values()))[0].get("kind") or "vm" for _, s in vms},
                   key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER), k))
    kind_index = {k: i for i, k in enumerate(kinds)}
    rows, details = [], {}
    for index, (rid, by_step) in enumerate(vms):
        any_record = next(iter(by_step.values()))[0]
        worst = {step: _worst(rs) for step, rs in by_step.items()}
        states = "".join(STATE[worst[s.name]["outcome"]] if s.name in worst else NOT_CHECKED for s in STEPS)
        first = next((i for i, s in enumerate(STEPS) if s.name in worst and worst[s.name]["outcome"] in ("fail", "error")), -1)
        # --baseline / --what-if: a bit per step whose result is new (0 without a baseline)
        new_bits = sum(1 << i for i, s in enumerate(STEPS)
                       if any(r.get("baseline") == "new" for r in by_step.get(s.name, ()))) if labelled else 0
        rows.append([any_record["vm"], sub_index[any_record["subscription"]],
                     rg_index[any_record["resource_group"].lower()], states, first, any_record["resource_id"],
                     new_bits, kind_index[any_record.get("kind") or "vm"]])
        if set(states) <= {"p", NOT_CHECKED}:
            continue
        facts = facts_of(rid) or {}
        detail: dict[str, Any] = {"loc": any_record.get("location") or facts.get("location") or "",
                                  "tags": facts.get("tags") or {},
                                  "steps": {step: [_result_detail(r, lang, strings) for r in rs if r["outcome"] != "pass"]
                                            for step, rs in by_step.items()}}
        if first >= 0:
            drafts = {code: support.draft(worst, facts, header, code) for code in ("en", "ja")}
            detail["draft"] = {code: {key: [strings(line) for line in text.split("\n")] for key, text in d.items()}
                               for code, d in drafts.items()}
        details[str(index)] = detail
    matrix = {"steps": [{"name": s.name, "run": s.name in ran} for s in STEPS],
              "subs": subs, "rgs": [shown_rg[g] for g in rgs], "kinds": kinds, "vms": rows}
    return matrix, {"s": strings.table, "d": details}
