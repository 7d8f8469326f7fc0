"""Discovery's thread pool: results in order, errors handed over, and an interrupted block that waits for nothing."""

from __future__ import annotations

import threading

import pytest

from amaaudit.discovery.workers import DaemonPool


def test_map_keeps_the_order_and_uses_several_threads():
    names: set[str] = set()
    barrier = threading.Barrier(3)

    def work(i: int) -> int:
        if i < 3:
            barrier.wait(timeout=60)       # three reads at once, or this never returns
        names.add(threading.current_thread().name)
        return i * i

    with DaemonPool(3, name="t") as pool:
        assert list(pool.map(work, range(10))) == [i * i for i in range(10)]
    assert len(names) == 3


def test_an_error_in_a_read_reaches_whoever_waits_for_it():
    def work(i: int) -> int:
        if i == 2:
            raise LookupError("read 2 failed")
        return i

    with DaemonPool(2) as pool:
        futures = [pool.submit(work, i) for i in range(4)]
        with pytest.raises(LookupError, match="read 2 failed"):
            futures[2].result(timeout=60)
        assert [f.result(timeout=60) for f in (futures[0], futures[1], futures[3])] == [0, 1, 3]


def test_leaving_on_an_exception_drops_queued_reads_and_waits_for_no_running_one():
    release = threading.Event()
    started = threading.Event()

    def held() -> str:
        started.set()
        release.wait(600)       # a read Azure holds open
        return "late"

    try:
        with pytest.raises(KeyboardInterrupt):
            with DaemonPool(1) as pool:
                running = pool.submit(held)
                queued = [pool.submit(lambda: "never") for _ in range(5)]
                assert started.wait(60)
                raise KeyboardInterrupt
        # Reaching this line at all is the point: the block did not join the held worker.
        assert not running.done()
        assert all(f.cancelled() for f in queued)
        assert all(t.daemon for t in pool._threads)
    finally:
        release.set()
