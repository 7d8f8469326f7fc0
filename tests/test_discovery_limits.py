"""Discovery within Azure's request limits, and Resource Graph's silence about what it hides.

* The scheduler takes each subscription in turn and paces reads from ARM's remaining-reads
  header (unit tests with a fake clock); against a fake ARM that enforces token buckets, a
  throttled capture gets no 429 at all and equals the unthrottled one.
* Resource Graph leaves out what the principal may not read; the resource-graph back-end asks
  ARM to confirm each absence, so both back-ends give the same snapshot and the same verdicts
  (read errors included) when read access is missing.

Only counts and verdicts are asserted, never durations (the buckets are small so runs are short).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.discovery import discover  # noqa: E402
from amaaudit.discovery.limits import Limits  # noqa: E402
from amaaudit.discovery.scheduler import Pacer, Scheduler  # noqa: E402
from amaaudit.model import Estate  # noqa: E402
from amaaudit.snapshot import from_document  # noqa: E402
from scenarios import judge  # noqa: E402
from tests.fakearm import FakeArm, build_estate  # noqa: E402
from tests.fakearm.estates import APP, AMPLS_ZONES, CENTRAL, HUB, MGMT, forbid_errors, landing_zone, rg_id  # noqa: E402
from tests.fakearm.harness import ARG_LACKS, comparable, fast_settings, install_az_stub  # noqa: E402
from tests.fakearm.limits import FakeLimits  # noqa: E402

DCRA = "Microsoft.Insights/dataCollectionRuleAssociations"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# -- the scheduler, alone ---------------------------------------------------------------------------
def test_subscriptions_are_served_in_turn_and_follow_ups_first():
    sched = Scheduler(Pacer())
    for i in range(3):
        sched.put("a", ("vm", f"a{i}"), fresh=True)
    sched.put("b", ("vm", "b0"), fresh=True)
    sched.put("c", ("vm", "c0"), fresh=True)
    sched.put("c", ("vm", "c1"), fresh=True)
    taken = [sched.take()[1][1] for _ in range(3)]
    assert taken == ["a0", "b0", "c0"]          # one of each, not all of "a" first
    sched.put("a", ("get", "nic-of-a0"))          # a follow-up goes before a's next machine
    assert [sched.take()[1][1] for _ in range(4)] == ["nic-of-a0", "c1", "a1", "a2"]
    assert sched.take() is None and len(sched) == 0


def test_pacer_holds_reads_within_what_the_header_said():
    clock = Clock()
    pacer = Pacer(Limits(arm_bucket=10, arm_refill_per_second=5.0), clock=clock)
    assert pacer.ready_in("s") == 0                # no header yet: not paced
    pacer.sending("s")
    pacer.answered("s", 2)                         # ARM: two reads left
    assert pacer.ready_in("s") == 0
    pacer.reserve("s")
    pacer.reserve("s")
    assert pacer.ready_in("s") == pytest.approx(1 / 5.0)   # empty: the next token in 0.2 s
    clock.now += 0.2
    assert pacer.ready_in("s") == 0
    # an answer says less than the estimate (another client of the same principal): believed;
    # it says more (an older answer arriving late): not believed
    pacer.answered("s", 0)
    assert pacer.available("s") <= 0
    pacer.answered("s", 10)
    assert pacer.available("s") <= 0
    # a request the dispatcher did not reserve (a further page, a retry) takes a token when sent
    clock.now += 1.0
    before = pacer.available("s")
    pacer.sending("s")
    assert pacer.available("s") == pytest.approx(before - 1)


def test_pacer_blocks_a_subscription_for_a_429s_retry_after():
    clock = Clock()
    pacer = Pacer(Limits(), clock=clock)
    pacer.sending("s")
    pacer.answered("s", None, retry_after=3.0)     # no header at all, only the 429
    assert pacer.ready_in("s") == pytest.approx(3.0)
    assert pacer.ready_in("other") == 0
    clock.now += 3.0
    assert pacer.ready_in("s") == 0


def test_a_reservation_no_request_used_goes_back():
    clock = Clock()
    pacer = Pacer(Limits(arm_bucket=10, arm_refill_per_second=1.0), clock=clock)
    pacer.sending("s")
    pacer.answered("s", 1)
    pacer.reserve("s")
    assert pacer.ready_in("s") > 0
    pacer.claim("s")
    pacer.release("s")                             # the read was answered without a request
    assert pacer.ready_in("s") == 0


# -- against a fake ARM that enforces the limits ----------------------------------------------------
SMALL = dict(arm_bucket=12, arm_refill_per_second=30.0, arg_queries=3, arg_window_seconds=1.0,
             la_queries=200, la_window_seconds=30.0)


@pytest.fixture(scope="module")
def zone():
    return landing_zone(24)


def _subs(doc: dict) -> list[str]:
    return sorted({r["id"].split("/")[2] for r in doc["resources"]
                   if r["type"] == "Microsoft.Compute/virtualMachines"})


def verdicts(doc: dict) -> dict:
    return judge(Estate(from_document(doc, "discovered")), render=False)


@pytest.mark.parametrize("backend", ["arm", "resource-graph"])
def test_throttled_capture_is_paced_not_refused(backend, zone, monkeypatch, tmp_path):
    subs = _subs(zone)
    with FakeArm(zone, arg_page_size=40) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        free = discover(fast_settings(fake, subs, backend=backend))
        free_reads = fake.count("arm")
        fake.clear()
        fake.enforce(FakeLimits(**SMALL))
        paced = discover(fast_settings(fake, subs, backend=backend, limits=Limits(**SMALL)))
        arm_reads = {}
        for r in fake.log:
            if r.path.lower().startswith("/subscriptions/"):
                sub = r.path.split("/")[2].lower()
                arm_reads[sub] = arm_reads.get(sub, 0) + 1
    assert free["errors"] == [] and paced["errors"] == []
    # not one 429: every read went out when ARM's bucket (and Resource Graph's quota) had room. (Whether
    # the pacer had to hold reads back depends on this machine's speed, so it is not asserted.)
    assert fake.throttled() == 0 and paced["source"]["throttled_answers"] == 0
    if backend == "arm":
        assert max(arm_reads.values()) > SMALL["arm_bucket"]         # the buckets did matter
    else:
        assert paced["source"]["requests_by_api"]["resource_graph"] > SMALL["arg_queries"]
    assert sum(arm_reads.values()) == free_reads
    assert comparable(paced) == comparable(free)
    assert verdicts(paced) == verdicts(free)


# -- Resource Graph hides what the principal may not read -------------------------------------------
def _forbid_some(fake, estate) -> None:
    vm1 = estate.vm_ids[1]
    zones = {z: f"{rg_id(HUB, 'rg-dns')}/providers/Microsoft.Network/privateDnsZones/{z}" for z in AMPLS_ZONES}
    fake.forbid(vm1, DCRA)                                                   # one VM's associations
    fake.forbid(zones["privatelink.monitor.azure.com"], "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
    fake.forbid(zones["privatelink.oms.opinsights.azure.com"], "Microsoft.Network/privateDnsZones/A")
    fake.forbid(f"{rg_id(APP, 'rg-app')}/providers/Microsoft.Network/networkSecurityGroups/nsg-vm",
                "Microsoft.Network/networkSecurityGroups")


@pytest.mark.parametrize("everything", [False, True], ids=["app-listed", "all-listed"])
def test_both_backends_say_could_not_evaluate_where_read_access_is_missing(everything, monkeypatch, tmp_path):
    estate = build_estate(4)
    listed = [APP, CENTRAL, MGMT, HUB] if everything else estate.listed
    with FakeArm(estate.doc, page_size=2, arg_page_size=7) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        _forbid_some(fake, estate)
        arm = discover(fast_settings(fake, listed, backend="arm"))
        fake.clear()
        arg = discover(fast_settings(fake, listed, backend="resource-graph"))
        refused = [r for r in fake.log if r.status == 403]
    assert len(arm["errors"]) == 4 and all(e["status"] == 403 for e in arm["errors"])
    # the same snapshot, read errors included: each absence ARG reported was asked of ARM, which said 403
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)
    assert len(refused) == 4
    # ARM was asked only about absences: one VM's associations, the NSG, (with the hub in ARG) one zone's
    # links and another's records, the deleted DCR, the extensions of the Arc server that has none, and
    # one page of each machine list
    lists = {f"{kind} list": 4 if everything else 1 for kind in ("vm", "arc", "scale set")}
    assert arg["source"]["resource_graph_confirmations"] == (
        {"a": 1, "arcext": 1, "dcra": 1, "get": 2, "links": 1, **lists} if everything
        else {"arcext": 1, "dcra": 1, "get": 1, **lists})
    by_arm, by_arg = verdicts(arm), verdicts(arg)
    assert by_arm == by_arg
    vm1 = next(k for k in by_arm if k[0].endswith("vm-001") and k[1] == "dcr")
    assert by_arm[vm1] == "error"                 # not a fail: nobody knows whether it has an association


def test_held_out_landing_zone_verdicts_agree_between_backends(monkeypatch, tmp_path):
    """The issue's case: a principal that may not read some VMs' DCR associations. ARG alone says
    "no association" (a false fail); confirmed by ARM, the verdict is could-not-evaluate, as with arm."""
    doc = landing_zone(40, seed=5)
    vms = sorted(r["id"] for r in doc["resources"] if r["type"] == "Microsoft.Compute/virtualMachines")
    for vm in vms[::9]:
        doc.setdefault("errors", []).append({"scope": vm, "operation": f"{DCRA}/read", "status": 403,
                                             "code": "AuthorizationFailed", "message": "not allowed"})
    subs = _subs(doc)
    with FakeArm(doc) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        assert forbid_errors(fake, doc) >= 5
        arm = discover(fast_settings(fake, subs, backend="arm"))
        fake.clear()
        arg = discover(fast_settings(fake, subs, backend="resource-graph"))
    by_arm, by_arg = verdicts(arm), verdicts(arg)
    assert len(by_arm) == 9 * len(vms)
    assert {k: (v, by_arg.get(k)) for k, v in by_arm.items() if by_arg.get(k) != v} == {}
    hidden = [k for k in by_arm if k[1] == "dcr" and by_arm[k] == "error"]
    assert len(hidden) >= 4
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)


def test_time_left_is_the_larger_of_the_pace_and_the_buckets():
    from amaaudit.discovery.walker import Walker

    clock = Clock()
    pacer = Pacer(Limits(arm_bucket=10, arm_refill_per_second=5.0), clock=clock)
    walker = Walker(None, concurrency=1, progress=lambda _m: None, started=0.0, pacer=pacer)
    walker._machine_total, walker._machine_done, walker._walk_started = 10, 5, clock.now - 10.0
    walker._fresh_reads, walker.reads = 20, 10           # 2 reads per machine, all 10 of the first 5 made
    assert walker._time_left(clock.now) == pytest.approx(10.0)        # half done in 10 s: 10 s more
    pacer.sending("s")
    pacer.answered("s", 0)                                              # subscription "s": bucket empty
    for i in range(100):
        walker.scheduler.put("s", ("get", f"/x{i}"))
    assert walker._time_left(clock.now) == pytest.approx(100 / 5.0)   # 100 reads at 5 a second
    messages = []
    walker.progress = messages.append
    walker._report()
    assert messages and messages[0].startswith("Reading machines: 5 of 10 machines") and "elapsed" in messages[0] \
        and "left)" in messages[0]


def test_the_walker_and_the_pipeline_key_a_read_to_the_same_bucket():
    from amaaudit.discovery.scheduler import TENANT, bucket_key
    rid = "/subscriptions/AAAA-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm01"
    assert bucket_key(rid) == "aaaa-1"                                   # what the walker reserves
    assert bucket_key(rid + "/extensions") == "aaaa-1"                   # what the pipeline sends
    assert bucket_key("/arm-proxy" + rid) == "aaaa-1"                   # --arm-endpoint https://host/arm-proxy
    assert bucket_key("/providers/Microsoft.Compute/operations") == TENANT
