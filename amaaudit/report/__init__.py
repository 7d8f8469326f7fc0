"""The report layer: pytest-html hooks, the VM x step matrix, support drafts, findings.json,
JUnit properties and waivers. It reads the ``amaaudit`` record of each report; it never
re-evaluates a rule.

The amaaudit plugin calls :func:`configure` once per compliance session (on every xdist
worker too) and :func:`after_classify` for each report, right after it classified it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from . import junit
from .session import KEY, ReportSession


def _load_waivers(config):
    path = config.getoption("waivers")
    if not path:
        return None
    from pathlib import Path

    from .. import waivers
    from ..plugin import source

    loaded = source.loaded(config)
    today = loaded.snapshot.captured_at.date() if loaded else dt.datetime.now(dt.timezone.utc).date()
    full = Path(config.invocation_params.dir) / Path(path).expanduser()
    try:
        return waivers.load(full if not Path(path).is_absolute() else path, today)
    except waivers.WaiverError as exc:
        raise pytest.UsageError(str(exc)) from None


def configure(config) -> None:
    """Read the waivers (an invalid file stops the run here, before anything is checked) and
    register the report hooks: the session's own, and pytest-html's when an HTML report is made."""
    if config.stash.get(KEY, None) is not None:
        return
    session = config.stash[KEY] = ReportSession(config, _load_waivers(config))
    config.pluginmanager.register(session, "amaaudit-report")
    if config.getoption("htmlpath", None) and not hasattr(config, "workerinput") \
            and config.pluginmanager.hasplugin("html"):
        from ..plugin.html import HtmlReport
        config.pluginmanager.register(HtmlReport(session), "amaaudit-html")


def after_classify(item, rep) -> None:
    """Waive what a valid waiver covers, then put the final record into JUnit's properties."""
    record = getattr(rep, "amaaudit", None)
    if not record:
        return
    session = item.config.stash.get(KEY, None)
    if session is not None and session.book is not None:
        from .. import waivers
        from ..plugin.outcomes import vm_of
        vm = vm_of(item)
        if vm is not None:
            waivers.apply(session.book, vm, rep, record)
            if getattr(rep, "wasxfail", None):      # -rx prints the waiver's own words
                from ..text import printable
                rep.wasxfail = printable(rep.wasxfail)
    junit.tag(item, rep, record)
