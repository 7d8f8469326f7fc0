r"""Azure's request limits that discovery lives within, as data (they change; keep the sources).

Each limit is what Microsoft documents today; discovery paces itself from the headers the
service answers with, and uses these figures only to predict what the header will say next
(how fast a bucket refills) and to estimate the time left. Tests pass smaller limits so that a
throttled run takes a second, not minutes.

| API | limit | answered with | source |
|---|---|---|---|
| ARM reads | per (principal, subscription): bucket of 250, refilled 25 per second; an empty bucket answers 429 with ``Retry-After`` | ``x-ms-ratelimit-remaining-subscription-reads`` on every answer | learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling ("Subscription \| reads \| 250 \| 25"; "Tenant \| reads \| 250 \| 25") |
| Resource Graph | per principal: 15 queries per 5-second window; over quota: 429 without ``Retry-After`` | ``x-ms-user-quota-remaining``, ``x-ms-user-quota-resets-after`` (hh:mm:ss) | learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests |
| Log Analytics query API | per principal: 200 queries per 30 s; 429 with ``Retry-After`` | - | Azure Monitor service limits, log queries (MicrosoftDocs/azure-docs ``includes/azure-monitor-limits-log-queries.md``: "Query rate \| 200 queries per 30 seconds") |
| Compute RP (not binding) | per subscription and region: VM GET 24,000 bucket, 8,000/min; VM lists 900, 300/min | ``x-ms-ratelimit-remaining-resource`` | learn.microsoft.com/azure/virtual-machines/compute-throttling-limits |

ARM runs out long before the Compute RP does (25 reads/s is 1,500/min against 8,000/min), so
only ARM's bucket is paced; ARM's limits apply per subscription (and, since ARM moved to
regional token buckets, per ARM region, which is one region for one client).
"""

from __future__ import annotations

from dataclasses import dataclass

ARM_READS_HEADER = "x-ms-ratelimit-remaining-subscription-reads"
TENANT_READS_HEADER = "x-ms-ratelimit-remaining-tenant-reads"
ARG_REMAINING_HEADER = "x-ms-user-quota-remaining"
ARG_RESETS_HEADER = "x-ms-user-quota-resets-after"


@dataclass(frozen=True)
class Limits:
    """The figures discovery plans with. Defaults: Azure's documented limits (module docstring)."""

    arm_bucket: int = 250            # ARM reads a subscription's bucket holds
    arm_refill_per_second: float = 25.0
    arg_queries: int = 15            # Resource Graph queries per window, per principal
    arg_window_seconds: float = 5.0
    la_queries: int = 200            # Log Analytics queries per window, per principal
    la_window_seconds: float = 30.0

    def arm_floor_seconds(self, reads_by_subscription: dict[str, int]) -> float:
        """The shortest time ARM lets these reads take: each subscription has its own bucket, so
        the slowest subscription decides (its reads beyond a full bucket, at the refill rate)."""
        worst = max(reads_by_subscription.values(), default=0)
        return max(0.0, worst - self.arm_bucket) / self.arm_refill_per_second


DOCUMENTED = Limits()
