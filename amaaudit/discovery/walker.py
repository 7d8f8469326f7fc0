"""Following references from the VMs to everything a check needs, once per id.

Why a reference walk and not "list everything": what decides whether a VM's Heartbeat
arrives often lives outside the subscriptions the user named -- the DCR in a central
subscription, the workspace in a management one, the private DNS zones in the hub. Starting
from the VMs and following ids reaches exactly those, wherever they are, and nothing else.

Both back-ends run this same walk; they differ only in their *source* (how a document or a
child list is obtained), which is what makes their snapshots identical. The walk runs on a
bounded thread pool; documents are stored and references followed on the calling thread, so
no shared state is touched concurrently.

Roles: a VNet reached from a VM's NIC is followed further (its private endpoints, its peered
hub VNets, and the NSG and route table of the VM's subnet); a peered VNet only for its private
endpoints (the AMPLS endpoint often sits in the hub). Private DNS zone groups are read only for
endpoints that connect to an Azure Monitor Private Link Scope.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable

from .armread import ArmReader, read_operation, type_of
from .errors import NotFound, error_entry
from ..redact import redact

VM_TYPE = "Microsoft.Compute/virtualMachines"

# op -> (operation reported in errors, type of the documents it returns or None = type of the id)
OPS: dict[str, tuple[str | None, str | None]] = {
    "vm": ("Microsoft.Compute/virtualMachines/read", VM_TYPE),
    "get": (None, None),
    "ext": ("Microsoft.Compute/virtualMachines/extensions/read", "Microsoft.Compute/virtualMachines/extensions"),
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

    def list_vms(self, subscription: str, resource_group: str | None) -> tuple[list[dict], BaseException | None]:
        docs: list[dict] = []
        try:
            for page in self.reader.pages(self.reader.list_vms_url(subscription, resource_group)):
                docs.extend(page)
        except Exception as exc:  # noqa: BLE001 - earlier pages stay valid
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
        if op == "get":
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
        }[op]
        return self._list(r.child_list_url(resource_id, child))


class Walker:
    def __init__(self, source: Any, *, concurrency: int, progress: Callable[[str], None],
                 started: float) -> None:
        self.source = source
        self.concurrency = max(1, int(concurrency))
        self.progress = progress
        self.started = started
        self.resources: dict[str, dict] = {}
        self.errors: list[dict] = []
        self.vm_fallback: dict[str, dict] = {}
        self._state: dict[tuple[str, str], list[dict] | None] = {}
        self._roles: dict[tuple[str, str], set[str]] = {}
        self._followed: set[tuple[str, str, str]] = set()
        self._queue: deque[tuple[str, str]] = deque()
        self._vm_total = 0
        self._vm_done = 0
        self._last_progress = 0.0
        self._vms_reported = False

    # -- public ----------------------------------------------------------------------------
    def add_error(self, scope: str, operation: str, exc: BaseException) -> None:
        self.errors.append(error_entry(scope, operation, exc))

    def store(self, doc: dict, *, replace: bool = False) -> None:
        key = str(doc["id"]).lower()
        if replace or key not in self.resources:
            self.resources[key] = redact(doc)

    def run(self, vms: Iterable[dict]) -> None:
        vms = list(vms)
        self._vm_total = len(vms)
        for vm in vms:
            self.vm_fallback[vm["id"].lower()] = vm
            self.submit("vm", vm["id"])
            self.submit("ext", vm["id"])
            self.submit("dcra", vm["id"])
        inflight: dict[Future, tuple[str, str]] = {}
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="amaaudit-discovery") as pool:
            while self._queue or inflight:
                while self._queue and len(inflight) < self.concurrency * 2:
                    op, rid = self._queue.popleft()
                    inflight[pool.submit(self._fetch, op, rid)] = (op, rid)
                done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for fut in done:
                    op, rid = inflight.pop(fut)
                    self._completed(op, rid, fut.result())

    # -- internals -------------------------------------------------------------------------
    def submit(self, op: str, resource_id: str | None, role: str = "") -> None:
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
        self._queue.append((op, resource_id.rstrip("/")))

    def _fetch(self, op: str, rid: str) -> tuple[list[dict], BaseException | None, bool]:
        try:
            docs, exc = self.source.fetch(op, rid)
            return docs, exc, False
        except NotFound:
            return [], None, True
        except Exception as exc:  # noqa: BLE001 - becomes an errors entry
            return [], exc, False

    def _completed(self, op: str, rid: str, result: tuple[list[dict], BaseException | None, bool]) -> None:
        docs, exc, not_found = result
        key = (op, rid.lower())
        if exc is not None:
            self.add_error(rid, operation_for(op, rid), exc)
        if op == "vm":
            self._vm_done += 1
            if not docs and not not_found and key[1] in self.vm_fallback:
                docs = [self.vm_fallback[key[1]]]  # known from the list; power state unknown
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
            self.store(doc, replace=(op == "vm"))
        self._state[key] = kept
        for role in sorted(self._roles.pop(key, {""})):
            self._follow(op, rid, role, kept)
        self._report()

    def _report(self) -> None:
        now = time.monotonic()
        if self._vm_done >= self._vm_total and not self._vms_reported:
            self._vms_reported = True
        elif now - self._last_progress < 1.0:
            return
        self._last_progress = now
        self.progress(
            f"Reading VMs: {self._vm_done} of {self._vm_total} VMs, {len(self.resources)} resources, "
            f"{len(self._queue)} reads queued ({now - self.started:.1f} s)"
        )

    def _follow(self, op: str, rid: str, role: str, docs: list[dict]) -> None:
        self._followed.add((op, rid.lower(), role))
        for doc in docs:
            for task in follow(op, role, doc):
                self.submit(*task)


def _vnet_of_subnet(subnet_id: str) -> str | None:
    idx = subnet_id.lower().find("/subnets/")
    return subnet_id[:idx] if idx > 0 else None


def follow(op: str, role: str, doc: dict) -> list[tuple[str, str | None, str]]:
    """The reads a document leads to: ``(op, id, role)``."""
    tasks: list[tuple[str, str | None, str]] = []
    props = doc.get("properties") if isinstance(doc.get("properties"), dict) else {}
    dtype = str(doc.get("type") or "").lower()
    if op == "vm":
        for nic in items(dig(props, "networkProfile", "networkInterfaces")):
            tasks.append(("get", ref(nic), ""))
    elif op == "dcra":
        tasks.append(("get", props.get("dataCollectionRuleId"), ""))
        tasks.append(("get", props.get("dataCollectionEndpointId"), ""))
    elif op == "zonegroups":
        for cfg in items(props.get("privateDnsZoneConfigs")):
            zone = dig(cfg, "properties", "privateDnsZoneId")
            tasks += [("get", zone, ""), ("links", zone, ""), ("a", zone, "")]
    elif op == "get" and dtype == "microsoft.network/networkinterfaces":
        for ipc in items(props.get("ipConfigurations")):
            subnet = ref(dig(ipc, "properties", "subnet"))
            vnet = _vnet_of_subnet(subnet) if subnet else None
            if vnet:
                tasks += [("get", vnet, "vm"), ("get", vnet, "subnet:" + subnet.lower())]
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
        if ampls:
            tasks.append(("zonegroups", doc.get("id"), ""))
    elif op == "get" and dtype == "microsoft.insights/datacollectionrules":
        tasks.append(("get", props.get("dataCollectionEndpointId"), ""))
        for dest in items(dig(props, "destinations", "logAnalytics")):
            tasks.append(("get", dig(dest, "workspaceResourceId"), ""))
    return [(o, i, r) for o, i, r in tasks if isinstance(i, str) and i]
