"""Gating changes, not estates: ``--baseline``, ``--what-if`` and ``--fail-on``.

With a baseline (an earlier findings.json, or for ``--what-if`` the same checks on the estate as it
is), every result is labelled ``new`` or ``unchanged`` (:mod:`amaaudit.baseline`) on the controller,
as it is logged and before any output reads it: findings.json, the report, the terminal and JUnit's
``baseline`` property all say the same. ``--fail-on new`` then makes the exit status depend on new
failures and new could-not-evaluate results only (warnings too with ``--fail-on-warning``); every
unchanged failure is still reported. A failed test that is not a compliance result (a check of
your own without a step marker) still fails the run, and so does an INCOMPLETE inventory.
"""

from __future__ import annotations

from typing import Any

import pytest

from .. import __version__, baseline
from ..report import attribution
from ..steps import ORDER
from ..text import printable
from . import preflight, source

KEY = pytest.StashKey["Gate"]()
_PENDING = pytest.StashKey[tuple]()
RANK = {None: 0, baseline.UNCHANGED: 1, baseline.NEW: 2}


def gate(config) -> "Gate | None":
    return config.stash.get(KEY, None)


def _active(config) -> bool:
    return not (hasattr(config, "workerinput") or config.getoption("amaaudit_preflight_child")
                or config.option.collectonly)


def early(config) -> None:
    """Before the estate is loaded (discovery can take minutes): refuse what cannot work."""
    if not _active(config):
        return
    given, planned, fail_on = config.getoption("baseline"), config.getoption("what_if"), config.getoption("fail_on")
    if given and planned:
        raise pytest.UsageError(
            "--baseline and --what-if both say what to compare with: --baseline compares with an earlier run's "
            "findings.json, --what-if with the same checks on the estate as it is before the planned deployment. "
            "Give one of them.")
    if fail_on == "new" and not (given or planned):
        raise pytest.UsageError(
            "--fail-on new fails the run only on findings that are new, which needs something to compare with: "
            "give --baseline FILE (an earlier findings.json) or --what-if FILE (a planned deployment), or use "
            "--fail-on any (the default).")
    preflight.read(config)                  # a bad --what-if file too
    if given:
        try:
            base = baseline.load(preflight.given_path(config, given), given)
        except baseline.BaselineError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_PENDING] = (base, _compatible(config, base))


def _compatible(config, base: baseline.Baseline) -> list[str]:
    from ..report.header import options
    refusal, warnings = baseline.compatibility(base, options(config), __version__)
    if refusal:
        raise pytest.UsageError(refusal)
    return warnings


def configure(config) -> None:
    """After the estate is loaded (and, for --what-if, the deployment applied): register the labels."""
    if not _active(config) or gate(config) is not None:
        return
    loaded = source.loaded(config)
    if config.stash.get(_PENDING, None) is not None:
        base, warnings = config.stash[_PENDING]
        found = Gate(config, base, warnings, None)
    elif loaded is not None and loaded.planned is not None:
        path = preflight.baseline_run(config, loaded.planned)
        try:
            base = baseline.load(path, "the estate as it is")
        except baseline.BaselineError as exc:       # our own child's file: a defect, said plainly
            raise pytest.UsageError(str(exc)) from None
        base.file = None
        found = Gate(config, base, _compatible(config, base), loaded.planned)
    else:
        return
    config.stash[KEY] = found
    config.pluginmanager.register(found, "amaaudit-gate")


def _records(config) -> list[dict[str, Any]]:
    from ..report.session import KEY as REPORT
    session = config.stash.get(REPORT, None)
    return list(session.records) if session is not None else []


def adjust_exit(session) -> None:
    """``--fail-on new``: a run whose failures are all unchanged passes; a new one still fails it."""
    found = gate(session.config)
    if found is None or found.fail_on != "new" or session.exitstatus != pytest.ExitCode.TESTS_FAILED:
        return
    if found.unlabelled_failures or found.failing_new(_records(session.config)):
        return
    session.exitstatus = pytest.ExitCode.OK


class Gate:
    def __init__(self, config, base: baseline.Baseline, warnings: list[str], planned: "preflight.Planned | None"):
        self.config = config
        self.base = base
        self.warnings = list(warnings)
        self.planned = planned
        self.fail_on = config.getoption("fail_on")
        self.fail_on_warning = bool(config.getoption("fail_on_warning"))
        self.unlabelled_failures = 0          # failed tests that are not compliance results
        self._tests: dict[str, str | None] = {}
        self._summary: tuple[int, dict[str, Any]] | None = None

    # -- labelling, as each result is logged ---------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        record = getattr(report, "amaaudit", None)
        if record:
            label = record["baseline"] = self.base.label(record)
            known = self._tests.get(report.nodeid)
            self._tests[report.nodeid] = label if RANK[label] >= RANK[known] else known
        elif report.failed:
            self.unlabelled_failures += 1
        if report.when == "teardown" and report.nodeid in self._tests:
            # junitxml writes the properties of the teardown report: the test's label goes there.
            label = self._tests.pop(report.nodeid)
            report.user_properties = [p for p in report.user_properties if p[0] != "baseline"] + \
                [("baseline", label or "none")]

    def failing_new(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        failing = baseline.failing_outcomes(self.fail_on_warning)
        return [r for r in records if r.get("baseline") == baseline.NEW and r["outcome"] in failing]

    # -- what the outputs say ------------------------------------------------------------------
    def summary(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """findings.json's ``header.baseline`` (the report and the terminal read it too)."""
        if self._summary is not None and self._summary[0] == len(records):
            return self._summary[1]
        counts = {baseline.NEW: 0, baseline.UNCHANGED: 0}
        for record in records:
            if record.get("baseline") in counts:
                counts[record["baseline"]] += 1
        warnings = list(self.warnings)
        steps_run = {r["step"] for r in records}
        said = baseline.steps_warning(self.base, steps_run, ORDER)
        if said:
            warnings.append(said)
        out: dict[str, Any] = {
            "source": "what-if" if self.planned else "file", "file": self.base.file,
            "captured_at": self.base.captured_at, "fail_on": self.fail_on,
            "new": counts[baseline.NEW], "unchanged": counts[baseline.UNCHANGED],
            "resolved": self.base.resolved(records), "warnings": warnings}
        if self.planned is not None:
            changes, unattributed = attribution.attribute(records, self.planned.effects)
            out["what_if"] = {"file": self.planned.file, "shape": self.planned.plan.shape,
                              "status": self.planned.plan.status, "notes": list(self.planned.plan.notes),
                              "changes": changes, "unattributed": unattributed}
        self._summary = (len(records), out)
        return out

    def counts_line(self) -> str:
        records = _records(self.config)
        s = self.summary(records)
        against = (f"against the estate as it is (what-if {s['what_if']['file']})" if self.planned
                   else f"against baseline {s['file']} (captured {s['captured_at'] or '?'})")
        gone = sum(1 for r in s["resolved"] if r["checked"])
        unseen = len(s["resolved"]) - gone
        line = (f"baseline: {s['new']} new, {s['unchanged']} unchanged, {gone} resolved"
                + (f", {unseen} no longer checked" if unseen else "") + f" {against}")
        if self.fail_on == "new":
            line += f"; --fail-on new: {len(self.failing_new(records))} new failing result(s) decide the exit status"
        return printable(line)

    @staticmethod
    def has_new(steps: dict[str, dict[str, Any]]) -> bool:
        return any(r.get("baseline") == baseline.NEW for r in steps.values())

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter):
        records = _records(self.config)
        s = self.summary(records)
        write = terminalreporter.write_line
        for warning in s["warnings"]:
            write(f"amaaudit baseline: {printable(warning)}", yellow=True)
        if self.planned is not None:
            w = s["what_if"]
            for note in w["notes"]:
                write(f"amaaudit what-if: {printable(note)}", yellow=True)
            for change in w["changes"]:
                if change.get("says"):
                    write(f"amaaudit what-if: {printable(change['says']['en'])}", red=True)
            if w["unattributed"]:
                write(f"amaaudit what-if: {w['unattributed']} new result(s): no single change is cited", red=True)
            if not any(c.get("breaks") for c in w["changes"]) and not w["unattributed"]:
                write(f"amaaudit what-if: the {len(w['changes'])} applied change(s) break nothing this run checks",
                      green=True)
        shown = [r for r in s["resolved"] if r["checked"]][:10]
        for item in shown:
            write(printable(f"amaaudit baseline: resolved {item['vm']} {item['step']} {item['code'] or 'error'}: "
                            f"{item['message'][:160]}"), green=True)
