"""From a test's end to a result record: pass, fail, warn, skip, error (could not evaluate).

Each report of a compliance test gets ``report.amaaudit``, a small JSON-able dict (it
survives pytest-xdist's report serialization) that the terminal summary, the HTML report,
JUnit properties and findings.json all read. None of them re-evaluates a rule.

pytest prints a report's own text too (``-rA``, ``-rs``, ``--tb``): what it prints of a skip,
an error or a failure is made printable here (:func:`amaaudit.text.printable`), while the
record keeps the real characters for findings.json (where JSON escapes them).
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from .. import verdict
from ..findings.core import FAILING, WARNING
from ..model import Unknown
from ..steps import BY_NAME
from ..text import Text, clip, printable

_FINDINGS = pytest.StashKey[list]()
_EVIDENCE = pytest.StashKey[dict]()
_STEP = pytest.StashKey["str | None"]()


def step_of(item) -> str | None:
    """The item's step marker (the closest one), looked up once per item: it is asked per report."""
    try:
        return item.stash[_STEP]
    except KeyError:
        pass
    step = None
    for mark in item.iter_markers():
        if mark.name in BY_NAME:
            step = mark.name
            break
    item.stash[_STEP] = step
    return step


def vm_of(item):
    """The machine a compliance test is about; None for any other item (or pytest's placeholder
    for an empty parameter set)."""
    callspec = getattr(item, "callspec", None)
    machine = callspec.params.get("vm") if callspec is not None else None
    return machine if getattr(machine, "id", None) is not None else None


def around_call(item):
    item.stash[_FINDINGS] = verdict._recorded = []
    item.stash[_EVIDENCE] = verdict._evidence = {}
    try:
        result = yield
        if step_of(item) is not None and vm_of(item) is not None:
            verdict.rests_on_evidence()
        return result
    finally:
        verdict._recorded = verdict._evidence = None


def start_at_the_test(item, call) -> None:
    """Start a finding's traceback at the test function's frame, before pytest formats it.

    A finding is shown without a traceback (``pytrace=False``), yet pytest still cuts the traceback at
    the test function to find what to show, asking the file system for the path of every frame above
    it (pluggy's and its own: a dozen stats): most of what a failing result cost. Cut here, the
    traceback gives pytest the very cut it would make, so the failure text, its location and JUnit's
    message are what they were. ``--full-trace`` shows every frame: then nothing is cut.
    """
    excinfo = call.excinfo
    if call.when != "call" or excinfo is None or not isinstance(excinfo.value, verdict.FindingFailed) \
            or item.config.option.fulltrace:
        return
    code = getattr(inspect.unwrap(getattr(item, "obj", None)), "__code__", None)
    tb = excinfo.tb
    while tb is not None and tb.tb_frame.f_code is not code:
        tb = tb.tb_next
    if tb is not None and tb is not excinfo.tb:
        call.excinfo = pytest.ExceptionInfo.from_exc_info((excinfo.type, excinfo.value, tb))


def _base(item, vm, step: str) -> dict[str, Any]:
    return {"vm": vm.name, "kind": vm.kind, "resource_id": vm.id, "subscription": vm.subscription,
            "resource_group": vm.resource_group, "location": vm.location, "step": step,
            "test": item.originalname if hasattr(item, "originalname") else item.name}


def printable_lines(text: str) -> str:
    """``text`` with each line made inert for a terminal; the line breaks themselves are kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def _said(text: Text) -> dict[str, str]:
    return {"en": clip(text.en), "ja": clip(text.ja)}


def classify(item, call, rep, fail_on_warning: bool) -> None:
    if rep.when == "setup" and not rep.skipped and not rep.failed:
        return
    if rep.when == "teardown" and not rep.failed:
        return
    vm, step = vm_of(item), step_of(item)
    if vm is None or step is None:
        return
    record = _base(item, vm, step)
    findings = item.stash.get(_FINDINGS, []) if rep.when == "call" else []
    excinfo = call.excinfo
    if rep.skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        if isinstance(rep.longrepr, tuple):             # -rs prints it: a VM name there is the estate's
            rep.longrepr = (*rep.longrepr[:2], printable(reason))
        record.update(outcome="skip", reason=clip(reason.removeprefix("Skipped: ")))
        said = getattr(excinfo.value, "amaaudit_text", None) if excinfo is not None else None
        if said is not None:
            record["reason_text"] = _said(said)
    elif excinfo is not None and isinstance(excinfo.value, verdict.FindingFailed):
        record.update(outcome="fail", severity=excinfo.value.finding.severity)
    elif excinfo is not None and rep.failed:
        # Not a finding: an input was unreadable (Unknown) or the check itself broke. Either
        # way nothing was judged, so it is a pytest *error*, never a pass and never a fail.
        cause = clip(str(excinfo.value) if isinstance(excinfo.value, Unknown) else
                     f"internal error in the check: {excinfo.typename}: {excinfo.value}")
        # What pytest prints (--tb, -rE) quotes the estate (a name, a failed read's message).
        rep.longrepr = printable(cause) if isinstance(excinfo.value, Unknown) else printable_lines(rep.longrepr)
        rep.when = "setup"
        record.update(outcome="error", reason=cause)
        if isinstance(excinfo.value, Unknown):
            record["reason_text"] = _said(excinfo.value.text)
            unread = excinfo.value.error if isinstance(excinfo.value.error, dict) else {}
            if unread.get("operation"):      # the read that failed: what a baseline compares errors by
                record["unread"] = {"scope": str(unread.get("scope") or ""), "operation": str(unread["operation"])}
    elif rep.passed:
        warnings = [f for f in findings if f.severity == WARNING]
        record.update(outcome="warn" if warnings else "pass")
        if warnings:
            record["severity"] = WARNING
            if fail_on_warning:
                rep.outcome = "failed"
                rep.longrepr = "\n".join(f.render(verdict.language) for f in warnings)
    else:
        record.update(outcome="error", reason=str(rep.longrepr)[:500])
        rep.longrepr = printable_lines(rep.longrepr)
    if rep.when == "call" and item.stash.get(_EVIDENCE, None):
        record["evidence"] = item.stash[_EVIDENCE]
    if findings:
        record["findings"] = [f.to_dict() for f in findings]
        worst = next((f.severity for f in findings if f.severity in FAILING), None)
        record.setdefault("severity", worst or findings[0].severity)
    rep.amaaudit = record
    # JUnit properties come from the record too, but after waivers: amaaudit.report.junit.tag.


def teststatus(report):
    record = getattr(report, "amaaudit", None)
    if record and report.when == "call" and report.passed and record.get("outcome") == "warn":
        return "warned", "W", ("WARN", {"yellow": True})
    return None
