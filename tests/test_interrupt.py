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


@pytest.mark.slow
def test_ctrl_c_during_discovery_writes_nothing(tmp_path, monkeypatch):
    estate = build_estate(30)
    with FakeArm(estate.doc, page_size=5, latency=0.05) as fake:
        # Discovery cannot finish before the signal, however fast or slow this machine is: its last read,
        # the Heartbeat query, is held far longer than the test waits (the server's threads are daemons).
        fake.faults.append(Fault(path=r"/query", method="POST", delay=600))
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
            seen = ""
            deadline = time.monotonic() + 60
            while "Querying Heartbeat" not in seen and time.monotonic() < deadline:   # discovery is under way
                line = proc.stdout.readline()
                if not line:
                    break
                seen += line
            assert "Querying Heartbeat" in seen, seen
            proc.send_signal(signal.SIGINT)
            rest, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:     # a failed wait must not leave a run behind, waiting on a dead server
                proc.kill()
                proc.communicate()
    assert proc.returncode != 0, seen + rest
    assert sorted(p.name for p in out.iterdir()) == [], "a Ctrl-C left files behind"
