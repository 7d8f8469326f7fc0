"""The plugin's plumbing for large runs: coalesced progress output and batched pytest-xdist events.

Both only change how bytes travel, never what arrives: the text a terminal receives and the
report a controller rebuilds must be exactly what they would have been without them.
"""

from __future__ import annotations

import io
import json
import textwrap

import pytest
from _pytest import reports
from _pytest.reports import TestReport

from scenarios import install_suite, run_suite
from report_fixtures import page_data

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
    install_suite(pytester)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "vm01 or vm02")
    lines = result.outlines
    progress_lines = [line for line in lines if line.startswith("tests_infra/")]
    letters = sum(len(line.split(" ")[1].strip()) for line in progress_lines if " " in line)
    assert letters == 18                     # 2 VMs x 9 steps, none lost in the buffer
    assert "passed" in lines[-1] or "failed" in lines[-1]


# -- pytest-xdist: per-test events in batches ----------------------------------------------------
class Channel:
    """What a worker's execnet channel is asked to send, in order."""

    def __init__(self):
        self.sent: list = []
        self.gateway = "the channel's own"

    def send(self, item):
        self.sent.append(item)


def _report(nodeid: str, when: str) -> dict:
    return reports.pytest_report_to_serializable(TestReport(
        nodeid, ("tests_infra/test_01_os.py", 11, "x"), {"os": 1}, "passed" if when != "call" else "failed",
        "finding OS-UNSUPPORTED" if when == "call" else None, when,
        sections=[("Captured stdout call", "東京")], duration=0.001, user_properties=[("vm", "vm01")]))


def _test_events(nodeid: str, index: int) -> list:
    location = ("tests_infra/test_01_os.py", 11, "test_os_supported[vm01]")
    return ([("logstart", {"nodeid": nodeid, "location": location})]
            + [("testreport", {"data": {**_report(nodeid, when), "item_index": index}}) for when in
               ("setup", "call", "teardown")]
            + [("logfinish", {"nodeid": nodeid, "location": location}),
               ("runtest_protocol_complete", {"item_index": index, "duration": 0.002})])


def _received(sent: list) -> list:
    """What xdist's controller handler gets once ``unbatching`` has unpacked the messages."""
    got: list = []
    handle = wire.unbatching(got.append)
    for message in sent:
        handle(message)
    return got


def test_events_go_as_one_batch_when_the_worker_runs_dry_and_arrive_unchanged_and_in_order(clock):
    channel, backlog = Channel(), [3]
    batching = wire.BatchingChannel(channel, lambda: backlog[0])
    events = _test_events("t::a[vm01]", 0) + _test_events("t::a[vm02]", 1)
    for event in events[:6]:
        batching.send(event)
    assert channel.sent == []                # work is still queued and 50 ms have not passed
    backlog[0] = 0
    for event in events[6:]:
        batching.send(event)
    assert len(channel.sent) == 1 and channel.sent[0][0] == wire.EVENT
    assert _received(channel.sent) == events
    assert batching.gateway == "the channel's own"


def test_a_batch_goes_after_the_interval_or_when_large(clock, monkeypatch):
    channel = Channel()
    batching = wire.BatchingChannel(channel, lambda: 5)
    for event in _test_events("t::a[vm01]", 0):
        batching.send(event)
    assert channel.sent == []
    clock.now += wire.INTERVAL * 1.5
    for event in _test_events("t::a[vm02]", 1):
        batching.send(event)
    assert len(channel.sent) == 1
    monkeypatch.setattr(wire, "MAX_EVENTS", 12)
    for i in (2, 3):
        for event in _test_events(f"t::a[vm0{i}]", i):
            batching.send(event)
    assert len(channel.sent) == 2
    assert len(_received(channel.sent)) == 24


def test_any_other_event_first_sends_what_is_held_so_order_is_kept(clock):
    channel = Channel()
    batching = wire.BatchingChannel(channel, lambda: 5)
    events = _test_events("t::a[vm01]", 0)
    for event in events:
        batching.send(event)
    batching.send(("workerfinished", {"workeroutput": {}}))
    assert _received(channel.sent) == events + [("workerfinished", {"workeroutput": {}})]


def test_events_marshal_cannot_encode_go_one_by_one(clock):
    channel = Channel()
    batching = wire.BatchingChannel(channel, lambda: 0)
    events = _test_events("t::a[vm01]", 0)
    events[2][1]["data"]["user_properties"] = [("odd", object())]
    for event in events:
        batching.send(event)
    assert channel.sent == events


def test_a_worker_batches_only_when_the_controller_named_its_python():
    class Config:
        def __init__(self, workerinput):
            self.workerinput = workerinput
            self.pluginmanager = self

        def get_plugins(self):
            return [self.interactor]

    class WorkerInteractor:
        def __init__(self):
            self.channel, self.torun = Channel(), None

    for given, batched in ((wire.version(), True), ("marshal 3, cpython 3.10", False), (None, False)):
        config = Config({} if given is None else {wire.KEY: given})
        config.interactor = WorkerInteractor()
        config.interactor.torun = type("Queue", (), {"lock": None})()
        wire.install_on_worker(config)
        assert isinstance(config.interactor.channel, wire.BatchingChannel) is batched


# What a worker really sent, counted between its BatchingChannel and execnet, and handed to the
# controller inside the worker's own "workerfinished" message (which the BatchingChannel sends only
# after flushing everything it held): no hook order, no timing and no shared stdout involved.
WIRE_COUNTER = """
    import json
    import marshal
    from pathlib import Path

    from amaaudit.plugin import wire

    pytest_plugins = ["fixtures.compliance"]


    class Counting:
        def __init__(self, channel):
            self.channel, self.batches, self.unbatched, self.tests = channel, 0, 0, 0

        def send(self, item):
            name = item[0]
            if name == wire.EVENT:
                self.batches += 1
                self.tests += sum(event[0] == "runtest_protocol_complete" for event in marshal.loads(item[1]["blob"]))
            elif name in wire.BATCHED:
                self.unbatched += 1
                self.tests += name == "runtest_protocol_complete"
            elif name == "workerfinished":
                item[1]["workeroutput"]["wire"] = {"batches": self.batches, "unbatched": self.unbatched,
                                                   "tests": self.tests}
            self.channel.send(item)

        def __getattr__(self, name):
            return getattr(self.channel, name)


    def pytest_sessionstart(session):
        if hasattr(session.config, "workerinput"):
            for plugin in session.config.pluginmanager.get_plugins():
                if type(plugin).__name__ == "WorkerInteractor":
                    session.config.workeroutput["channel"] = type(plugin.channel).__name__
                    if isinstance(plugin.channel, wire.BatchingChannel):
                        plugin.channel.channel = Counting(plugin.channel.channel)


    def pytest_testnodedown(node, error):
        Path(f"wire-{node.gateway.id}.json").write_text(json.dumps(
            {"channel": node.workeroutput.get("channel"), **node.workeroutput.get("wire", {})}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("dist", ["load", "worksteal"])   # worksteal also sends from the receiving thread
def test_real_xdist_workers_batch_and_the_outputs_equal_a_serial_runs(pytester, dist):
    """Under ``-n 2`` every worker's channel batches, every per-test event a worker sent went in a
    batch, and JUnit and findings.json equal the serial run's.

    How the tests are shared is the scheduler's business (on a busy machine one worker may run
    nearly all of them): what is asserted holds for any share."""
    install_suite(pytester)
    pytester.makeconftest(textwrap.dedent(WIRE_COUNTER))

    def run(folder, *args):
        return pytester.runpytest_subprocess(f"--html={folder}/report.html", f"--junitxml={folder}/junit.xml",
                                             f"--findings-json={folder}/findings.json", *args)
    serial, xdist = run("serial"), run("n2", "-n", "2", "--dist", dist)
    assert xdist.ret == serial.ret == 1
    workers = {path.name: json.loads(path.read_text()) for path in pytester.path.glob("wire-*.json")}
    assert sorted(workers) == ["wire-gw0.json", "wire-gw1.json"], workers
    for name, sent in workers.items():
        assert sent["channel"] == "BatchingChannel", (name, sent)
        assert sent["unbatched"] == 0, (name, sent)               # no per-test event went on its own
        assert (sent["batches"] > 0) == (sent["tests"] > 0), (name, sent)
    assert sum(sent["tests"] for sent in workers.values()) == len(junit_cases(pytester.path / "serial/junit.xml"))
    assert (pytester.path / "n2/findings.json").read_bytes() == (pytester.path / "serial/findings.json").read_bytes()
    assert junit_cases(pytester.path / "n2/junit.xml") == junit_cases(pytester.path / "serial/junit.xml")
    for element in ("aa-data", "aa-details-data"):          # the report's matrix and its details
        assert page_data(pytester.path / "n2/report.html", element) == \
            page_data(pytester.path / "serial/report.html", element)


def junit_cases(path) -> list:
    import xml.etree.ElementTree as ET
    cases = []
    for case in ET.parse(path).iter("testcase"):
        props = tuple((p.get("name"), p.get("value")) for p in case.iter("property"))
        results = tuple(sorted((c.tag, c.get("message") or "") for c in case if c.tag != "properties"))
        cases.append((case.get("classname"), case.get("name"), props, results))
    assert cases
    return sorted(cases)


def _failures(run) -> dict[str, tuple]:
    """nodeid -> what pytest (and JUnit) say of each failed result: the text and the crash location."""
    out = {}
    for rep in run.result.reprec.getreports("pytest_runtest_logreport"):
        if rep.failed:
            crash = getattr(rep.longrepr, "reprcrash", None)
            out[rep.nodeid] = (rep.when, rep.longreprtext, crash and (crash.path, crash.lineno, crash.message))
    return out


def test_a_findings_traceback_starts_at_the_test_and_pytest_says_the_same(pytester, monkeypatch):
    """A finding's traceback is cut at the test function before pytest formats it (pytest would make
    the same cut, asking the file system about every frame above it): what it prints is unchanged."""
    from amaaudit.plugin import outcomes
    starts = []
    real = outcomes.start_at_the_test

    def watched(item, call):
        real(item, call)
        if call.excinfo is not None and call.excinfo.errisinstance(outcomes.verdict.FindingFailed):
            starts.append((call.excinfo.tb.tb_frame.f_code.co_name, item.originalname))
    with monkeypatch.context() as m:
        m.setattr(outcomes, "start_at_the_test", watched)
        cut = run_suite(pytester, None)
    assert starts and all(frame == test for frame, test in starts)      # the first frame is the test's
    with monkeypatch.context() as m:
        m.setattr(outcomes, "start_at_the_test", lambda item, call: None)
        whole = run_suite(pytester, None)
    assert _failures(cut) == _failures(whole)
    failed = [r for rs in cut.records.values() for r in rs if r["outcome"] == "fail"]
    assert failed and all(r["longrepr"].startswith(f"[{r['severity'].upper()}] ") for r in failed)
    # --full-trace shows every frame, pluggy's too: nothing is cut then
    full = run_suite(pytester, None, "--full-trace")
    assert any("pluggy" in text for _, text, _ in _failures(full).values())
