"""Data collection: associations, rules, endpoints and the workspaces logs land in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .. import arm
from ..text import Text
from .machine import as_list as _list, props as _props
from .estate import Estate

DCR_TYPE = "Microsoft.Insights/dataCollectionRules"
DCE_TYPE = "Microsoft.Insights/dataCollectionEndpoints"
WORKSPACE_TYPE = "Microsoft.OperationalInsights/workspaces"


class Association:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        self.name: str = doc.get("name") or arm.parse(self.id).name
        p = _props(doc)
        self.rule_id: str = str(p.get("dataCollectionRuleId") or "")
        self.endpoint_id: str = str(p.get("dataCollectionEndpointId") or "")
        self.provisioning_state: str = str(p.get("provisioningState") or "")

    @cached_property
    def rule(self) -> "DataCollectionRule | None":
        """The DCR; None when it does not exist (deleted); Unknown when its read failed."""
        name = arm.parse(self.rule_id).name
        doc = self.estate.resolve(self.rule_id, DCR_TYPE, Text(f"data collection rule {name}", f"データ収集ルール {name}"))
        return self.estate.view(DataCollectionRule, doc) if doc else None

    @cached_property
    def endpoint(self) -> "DataCollectionEndpoint | None":
        if not self.endpoint_id:
            return None
        doc = self.estate.resolve(self.endpoint_id, DCE_TYPE,
                                  Text(f"data collection endpoint {arm.parse(self.endpoint_id).name}",
                                       f"データ収集エンドポイント {arm.parse(self.endpoint_id).name}"))
        return self.estate.view(DataCollectionEndpoint, doc) if doc else None


@dataclass(frozen=True)
class LogRoute:
    """One Log Analytics destination of a DCR that a data flow actually sends to."""
    destination: str
    workspace_id: str            # ARM id of the workspace
    customer_id: str             # as the DCR records it (read-only field), may be empty
    streams: tuple[str, ...]


class DataCollectionRule:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        self.name: str = doc.get("name") or arm.parse(self.id).name
        self.kind: str = str(doc.get("kind") or "")
        self.location: str = str(doc.get("location") or "")
        p = _props(doc)
        self.props = p
        self.provisioning_state: str = str(p.get("provisioningState") or "")
        self.endpoint_id: str = str(p.get("dataCollectionEndpointId") or "")

    @cached_property
    def log_destinations(self) -> dict[str, dict[str, Any]]:
        dests = self.props.get("destinations") or {}
        la = dests.get("logAnalytics") if isinstance(dests, dict) else None
        return {str(d.get("name")): d for d in _list(la) if isinstance(d, dict) and d.get("name")}

    @cached_property
    def flows(self) -> list[dict[str, Any]]:
        flows = self.props.get("dataFlows")
        return [f for f in flows if isinstance(f, dict)] if isinstance(flows, list) else []

    @cached_property
    def log_routes(self) -> list[LogRoute]:
        routes: dict[str, LogRoute] = {}
        for flow in self.flows:
            streams = tuple(str(s) for s in _list(flow.get("streams")))
            for name in _list(flow.get("destinations")):
                dest = self.log_destinations.get(str(name))
                if not dest or not dest.get("workspaceResourceId"):
                    continue
                prev = routes.get(str(name))
                merged = tuple(dict.fromkeys((prev.streams if prev else ()) + streams))
                routes[str(name)] = LogRoute(str(name), str(dest["workspaceResourceId"]),
                                             str(dest.get("workspaceId") or ""), merged)
        return list(routes.values())

    @property
    def dangling_flow_destinations(self) -> list[str]:
        """Destination names used by data flows but defined nowhere in the rule."""
        defined = set(self.log_destinations)
        dests = self.props.get("destinations") or {}
        for group in dests.values() if isinstance(dests, dict) else ():
            if isinstance(group, list):
                defined |= {str(d.get("name")) for d in group if isinstance(d, dict)}
            elif isinstance(group, dict) and group.get("name"):
                defined.add(str(group["name"]))
        used = {str(n) for f in self.flows for n in _list(f.get("destinations"))}
        return sorted(used - defined)

    def fits_os(self, os_type: str | None) -> bool:
        """A ``Linux`` rule configures nothing on Windows and vice versa; no kind fits both."""
        if not self.kind or not os_type or self.kind.lower() not in ("linux", "windows"):
            return True
        return self.kind.lower() == os_type.lower()

    @cached_property
    def endpoint(self) -> "DataCollectionEndpoint | None":
        if not self.endpoint_id:
            return None
        doc = self.estate.resolve(self.endpoint_id, DCE_TYPE,
                                  Text(f"data collection endpoint {arm.parse(self.endpoint_id).name}",
                                       f"データ収集エンドポイント {arm.parse(self.endpoint_id).name}"))
        return self.estate.view(DataCollectionEndpoint, doc) if doc else None

    def workspace(self, route: LogRoute) -> "Workspace | None":
        doc = self.estate.resolve(route.workspace_id, WORKSPACE_TYPE,
                                  Text(f"Log Analytics workspace {arm.parse(route.workspace_id).name}",
                                       f"Log Analytics ワークスペース {arm.parse(route.workspace_id).name}"))
        return self.estate.view(Workspace, doc) if doc else None

    def evidence(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind or None, "location": self.location,
                "provisioningState": self.provisioning_state or None,
                "logAnalytics": [{"name": r.destination, "workspaceResourceId": r.workspace_id,
                                  "streams": list(r.streams)} for r in self.log_routes],
                **({"dataCollectionEndpointId": self.endpoint_id} if self.endpoint_id else {})}


class DataCollectionEndpoint:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        self.name: str = doc.get("name") or arm.parse(self.id).name
        self.location: str = str(doc.get("location") or "")
        p = _props(doc)
        self.props = p
        self.provisioning_state: str = str(p.get("provisioningState") or "")

    def _endpoint(self, group: str) -> str:
        value = self.props.get(group)
        return str(value.get("endpoint") or "") if isinstance(value, dict) else ""

    @property
    def logs_ingestion(self) -> str:
        return self._endpoint("logsIngestion")

    @property
    def configuration_access(self) -> str:
        return self._endpoint("configurationAccess")

    @property
    def public_network_access(self) -> str:
        acls = self.props.get("networkAcls")
        return str(acls.get("publicNetworkAccess") or "Enabled") if isinstance(acls, dict) else "Enabled"


class Workspace:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        self.name: str = doc.get("name") or arm.parse(self.id).name
        self.location: str = str(doc.get("location") or "")
        p = _props(doc)
        self.props = p
        self.customer_id: str = str(p.get("customerId") or "")
        self.provisioning_state: str = str(p.get("provisioningState") or "")
        self.public_ingestion: str = str(p.get("publicNetworkAccessForIngestion") or "Enabled")

    @property
    def ingestion_status(self) -> str:
        capping = self.props.get("workspaceCapping")
        return str(capping.get("dataIngestionStatus") or "") if isinstance(capping, dict) else ""

    @property
    def ingestion_stopped(self) -> bool:
        return self.ingestion_status.lower() in ("overquota", "subscriptionsuspended", "forceoff")

    def matches(self, wanted: str) -> bool:
        """``--workspace`` takes either the ARM id or the customerId GUID."""
        wanted = wanted.strip()
        return arm.key(wanted) == arm.key(self.id) or (
            bool(self.customer_id) and wanted.lower() == self.customer_id.lower())

    def evidence(self) -> dict[str, Any]:
        return {"id": self.id, "customerId": self.customer_id, "location": self.location,
                "provisioningState": self.provisioning_state or None,
                "publicNetworkAccessForIngestion": self.public_ingestion,
                **({"dataIngestionStatus": self.ingestion_status} if self.ingestion_status else {})}
