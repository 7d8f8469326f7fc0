"""pytest-html hooks: the compliance report inside pytest-html's page.

pytest-html 4 renders every row of its table in the browser (about 18 s for 10,000 rows), so
this keeps its table to the results a person must read (never passes, at most
``TABLE_ROWS``, worst first) and puts the whole run in the matrix above it, built from
compact data. Because rows are removed, pytest-html's own counters would undercount: they
are restated from every report of the run, each with how many of them the table lists.

A row is built (its cells, its detail, pytest-html's own work on it) only while it can still
be among the ``TABLE_ROWS`` listed: rows are listed worst first, then in the order they came,
so a row is out for good once ``TABLE_ROWS`` rows as bad or worse came before it. When most
machines fail that is most rows (at 10,000 failing VMs, 29,000 rows of which 1,000 are listed).
"""

from __future__ import annotations

from collections import Counter
from html import escape

import pytest
from pytest_html.basereport import _process_outcome   # only imported when pytest-html is loaded

from .. import baseline
from ..report import html as page
from ..report import changes, i18n, matrix, redact, table
from ..report.results import RANK

TABLE_ROWS = 1000   # beyond this pytest-html's table costs seconds to render; the matrix has the rest


def _category(report) -> str:
    """pytest-html's name for a report's outcome (its own rule, so the counters line up)."""
    return _process_outcome(report).lower()


def _counted(report) -> bool:
    """Whether pytest-html counts this report (its ``add_test`` rule)."""
    return report.when in ("call", "collect") or report.outcome != "passed"


class HtmlReport:
    def __init__(self, session):
        self.session = session
        self.lang = session.lang
        self.report_data = None
        self.totals: Counter[str] = Counter()   # every report pytest-html would count, listed or not
        # nodeid -> how urgent each of its rows is (results.RANK; -1: not a compliance result, always listed)
        self.rank: dict[str, list[int]] = {}
        self.ahead = [0] * (len(RANK) + 1)       # rows so far by rank (+1): how many a new row would come after

    def pytest_html_report_title(self, report):
        self.report_data = report
        head = self.session.header()
        label = head["estate"].get("label") or ""
        report.title = f"amaaudit — {i18n.word('title', self.lang)}" + (f" — {label}" if label else "")
        environment = report.data.get("environment") or {}
        # pytest-html puts these values into the page as HTML: hide secrets, then escape.
        safe = {}
        for key, value in redact.mapping(environment).items():
            safe[key] = _escape_tree(value)   # keys go in as text, values as HTML
        environment.clear()
        environment.update(safe)
        # A compact list (one line per result, worst first); a row opens on click. The
        # details a person reads first are in the matrix's panel above.
        report.set_data("renderCollapsed", ["all"])

    def pytest_html_results_table_header(self, cells):
        cells[:] = table.header(self.lang)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        if _counted(report):
            self.totals[_category(report)] += 1

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report):
        if report.failed:
            self.totals["error"] += 1

    def pytest_html_results_table_row(self, report, cells):
        record = getattr(report, "amaaudit", None)
        if record is None:
            if report.when in ("setup", "teardown") and report.passed:
                cells.clear()     # never listed by pytest-html anyway; skip its work on them
            else:
                self._row(report.nodeid, -1)
                cells[:] = table.plain_cells(cells[0], report.nodeid)
            return
        if record["outcome"] == "pass" or not self._row(report.nodeid, RANK[record["outcome"]]):
            cells.clear()         # no row: pytest-html skips the rest of its work on this report
            return
        cells[:] = table.cells(cells[0], {**record, "nodeid": report.nodeid}, self.lang)

    def _row(self, nodeid: str, rank: int) -> bool:
        """Count a row of the table; False when it cannot be listed (``TABLE_ROWS`` rows as bad or
        worse came before it), so that it is not built at all. Each row is ranked by its own result."""
        before = sum(self.ahead[:rank + 2])
        self.ahead[rank + 1] += 1
        listed = rank < 0 or before < TABLE_ROWS       # a row that is not a compliance result always stays
        if listed:
            self.rank.setdefault(nodeid, []).append(rank)
        return listed

    def pytest_html_results_table_html(self, report, data):
        record = getattr(report, "amaaudit", None)
        if record is not None:
            data[:] = [table.detail({**record, "nodeid": report.nodeid}, self.lang)]

    def pytest_html_results_summary(self, prefix, summary, postfix, session):
        listed = self._trim_table()
        head = self.session.header()
        attention = sum(v for k, v in head["counts"].items() if k != "pass")
        note = i18n.word("table_note", self.lang)
        if listed < attention:
            note += " " + i18n.word("table_capped", self.lang, listed=listed, total=attention)
        self._restate_counts()
        data, details = matrix.build(self.session.records, head, self.lang, self.session.vm_facts)
        before_matrix = changes.section(head.get("baseline"), self.session.records, self.lang,
                                        baseline.failing_outcomes(head["options"]["fail_on_warning"]))
        prefix.insert(0, page.app(head, data, self.lang, self.session.waivers(), note, before_matrix))
        postfix.append(page.details_blob(details))

    # -- keeping pytest-html's table small and its counts true --------------------------
    def _trim_table(self) -> int:
        tests = self.report_data.data["tests"] if self.report_data is not None else {}
        rows = [(nodeid, row, self._rank_of(nodeid, k)) for nodeid, found in tests.items()
                for k, row in enumerate(found)]
        if len(rows) > TABLE_ROWS:
            # Worst first; a row that is not a compliance result (a collection error) always stays.
            order = sorted(range(len(rows)), key=lambda i: (rows[i][2], i))
            keep = set(order[:TABLE_ROWS])
            trimmed: dict[str, list] = {}
            for i, (nodeid, row, _) in enumerate(rows):
                if i in keep:
                    trimmed.setdefault(nodeid, []).append(row)
            tests.clear()
            tests.update(trimmed)
            return TABLE_ROWS
        return len(rows)

    def _rank_of(self, nodeid: str, k: int) -> int:
        """The rank of the k-th row of ``nodeid`` (rows of a test come in the order they were counted)."""
        ranks = self.rank.get(nodeid) or ()
        return ranks[k] if k < len(ranks) else -1

    def _restate_counts(self) -> None:
        if self.report_data is None:
            return
        listed = Counter(row.get("result", "").lower() for found in self.report_data.data["tests"].values()
                         for row in found)
        for category, entry in self.report_data.outcomes.items():
            entry["value"] = self.totals.get(category, 0)
            if category == "xfailed":
                entry["label"] = i18n.word("xfailed_label", self.lang)
            if entry["value"] and listed.get(category, 0) < entry["value"]:
                entry["label"] += f" ({listed.get(category, 0)} listed)" if self.lang != "ja" \
                    else f" ({listed.get(category, 0)} 件を表示)"


def html_escape(value) -> str:
    return escape(str(value), quote=True)


def _escape_tree(value):
    if isinstance(value, dict):
        return {html_escape(k): _escape_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape_tree(v) for v in value]
    return html_escape(value)
