"""The progress line reaches the terminal a line (or a tenth of a second) at a time, not a character.

pytest's terminal reporter writes one status letter per test and flushes after each. With
``PYTHONUNBUFFERED=1`` (usual in CI) every letter is then a system call. In one process that is
cheap. On a pytest-xdist controller it is not: each call hands the GIL to the thread that
receives the workers' reports, and getting it back costs far more than the write itself (a fifth
of a controller's time at 3,000 VMs). Coalescing the writes changes nothing a person can see:
whole lines still appear as soon as they are complete, and a partial line within 0.1 s.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

INTERVAL = 0.1
_KEY = pytest.StashKey["CoalescedStream"]()


class CoalescedStream:
    """A text stream that holds writes until a line is complete or ``INTERVAL`` has passed."""

    def __init__(self, stream: Any, interval: float = INTERVAL) -> None:
        self.stream, self.interval = stream, interval
        self._pending: list[str] = []
        self._last = time.monotonic()

    def write(self, text: str) -> int:
        self._pending.append(text)
        if "\n" in text:
            self.forward()
        return len(text)

    def flush(self) -> None:
        if self._pending and time.monotonic() - self._last >= self.interval:
            self.forward()

    def forward(self) -> None:
        """Hand everything held to the real stream, now."""
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            try:
                self.stream.write(text)
            except UnicodeEncodeError:       # as pytest's own writer does on a narrow console
                self.stream.write(text.encode("unicode-escape").decode("ascii"))
        self.stream.flush()
        self._last = time.monotonic()

    def __getattr__(self, name: str) -> Any:   # isatty, encoding, fileno, ...: the real stream's
        return getattr(self.stream, name)


def coalesce(config) -> None:
    """Put the terminal reporter's stream behind a ``CoalescedStream`` (undone by ``restore``)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    writer = getattr(reporter, "_tw", None)
    stream = getattr(writer, "_file", None)
    if stream is None or isinstance(stream, CoalescedStream):
        return          # another pytest's writer layout, or already done: leave it as it is
    writer._file = config.stash[_KEY] = CoalescedStream(stream)


def restore(config) -> None:
    stream = config.stash.get(_KEY, None)
    if stream is None:
        return
    stream.forward()
    writer = getattr(config.pluginmanager.get_plugin("terminalreporter"), "_tw", None)
    if writer is not None and writer._file is stream:
        writer._file = stream.stream
    del config.stash[_KEY]
