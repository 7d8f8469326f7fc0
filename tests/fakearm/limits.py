"""What the fake ARM enforces when asked: Azure's documented request limits, and read access.

Limits (sources: amaaudit/discovery/limits.py and README, "Throttling"):

* ARM reads: a token bucket per (principal, subscription) -- 250, refilled 25 per second; the
  tenant-level reads have a bucket of their own. Every read is answered with
  ``x-ms-ratelimit-remaining-subscription-reads`` (``-tenant-reads``). An empty bucket answers
  ``429 SubscriptionRequestsThrottled`` with ``Retry-After`` = whole seconds until the next token
  (at least 1); the throttled request takes no token.
* Resource Graph: 15 queries per 5-second window per principal; every answer carries
  ``x-ms-user-quota-remaining`` and ``x-ms-user-quota-resets-after`` (hh:mm:ss); over quota: 429
  with those headers and no ``Retry-After``.
* Log Analytics: 200 queries per 30 s per principal; 429 with ``Retry-After``.

There is one principal (the stub's); tests shrink the figures so a throttled run stays short.

Access: :class:`Access` is the set of (scope, type) the principal may *not* read -- RBAC as
Azure evaluates it, where a role assignment at a scope covers everything below it. ARM answers a
GET of such a resource, and a list of such resources whose scope is at or below the forbidden
one (or contains it: ARM authorizes a list at its own scope), with 403 ``AuthorizationFailed``;
Resource Graph leaves such resources out of its answers, silently, as it does in Azure.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FakeLimits:
    arm_bucket: int = 250
    arm_refill_per_second: float = 25.0
    arg_queries: int = 15
    arg_window_seconds: float = 5.0
    la_queries: int = 200
    la_window_seconds: float = 30.0


class TokenBucket:
    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens = float(capacity)
        self.stamp = time.monotonic()

    def _refill(self, now: float) -> None:
        self.tokens = min(float(self.capacity), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self) -> tuple[bool, int, int]:
        """(allowed, remaining after this request, Retry-After seconds when refused)."""
        now = time.monotonic()
        self._refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True, int(self.tokens), 0
        return False, 0, max(1, math.ceil((1.0 - self.tokens) / self.rate))


class Window:
    """N requests per fixed window, the window starting at the first request after the last one."""

    def __init__(self, quota: int, seconds: float) -> None:
        self.quota, self.seconds = quota, seconds
        self.start = 0.0
        self.used = 0

    def take(self) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the window resets)."""
        now = time.monotonic()
        if now - self.start >= self.seconds:
            self.start, self.used = now, 0
        resets = self.seconds - (now - self.start)
        if self.used >= self.quota:
            return False, 0, resets
        self.used += 1
        return True, self.quota - self.used, resets


def hms(seconds: float) -> str:
    s = max(0, math.ceil(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@dataclass
class Throttle:
    limits: FakeLimits
    lock: threading.Lock = field(default_factory=threading.Lock)
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    arg: Window | None = None
    la: Window | None = None

    def arm(self, key: str) -> tuple[bool, int, int]:
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = TokenBucket(self.limits.arm_bucket, self.limits.arm_refill_per_second)
            return bucket.take()

    def graph(self) -> tuple[bool, int, float]:
        with self.lock:
            if self.arg is None:
                self.arg = Window(self.limits.arg_queries, self.limits.arg_window_seconds)
            return self.arg.take()

    def logs(self) -> tuple[bool, int, float]:
        with self.lock:
            if self.la is None:
                self.la = Window(self.limits.la_queries, self.limits.la_window_seconds)
            return self.la.take()


# -- read access ---------------------------------------------------------------------------------
def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def type_of_path(path: str) -> str:
    """The resource type an id names (the part after its last ``providers``), lower-case."""
    segs = segments(path)
    last = max((i for i, s in enumerate(segs) if s.lower() == "providers"), default=-1)
    if last < 0 or last + 2 >= len(segs):
        return ""
    names = segs[last + 1:]
    return "/".join([names[0]] + names[1::2]).lower()


def collection_parts(path: str) -> tuple[str, str]:
    """A list request's (type listed, scope it is listed at)."""
    segs = segments(path)
    listed = type_of_path(path.rstrip("/") + "/x")
    parent = segs[:-1]
    if len(parent) >= 2 and parent[-2].lower() == "providers":
        parent = parent[:-2]
    return listed, "/" + "/".join(parent)


def within(resource_id: str, scope: str) -> bool:
    rid, scope = resource_id.rstrip("/").lower(), scope.rstrip("/").lower()
    return rid == scope or rid.startswith(scope + "/")


@dataclass
class Access:
    forbidden: list[tuple[str, str | None]] = field(default_factory=list)

    def forbid(self, scope: str, resource_type: str | None = None) -> None:
        self.forbidden.append((scope, resource_type.lower() if resource_type else None))

    def can_read(self, resource_id: str, resource_type: str) -> bool:
        rtype = resource_type.lower()
        return not any(within(resource_id, s) and t in (None, rtype) for s, t in self.forbidden)

    def can_list(self, listed_type: str, scope: str) -> bool:
        return not any(t in (None, listed_type) and (within(scope, s) or within(s, scope))
                       for s, t in self.forbidden)

    def __bool__(self) -> bool:
        return bool(self.forbidden)
