"""Comparing a run with an earlier one: which findings are new, which are unchanged, which are gone.

The earlier run is a findings.json (``--baseline FILE``, or the run on the estate as it is that a
``--what-if`` run makes for itself). A result is compared by machine (resource id, case-insensitive),
step, and what it found:

* a fail, warn or waived result by the codes of the findings that decide it (the failing findings of
  a fail, the warnings of a warn): it is **new** when one of them is not among the codes the baseline
  had for that machine and step, else **unchanged**; a warning that appears beside an unchanged
  failure does not make the failure new;
* an error (could not evaluate) by the read that failed (its operation and scope, ``unread`` in
  findings.json), or by its reason without the service's message when no read is named (a check
  that broke);
* pass and skip results carry no label (``None``); a machine the baseline did not know is new.

What the baseline had and this run does not is **resolved**: ``checked`` says whether this run
checked that machine and step at all (a machine that is gone, or a run narrowed with -k/-m, did not).
Nothing here judges the estate; it only compares two sets of results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import arm, jsonfile
from .findings.core import FAILING, WARNING
from .text import clip, printable

FORMAT = "amaaudit-findings/1"
FINDING_OUTCOMES = ("fail", "warn", "waived", "error")
NEW, UNCHANGED = "new", "unchanged"


class BaselineError(Exception):
    """The baseline cannot be used; the message is one paragraph for the user."""


def _codes(findings: Iterable[Any], severities: tuple[str, ...] | None) -> set[str]:
    out = set()
    for finding in findings or ():
        if isinstance(finding, dict) and isinstance(finding.get("code"), str):
            if severities is None or finding.get("severity") in severities:
                out.add(finding["code"])
    return out


def error_key(result: dict[str, Any]) -> str:
    """What an error is about: the read that failed, else its reason without the service's message."""
    unread = result.get("unread")
    if isinstance(unread, dict) and unread.get("operation"):
        return f"read {str(unread['operation']).lower()} at {arm.key(unread.get('scope'))}"
    reason = str(result.get("reason") or "")
    return "error " + reason.split(" -- ", 1)[0].strip()


def deciding_keys(result: dict[str, Any]) -> set[str]:
    """The keys a result is compared by (empty for a pass or a skip)."""
    outcome = result.get("outcome")
    if outcome == "error":
        return {error_key(result)}
    if outcome == "waived":
        outcome = (result.get("waiver") or {}).get("waived_outcome") or "fail"
    if outcome == "fail":
        return _codes(result.get("findings"), FAILING) or ({result["code"]} if result.get("code") else {"fail"})
    if outcome == "warn":
        return _codes(result.get("findings"), (WARNING,)) or ({result["code"]} if result.get("code") else {"warn"})
    return set()


def all_keys(result: dict[str, Any]) -> set[str]:
    """Every key a result holds: what it decides on, and any warning beside a failure."""
    keys = deciding_keys(result)
    if keys and result.get("outcome") != "error":
        keys |= _codes(result.get("findings"), None)
    return keys


def failing_outcomes(fail_on_warning: bool) -> tuple[str, ...]:
    """The outcomes of a new result that make ``--fail-on new`` fail the run."""
    return ("fail", "error", "warn") if fail_on_warning else ("fail", "error")


@dataclass
class Baseline:
    """An earlier run's results, indexed for comparison."""
    file: str | None
    header: dict[str, Any]
    keys: dict[tuple[str, str], set[str]] = field(default_factory=dict)       # (machine, step) -> keys
    entries: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)   # what resolved lists

    @property
    def captured_at(self) -> str | None:
        return ((self.header.get("estate") or {}).get("captured_at")) if isinstance(self.header, dict) else None

    def label(self, record: dict[str, Any]) -> str | None:
        """``new`` / ``unchanged`` for a result with a finding, None for a pass or a skip."""
        keys = deciding_keys(record)
        if not keys:
            return None
        known = self.keys.get((arm.key(record.get("resource_id")), record.get("step")), set())
        return UNCHANGED if keys <= known else NEW

    def resolved(self, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """What the baseline had and ``records`` (this run) no longer hold, in the baseline's order."""
        now: dict[tuple[str, str], set[str]] = {}
        checked: set[tuple[str, str]] = set()
        for record in records:
            where = (arm.key(record.get("resource_id")), record.get("step"))
            checked.add(where)
            if record.get("outcome") in FINDING_OUTCOMES:
                now.setdefault(where, set()).update(all_keys(record))
        out = []
        for (machine, step, key), entry in self.entries.items():
            if key not in now.get((machine, step), ()):
                # "now": what the step reports instead (a finding can be hidden by a new one before it)
                out.append({**entry, "checked": (machine, step) in checked,
                            "now": sorted(now.get((machine, step), ()))})
        return out


def _refuse(path: str, what: str) -> BaselineError:
    return BaselineError(
        f"Cannot use baseline {printable(path)}: {what} --baseline takes the findings.json that an earlier "
        "amaaudit run wrote (format amaaudit-findings/1, e.g. reports/findings.json). Nothing was checked; give "
        "that file, or run without --baseline.")


def load(path: str | Path, shown: str | None = None) -> Baseline:
    """Read an earlier findings.json; raise :class:`BaselineError` (one paragraph) if it is not one."""
    shown = shown or str(path)
    doc = jsonfile.read(path, lambda what: _refuse(shown, what))
    return from_document(doc, shown)


def from_document(doc: Any, shown: str) -> Baseline:
    if not isinstance(doc, dict):
        raise _refuse(shown, f"the top level is a JSON {type(doc).__name__}, not an object.")
    fmt = doc.get("format")
    if fmt != FORMAT:
        got = "missing" if fmt is None else clip(printable(json.dumps(fmt, ensure_ascii=False)), 80)
        raise _refuse(shown, f'its "format" is {got}, not "{FORMAT}".')
    header, results = doc.get("header"), doc.get("results")
    if not isinstance(header, dict) or header.get("tool") != "amaaudit":
        raise _refuse(shown, 'its "header" is not an amaaudit header.')
    if not isinstance(results, list):
        raise _refuse(shown, '"results" is not a list.')
    base = Baseline(file=shown, header=header)
    for index, result in enumerate(results):
        if not isinstance(result, dict) or not all(isinstance(result.get(k), str)
                                                   for k in ("resource_id", "step", "outcome")):
            raise _refuse(shown, f"results[{index}] is not a result (it needs resource_id, step and outcome).")
        machine = arm.key(result["resource_id"])
        if result["outcome"] not in FINDING_OUTCOMES:
            continue
        keys = all_keys(result)
        base.keys.setdefault((machine, result["step"]), set()).update(keys)
        for key in sorted(deciding_keys(result)):
            finding = next((f for f in result.get("findings") or [] if isinstance(f, dict) and f.get("code") == key),
                           None)
            message = finding["message"].get("en") if finding and isinstance(finding.get("message"), dict) else None
            base.entries.setdefault((machine, result["step"], key), {
                "vm": str(result.get("vm") or ""), "resource_id": result["resource_id"], "step": result["step"],
                "code": key if finding or result["outcome"] != "error" else None,
                "message": clip(str(message or result.get("message") or result.get("reason") or ""))})
    return base


# -- compatibility ------------------------------------------------------------------------------
def _workspaces(options: dict[str, Any]) -> set[str]:
    return {str(w).strip().lower() for w in options.get("workspace") or []}


def _shown(options: dict[str, Any]) -> str:
    return ", ".join(sorted(_workspaces(options))) or "any"


def compatibility(base: Baseline, options: dict[str, Any], version: str) -> tuple[str | None, list[str]]:
    """(a reason to refuse, warnings): options that change verdicts must match; a different version of
    amaaudit or of the guide's steps is worth a warning (codes may differ)."""
    theirs = base.header.get("options") if isinstance(base.header.get("options"), dict) else {}
    differ = []
    if _workspaces(theirs) != _workspaces(options):
        differ.append(f"--workspace ({_shown(theirs)} there, {_shown(options)} here)")
    if theirs.get("heartbeat_max_age") != options.get("heartbeat_max_age"):
        differ.append(f"--heartbeat-max-age ({theirs.get('heartbeat_max_age')} there, "
                      f"{options.get('heartbeat_max_age')} here)")
    refusal = None
    if differ:
        refusal = (f"Cannot compare with baseline {printable(base.file or '')}: it was taken with other options that "
                   f"change verdicts: {'; '.join(differ)}. Its findings would be new or resolved because of the "
                   "options, not because of the estate. Nothing was checked; run with the baseline's options, or "
                   "take a new baseline with these.")
    warnings = []
    if base.header.get("version") != version:
        warnings.append(f"The baseline was written by amaaudit {printable(base.header.get('version'))} and this is "
                        f"{version}: a finding whose code changed between versions counts as new (and the old one "
                        "as resolved).")
    return refusal, warnings


def steps_warning(base: Baseline, steps_run: set[str], step_order: Iterable[str]) -> str | None:
    """Steps this run checked that the baseline did not: every finding of theirs counts as new."""
    ran_there = set(base.header.get("steps_run") or []) or None
    if ran_there is None:
        return None        # an older findings.json does not say which steps it ran
    missing = [s for s in step_order if s in steps_run and s not in ran_there]
    if not missing:
        return None
    return (f"The baseline did not run the step(s) {', '.join(missing)} (it was narrowed with -k/-m, or written by "
            "another version): every finding of those steps counts as new here.")
