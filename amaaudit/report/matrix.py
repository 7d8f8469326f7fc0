"""The data behind the VM x step matrix and the on-demand details, compact enough for 10,000 VMs.

The page renders the matrix from ``rows`` (a few dozen bytes per VM) before anything else and
builds a VM's details from ``details`` only when someone opens it. Only VMs with something to
say (not all-pass) have details, and only their steps that did not pass; a passing step needs no
more than its cell.

Every text of the details (messages, fixes, commands, reasons, evidence, test ids, the lines of
the support drafts) is an index into one string table. Most of it differs between VMs only by the
VM's name ("VM vm0042 has no ..."), so a text that holds the name is stored as its pieces around
the name, and the page joins them with the name of the VM it shows: one entry for all VMs with
the same finding, instead of one per VM (at 10,000 failing VMs, a 24 MB page became 5 MB).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Callable

from ..steps import STEPS
from . import results, support

KIND_ORDER = ("vm", "vmss", "arc")          # how the report lists machine kinds (others after, by name)
STATE = {"pass": "p", "fail": "f", "warn": "w", "skip": "s", "error": "e", "waived": "v"}
NOT_CHECKED = "."


NAME_MIN = 3        # a shorter name would cut texts into many small pieces: kept whole


class Strings:
    """A string table: most text repeats across VMs (remediation, skip reasons, the lines of
    the support drafts), so details refer to it by index; 10,000 VMs stay a few MB.

    ``strings(text, name)``: a text that holds ``name`` is stored as ``text.split(name)``, a list
    the page joins with the name again (lossless whatever the text holds: join undoes split)."""

    def __init__(self):
        self.table: list[str | list[str]] = []
        self._index: dict[str | tuple[str, ...], int] = {}

    def __call__(self, text: str, name: str = "") -> int:
        key: str | tuple[str, ...] = tuple(text.split(name)) if len(name) >= NAME_MIN and name in text else text
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.table)
            self.table.append(list(key) if type(key) is tuple else text)
        return found


def _by_vm(records: list[dict[str, Any]]) -> list[tuple[str, dict[str, list[dict[str, Any]]]]]:
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for record in results.ordered(records):
        grouped[record["resource_id"].lower()][record["step"]].append(record)
    return sorted(grouped.items(), key=lambda kv: (next(iter(kv[1].values()))[0]["vm"].lower(), kv[0]))


def _worst(step_records: list[dict[str, Any]]) -> dict[str, Any]:
    return min(step_records, key=lambda r: results.RANK[r["outcome"]])


_EVIDENCE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _result_detail(record: dict[str, Any], lang: str, s: Strings, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"o": record["outcome"], "t": s(record.get("nodeid") or record.get("test", ""), name)}
    if record.get("severity"):
        out["sev"] = record["severity"]
    if record.get("reason"):
        out["why"] = s(results.reason(record, lang), name)
    if record.get("waiver"):
        out["w"] = record["waiver"]
    findings = []
    for f in record.get("findings") or []:
        finding = {"sev": f["severity"], "code": f["code"], "msg": s(f["message"][lang], name),
                   "fix": s(f["remediation"][lang], name), "cmd": [s(c, name) for c in f.get("commands") or []]}
        if f.get("evidence"):        # as JSON text: evidence repeats across VMs as much as the messages do
            finding["ev"] = s(_EVIDENCE(f["evidence"]), name)
        findings.append(finding)
    if findings:
        out["f"] = findings
    return out


def build(records: list[dict[str, Any]], header: dict[str, Any], lang: str,
          facts_of: Callable[[str], dict[str, Any] | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(matrix data, details data). ``facts_of(resource id)``: what the snapshot says about the VM.

    Details: {"s": string table, "d": {row index: {"loc", "tags", "steps": {step: [result]}, "draft"}}},
    where messages, fixes, commands, reasons, evidence (JSON), test ids and draft lines are indexes
    into the table (see :class:`Strings`: an entry is a text, or the pieces around the VM's name).
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
        name = any_record["vm"]
        steps = {step: [_result_detail(r, lang, strings, name) for r in rs if r["outcome"] != "pass"]
                 for step, rs in by_step.items()}
        detail: dict[str, Any] = {"loc": any_record.get("location") or facts.get("location") or "",
                                  "tags": facts.get("tags") or {},
                                  "steps": {step: shown for step, shown in steps.items() if shown}}
        if first >= 0:
            drafts = {code: support.draft(worst, facts, header, code) for code in ("en", "ja")}
            detail["draft"] = {code: {key: [strings(line, name) for line in text.split("\n")] for key, text in d.items()}
                               for code, d in drafts.items()}
        details[str(index)] = detail
    matrix = {"steps": [{"name": s.name, "run": s.name in ran} for s in STEPS],
              "subs": subs, "rgs": [shown_rg[g] for g in rgs], "kinds": kinds, "vms": rows}
    return matrix, {"s": strings.table, "d": details}
