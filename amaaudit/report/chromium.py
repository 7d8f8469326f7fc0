"""Drive headless Chromium over the DevTools protocol, stdlib only: measure and test the report.

``--remote-debugging-pipe`` makes Chromium read protocol messages (JSON, NUL-terminated) on
fd 3 and write on fd 4, so no websocket library and no port are needed. Only file:// pages
are opened and networking is disabled, as in CI.

    python -m amaaudit.report.chromium reports/report.html      # prints the time to the matrix
    python -m amaaudit.report.chromium --rounds 5 reports/report.html   # medians of 5 first visits
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars")


def executable() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser") \
        or shutil.which("google-chrome")


class ProtocolError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page. ``evaluate`` runs JavaScript in it and returns the value."""

    def __init__(self, width: int = 1400, height: int = 1000, timeout: float = 60.0):
        binary = executable()
        if binary is None:
            raise FileNotFoundError("chromium not found (apt-get install -y chromium)")
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="amaaudit-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:
            # The child's fd 3 reads our commands, fd 4 writes replies. dup2 makes them
            # inheritable; every other descriptor of ours is close-on-exec (close_fds=False
            # would otherwise close 3 and 4 again after this runs).
            # Copy first: the pipes themselves may be numbered 3 and 4 (dup2 onto itself keeps
            # close-on-exec, and the second dup2 could overwrite the first pipe).
            read_end, write_end = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile}", f"--window-size={width},{height}",
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.send("Page.enable", session=True)
        self.send("Runtime.enable", session=True)
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    # -- protocol ------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise ProtocolError("chromium closed the debugging pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            event = self._read_message(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    # -- page ----------------------------------------------------------------------------
    def open(self, path: str | Path) -> float:
        """Load a local file and wait for its load event; returns the seconds it took."""
        url = Path(path).resolve().as_uri()
        self.events.clear()
        started = time.monotonic()
        self.send("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")
        return time.monotonic() - started

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        result = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                           awaitPromise=await_promise)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise ProtocolError(f"JavaScript error: {details.get('exception', {}).get('description') or details}")
        return result.get("result", {}).get("value")

    def screenshot(self, out: str | Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": size[0], "height": size[1],
                                                            "scale": 1})
        data = self.send("Page.captureScreenshot", session=True, **params)["data"]
        Path(out).write_bytes(base64.b64decode(data))
        return Path(out)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (ProtocolError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def time_to_matrix(path: str | Path, rounds: int = 1) -> dict[str, float]:
    """Seconds from navigation to: the matrix built, its first paint, and the page's load event;
    and, for scale, the load event of an empty page in a browser started the same way.

    The page's script stamps ``performance.now()`` (ms since navigation started) on the root
    element when the matrix is in the DOM and at the first frame after it. Each round starts a
    fresh browser for each page (a first visit, as a reader's); with ``rounds`` > 1 every figure
    is the median of the rounds (a shared machine's timings jump).
    """
    figures: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="amaaudit-empty-") as folder:
        empty = Path(folder) / "empty.html"
        empty.write_text("<!doctype html><html><head><title>empty</title></head><body></body></html>\n")
        for _ in range(max(1, rounds)):
            with Browser() as browser:
                empty_load = browser.open(empty)
            with Browser() as browser:
                load = browser.open(path)
                stamps = browser.evaluate(
                    "new Promise(r => requestAnimationFrame(() => setTimeout(() => r(["
                    "document.documentElement.dataset.aaMatrixMs, document.documentElement.dataset.aaMatrixPaintMs,"
                    "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,"
                    "document.querySelectorAll('#results-table tbody.results-table-row').length]), 0)))",
                    await_promise=True)
            matrix, paint, dcl, rows = stamps
            figures.append({"matrix_s": float(matrix) / 1000, "matrix_paint_s": float(paint) / 1000,
                            "dom_content_loaded_s": float(dcl) / 1000, "load_s": load, "empty_load_s": empty_load,
                            "table_rows": rows})
    median = {key: statistics.median(f[key] for f in figures) for key in figures[0]}
    return {**median, "rounds": len(figures), "bytes": Path(path).stat().st_size}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    rounds = 1
    if args[:1] == ["--rounds"] and len(args) > 2 and args[1].isdigit():
        rounds, args = int(args[1]), args[2:]
    for path in args:
        t = time_to_matrix(path, rounds)
        print(f"{path}: {t['bytes'] / 1e6:.1f} MB; matrix in the DOM {t['matrix_s']:.2f} s, painted "
              f"{t['matrix_paint_s']:.2f} s; DOMContentLoaded {t['dom_content_loaded_s']:.2f} s "
              f"(pytest-html table: {t['table_rows']} rows); load event after {t['load_s']:.2f} s wall, "
              f"an empty page's after {t['empty_load_s']:.2f} s" + (f" (medians of {rounds})" if rounds > 1 else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
