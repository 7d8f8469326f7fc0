"""Reading ARM: single documents through the SDK clients, lists through their pipeline.

Why the raw JSON and not the SDK models: the snapshot is the REST document, and the pinned
SDKs disagree about shapes (compute/network/privatedns/loganalytics are TypeSpec models that
keep REST camelCase, monitor 7 is msrest and flattens ``properties``). So every typed GET is
made with ``cls=`` returning ``pipeline_response.http_response.json()``; pageable lists are
walked here over the same policies (``nextLink`` followed verbatim, as the SDKs do), because
an ``ItemPaged`` only hands out models. Things the SDKs lack (AMPLS and its scoped resources
in azure-mgmt-monitor 7) are plain GETs with an api-version that exists.

Azure Arc (``Microsoft.HybridCompute``) is read the same way, with plain GETs at a pinned stable
api-version, not through azure-mgmt-hybridcompute: every read here wants the raw REST document
anyway (the SDK's models would be thrown away by ``cls=``), the reads are a GET and two paged
lists that the generic walker below already handles, and one more pinned SDK would be one more
default api-version that moves under the snapshot with every upgrade.

Every method raises :class:`NotFound` for 404 and lets other failures propagate; the caller
decides what an error means (see ``walker``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlparse, urlunparse

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.loganalytics import LogAnalyticsManagementClient
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient

from .errors import MalformedResponse, NotFound
from .pipeline import PipelineFactory
from .settings import Endpoints

# api-versions for the reads made outside typed SDK operations (the pinned SDKs' defaults,
# and for AMPLS the newest api-version that exists: it only has previews).
API_COMPUTE = "2026-04-01"
API_NETWORK = "2026-03-01"
API_PRIVATEDNS = "2024-06-01"
API_DCRA = "2023-03-11"
API_AMPLS = "2023-06-01-preview"
# Azure Arc: the stable version the snapshot contract's shapes were taken from (HybridCompute
# 2024-07-10 examples: Machines_Get, Machines_ListBySubscription, Extension_List, PrivateLinkScopes_Get).
API_HYBRIDCOMPUTE = "2024-07-10"

# ARM type casing as GET returns it (ARG and some ids lower-case them).
CANONICAL_TYPES = {
    t.lower(): t
    for t in (
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/virtualMachines/extensions",
        "Microsoft.Compute/virtualMachineScaleSets",
        "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
        "Microsoft.HybridCompute/machines",
        "Microsoft.HybridCompute/machines/extensions",
        "Microsoft.HybridCompute/privateLinkScopes",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/routeTables",
        "Microsoft.Network/privateEndpoints",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "Microsoft.Network/privateDnsZones/A",
        "Microsoft.Insights/dataCollectionRules",
        "Microsoft.Insights/dataCollectionEndpoints",
        "Microsoft.Insights/dataCollectionRuleAssociations",
        "Microsoft.Insights/privateLinkScopes",
        "Microsoft.Insights/privateLinkScopes/scopedResources",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    )
}

RAW = lambda pipeline_response, deserialized, headers: pipeline_response.http_response.json()  # noqa: E731


def id_parts(resource_id: str) -> dict[str, str]:
    """subscription, resource group, name and the (canonical) type of an ARM id."""
    parts = [p for p in (resource_id or "").split("/") if p]
    sub = rg = provider = ""
    types: list[str] = []
    i = 0
    while i < len(parts):
        word = parts[i].lower()
        if word == "subscriptions" and i + 1 < len(parts) and not sub:
            sub, i = parts[i + 1], i + 2
        elif word == "resourcegroups" and i + 1 < len(parts) and not rg:
            rg, i = parts[i + 1], i + 2
        elif word == "providers" and i + 1 < len(parts):
            provider, types, i = parts[i + 1], [], i + 2
            while i < len(parts) and parts[i].lower() != "providers":
                types.append(parts[i])
                i += 2
        else:
            i += 1
    rtype = "/".join([provider, *types]) if provider else ""
    return {
        "subscription": sub,
        "resource_group": rg,
        "name": parts[-1] if parts else "",
        "type": CANONICAL_TYPES.get(rtype.lower(), rtype),
    }


def type_of(resource_id: str) -> str:
    return id_parts(resource_id)["type"]


def read_operation(resource_type: str) -> str:
    return f"{CANONICAL_TYPES.get(resource_type.lower(), resource_type)}/read"


class ArmReader:
    def __init__(self, factory: PipelineFactory, endpoints: Endpoints) -> None:
        self._factory = factory
        self._ep = endpoints
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._host = urlparse(endpoints.arm).netloc.lower()
        self._canonical_host = urlparse(endpoints.canonical_arm).netloc.lower()

    # -- clients ---------------------------------------------------------------------------
    def _client(self, service: str, subscription: str) -> Any:
        key = (service, subscription.lower())
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._make(service, subscription)
            return client

    def _make(self, service: str, subscription: str) -> Any:
        scope = self._ep.arm_scope
        kwargs = self._factory.client_kwargs(scope)
        if service == "raw":
            return ARMPipelineClient(base_url=self._ep.arm, **kwargs)
        cls = {
            "compute": ComputeManagementClient,
            "network": NetworkManagementClient,
            "monitor": MonitorManagementClient,
            "loganalytics": LogAnalyticsManagementClient,
            "privatedns": PrivateDnsManagementClient,
        }[service]
        return cls(self._factory.credential, subscription, base_url=self._ep.arm, credential_scopes=[scope], **kwargs)

    # -- raw requests ----------------------------------------------------------------------
    def url(self, path: str, api_version: str, **params: str) -> str:
        query = "&".join([f"api-version={api_version}"] + [f"{k}={quote(v)}" for k, v in params.items()])
        return f"{self._ep.arm}{quote(path, safe='/:@!$&()*+,;=-._~')}?{query}"

    def _checked_next_link(self, link: str) -> str:
        parsed = urlparse(link)
        host = parsed.netloc.lower()
        if host == self._host:
            return link
        if host == self._canonical_host:
            # ARM behind an overridden endpoint (proxy, Azure Stack) still writes its own host.
            base = urlparse(self._ep.arm)
            return urlunparse(parsed._replace(scheme=base.scheme, netloc=base.netloc))
        raise MalformedResponse(f"nextLink points outside the ARM endpoint ({host}); not followed")

    def raw_get(self, url: str) -> Any:
        response = self._client("raw", "-").send_request(HttpRequest("GET", url))
        if response.status_code == 404:
            code, message = None, None
            try:
                err = response.json().get("error") or {}
                code, message = err.get("code"), err.get("message")
            except Exception:  # noqa: BLE001
                pass
            raise NotFound(message or f"not found: {urlparse(url).path}", code)
        if response.status_code != 200:
            raise HttpResponseError(response=response)
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(str(exc)) from exc

    def pages(self, url: str) -> Iterator[list[dict]]:
        """Yield each page's ``value``; the exception of a failing page propagates after the
        earlier pages were yielded (their items stay valid)."""
        while url:
            body = self.raw_get(url)
            if not isinstance(body, dict) or not isinstance(body.get("value", []), list):
                raise MalformedResponse("list response without a 'value' array")
            yield body.get("value") or []
            link = body.get("nextLink")
            url = self._checked_next_link(link) if link else ""

    # -- typed reads -----------------------------------------------------------------------
    def _sdk(self, call: Callable[[], Any]) -> Any:
        try:
            body = call()
        except ResourceNotFoundError as exc:
            raise NotFound(str(exc), getattr(getattr(exc, "error", None), "code", None)) from exc
        if not isinstance(body, dict):
            raise MalformedResponse("expected a JSON object")
        return body

    def get_vm(self, vm_id: str) -> dict:
        p = id_parts(vm_id)
        c = self._client("compute", p["subscription"])
        return self._sdk(lambda: c.virtual_machines.get(p["resource_group"], p["name"], expand="instanceView", cls=RAW))

    def list_extensions(self, vm_id: str) -> list[dict]:
        p = id_parts(vm_id)
        c = self._client("compute", p["subscription"])
        body = self._sdk(lambda: c.virtual_machine_extensions.list(p["resource_group"], p["name"],
                                                                   expand="instanceView", cls=RAW))
        return list(body.get("value") or [])

    def get(self, resource_id: str) -> dict:
        p = id_parts(resource_id)
        t, sub, rg, name = p["type"].lower(), p["subscription"], p["resource_group"], p["name"]
        if t == "microsoft.compute/virtualmachines":
            return self.get_vm(resource_id)
        raw = {"microsoft.insights/privatelinkscopes": API_AMPLS,
               "microsoft.hybridcompute/machines": API_HYBRIDCOMPUTE,
               "microsoft.hybridcompute/privatelinkscopes": API_HYBRIDCOMPUTE}
        if t in raw:
            body = self.raw_get(self.url(resource_id, raw[t]))
            if not isinstance(body, dict):
                raise MalformedResponse("expected a JSON object")
            return body
        if t == "microsoft.compute/virtualmachinescalesets":
            c = self._client("compute", sub)
            return self._sdk(lambda: c.virtual_machine_scale_sets.get(rg, name, cls=RAW))
        net = {
            "microsoft.network/networkinterfaces": "network_interfaces",
            "microsoft.network/virtualnetworks": "virtual_networks",
            "microsoft.network/networksecuritygroups": "network_security_groups",
            "microsoft.network/routetables": "route_tables",
            "microsoft.network/privateendpoints": "private_endpoints",
        }
        if t in net:
            ops = getattr(self._client("network", sub), net[t])
            return self._sdk(lambda: ops.get(rg, name, cls=RAW))
        if t == "microsoft.insights/datacollectionrules":
            c = self._client("monitor", sub)
            return self._sdk(lambda: c.data_collection_rules.get(rg, name, cls=RAW))
        if t == "microsoft.insights/datacollectionendpoints":
            c = self._client("monitor", sub)
            return self._sdk(lambda: c.data_collection_endpoints.get(rg, name, cls=RAW))
        if t == "microsoft.operationalinsights/workspaces":
            c = self._client("loganalytics", sub)
            return self._sdk(lambda: c.workspaces.get(rg, name, cls=RAW))
        if t == "microsoft.network/privatednszones":
            c = self._client("privatedns", sub)
            return self._sdk(lambda: c.private_zones.get(rg, name, cls=RAW))
        raise ValueError(f"discovery does not read resources of type {p['type']}")

    # -- lists -----------------------------------------------------------------------------
    def list_url(self, resource_type: str, subscription: str, resource_group: str | None = None) -> str:
        """The list of one machine type (``Microsoft.Compute/virtualMachines``...) at a scope."""
        scope = f"/subscriptions/{subscription}"
        if resource_group:
            scope += f"/resourceGroups/{resource_group}"
        api = API_HYBRIDCOMPUTE if resource_type.lower().startswith("microsoft.hybridcompute/") else API_COMPUTE
        return self.url(f"{scope}/providers/{resource_type}", api)

    def child_list_url(self, parent_id: str, child: str) -> str:
        api = {
            "providers/Microsoft.Insights/dataCollectionRuleAssociations": API_DCRA,
            "privateDnsZoneGroups": API_NETWORK,
            "virtualNetworkLinks": API_PRIVATEDNS,
            "A": API_PRIVATEDNS,
            "scopedResources": API_AMPLS,
            "extensions": API_HYBRIDCOMPUTE,        # an Arc machine's (a VM's go through the SDK)
            "virtualMachines": API_COMPUTE,         # a uniform scale set's instances
        }[child]
        # The instance list answers each instance's power state, guest agent and extension statuses
        # only with the instance view (VirtualMachineScaleSetVMs_List, $expand=instanceView).
        params = {"$expand": "instanceView"} if child == "virtualMachines" else {}
        return self.url(f"{parent_id.rstrip('/')}/{child}", api, **params)

    def close(self) -> None:
        for client in self._clients.values():
            inner = getattr(client, "_client", client)
            try:
                inner.close()
            except Exception:  # noqa: BLE001
                pass
