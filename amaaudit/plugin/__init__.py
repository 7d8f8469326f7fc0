"""The amaaudit pytest plugin, loaded through the ``pytest11`` entry point.

Being an installed plugin is what makes ``--estate FILE`` (space form) work: options are
known before pytest looks for its rootdir's conftest.py. The plugin stays inert in pytest
sessions that are not compliance runs (e.g. the suite's own tests).
"""

from __future__ import annotations

import pytest

from .. import report, verdict
from ..steps import STEPS
from . import gating, options, outcomes, paths, progress, rootdir, source, wire


class PathsFirst:
    """Output paths are checked before any other plugin's pytest_configure (pytest-html makes its
    folder in its own) and before any estate is read: a bad path is one paragraph now, not a
    traceback or a lost report at the end. (A module has one pytest_configure: this is the other.)"""

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config):
        if is_compliance_run(config) and not hasattr(config, "workerinput"):
            paths.check(config)


def pytest_addoption(parser, pluginmanager):
    options.add_options(parser)
    if not pluginmanager.has_plugin("amaaudit-paths"):
        pluginmanager.register(PathsFirst(), "amaaudit-paths")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    rootdir.repair(early_config, args)


@pytest.hookimpl(trylast=True)  # after the terminal reporter exists: discovery reports progress on it
def pytest_configure(config):
    for step in STEPS:
        config.addinivalue_line("markers", f"{step.name}: {step.title.en} (troubleshooting step)")
    verdict.language = config.getoption("report_lang")
    if is_compliance_run(config):
        config.pluginmanager.register(wire, "amaaudit-wire")   # pytest-xdist: per-test events in batches
        gating.early(config)       # a bad --baseline or option stops the run before discovery
        source.ensure_loaded(config)   # --what-if: the planned deployment is applied here
        report.configure(config)   # waivers (a bad file stops the run here), HTML, JUnit, findings.json
        gating.configure(config)   # --baseline / --what-if: labels (--what-if checks the estate as it is first)
        if not hasattr(config, "workerinput"):
            progress.coalesce(config)


def pytest_unconfigure(config):
    progress.restore(config)


def is_compliance_run(config) -> bool:
    explicit = config.getoption("estate") or options.live_subscriptions(config)
    return bool(config.getini("amaaudit_suite") or explicit or getattr(config, "workerinput", {}).get("amaaudit_estate"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: workers replay the controller's estate instead of discovering it again."""
    loaded = source.loaded(node.config)
    if loaded is not None:
        node.workerinput.update(amaaudit_estate=source.worker_copy(node.config, loaded),
                                amaaudit_kind=loaded.kind, amaaudit_label=loaded.label)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from outcomes.around_call(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    outcomes.start_at_the_test(item, call)      # before pytest's own makereport formats the failure
    rep = yield
    if rep.passed and rep.when != "call":
        return rep      # a setup or teardown that went well (two reports of every three): nothing to classify
    outcomes.classify(item, call, rep, item.config.option.fail_on_warning)
    report.after_classify(item, rep)   # waivers, then JUnit properties
    return rep


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    """--fail-on new: only new failures decide. VMs that could not even be listed were not checked, and an
    output that could not be written is evidence lost: the run must not pass as if either had not happened."""
    gating.adjust_exit(session)
    loaded = None if hasattr(session.config, "workerinput") else source.loaded(session.config)
    incomplete = loaded is not None and loaded.estate.errors.inventory_gaps()
    if (incomplete or paths.any_failed(session.config)) and \
            session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_report_teststatus(report, config):
    return outcomes.teststatus(report)


def pytest_report_header(config):
    from .terminal import header_lines
    return header_lines(config)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from .terminal import summary
    summary(terminalreporter, config)
