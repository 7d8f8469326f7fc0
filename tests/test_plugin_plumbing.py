"""The plugin's plumbing for large runs: coalesced progress output and xdist's report wire format.

Both only change how bytes travel, never what arrives: the text a terminal receives and the
report a controller rebuilds must be exactly what they would have been without them.
"""

from __future__ import annotations

import io
import marshal

import pytest
from _pytest import reports
from _pytest.reports import TestReport

from amaaudit.plugin import progress, wire
from amaaudit.plugin.progress import CoalescedStream


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(progress.time, "monotonic", fake)
    return fake


def test_a_partial_line_waits_for_the_interval_and_a_full_line_goes_at_once(clock):
    sink = io.StringIO()
    stream = CoalescedStream(sink, interval=0.1)
    stream.write(".")
    stream.flush()
    stream.write("F")
    stream.flush()
    assert sink.getvalue() == ""             # two letters within 0.1 s: held
    clock.now += 0.2
    stream.flush()
    assert sink.getvalue() == ".F"           # a flush after the interval hands them over
    stream.write("s [ 50%]\n")
    assert sink.getvalue() == ".Fs [ 50%]\n"  # a newline goes at once, with what was held
    stream.write("..")
    stream.forward()
    assert sink.getvalue() == ".Fs [ 50%]\n.."


def test_text_the_console_cannot_encode_is_escaped_as_pytest_does():
    raw = io.BytesIO()
    narrow = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    stream = CoalescedStream(narrow)
    stream.write("vm-東京\n")
    assert raw.getvalue() == b"vm-\\u6771\\u4eac\\n"


def test_the_stream_answers_for_the_real_one():
    sink = io.StringIO()
    assert CoalescedStream(sink).isatty() is False
    assert CoalescedStream(sink).getvalue is not None


def test_coalesce_then_restore_puts_back_the_terminal_writers_own_stream(pytester):
    config = pytester.parseconfigure()
    writer = config.pluginmanager.get_plugin("terminalreporter")._tw
    original = writer._file
    progress.coalesce(config)
    wrapped = writer._file
    assert isinstance(wrapped, CoalescedStream) and wrapped.stream is original
    progress.coalesce(config)
    assert writer._file is wrapped           # never wrapped twice
    progress.restore(config)
    assert writer._file is original
    progress.restore(config)                 # a second restore is harmless


def test_a_compliance_run_prints_every_progress_letter_and_the_final_line(pytester):
    from scenarios import install_suite
    install_suite(pytester)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "vm01 or vm02")
    lines = result.outlines
    progress_lines = [line for line in lines if line.startswith("tests_infra/")]
    letters = sum(len(line.split(" ")[1].strip()) for line in progress_lines if " " in line)
    assert letters == 18                     # 2 VMs x 9 steps, none lost in the buffer
    assert "passed" in lines[-1] or "failed" in lines[-1]


# -- pytest-xdist: one marshal blob per report -------------------------------------------------
class Config:
    def __init__(self, workerinput=None):
        if workerinput is not None:
            self.workerinput = workerinput


def _report() -> TestReport:
    return TestReport("tests_infra/test_01_os.py::test_os_supported[vm01]", ("tests_infra/test_01_os.py", 11, "x"),
                      {"os": 1, "vm01": 1}, "failed", "finding OS-UNSUPPORTED", "call",
                      sections=[("Captured stdout call", "東京")], duration=0.001,
                      user_properties=[("vm", "vm01"), ("step", "os")])


def _serialize(config, report):
    """pytest's own serialization, inside the wire's wrapper (as pluggy runs them)."""
    gen = wire.pytest_report_to_serializable(config=config, report=report)
    next(gen)
    try:
        gen.send(reports.pytest_report_to_serializable(report))
    except StopIteration as stop:
        return stop.value


def _deserialize(config, data):
    gen = wire.pytest_report_from_serializable(config=config, data=data)
    next(gen)            # the wrapper has unpacked ``data`` in place by now, as pytest's impl then sees it
    try:
        gen.send(reports.pytest_report_from_serializable(data))
    except StopIteration as stop:
        return stop.value


def test_a_worker_of_the_same_python_sends_one_blob_and_the_controller_rebuilds_the_same_report():
    report = _report()
    plain = reports.pytest_report_to_serializable(report)
    packed = _serialize(Config({wire.KEY: wire.version()}), report)
    assert set(packed) == {"$report_type", wire.TAG} and isinstance(packed[wire.TAG], bytes)
    assert marshal.loads(packed[wire.TAG]) == plain
    rebuilt = _deserialize(Config(), dict(packed))
    assert reports.pytest_report_to_serializable(rebuilt) == plain


def test_a_worker_without_the_controllers_version_sends_reports_the_usual_way():
    report = _report()
    for config in (Config({wire.KEY: "marshal 3, cpython 3.10"}), Config({}), Config()):
        assert _serialize(config, report) == reports.pytest_report_to_serializable(report)


def test_a_report_holding_a_type_marshal_does_not_know_is_sent_the_usual_way():
    report = _report()
    report.user_properties = [("odd", object())]
    data = _serialize(Config({wire.KEY: wire.version()}), report)
    assert wire.TAG not in data and data["user_properties"][0][0] == "odd"
