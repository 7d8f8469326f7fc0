"""When each read goes out: queued per subscription, served in turn, paced to ARM's buckets.

Why not a plain queue: ARM's read limit is a token bucket per principal *per subscription*
(250, refilled at 25/s; ``limits``). A walker that queues VMs in id order reads one subscription
after another, so it empties one bucket, collects 429s from it and waits, while the buckets of the
other subscriptions sit full. Here every subscription has its own queue and the dispatcher takes
from each in turn, so all buckets drain together and a run takes about its floor (the slowest
subscription's reads beyond one bucket, at the refill rate).

Why pace at all, rather than let 429s and ``Retry-After`` do it: a 429 costs a worker its
``Retry-After`` (a second or more) and often comes in storms, one per request in flight. ARM
says on every answer how many reads are left (``x-ms-ratelimit-remaining-subscription-reads``);
:class:`Pacer` keeps that figure as an estimate that refills at the documented rate, and a read
goes out only when its subscription's estimate holds a token. The estimate is kept on the safe
side (reads still in flight are taken off what the header said), so on a machine of its own a
paced run sees no 429 at all; one that arrives anyway (another client of the same principal)
blocks that subscription for its ``Retry-After``. A bucket whose header was never seen (an
endpoint that does not send it) is not paced: only its 429s slow it down.

Within a subscription the follow-up reads of machines already started (a VM's network interface,
what its VNet references) go before the next machine's reads, so machines finish one after the
other and "N of M machines" and the time left mean something.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from .limits import DOCUMENTED, Limits

TENANT = "(tenant)"
# The first /subscriptions/{id} of a request path or a resource id: an endpoint given with a path
# (https://host/prefix) puts it after the prefix.
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/?#]+)", re.I)


def bucket_key(path_or_id: str) -> str:
    """Which ARM read bucket a request draws from: its subscription, or the tenant's. One function for
    the walker that reserves a read and the pipeline that sends it: a reservation only holds if both agree."""
    m = _SUBSCRIPTION.search(path_or_id)
    return m.group(1).lower() if m else TENANT


@dataclass
class _Bucket:
    tokens: float | None = None      # None: no header seen yet, not paced
    stamp: float = 0.0
    blocked_until: float = 0.0
    sent: int = 0                    # requests on the wire (sent, not answered)
    reserved: int = 0                # reads dispatched whose request is not sent yet


class Pacer:
    """Per-subscription estimates of ARM's read buckets.

    The estimate is kept below what ARM holds, so that a paced read is never refused: every
    request takes a token when it is dispatched (a read) or sent (a further page, a retry, a
    list outside the walk); every answer's header resets the estimate to what ARM said minus
    what is still on its way (never upwards: an older answer may arrive after a newer one), and
    the estimate refills at the documented rate from the moment the answer arrived. ``reserve``
    is called by the dispatcher; ``sending``/``answered`` by the HTTP pipeline, on any thread.
    """

    def __init__(self, limits: Limits = DOCUMENTED, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self._claim = threading.local()    # the key a worker thread's next request was reserved for

    def _bucket(self, key: str) -> _Bucket:
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = _Bucket()
        return found

    def _refill(self, b: _Bucket, now: float) -> None:
        if b.tokens is not None:
            b.tokens = min(float(self.limits.arm_bucket),
                           b.tokens + (now - b.stamp) * self.limits.arm_refill_per_second)
        b.stamp = now

    # -- the dispatcher ----------------------------------------------------------------------
    def ready_in(self, key: str) -> float:
        """Seconds until a read for ``key`` may go out (0: now)."""
        now = self.clock()
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                return 0.0
            wait = max(0.0, b.blocked_until - now)
            if b.tokens is not None:
                self._refill(b, now)
                if b.tokens < 1.0:
                    wait = max(wait, (1.0 - b.tokens) / self.limits.arm_refill_per_second)
            return wait

    def reserve(self, key: str) -> None:
        """A read for ``key`` was dispatched: it takes its token now."""
        now = self.clock()
        with self._lock:
            b = self._bucket(key)
            self._refill(b, now)
            b.reserved += 1
            if b.tokens is not None:
                b.tokens -= 1.0

    def claim(self, key: str | None) -> None:
        """On a worker thread: its next request to ``key`` is the read reserved for it."""
        self._claim.key = key

    def release(self, key: str) -> None:
        """On a worker thread, after the read: a reservation no request used goes back."""
        if getattr(self._claim, "key", None) == key:
            self._claim.key = None
            with self._lock:
                b = self._bucket(key)
                b.reserved = max(0, b.reserved - 1)
                if b.tokens is not None:
                    b.tokens += 1.0

    # -- the HTTP pipeline -------------------------------------------------------------------
    def sending(self, key: str) -> None:
        now = self.clock()
        reserved = getattr(self._claim, "key", None) == key
        if reserved:
            self._claim.key = None
        with self._lock:
            b = self._bucket(key)
            self._refill(b, now)
            b.sent += 1
            if reserved:
                b.reserved = max(0, b.reserved - 1)
            elif b.tokens is not None:
                b.tokens -= 1.0

    def answered(self, key: str, remaining: int | None, *, retry_after: float | None = None) -> None:
        """An answer (or a failure) for ``key``: what the header says is left, and a 429's wait."""
        now = self.clock()
        with self._lock:
            b = self._bucket(key)
            b.sent = max(0, b.sent - 1)
            self._refill(b, now)
            if remaining is not None:
                # what is on its way may not be counted in ``remaining`` yet: take it off
                said = float(min(remaining, self.limits.arm_bucket) - b.sent - b.reserved)
                b.tokens = said if b.tokens is None else min(b.tokens, said)
            if retry_after is not None:
                b.blocked_until = max(b.blocked_until, now + max(0.0, retry_after))
                if b.tokens is not None:
                    b.tokens = min(b.tokens, 0.0)

    # -- what the progress line needs --------------------------------------------------------
    def available(self, key: str) -> float | None:
        """The estimate of reads left in ``key``'s bucket now (None: not known)."""
        with self._lock:
            b = self._buckets.get(key)
            if b is None or b.tokens is None:
                return None
            self._refill(b, self.clock())
            return b.tokens


@dataclass
class _Queue:
    follow: deque = field(default_factory=deque)
    fresh: deque = field(default_factory=deque)

    def __len__(self) -> int:
        return len(self.follow) + len(self.fresh)

    def pop(self) -> Any:
        return self.follow.popleft() if self.follow else self.fresh.popleft()


class Scheduler:
    """Queues of reads per bucket key (subscription), served round-robin when the pacer allows."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self._queues: dict[str, _Queue] = {}
        self._order: list[str] = []
        self._next = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def put(self, key: str, task: Hashable, *, fresh: bool = False) -> None:
        q = self._queues.get(key)
        if q is None:
            q = self._queues[key] = _Queue()
            self._order.append(key)
        (q.fresh if fresh else q.follow).append(task)
        self._size += 1

    def take(self) -> tuple[str, Any] | None:
        """The next read that may go now, taking each subscription in turn; None if none may."""
        n = len(self._order)
        for i in range(n):
            key = self._order[(self._next + i) % n]
            q = self._queues[key]
            if q and self.pacer.ready_in(key) <= 0:
                self._next = (self._next + i + 1) % n
                self._size -= 1
                return key, q.pop()
        return None

    def wait_hint(self) -> float | None:
        """Seconds until some queued read may go (None: nothing queued)."""
        waits = [self.pacer.ready_in(k) for k, q in self._queues.items() if q]
        return min(waits) if waits else None

    def fresh_count(self, key: str) -> int:
        q = self._queues.get(key)
        return len(q.fresh) if q else 0

    def queued(self) -> dict[str, int]:
        return {k: len(q) for k, q in self._queues.items() if q}
