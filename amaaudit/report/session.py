"""The report layer's state for one pytest session: the results, the waivers, findings.json.

On the controller (or a run without xdist) it gathers the ``amaaudit`` record of every report
as it is logged; the HTML hooks, the terminal and findings.json read it at the end. Workers
only apply waivers (where results are made) and tag results for JUnit.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..plugin import paths, source
from ..text import printable
from . import findings_json, header, results
from .results import RANK

KEY = pytest.StashKey["ReportSession"]()


class ReportSession:
    def __init__(self, config, book):
        self.config = config
        self.book = book                       # amaaudit.waivers.WaiverBook or None
        self.lang = config.getoption("report_lang")
        self._records: dict[str, dict[str, Any]] = {}
        self._header: tuple[int, dict[str, Any]] | None = None
        self._facts: dict[str, Any] | None = None
        self._ordered: results.Ordered | None = None

    # -- gathering ---------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report):
        record = getattr(report, "amaaudit", None)
        if not record:
            return
        known = self._records.get(report.nodeid)
        # A test has one record, unless its teardown also broke: the worse one stands.
        if known is None or RANK[record["outcome"]] < RANK[known["outcome"]]:
            self._records[report.nodeid] = {**record, "nodeid": report.nodeid}
            self._ordered = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report, config):
        record = getattr(report, "amaaudit", None)
        if record and record.get("outcome") == "waived" and report.when == "call":
            return "waived", "w", ("WAIVED", {"blue": True})
        return None

    @property
    def records(self) -> results.Ordered:
        """Every result so far, in the outputs' order (sorted once after the last change)."""
        if self._ordered is None:
            self._ordered = results.ordered(self._records.values())
        return self._ordered

    def header(self) -> dict[str, Any]:
        """Built from the results so far (the title needs it at the start, the counts at the end)."""
        if self._header is None or self._header[0] != len(self._records):
            self._header = (len(self._records), header.build(self.config, self.records))
        return self._header[1]

    def waivers(self) -> list[dict[str, Any]]:
        """Every waiver with what happened to it in this run: applied, expired, unused."""
        if self.book is None:
            return []
        tally: dict[str, dict[str, int]] = {"applied": {}, "expired": {}, "error": {}}
        for record in self._records.values():
            waiver = record.get("waiver")
            if waiver:
                kind = waiver.get("status") if waiver.get("status") in ("applied", "expired") else "error"
                tally[kind][waiver["id"]] = tally[kind].get(waiver["id"], 0) + 1
        out = []
        for waiver in self.book.waivers:
            applied = tally["applied"].get(waiver.id, 0)
            status = "expired" if waiver.expired(self.book.today) else "applied" if applied else "unused"
            out.append({**waiver.to_dict(), "status": status, "applied": applied,
                        "expired_hits": tally["expired"].get(waiver.id, 0),
                        "error_hits": tally["error"].get(waiver.id, 0)})
        return out

    def vm_facts(self, rid: str) -> dict[str, Any] | None:
        """What the snapshot says about a VM for its details and support draft (facts, not verdicts)."""
        from .support import vm_facts
        if self._facts is None:
            loaded = source.loaded(self.config)
            self._facts = {vm.id.lower(): vm for vm in loaded.estate.vms} if loaded else {}
        vm = self._facts.get(rid.lower())
        if vm is None:
            return None
        return {**vm_facts(vm), "tags": {str(k): str(v) for k, v in (vm.tags or {}).items()}}

    # -- the end of the run ------------------------------------------------------------
    def pytest_sessionfinish(self, session):
        # Written even when nothing was selected: a stale file from an earlier run would lie.
        if hasattr(self.config, "workerinput") or self.config.option.collectonly:
            return
        target = paths.findings_target(self.config)
        doc = findings_json.document(self.header(), self.records, self.lang, self.waivers())
        try:
            findings_json.write(target, doc)
        except OSError as exc:      # one lost output must not take the reports written after it along
            paths.write_failed(self.config, "--findings-json", target, exc)
            return
        self._written = target

    @pytest.hookimpl(trylast=True)      # beside pytest-html's "Generated html report" line
    def pytest_terminal_summary(self, terminalreporter):
        if hasattr(self.config, "workerinput"):
            return
        # A waiver's id, justification, owner and ticket are whatever its author typed: printable.
        for item in self.waivers():
            if item["status"] == "expired":
                terminalreporter.write_line(printable(
                    f"amaaudit waiver {item['id']} EXPIRED on {item['expires']} and was not applied"
                    f" ({item['expired_hits']} result(s) it selects count as failures): {item['justification']}"
                    f" (owner {item['owner']}, ticket {item['ticket']})"), red=True)
            elif item["status"] == "unused":
                errors = (f"; it selects {item['error_hits']} result(s) that could not be evaluated, which no"
                          " waiver covers" if item["error_hits"] else "")
                terminalreporter.write_line(printable(
                    f"amaaudit waiver {item['id']} is unused: it matched no failing result"
                    f"{errors} ({item['ticket']}, owner {item['owner']})"), yellow=True)
            else:
                terminalreporter.write_line(printable(
                    f"amaaudit waiver {item['id']} applied to {item['applied']} result(s)"
                    f" until {item['expires']} ({item['ticket']}, owner {item['owner']})"))
        written = getattr(self, "_written", None)
        if written:
            terminalreporter.write_line(f"findings: {printable(written)}")
