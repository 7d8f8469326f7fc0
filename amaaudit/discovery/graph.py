"""The ``resource-graph`` back-end: Azure Resource Graph for the bulk, ARM for the rest.

Why: walking ARM costs three requests per machine (a VM, its DCR associations, its NIC) and ARM
throttles per principal and subscription; Resource Graph returns a thousand documents per
request. Three paged queries (``resources`` -- with the Arc-enabled servers, their extensions,
Arc private link scopes and scale sets --, ``insightsresources`` for DCR associations,
``dnsresources`` for A records) load every relevant document of the named subscriptions; the
same reference walk as the ``arm`` back-end then runs over that index. ARM is still used for:

* each VM's GET with ``$expand=instanceView``: the guest agent's status and the extensions'
  statuses are in no documented Resource Graph table (``properties.extended.instanceView`` has
  the power state and the OS name, not those), so this back-end is N VM GETs plus a near-constant
  number of queries. The extensions come with that GET (see ``walker.embedded_extensions``);
* each Uniform scale set's instance list (``$expand=instanceView``): ``computeresources`` has the
  instances, but no documented column holds their instance view (power state, guest agent, the
  extensions' statuses on each instance) or says that it does, so the list is read from ARM, one
  request per scale set and page;
* an Arc-enabled server, or its extensions, when the rows ARG has do not tell what the checks read
  (a machine row without ``serviceStatuses``, an extension row without its ``instanceView``):
  ARM's GET and list are authoritative, and such rows are not assumed complete;
* private endpoint zone groups and AMPLS scoped resources (not in ARG);
* anything referenced in a subscription that was not queried, and everything of a table whose
  query failed (the walk then falls back to ARM for it, so nothing is silently lost);
* **every absence ARG reports**. Resource Graph silently leaves out what the principal may not
  read, so "not in the index" or "no children" may mean "not allowed to see". An id ARG does not
  have, an empty list of a machine's DCR associations or extensions, or of a zone's links or A
  records, and every machine list (VMs, Arc-enabled servers, scale sets) are asked of ARM, which answers 404 / an empty list, or 403 (an errors entry: the
  verdict is *could not evaluate*, as with the ``arm`` back-end). Absences are what verdicts fail
  on (no association, no zone link, no record, a deleted DCR), and they are few, so this costs a
  handful of requests, spent only where a verdict would otherwise rest on ARG's silence. A
  machine list is confirmed with one ARM request per listed scope and kind (its first page): only
  a principal that may read every machine of the scope gets it, so ARG's list is then complete.

ARG rows are turned back into ARM GET documents: ARG-only columns (``tenantId``,
``resourceGroup``, ``subscriptionId``) and empty filler columns are dropped, the lower-cased
``type`` gets ARM's casing back, and the VM-only ``properties.extended`` is removed. ARG does
not carry ``etag`` or ``systemData``; documents read by this back-end lack them, and that is
the one difference from the ``arm`` back-end's snapshot. ARG also lags ARM by up to a few
minutes for resources that just changed.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any, Callable

from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from .armread import CANONICAL_TYPES, ArmReader, id_parts, type_of
from .errors import NotRegistered, is_unregistered
from .limits import ARG_REMAINING_HEADER, ARG_RESETS_HEADER
from .pipeline import PipelineFactory, _parse_hms
from .walker import ARC_EXTENSION_TYPE, MACHINE_LISTS, ArmSource, list_scope

RESOURCE_TYPES = [
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachineScaleSets",
    "Microsoft.HybridCompute/machines",
    "Microsoft.HybridCompute/machines/extensions",
    "Microsoft.HybridCompute/privateLinkScopes",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/routeTables",
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Insights/dataCollectionRules",
    "Microsoft.Insights/dataCollectionEndpoints",
    "Microsoft.Insights/privateLinkScopes",
    "Microsoft.OperationalInsights/workspaces",
]
DCRA_TYPE = "Microsoft.Insights/dataCollectionRuleAssociations"
A_TYPE = "Microsoft.Network/privateDnsZones/A"

QUERIES = {
    "resources": "resources | where type in~ ({}) | order by id asc".format(
        ", ".join(f"'{t.lower()}'" for t in RESOURCE_TYPES)),
    "insightsresources": f"insightsresources | where type =~ '{DCRA_TYPE.lower()}' | order by id asc",
    "dnsresources": f"dnsresources | where type =~ '{A_TYPE.lower()}' | order by id asc",
}
TABLE_OF_TYPE = {t.lower(): "resources" for t in RESOURCE_TYPES}
TABLE_OF_TYPE[DCRA_TYPE.lower()] = "insightsresources"
TABLE_OF_TYPE[A_TYPE.lower()] = "dnsresources"
# child list op -> (type of the children, their table, number of id segments between parent and child)
CHILD_OPS = {
    "links": ("microsoft.network/privatednszones/virtualnetworklinks", "resources", 2),
    "a": (A_TYPE.lower(), "dnsresources", 2),
    "dcra": (DCRA_TYPE.lower(), "insightsresources", 4),
    "arcext": (ARC_EXTENSION_TYPE.lower(), "resources", 2),
}
# Reads of one document that the index answers like a GET (the machine's own read of an Arc server).
GET_OPS = {"get", "arc"}
LIST_COUNTERS = {kind.resource_type.lower(): kind.counter for kind in MACHINE_LISTS}

ARG_ONLY_COLUMNS = ("tenantId", "resourceGroup", "subscriptionId")
ARG_FILLER_COLUMNS = ("kind", "managedBy", "sku", "plan", "identity", "zones", "extendedLocation", "tags", "location")
PAGE_SIZE = 1000
SUBSCRIPTIONS_PER_QUERY = 300
MAX_PAGES = 10000


def from_arg_row(row: dict) -> dict:
    """An ARG ``objectArray`` row -> the ARM GET document shape."""
    doc = {k: v for k, v in row.items() if k not in ARG_ONLY_COLUMNS}
    for key in ARG_FILLER_COLUMNS:
        if key in doc and doc[key] in (None, ""):
            del doc[key]
    rtype = str(doc.get("type") or type_of(str(doc.get("id") or "")))
    doc["type"] = CANONICAL_TYPES.get(rtype.lower(), rtype)
    if doc["type"] == "Microsoft.Compute/virtualMachines" and isinstance(doc.get("properties"), dict):
        doc["properties"] = {k: v for k, v in doc["properties"].items() if k != "extended"}
    return doc


def _parent(resource_id: str, segments: int) -> str:
    return "/".join(resource_id.rstrip("/").split("/")[:-segments]).lower()


class ArgSource:
    def __init__(self, reader: ArmReader, factory: PipelineFactory, scope: str, *, progress: Callable[[str], None],
                 arm_endpoint: str, max_retry_after: float) -> None:
        self.arm = ArmSource(reader)
        self._factory = factory
        self._progress = progress
        self._max_wait = max_retry_after
        self._client = ResourceGraphClient(factory.credential, base_url=arm_endpoint, credential_scopes=[scope],
                                           **factory.client_kwargs(scope))
        self.index: dict[str, dict] = {}
        self.children: dict[tuple[str, str], list[dict]] = {}
        # (machine type, subscription) -> id -> document: the lists are answered from here, not by a scan of
        # every row ARG returned, once per kind and scope
        self.machines: dict[tuple[str, str], dict[str, dict]] = {}
        self.covered: dict[str, set[str]] = {t: set() for t in QUERIES}
        self.fallbacks: list[str] = []
        self.confirmations: dict[str, int] = {}     # ARM reads made to confirm an absence ARG reported
        self._lock = threading.Lock()

    # -- bulk load -------------------------------------------------------------------------
    def load(self, subscriptions: list[str]) -> None:
        for table, kql in QUERIES.items():
            for i in range(0, len(subscriptions), SUBSCRIPTIONS_PER_QUERY):
                chunk = subscriptions[i:i + SUBSCRIPTIONS_PER_QUERY]
                self._progress(f"Resource Graph: querying {table} in {len(chunk)} subscription(s)")
                try:
                    rows = self._query(chunk, kql)
                except Exception as exc:  # noqa: BLE001 - fall back to ARM for this table
                    reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
                    self.fallbacks.append(f"{table}: {reason}")
                    self._progress(f"Resource Graph query of {table} failed ({reason}); reading it from ARM instead")
                    continue
                for row in rows:
                    if isinstance(row, dict) and isinstance(row.get("id"), str):
                        self._add(from_arg_row(row))
                self.covered[table].update(s.lower() for s in chunk)

    def _query(self, subscriptions: list[str], kql: str) -> list[dict]:
        rows: list[dict] = []
        skip_token = None
        for _ in range(MAX_PAGES):
            options = QueryRequestOptions(result_format="objectArray", top=PAGE_SIZE, skip_token=skip_token)
            body, headers = self._client.resources(
                QueryRequest(subscriptions=subscriptions, query=kql, options=options),
                cls=lambda pr, d, h: (pr.http_response.json(), pr.http_response.headers),
            )
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise ValueError("Resource Graph answered without an objectArray 'data' list")
            rows.extend(data)
            skip_token = body.get("$skipToken")
            self._respect_quota(headers)
            if not skip_token:
                return rows
        raise ValueError("Resource Graph paging did not end")

    def _respect_quota(self, headers: Any) -> None:
        remaining = headers.get(ARG_REMAINING_HEADER)
        try:
            exhausted = remaining is not None and int(remaining) <= 0
        except ValueError:
            exhausted = False
        if exhausted:
            wait = min(_parse_hms(headers.get(ARG_RESETS_HEADER)) or 1.0, self._max_wait)
            self._factory.counters.throttled(wait)
            self._progress(f"Resource Graph quota used up; waiting {wait:.0f} s for it to reset")
            time.sleep(wait)

    def _add(self, doc: dict) -> None:
        rid = doc["id"].rstrip("/")
        t = doc["type"].lower()
        self.index[rid.lower()] = doc
        if t in LIST_COUNTERS:
            self.machines.setdefault((t, id_parts(rid)["subscription"].lower()), {})[rid.lower()] = doc
        for op, (child_type, _table, segments) in CHILD_OPS.items():
            if t == child_type:
                self.children.setdefault((op, _parent(rid, segments)), []).append(doc)

    def _covers(self, table: str, resource_id: str) -> bool:
        return id_parts(resource_id)["subscription"].lower() in self.covered[table]

    # -- source interface ------------------------------------------------------------------
    def list_machines(self, resource_type: str, subscription: str,
                      resource_group: str | None) -> tuple[list[dict], BaseException | None]:
        if subscription.lower() not in self.covered["resources"]:
            return self.arm.list_machines(resource_type, subscription, resource_group)
        # ARG lists only the machines the principal may read; ARM answers the list only to a principal
        # that may read all of them (and tells an empty resource group from a missing one).
        self._confirmed(LIST_COUNTERS[resource_type.lower()])
        try:
            self.arm.reader.raw_get(self.arm.reader.list_url(resource_type, subscription, resource_group))
        except Exception as exc:  # noqa: BLE001 - as the arm back-end: this scope's machines are unknown
            if is_unregistered(exc):
                return [], NotRegistered(list_scope(subscription, resource_group), resource_type.split("/")[0])
            return [], exc
        found = [doc for doc in self.machines.get((resource_type.lower(), subscription.lower()), {}).values()
                 if not resource_group or id_parts(doc["id"])["resource_group"].lower() == resource_group.lower()]
        found.sort(key=lambda d: d["id"].lower())
        return found, None

    def local(self, op: str, resource_id: str) -> tuple[list[dict], None] | None:
        """What the index holds for a read, without a request; None when ARM must be asked (ARG
        lacks the table, or reports an absence, which may be a read ARG hid, or holds rows that do
        not tell what the checks read: see the docstring)."""
        if op in GET_OPS:
            table = TABLE_OF_TYPE.get(type_of(resource_id).lower())
            if table and self._covers(table, resource_id):
                doc = self.index.get(resource_id.rstrip("/").lower())
                if doc is not None and (op != "arc" or _tells_service(doc)):
                    return [copy.deepcopy(doc)], None
        elif op in CHILD_OPS:
            table = CHILD_OPS[op][1]
            if self._covers(table, resource_id):
                docs = self.children.get((op, resource_id.rstrip("/").lower()), [])
                if docs and (op != "arcext" or all(_has_instance_view(d) for d in docs)):
                    return [copy.deepcopy(d) for d in docs], None
        return None

    def fetch(self, op: str, resource_id: str) -> tuple[list[dict], BaseException | None]:
        if op in GET_OPS or op in CHILD_OPS:
            table = TABLE_OF_TYPE.get(type_of(resource_id).lower()) if op in GET_OPS else CHILD_OPS[op][1]
            if table and self._covers(table, resource_id):
                self._confirmed(op)
        return self.arm.fetch(op, resource_id)

    def _confirmed(self, op: str) -> None:
        with self._lock:       # reads run on the walker's threads
            self.confirmations[op] = self.confirmations.get(op, 0) + 1


def _tells_service(machine: dict) -> bool:
    """An Arc machine row that reports the extension service's status (what its GET would add)."""
    props = machine.get("properties") if isinstance(machine.get("properties"), dict) else {}
    return isinstance(props.get("serviceStatuses"), dict)


def _has_instance_view(extension: dict) -> bool:
    props = extension.get("properties") if isinstance(extension.get("properties"), dict) else {}
    return isinstance(props.get("instanceView"), dict)
