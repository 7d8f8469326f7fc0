"""The suite's own tests: one run-wide fact to print, that the fake ARM only ever saw reads."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_terminal_summary(terminalreporter):
    from tests.fakearm.server import SESSION
    if SESSION["servers"]:
        terminalreporter.write_line(
            f"fake ARM (this process): {SESSION['servers']} servers, {SESSION['requests']} requests, "
            f"{SESSION['writes']} non-read requests (PUT/PATCH/DELETE or a POST other than a "
            "Resource Graph / Log Analytics query)")
