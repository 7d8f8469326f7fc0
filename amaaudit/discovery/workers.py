"""A thread pool that a Ctrl-C does not wait for.

``concurrent.futures.ThreadPoolExecutor`` joins its workers on the way out of its ``with`` block and again at
interpreter exit, so one read that Azure holds open (a Log Analytics query, a slow ARM page: the SDKs' read
timeout is minutes) keeps an interrupted run alive long after the user asked it to stop. Discovery writes
nothing until it has finished, so an abandoned read has nothing to corrupt: these workers are daemon threads,
and leaving the ``with`` block on an exception drops the queued work instead of waiting for it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STOP = object()


class DaemonPool:
    def __init__(self, max_workers: int, name: str = "amaaudit-worker") -> None:
        self._max = max(1, int(max_workers))
        self._name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., R], *args: Any) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args))
        with self._lock:
            start = self._idle == 0 and len(self._threads) < self._max
            if start:
                thread = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
            else:
                self._idle = max(0, self._idle - 1)
        if start:
            thread.start()
        return future

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        futures = [self.submit(fn, item) for item in items]
        return (f.result() for f in futures)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                    future.set_exception(exc)
            with self._lock:
                self._idle += 1

    def __enter__(self) -> DaemonPool:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            # Interrupted or failed: what has not started never will, and what is running is abandoned.
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    item[0].cancel()
        for _ in self._threads:
            self._queue.put(_STOP)
        if exc_type is None:
            for thread in self._threads:
                thread.join()
