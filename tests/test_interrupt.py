"""Ctrl-C during live discovery leaves nothing half-written: no snapshot, no report, no JUnit, no findings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakearm import FakeArm, build_estate  # noqa: E402
from tests.fakearm.server import Fault  # noqa: E402
from tests.fakearm.harness import install_az_stub  # noqa: E402


# Each case holds one read open far longer than the test waits (the fake's threads are daemons) and sends
# Ctrl-C only once that read has reached the server: the run must stop at once, not when Azure answers (a held
# Log Analytics query or ARM page can take minutes), and leave nothing behind.
HELD_READS = {
    "walk": dict(path=r"/providers/Microsoft\.Compute/virtualMachines/[^/?]+\?", method="GET", times=1),
    "heartbeat": dict(path=r"/query", method="POST"),
}


@pytest.mark.slow
@pytest.mark.parametrize("held", sorted(HELD_READS))
def test_ctrl_c_during_discovery_stops_at_once_and_writes_nothing(tmp_path, monkeypatch, held):
    estate = build_estate(30)
    with FakeArm(estate.doc, page_size=5, latency=0.05) as fake:
        fault = Fault(delay=600, **HELD_READS[held])
        fake.faults.append(fault)
        install_az_stub(monkeypatch, tmp_path, fake)
        out = tmp_path / "out"
        out.mkdir()
        cmd = [sys.executable, "-m", "pytest", "-p", "no:hypothesispytest", *sum(
            (["--subscription", s] for s in estate.listed), []),
            "--arm-endpoint", fake.url, "--logs-endpoint", fake.url,
            "--save-estate", str(out / "estate.json"), "--html", str(out / "report.html"),
            "--junitxml", str(out / "junit.xml"), "--findings-json", str(out / "findings.json")]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 120
            while fault.hits == 0 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert fault.hits, "the held read never reached the fake ARM"
            proc.send_signal(signal.SIGINT)
            # Generous: the bound is "not until the held read ends" (600 s), not a speed requirement.
            seen, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:     # a failed wait must not leave a run behind, waiting on a dead server
                proc.kill()
                proc.communicate()
    assert proc.returncode != 0, seen
    assert sorted(p.name for p in out.iterdir()) == [], "a Ctrl-C left files behind"
