"""Following references from the machines to everything a check needs, once per id.

Why a reference walk and not "list everything": what decides whether a machine's Heartbeat
arrives often lives outside the subscriptions the user named -- the DCR in a central
subscription, the workspace in a management one, the private DNS zones in the hub. Starting
from the machines and following ids reaches exactly those, wherever they are, and nothing else.

Both back-ends run this same walk; they differ only in their *source* (how a document or a
child list is obtained), which is what makes their snapshots identical. The walk runs on a
bounded thread pool; documents are stored and references followed on the calling thread, so
no shared state is touched concurrently. When each read goes out is the scheduler's business
(``scheduler``: per subscription, in turn, within ARM's buckets).

What is listed (:data:`MACHINE_LISTS`, per subscription or resource group) and read per machine:

* an Azure VM: its GET with ``$expand=instanceView`` (power state, guest OS, guest agent, and the
  extensions: ARM embeds their documents in ``resources`` and their statuses in the instance
  view, so the extension list is read only for a VM whose GET does not tell all of that), its DCR
  associations, its network interface. A Flexible scale set's instances are VMs like any other;
  the scale set they name is read too (findings name it);
* an Azure Arc-enabled server: its GET (the list's document may leave out what the GET reports,
  e.g. the extension service's status), its extension list (each with its single-``status``
  instance view), its DCR associations, and its Arc Private Link Scope;
* a scale set: the list returns the whole model (``virtualMachineProfile``), so it is not read
  again. A Uniform one's instances are listed (``$expand=instanceView``, paged); once it has any,
  its DCR associations and its model's network (each NIC configuration's NSG, and its subnet's
  VNet as a VM's) are read. Everything else is shared by many machines and read once.

Roles: a VNet reached from a VM's NIC (or a scale set's NIC configuration) is followed further
(its private endpoints, its peered hub VNets, and the NSG and route table of the machine's
subnet); a peered VNet, and the VNet of an Arc Private Link Scope's endpoint (an Arc server's way
into Azure), only for their private endpoints (the AMPLS endpoint often sits there). Private DNS
zone groups are read only for endpoints that connect to an Azure Monitor Private Link Scope, and
for the endpoints of an Arc machine's Arc Private Link Scope.
"""

from __future__ import annotations

import copy
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .armread import ArmReader, read_operation, type_of
from .errors import NotFound, NotRegistered, error_entry, is_unregistered
from .scheduler import Pacer, Scheduler, bucket_key
from .workers import DaemonPool
from ..redact import redact

VM_TYPE = "Microsoft.Compute/virtualMachines"
ARC_TYPE = "Microsoft.HybridCompute/machines"
ARC_EXTENSION_TYPE = "Microsoft.HybridCompute/machines/extensions"
ARC_SCOPE_TYPE = "Microsoft.HybridCompute/privateLinkScopes"
SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
INSTANCE_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"


@dataclass(frozen=True)
class MachineList:
    """A list that finds machines of one kind in a subscription or resource group."""
    resource_type: str
    noun: str              # plural, for people: "Arc-enabled servers"
    counter: str           # the key of its confirmations in ``source.resource_graph_confirmations``

    @property
    def operation(self) -> str:
        return read_operation(self.resource_type)


MACHINE_LISTS = (
    MachineList(VM_TYPE, "VMs", "vm list"),
    MachineList(ARC_TYPE, "Arc-enabled servers", "arc list"),
    MachineList(SCALE_SET_TYPE, "scale sets", "scale set list"),
)


def is_uniform(scale_set: dict) -> bool:
    """A scale set whose instances are its own resources (older Uniform sets record no mode)."""
    props = scale_set.get("properties") if isinstance(scale_set.get("properties"), dict) else {}
    return str(props.get("orchestrationMode") or "Uniform").lower() == "uniform"


EXT_TYPE = "Microsoft.Compute/virtualMachines/extensions"
# op -> (operation reported in errors, type of the documents it returns or None = type of the id)
OPS: dict[str, tuple[str | None, str | None]] = {
    "vm": ("Microsoft.Compute/virtualMachines/read", VM_TYPE),
    "arc": ("Microsoft.HybridCompute/machines/read", ARC_TYPE),
    "get": (None, None),
    "ext": (f"{EXT_TYPE}/read", EXT_TYPE),
    "arcext": ("Microsoft.HybridCompute/machines/extensions/read", ARC_EXTENSION_TYPE),
    "instances": ("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read", INSTANCE_TYPE),
    "dcra": ("Microsoft.Insights/dataCollectionRuleAssociations/read",
             "Microsoft.Insights/dataCollectionRuleAssociations"),
    "zonegroups": ("Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read",
                   "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"),
    "links": ("Microsoft.Network/privateDnsZones/virtualNetworkLinks/read",
              "Microsoft.Network/privateDnsZones/virtualNetworkLinks"),
    "a": ("Microsoft.Network/privateDnsZones/A/read", "Microsoft.Network/privateDnsZones/A"),
    "scoped": ("Microsoft.Insights/privateLinkScopes/scopedResources/read",
               "Microsoft.Insights/privateLinkScopes/scopedResources"),
}


def operation_for(op: str, resource_id: str) -> str:
    return OPS[op][0] or read_operation(type_of(resource_id))


def dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def items(obj: Any) -> list:
    return obj if isinstance(obj, list) else []


def ref(obj: Any) -> str | None:
    """``{"id": "..."}`` -> the id (or None)."""
    value = obj.get("id") if isinstance(obj, dict) else None
    return value if isinstance(value, str) and value.strip() else None


class ArmSource:
    """Everything read from ARM (the ``arm`` back-end, and the fallback of ``resource-graph``)."""

    def __init__(self, reader: ArmReader) -> None:
        self.reader = reader

    def list_machines(self, resource_type: str, subscription: str,
                      resource_group: str | None) -> tuple[list[dict], BaseException | None]:
        """Every machine of a type at a scope. A namespace the subscription is not registered for
        answers :class:`NotRegistered` (none exist; see there), any other failure the exception."""
        docs: list[dict] = []
        try:
            for page in self.reader.pages(self.reader.list_url(resource_type, subscription, resource_group)):
                docs.extend(page)
        except Exception as exc:  # noqa: BLE001 - earlier pages stay valid
            if is_unregistered(exc) and not docs:
                return [], NotRegistered(list_scope(subscription, resource_group), resource_type.split("/")[0])
            return docs, exc
        return docs, None

    def _list(self, url: str) -> tuple[list[dict], BaseException | None]:
        docs: list[dict] = []
        try:
            for page in self.reader.pages(url):
                docs.extend(page)
        except NotFound:
            return docs, None  # the parent is gone: nothing under it
        except Exception as exc:  # noqa: BLE001
            return docs, exc
        return docs, None

    def fetch(self, op: str, resource_id: str) -> tuple[list[dict], BaseException | None]:
        """Documents for one task; raises NotFound when the target does not exist."""
        r = self.reader
        if op == "vm":
            return [r.get_vm(resource_id)], None
        if op in ("get", "arc"):
            return [r.get(resource_id)], None
        if op == "ext":
            try:
                return r.list_extensions(resource_id), None
            except NotFound:
                return [], None
        child = {
            "dcra": "providers/Microsoft.Insights/dataCollectionRuleAssociations",
            "zonegroups": "privateDnsZoneGroups",
            "links": "virtualNetworkLinks",
            "a": "A",
            "scoped": "scopedResources",
            "arcext": "extensions",
            "instances": "virtualMachines",
        }[op]
        return self._list(r.child_list_url(resource_id, child))


def list_scope(subscription: str, resource_group: str | None) -> str:
    return f"/subscriptions/{subscription}" + (f"/resourceGroups/{resource_group}" if resource_group else "")

# what a read is called in the progress line
READING = {"vm": "VMs", "ext": "extensions", "dcra": "DCR associations", "zonegroups": "private DNS zone groups",
           "links": "private DNS zone links", "a": "private DNS records", "scoped": "AMPLS scoped resources",
           "arc": "Arc-enabled servers", "arcext": "Arc extensions", "instances": "scale-set instances"}
READING_TYPES = {
    "microsoft.network/networkinterfaces": "network interfaces", "microsoft.network/virtualnetworks": "VNets",
    "microsoft.network/networksecuritygroups": "NSGs", "microsoft.network/routetables": "route tables",
    "microsoft.network/privateendpoints": "private endpoints", "microsoft.network/privatednszones": "private DNS zones",
    "microsoft.insights/datacollectionrules": "DCRs", "microsoft.insights/datacollectionendpoints": "DCEs",
    "microsoft.insights/privatelinkscopes": "AMPLS", "microsoft.operationalinsights/workspaces": "workspaces",
    "microsoft.hybridcompute/privatelinkscopes": "Arc private link scopes",
    "microsoft.compute/virtualmachinescalesets": "scale sets",
}


def reading(op: str, rid: str) -> str:
    if op == "get":
        return READING_TYPES.get(type_of(rid).lower(), "resources")
    return READING.get(op, op)


def embedded_extensions(vm: dict) -> list[dict] | None:
    """A VM's extensions as its GET returned them: ARM embeds each extension's document in the
    VM's ``resources`` and its status in ``properties.instanceView.extensions`` (the same
    ``VirtualMachineExtensionInstanceView`` that listing the extensions with
    ``$expand=instanceView`` gives). None when the GET does not tell all of it (no ``resources``,
    or an extension without a status): then the extensions are listed instead."""
    embedded = vm.get("resources")
    if not isinstance(embedded, list) or not embedded:
        return None
    views: dict[str, dict] = {}
    for view in items(dig(vm, "properties", "instanceView", "extensions")):
        if isinstance(view, dict) and isinstance(view.get("name"), str):
            views[view["name"].lower()] = view
    out = []
    for ext in embedded:
        if not isinstance(ext, dict) or not isinstance(ext.get("id"), str) or not isinstance(ext.get("properties"),
                                                                                               dict):
            return None
        name = str(ext.get("name") or ext["id"].rstrip("/").rsplit("/", 1)[-1])
        view = views.get(name.lower())
        if view is None:
            return None
        doc = copy.deepcopy(ext)
        doc.setdefault("type", EXT_TYPE)
        doc["properties"]["instanceView"] = copy.deepcopy(view)
        out.append(doc)
    return out


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 90:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 90:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Walker:
    """Decides *what* to read (references from the machines); a :class:`~.scheduler.Scheduler`
    decides *when* (per subscription, in turn, within ARM's buckets)."""

    def __init__(self, source: Any, *, concurrency: int, progress: Callable[[str], None],
                 started: float, pacer: Pacer | None = None, counters: Any = None) -> None:
        self.source = source
        self.concurrency = max(1, int(concurrency))
        self.progress = progress
        self.started = started
        self.pacer = pacer or Pacer()
        self.counters = counters
        self.scheduler = Scheduler(self.pacer)
        self.resources: dict[str, dict] = {}
        self.errors: list[dict] = []
        self.listed: dict[str, dict] = {}      # id -> a machine's document as its list returned it
        self.reads = 0
        self._state: dict[tuple[str, str], list[dict] | None] = {}
        self._roles: dict[tuple[str, str], set[str]] = {}
        self._followed: set[tuple[str, str, str]] = set()
        self._local: deque[tuple[str, str, tuple]] = deque()
        self._inflight: dict[Future, tuple[str, str, str]] = {}
        self._machine_total = 0
        self._machine_done = 0
        self._fresh_reads = 0
        self._walk_started = 0.0
        self._last_progress = 0.0
        self._machines_reported = False

    # -- public ----------------------------------------------------------------------------
    def add_error(self, scope: str, operation: str, exc: BaseException) -> None:
        self.errors.append(error_entry(scope, operation, exc))

    def store(self, doc: dict, *, replace: bool = False) -> None:
        key = str(doc["id"]).lower()
        if replace or key not in self.resources:
            self.resources[key] = redact(doc)

    def run(self, listed: Iterable[dict]) -> None:
        """Walk from the listed documents (VMs, Arc-enabled servers, scale sets) to everything."""
        listed = [d for d in listed if isinstance(d, dict) and isinstance(d.get("id"), str)]
        # Scale sets first: the list returned their whole model, so it is stored as read, and a
        # Flexible set that one of the VMs names is then not read again.
        for doc in listed:
            if str(doc.get("type", "")).lower() == SCALE_SET_TYPE.lower():
                self.store(doc)
                self._state[("get", doc["id"].rstrip("/").lower())] = [doc]
        for doc in listed:
            rtype, rid = str(doc.get("type", "")).lower(), doc["id"]
            if rtype == SCALE_SET_TYPE.lower():
                if is_uniform(doc):
                    self._machine_total += 1
                    self.submit("instances", rid, fresh=True)
                continue
            op = "arc" if rtype == ARC_TYPE.lower() else "vm"
            self._machine_total += 1
            self.listed[rid.lower()] = doc
            self.submit(op, rid, fresh=True)
            self.submit("dcra", rid, fresh=True)
        self._fresh_reads = len(self.scheduler)
        self._walk_started = time.monotonic()
        held_since: float | None = None
        with DaemonPool(self.concurrency, name="amaaudit-discovery") as pool:
            while self._local or self.scheduler or self._inflight:
                while self._local:
                    self._completed(*self._local.popleft())
                while len(self._inflight) < self.concurrency:
                    task = self.scheduler.take()
                    if task is None:
                        break
                    key, (op, rid) = task
                    self.pacer.reserve(key)
                    self.reads += 1
                    self._inflight[pool.submit(self._fetch, key, op, rid)] = (key, op, rid)
                # Free workers and queued reads, yet none may go: the pacer is holding them back.
                held = bool(self.scheduler) and len(self._inflight) < self.concurrency
                now = time.monotonic()
                if held and held_since is None:
                    held_since = now
                elif not held and held_since is not None:
                    self._paced(now - held_since)
                    held_since = None
                hint = self.scheduler.wait_hint() if held else None
                timeout = min(1.0, hint) if hint is not None else 1.0
                if self._inflight:
                    done, _ = wait(list(self._inflight), timeout=timeout, return_when=FIRST_COMPLETED)
                    for fut in done:
                        key, op, rid = self._inflight.pop(fut)
                        self._completed(op, rid, fut.result())
                elif held:
                    time.sleep(max(0.001, timeout))
                self._report()
            if held_since is not None:
                self._paced(time.monotonic() - held_since)

    # -- internals -------------------------------------------------------------------------
    def _paced(self, seconds: float) -> None:
        if self.counters is not None:
            self.counters.paced(seconds)

    def submit(self, op: str, resource_id: str | None, role: str = "", *, fresh: bool = False) -> None:
        if not resource_id or not isinstance(resource_id, str) or not resource_id.startswith("/"):
            return
        key = (op, resource_id.rstrip("/").lower())
        if (key[0], key[1], role) in self._followed:
            return
        if key in self._state:
            docs = self._state[key]
            if docs is None:
                self._roles[key].add(role)
            else:
                self._follow(op, resource_id, role, docs)
            return
        self._state[key] = None
        self._roles[key] = {role}
        rid = resource_id.rstrip("/")
        local = getattr(self.source, "local", None)
        answer = local(op, rid) if local is not None else None
        if answer is not None:           # answered from an index (Resource Graph): no request
            self._local.append((op, rid, (answer[0], answer[1], False)))
            return
        self.scheduler.put(bucket_key(rid), (op, rid), fresh=fresh)

    def _fetch(self, key: str, op: str, rid: str) -> tuple[list[dict], BaseException | None, bool]:
        self.pacer.claim(key)           # this thread's next request to ``key`` is the one reserved
        try:
            docs, exc = self.source.fetch(op, rid)
            return docs, exc, False
        except NotFound:
            return [], None, True
        except Exception as exc:  # noqa: BLE001 - becomes an errors entry
            return [], exc, False
        finally:
            self.pacer.release(key)

    def _completed(self, op: str, rid: str, result: tuple[list[dict], BaseException | None, bool]) -> None:
        docs, exc, not_found = result
        key = (op, rid.lower())
        if exc is not None:
            self.add_error(rid, operation_for(op, rid), exc)
        extensions: list[dict] | None = None
        if op in ("vm", "arc"):          # a machine's own GET
            self._machine_done += 1
            if docs and isinstance(docs[0], dict):
                extensions = embedded_extensions(docs[0]) if op == "vm" else None
            elif not not_found and key[1] in self.listed:
                docs = [self.listed[key[1]]]  # known from the list; what only its GET tells is unknown
            # the extensions live on as documents of their own (as their list gives them)
            docs = [{k: v for k, v in d.items() if k != "resources"} if isinstance(d, dict) else d for d in docs]
        elif op == "instances":
            self._machine_done += 1
        kept: list[dict] = []
        expected_type = OPS[op][1] or type_of(rid)
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                self.errors.append({"scope": rid, "operation": operation_for(op, rid), "status": 200,
                                    "code": "MalformedResponse", "message": "a returned document has no id"})
                continue
            if not doc.get("type"):
                doc = {**doc, "type": expected_type}
            kept.append(doc)
            self.store(doc, replace=(op in ("vm", "arc")))
        self._state[key] = kept
        for role in sorted(self._roles.pop(key, {""})):
            self._follow(op, rid, role, kept)
        if op == "vm" and not not_found:
            if extensions is not None:
                self._state[("ext", key[1])] = extensions
                for ext in extensions:
                    self.store(ext)
            else:
                self.submit("ext", rid)

    def _report(self) -> None:
        now = time.monotonic()
        if self._machine_done >= self._machine_total and not self._machines_reported:
            self._machines_reported = True
        elif now - self._last_progress < 1.0:
            return
        self._last_progress = now
        kinds: dict[str, int] = {}
        for _key, op, rid in self._inflight.values():
            kinds[reading(op, rid)] = kinds.get(reading(op, rid), 0) + 1
        what = ", ".join(k for k, _ in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        left = self._time_left(now)
        self.progress(
            f"Reading machines: {self._machine_done:,} of {self._machine_total:,} machines, "
            f"{len(self.resources):,} resources, "
            f"{self.reads:,} reads, {len(self.scheduler):,} queued" + (f"; reading {what}" if what else "")
            + f" ({_clock(now - self.started)} elapsed" + (f", about {_clock(left)} left" if left is not None else "")
            + ")"
        )

    def _time_left(self, now: float) -> float | None:
        """An estimate of the walk's time left: the larger of what the pace so far predicts and
        what ARM's buckets allow (the reads left in the busiest subscription beyond its tokens,
        at the refill rate)."""
        if self._machine_done < 1 or self._machine_total <= 0:
            return None
        elapsed = now - self._walk_started
        by_pace = elapsed * (self._machine_total - self._machine_done) / self._machine_done
        queued_by_key = self.scheduler.queued()
        fresh_left = sum(self.scheduler.fresh_count(k) for k in queued_by_key)
        # reads a machine led to beyond its own (a VM's NIC, a share of what that references)
        followups = max(0, self.reads - (self._fresh_reads - fresh_left)) / self._machine_done
        fresh_per_machine = self._fresh_reads / self._machine_total
        limits = self.pacer.limits
        by_bucket = 0.0
        for key, queued in queued_by_key.items():
            tokens = self.pacer.available(key)
            if tokens is None:
                continue
            machines_left = self.scheduler.fresh_count(key) / max(1.0, fresh_per_machine)
            reads_left = queued + machines_left * followups
            by_bucket = max(by_bucket, (reads_left - tokens) / limits.arm_refill_per_second)
        return max(by_pace, by_bucket)

    def _follow(self, op: str, rid: str, role: str, docs: list[dict]) -> None:
        self._followed.add((op, rid.lower(), role))
        for doc in docs:
            for task in follow(op, role, doc):
                self.submit(*task)


def _vnet_of_subnet(subnet_id: str) -> str | None:
    idx = subnet_id.lower().find("/subnets/")
    return subnet_id[:idx] if idx > 0 else None


def _subnet_tasks(ip_configurations: list) -> list[tuple[str, str | None, str]]:
    """A machine's subnets: each one's VNet, as the machine's and for that subnet's NSG and routes."""
    tasks: list[tuple[str, str | None, str]] = []
    for ipc in ip_configurations:
        subnet = ref(dig(ipc, "properties", "subnet"))
        vnet = _vnet_of_subnet(subnet) if subnet else None
        if vnet:
            tasks += [("get", vnet, "vm"), ("get", vnet, "subnet:" + subnet.lower())]
    return tasks


def follow(op: str, role: str, doc: dict) -> list[tuple[str, str | None, str]]:
    """The reads a document leads to: ``(op, id, role)``."""
    tasks: list[tuple[str, str | None, str]] = []
    props = doc.get("properties") if isinstance(doc.get("properties"), dict) else {}
    dtype = str(doc.get("type") or "").lower()
    if op == "vm":
        for nic in items(dig(props, "networkProfile", "networkInterfaces")):
            tasks.append(("get", ref(nic), ""))
        tasks.append(("get", ref(props.get("virtualMachineScaleSet")), ""))     # a Flexible set's instance
    elif op == "arc":
        tasks.append(("arcext", doc.get("id"), ""))
        tasks.append(("get", props.get("privateLinkScopeResourceId"), ""))
    elif op == "instances":
        # the first instance leads to what its scale set's model references (the set has instances)
        scale_set = str(doc.get("id") or "").rstrip("/").rsplit("/", 2)[0]
        if type_of(scale_set).lower() == SCALE_SET_TYPE.lower():
            tasks.append(("get", scale_set, "model"))
    elif op == "get" and dtype == SCALE_SET_TYPE.lower() and role == "model":
        tasks.append(("dcra", doc.get("id"), ""))
        for config in items(dig(props, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations")):
            config_props = config.get("properties") if isinstance(config, dict) else None
            tasks += _subnet_tasks(items(dig(config_props, "ipConfigurations")))
            tasks.append(("get", ref(dig(config_props, "networkSecurityGroup")), ""))
    elif op == "get" and dtype == ARC_SCOPE_TYPE.lower():
        for conn in items(props.get("privateEndpointConnections")):
            tasks.append(("get", ref(dig(conn, "properties", "privateEndpoint")), "arc"))
    elif op == "dcra":
        tasks.append(("get", props.get("dataCollectionRuleId"), ""))
        tasks.append(("get", props.get("dataCollectionEndpointId"), ""))
    elif op == "zonegroups":
        for cfg in items(props.get("privateDnsZoneConfigs")):
            zone = dig(cfg, "properties", "privateDnsZoneId")
            tasks += [("get", zone, ""), ("links", zone, ""), ("a", zone, "")]
    elif op == "get" and dtype == "microsoft.network/networkinterfaces":
        tasks += _subnet_tasks(items(props.get("ipConfigurations")))
        tasks.append(("get", ref(props.get("networkSecurityGroup")), ""))
    elif op == "get" and dtype == "microsoft.network/virtualnetworks":
        subnets = [s for s in items(props.get("subnets")) if isinstance(s, dict)]
        if role in ("vm", "peer"):
            for subnet in subnets:
                for pe in items(dig(subnet, "properties", "privateEndpoints")):
                    tasks.append(("get", ref(pe), ""))
        if role == "vm":
            for peering in items(props.get("virtualNetworkPeerings")):
                tasks.append(("get", ref(dig(peering, "properties", "remoteVirtualNetwork")), "peer"))
        if role.startswith("subnet:"):
            for subnet in subnets:
                if str(subnet.get("id") or "").lower() == role[len("subnet:"):]:
                    sp = subnet.get("properties") if isinstance(subnet.get("properties"), dict) else {}
                    tasks.append(("get", ref(sp.get("networkSecurityGroup")), ""))
                    tasks.append(("get", ref(sp.get("routeTable")), ""))
    elif op == "get" and dtype == "microsoft.network/privateendpoints":
        ampls = False
        for conn in items(props.get("privateLinkServiceConnections")) + items(
                props.get("manualPrivateLinkServiceConnections")):
            target = dig(conn, "properties", "privateLinkServiceId")
            if isinstance(target, str) and type_of(target).lower() == "microsoft.insights/privatelinkscopes":
                ampls = True
                tasks += [("get", target, ""), ("scoped", target, "")]
        if role == "arc":           # an Arc scope's endpoint: the Arc server reaches Azure through its VNet
            subnet = ref(props.get("subnet"))
            vnet = _vnet_of_subnet(subnet) if subnet else None
            tasks.append(("get", vnet, "peer"))
        if ampls or role == "arc":
            tasks.append(("zonegroups", doc.get("id"), ""))
    elif op == "get" and dtype == "microsoft.insights/datacollectionrules":
        tasks.append(("get", props.get("dataCollectionEndpointId"), ""))
        for dest in items(dig(props, "destinations", "logAnalytics")):
            tasks.append(("get", dig(dest, "workspaceResourceId"), ""))
    return [(o, i, r) for o, i, r in tasks if isinstance(i, str) and i]
