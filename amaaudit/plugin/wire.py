"""pytest-xdist: a worker sends its per-test events in batches, each batch one marshal blob.

For every test a worker sends six events (logstart, three reports, logfinish, "protocol
complete"), each an execnet message that Python code serializes object by object on the worker
and deserializes again in the controller's receiving thread. For checks as cheap as amaaudit's,
that messaging costs a worker about a seventh of its time and the controller a thread's worth of
CPU on top of pytest's own reporting; on a 2-core machine, enough for ``-n 2`` to gain nothing.

So a worker holds those events and sends them as one message: the list of events, encoded by
marshal (in C, exactly, for the builtin types execnet carries). The controller unpacks a batch
and hands each event, in order, to xdist's own handler: what xdist sees is what it would have
received. A batch goes out when the worker has nothing queued (it is about to wait for work, so
the controller must hear it finished), when 50 ms have passed, when it is large, and before any
other event (collection, warnings, "finished"), so order is kept. The cost: the controller hears
of a test up to 50 ms (or one long test) later, and if a worker process dies, the results it
still held are lost with it (xdist reports the crash as usual).

marshal's format belongs to one Python version: the controller names its own in each worker's
input and a worker batches only when it runs the same one (a remote ``--tx`` worker on another
Python sends events the usual way). A batch marshal cannot encode is sent event by event.
``-p no:amaaudit-wire`` turns all of it off.
"""

from __future__ import annotations

import marshal
import sys
import threading
import time
from typing import Any, Callable

import pytest

KEY = "amaaudit_wire"
EVENT = "amaaudit_batch"
BATCHED = frozenset({"logstart", "testreport", "logfinish", "runtest_protocol_complete"})
INTERVAL = 0.05
MAX_EVENTS = 3000
_CHANNEL = pytest.StashKey["BatchingChannel"]()


def version() -> str:
    return f"marshal {marshal.version}, {sys.implementation.name} {sys.version_info[0]}.{sys.version_info[1]}"


# -- the controller ------------------------------------------------------------------------------
@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """Runs before xdist subscribes ``node.process_from_remote`` to the worker's channel."""
    node.workerinput[KEY] = version()
    node.process_from_remote = unbatching(node.process_from_remote)


def unbatching(handle: Callable[[Any], None]) -> Callable[[Any], None]:
    def process_from_remote(eventcall: Any) -> None:
        if type(eventcall) is tuple and len(eventcall) == 2 and eventcall[0] == EVENT:
            for event in marshal.loads(eventcall[1]["blob"]):
                handle(event)
        else:
            handle(eventcall)
    return process_from_remote


# -- a worker --------------------------------------------------------------------------------------
class BatchingChannel:
    """Stands in for the worker's execnet channel; everything but ``send`` is the channel's own."""

    def __init__(self, channel: Any, backlog: Callable[[], int]) -> None:
        self.channel, self.backlog = channel, backlog
        self._events: list[tuple[str, dict[str, Any]]] = []
        self._sent = time.monotonic()
        # xdist also sends from execnet's receiving thread (e.g. "unscheduled" when work is stolen).
        self._lock = threading.RLock()

    def send(self, item: Any) -> None:
        name = item[0] if type(item) is tuple and len(item) == 2 else None
        # Read before taking our lock, so that the two locks are never held together.
        dry = name == "runtest_protocol_complete" and self.backlog() == 0
        with self._lock:
            if name not in BATCHED:
                self.flush()
                self.channel.send(item)
                return
            self._events.append(item)
            if name == "runtest_protocol_complete" and (
                    dry or len(self._events) >= MAX_EVENTS or time.monotonic() - self._sent >= INTERVAL):
                self.flush()

    def flush(self) -> None:
        with self._lock:
            if not self._events:
                return
            events, self._events = self._events, []
            self._sent = time.monotonic()
            try:
                blob = marshal.dumps(events)
            except ValueError:               # a type marshal does not know: the usual way, in order
                for event in events:
                    self.channel.send(event)
                return
            self.channel.send((EVENT, {"blob": blob}))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.channel, name)


def install_on_worker(config) -> BatchingChannel | None:
    """Put xdist's worker channel behind a ``BatchingChannel`` when the controller can unpack it."""
    if getattr(config, "workerinput", {}).get(KEY) != version():
        return None
    for plugin in config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        if type(plugin).__name__ == "WorkerInteractor" and hasattr(plugin, "channel") and hasattr(queue, "lock"):
            def backlog(queue=queue) -> int:
                with queue.lock() as items:
                    return len(items)
            if not isinstance(plugin.channel, BatchingChannel):
                plugin.channel = BatchingChannel(plugin.channel, backlog)
            return plugin.channel
    return None


def pytest_configure(config) -> None:
    channel = install_on_worker(config)
    if channel is not None:
        config.stash[_CHANNEL] = channel


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session) -> None:
    channel = session.config.stash.get(_CHANNEL, None)
    if channel is not None:
        channel.flush()
