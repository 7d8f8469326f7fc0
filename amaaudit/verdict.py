"""The vocabulary of tests_infra: ``require`` a fact or report a finding, ``warn``, ``not_applicable``.

A failing requirement ends the test with the finding's text and no Python traceback: it is
a compliance finding, not a bug in the suite. A warning-severity finding is recorded and
the test goes on (and passes). What a test could not evaluate is raised by the model as
:class:`amaaudit.model.Unknown` and reported by the plugin as a pytest error.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable

import pytest

from .findings.core import Finding
from .text import Text

# The findings and evidence of the test being run; the plugin sets them around each call.
_recorded: list[Finding] | None = None
_evidence: dict[str, Any] | None = None
language = "en"
_gap: Exception | None = None


class FindingFailed(pytest.fail.Exception):  # type: ignore[misc,name-defined]
    def __init__(self, finding: Finding):
        super().__init__(finding.render(language), pytrace=False)
        self.finding = finding


def record(finding: Finding) -> None:
    if _recorded is not None:
        _recorded.append(finding)


def require(condition: Any, build: Callable[..., Finding], *args: Any) -> None:
    """Go on if ``condition`` holds; otherwise report ``build(*args)`` (built only then)."""
    if not condition:
        require_each(build, [args])


def require_each(build: Callable[..., Finding], failures: Iterable[tuple[Any, ...]]) -> None:
    """``require`` for several cases at once: each failing case (the arguments of ``build``) is
    reported, so that one run lists every link or record to add, not only the first; the test
    then fails on the first of them."""
    failures = list(failures)
    if not failures:
        return
    if _gap is not None:
        raise _gap
    found = [build(*args) for args in failures]
    for finding in found:
        record(finding)
    failing = next((f for f in found if f.fails), None)
    if failing is not None:
        raise FindingFailed(failing)


def warn(build: Callable[..., Finding], *args: Any) -> None:
    """Record a finding that does not fail the gate (unless --fail-on-warning)."""
    record(build(*args))


def evidence(**facts: Any) -> None:
    """What the verdict rests on, shown even when the test passes (keep it small: ids and the few
    fields the verdict read). Every pass must record some (:func:`rests_on_evidence`)."""
    if _evidence is not None:
        _evidence.update(facts)


class NoEvidence(Exception):
    """A check returned (a pass) without saying what the pass rests on: a defect of the check."""


def rests_on_evidence() -> None:
    """Called when a check returns normally: a pass that recorded no evidence is not a pass.

    This makes "no pass on a vacuous chain" structural: a check whose inputs turned out empty
    (nothing to judge) cannot slip through as a pass; it must skip or fail, or say what it saw."""
    if _evidence is not None and not _evidence:
        raise NoEvidence("the check passed without recording the evidence it rests on "
                         "(call amaaudit.verdict.evidence(...) before it returns)")


@contextmanager
def unless_incomplete(gap: Exception | None):
    """Inside, an unmet requirement means *could not evaluate* when ``gap`` (a model
    ``Unknown``) is set: what could not be read may hold the very thing found missing.
    A requirement that holds needs no more data, so passing stays possible."""
    global _gap
    previous, _gap = _gap, gap
    try:
        yield
    finally:
        _gap = previous


def skip(reason: Text) -> None:
    """Skip, with the reason in both languages: pytest and JUnit get the English, the report its
    language (the plugin keeps both)."""
    __tracebackhide__ = True
    exc = pytest.skip.Exception(reason.en)
    exc.amaaudit_text = reason
    raise exc


def not_applicable(reason: str | Text) -> None:
    """The step does not apply to this VM (e.g. no private link): not a pass, not a finding."""
    __tracebackhide__ = True
    skip(Text("not applicable: ", "対象外: ") + Text.of(reason))


def not_visible(reason: str | Text) -> None:
    """ARM does not show what this step needs (an Arc server's network): not a pass, not a finding; the
    reason says what to run on the machine instead. Warnings recorded before it stay with the result."""
    __tracebackhide__ = True
    skip(Text("not visible in ARM: ", "ARM では確認できません: ") + Text.of(reason))


def undetermined(reason: str | Text) -> None:
    """Nothing in the estate can decide this (e.g. a custom image with no guest data): say so."""
    __tracebackhide__ = True
    skip(Text("undetermined: ", "判定保留: ") + Text.of(reason))
