"""Request counts against estate size and per kind of machine, both back-ends (figures for the README).

ARM walks three reads per VM (VM with instance view, which embeds its extensions; its DCR
associations; its NIC) and three per Arc-enabled server (its GET, its extension list, its DCR
associations); a Uniform scale set's instances come a page of the instance list at a time.
Resource Graph loads the bulk in three paged queries (1000 rows a page) and only reads each VM's
instance view and each scale set's instance list from ARM. The numbers are printed as tables.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.discovery import discover  # noqa: E402
from tests.fakearm import FakeArm, build_estate  # noqa: E402
from tests.fakearm.harness import ARG_LACKS, comparable, fast_settings, install_az_stub  # noqa: E402

SIZES = (10, 50, 200)


def test_request_counts_by_estate_size(monkeypatch, tmp_path, capsys):
    rows = []
    for n in SIZES:
        estate = build_estate(n, other_rg_vm=False)
        with FakeArm(estate.doc) as fake:
            install_az_stub(monkeypatch, tmp_path, fake)
            result = {}
            for backend in ("arm", "resource-graph"):
                fake.clear()
                t0 = time.monotonic()
                doc = discover(fast_settings(fake, estate.listed, backend=backend, concurrency=16))
                elapsed = time.monotonic() - t0
                assert doc["errors"] == [] and fake.writes() == []
                assert len(doc["resources"]) == len(estate.expected_ids())
                assert doc["source"]["requests"] == len(fake.log)
                result[backend] = (doc, elapsed)
            assert comparable(result["arm"][0], strip=ARG_LACKS) == comparable(result["resource-graph"][0],
                                                                             strip=ARG_LACKS)
            for backend, (doc, elapsed) in result.items():
                by = doc["source"]["requests_by_api"]
                rows.append((n, backend, doc["source"]["requests"], by.get("arm", 0), by.get("resource_graph", 0),
                             by.get("log_analytics", 0), len(doc["resources"]), elapsed))
    with capsys.disabled():
        print("\n\n  discovery requests by estate size (fake ARM, page size 100, ARG 1000 rows/page)")
        print(f"  {'VMs':>5} {'back-end':<15} {'total':>6} {'ARM':>6} {'ARG':>5} {'LA':>4} {'resources':>9} "
              f"{'per VM':>7} {'non-VM-GET':>10} {'seconds':>8}")
        for n, backend, total, arm, arg, la, resources, elapsed in rows:
            fixed = total - n if backend == "resource-graph" else total - 3 * n
            print(f"  {n:>5} {backend:<15} {total:>6} {arm:>6} {arg:>5} {la:>4} {resources:>9} {total / n:>7.2f} "
                  f"{fixed:>10} {elapsed:>8.2f}")
    counts = {(n, b): total for n, b, total, *_ in rows}
    # ARM grows by exactly 3 per VM (no extension list: the VM's GET carries its extensions) and a page of the
    # VM list per 100 VMs; ARG grows by exactly the VM instance-view GETs, the rest stays constant
    pages = lambda n: -(-n // 100)  # noqa: E731
    for small, big in zip(SIZES, SIZES[1:]):
        assert counts[(big, "arm")] - counts[(small, "arm")] == 3 * (big - small) + pages(big) - pages(small)
        assert counts[(big, "resource-graph")] - counts[(small, "resource-graph")] == big - small
    for n in SIZES:
        assert counts[(n, "resource-graph")] < counts[(n, "arm")]


# machines added to the standard estate (10 VMs, 4 Arc servers, 3 instances): fewer than a page (100) of each
MORE = 20
GROW = {"VM": dict(n_vms=10 + MORE), "Arc-enabled server": dict(more_arc=MORE),
        "scale-set instance": dict(instances=3 + MORE)}
# requests per added machine: ARM reads a VM's GET, its associations and its NIC, an Arc server's GET,
# extension list and associations; instances come with their set's list. Resource Graph has the rest.
PER_MACHINE = {("VM", "arm"): 3, ("Arc-enabled server", "arm"): 3, ("scale-set instance", "arm"): 0,
               ("VM", "resource-graph"): 1, ("Arc-enabled server", "resource-graph"): 0,
               ("scale-set instance", "resource-graph"): 0}


def _requests(monkeypatch, tmp_path, **shape) -> dict[str, dict]:
    estate = build_estate(**{"n_vms": 10, "other_rg_vm": False, **shape})
    out = {}
    with FakeArm(estate.doc) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        for backend in ("arm", "resource-graph"):
            fake.clear()
            doc = discover(fast_settings(fake, estate.listed, backend=backend, concurrency=16))
            assert doc["errors"] == [] and fake.writes() == []
            assert {r["id"].lower() for r in doc["resources"]} == estate.expected_ids()
            out[backend] = doc["source"]
    return out


def test_request_counts_per_machine_kind(monkeypatch, tmp_path, capsys):
    base = _requests(monkeypatch, tmp_path)
    grown = {kind: _requests(monkeypatch, tmp_path, **shape) for kind, shape in GROW.items()}
    rows = []
    for backend in ("arm", "resource-graph"):
        for kind in GROW:
            before, after = base[backend], grown[kind][backend]
            per = (after["requests"] - before["requests"]) / MORE
            rows.append((kind, backend, before["requests"], after["requests"], per,
                         after["requests_by_api"].get("arm", 0) - before["requests_by_api"].get("arm", 0)))
            assert per == PER_MACHINE[(kind, backend)], (kind, backend, per)
    with capsys.disabled():
        print(f"\n\n  discovery requests per machine kind (fake ARM; standard estate: 10 VMs, 4 Arc-enabled servers, "
              f"3 scale-set instances; then {MORE} more of one kind)")
        print(f"  {'kind':<20} {'back-end':<15} {'base':>6} {'+' + str(MORE):>6} {'per machine':>12} {'ARM added':>10}")
        for kind, backend, before, after, per, arm in rows:
            print(f"  {kind:<20} {backend:<15} {before:>6} {after:>6} {per:>12.2f} {arm:>10}")


@pytest.mark.parametrize("backend", ["arm", "resource-graph"])
def test_throttled_estate_completes_with_waits_counted(backend, monkeypatch, tmp_path):
    """A burst of 429s -- ARM with Retry-After, ARG/Log Analytics POSTs with only quota headers -- is
    absorbed by retries, and every wait is counted."""
    estate = build_estate(6, other_rg_vm=False)
    with FakeArm(estate.doc, latency=0.002) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        fake.add_fault(r"/virtualMachines/", status=429, code="TooManyRequests", retry_after="1", times=3)
        fake.add_fault(r"ResourceGraph|/v1/workspaces/", status=429, code="Throttled", times=1,
                       headers={"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01"})
        doc = discover(fast_settings(fake, estate.listed, backend=backend))
        assert doc["errors"] == []
        assert doc["source"]["throttle_waits"] >= 4
        assert {r["id"].lower() for r in doc["resources"]} == estate.expected_ids()
