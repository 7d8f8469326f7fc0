"""Azure Arc-enabled servers (``Microsoft.HybridCompute/machines``): machines outside Azure, run by the
Connected Machine agent, with AMA installed as an Arc extension.

What ARM knows of them differs from a VM's: no power state but a connection status; no NSG or route on
their path (their network is on premises or in another cloud); private link through an Arc Private Link
Scope beside AMPLS; only a system-assigned identity. Each of those is answered here, so the checks stay
the same for every kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .. import arm
from ..snapshot import parse_time
from ..text import Text
from .compute import Extension
from .estate import Estate, Unknown
from .machine import AMA_PUBLISHER, AMA_TYPES, AgentService, Liveness, Machine, Proxy, as_list, machine_kind, os_family, props
from ..endpoints import arc_endpoints, arc_private_dns_zones
from .network import NetworkView, PrivateEndpoint, VirtualNetwork, PE_TYPE, VNET_TYPE

ARC_TYPE = "Microsoft.HybridCompute/machines"
ARC_EXTENSION_TYPE = "Microsoft.HybridCompute/machines/extensions"
ARC_SCOPE_TYPE = "Microsoft.HybridCompute/privateLinkScopes"
ARC_GROUP = "hybridcompute"


def _version_from(text: str) -> str:
    """"Ubuntu 22.04.4 LTS" -> "22.04.4"; "SUSE Linux Enterprise Server 15 SP5" -> "15"."""
    match = re.search(r"\b(\d+(?:\.\d+)*)\b", text or "")
    return match.group(1) if match else ""


@machine_kind
class ArcMachine(Machine):
    kind = "arc"
    noun = Text("Arc-enabled server", "Arc 対応サーバー")
    resource_type = ARC_TYPE
    managed_as = "hybridMachines"
    inventory = (("Microsoft.HybridCompute/machines/read", None),)
    # "System-assigned managed identity is the only supported authentication for Azure Arc-enabled
    # servers" (Learn, Azure Monitor Agent requirements).
    supports_user_assigned = False

    # -- what it runs --------------------------------------------------------------------
    @cached_property
    def os_type(self) -> str | None:       # type: ignore[override]
        return os_family(self.props.get("osType")) or os_family(self.props.get("osName"))

    @property
    def guest_os(self) -> tuple[str, str] | None:       # type: ignore[override]
        """The OS as the agent reports it. ``osName`` is only "linux"/"windows"; ``osSku`` is the
        product ("Ubuntu 22.04.4 LTS", "Windows Server 2022 Datacenter"), so it is what is judged,
        with the version it carries (a Linux ``osVersion`` is the kernel's)."""
        sku = str(self.props.get("osSku") or "").strip()
        if sku:
            version = _version_from(sku) if self.os_type != "Windows" else str(self.props.get("osVersion") or "")
            return sku, version
        name = str(self.props.get("osName") or "").strip()
        return (name, str(self.props.get("osVersion") or "").strip()) if name else None

    @property
    def image(self) -> dict[str, str]:       # type: ignore[override]
        return {}                            # no marketplace image outside Azure

    # -- is it up ------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return str(self.props.get("status") or "").strip()

    @cached_property
    def liveness(self) -> Liveness:       # type: ignore[override]
        if not self.status:
            raise Unknown(Text(f"the connection status of {self.label.en}", f"{self.label.ja} の接続状態"),
                          {"operation": f"{ARC_TYPE}/read", "scope": self.id,
                           "message": "the snapshot's document has no properties.status"})
        return Liveness(self.status.lower() == "connected", self.status, self.status,
                        parse_time(self.props.get("lastStatusChange")))

    @property
    def error_details(self) -> list[str]:
        """What the agent reported about its trouble (``properties.errorDetails``)."""
        out = []
        for item in as_list(self.props.get("errorDetails")):
            if isinstance(item, dict) and (item.get("code") or item.get("message")):
                out.append(": ".join(str(item[k]) for k in ("code", "message") if item.get(k)))
        return out

    @property
    def agent_service(self) -> AgentService | None:
        statuses = self.props.get("serviceStatuses")
        service = statuses.get("extensionService") if isinstance(statuses, dict) else None
        if not isinstance(service, dict) or not service.get("status"):
            return None
        status = str(service["status"])
        return AgentService(Text("Arc extension service (extensionservice)", "Arc 拡張機能サービス (extensionservice)"),
                            status.lower() == "running", status, str(self.props.get("agentVersion") or ""))

    @property
    def agent_version(self) -> str | None:
        version = self.props.get("agentVersion")
        return str(version) if version else None

    # -- extensions ----------------------------------------------------------------------
    @cached_property
    def extensions(self) -> list[Extension]:       # type: ignore[override]
        docs = self.estate.children_known(self.id, ARC_EXTENSION_TYPE,
                                          Text(f"the extensions of {self.label.en}", f"{self.label.ja} の拡張機能"))
        if not docs:     # the machine's GET lists them (read-only) under "resources"
            docs = [r for r in as_list(self.doc.get("resources"))
                    if isinstance(r, dict) and str(r.get("type", "")).lower() == ARC_EXTENSION_TYPE.lower()]
        return [Extension(self.estate, doc) for doc in docs]

    @property
    def agent_configuration(self) -> dict[str, Any]:
        config = self.props.get("agentConfiguration")
        return config if isinstance(config, dict) else {}

    @property
    def extension_lists(self) -> tuple[list[str], list[str]]:
        """The local agent configuration's extension allow and block lists (``publisher/type`` entries)."""
        config = self.agent_configuration
        return tuple([str(x).strip() for x in as_list(config.get(key)) if str(x).strip()]      # type: ignore[return-value]
                     for key in ("extensionsAllowList", "extensionsBlockList"))

    @property
    def extensions_blocked(self) -> Text | None:       # type: ignore[override]
        """The local agent configuration (``azcmagent config``) that keeps AMA off the machine."""
        config = self.agent_configuration
        enabled = config.get("extensionsEnabled")
        if enabled is False or str(enabled).strip().lower() == "false":
            return Text("extensions are disabled on the machine (agentConfiguration.extensionsEnabled: false)",
                        "マシンで拡張機能が無効になっています (agentConfiguration.extensionsEnabled: false)")
        wanted = {f"{AMA_PUBLISHER}/{t}".lower() for t in AMA_TYPES.values()
                  if self.os_type is None or t == self.expected_ama_type}
        allow, block = self.extension_lists
        if allow and not wanted & {a.lower() for a in allow}:
            return Text(f"the machine's extension allow list ({', '.join(allow)}) does not include AMA",
                        f"マシンの拡張機能の許可リスト ({', '.join(allow)}) に AMA が含まれていません")
        if wanted & {b.lower() for b in block}:
            return Text(f"the machine's extension block list ({', '.join(block)}) includes AMA",
                        f"マシンの拡張機能のブロック リスト ({', '.join(block)}) に AMA が含まれています")
        return None

    # -- network -------------------------------------------------------------------------
    @cached_property
    def network(self) -> "ArcNetwork":
        return ArcNetwork(self)

    @property
    def proxy(self) -> Proxy | None:       # type: ignore[override]
        url = str(self.agent_configuration.get("proxyUrl") or "").strip()
        if not url:
            return None
        bypass = tuple(str(x).strip() for x in as_list(self.agent_configuration.get("proxyBypass")) if str(x).strip())
        return Proxy(url, bypass)

    def own_endpoints(self) -> list:       # type: ignore[override]
        return arc_endpoints(self.estate.cloud, self.location)

    @property
    def private_link_scope_id(self) -> str:
        return str(self.props.get("privateLinkScopeResourceId") or "").strip()

    @cached_property
    def host_private_link(self) -> "ArcPrivateLink | None":       # type: ignore[override]
        return ArcPrivateLink(self) if self.private_link_scope_id else None

    def facts(self) -> dict[str, Any]:
        return {**super().facts(), "status": self.status or None, "agentVersion": self.agent_version}


# -- Arc private link --------------------------------------------------------------------------
@dataclass(frozen=True)
class ArcConnection:
    """One private endpoint connection of an Arc Private Link Scope (kept inline in the scope)."""
    id: str
    endpoint_id: str
    status: str
    group_ids: tuple[str, ...]


class ArcScope:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id, self.name = doc["id"], doc.get("name") or arm.parse(doc["id"]).name
        self.location = str(doc.get("location") or "")
        p = props(doc)
        self.connections = []
        for c in as_list(p.get("privateEndpointConnections")):
            cp = props(c)
            endpoint = cp.get("privateEndpoint") if isinstance(cp.get("privateEndpoint"), dict) else {}
            state = cp.get("privateLinkServiceConnectionState")
            self.connections.append(ArcConnection(
                str(c.get("id") or "") if isinstance(c, dict) else "", str(endpoint.get("id") or ""), str(state.get("status") or "") if isinstance(state, dict) else "",
                tuple(str(g) for g in as_list(cp.get("groupIds")))))


def _region(value: str) -> str:
    return value.replace(" ", "").lower()


class ArcPrivateLink:
    """The machine's Arc Private Link Scope and the private endpoints that serve it.

    Arc's private link covers the Arc services (``his``, ``guestconfiguration``); AMA's data still needs
    AMPLS, reached from the same VNets (:class:`ArcNetwork`)."""

    def __init__(self, machine: ArcMachine):
        self.machine, self.estate = machine, machine.estate
        self.scope_id = machine.private_link_scope_id

    @cached_property
    def scope(self) -> ArcScope | None:
        """None when it does not exist; Unknown when its read failed."""
        name = arm.parse(self.scope_id).name
        doc = self.estate.resolve(self.scope_id, ARC_SCOPE_TYPE,
                                  Text(f"Azure Arc private link scope {name}", f"Azure Arc プライベート リンク スコープ {name}"))
        return self.estate.view(ArcScope, doc) if doc is not None else None

    @property
    def same_region(self) -> bool:
        return self.scope is not None and _region(self.scope.location) == _region(self.machine.location)

    def _groups(self, connection: ArcConnection, endpoint: PrivateEndpoint | None) -> set[str]:
        groups = {g.lower() for g in connection.group_ids}
        if endpoint is not None:
            groups |= {g.lower() for c in endpoint.connections if arm.key(c.target_id) == arm.key(self.scope_id)
                       for g in c.group_ids}
        return groups

    def endpoint(self, connection: ArcConnection) -> PrivateEndpoint | None:
        if not connection.endpoint_id:
            return None
        name = arm.parse(connection.endpoint_id).name
        doc = self.estate.resolve(connection.endpoint_id, PE_TYPE,
                                  Text(f"private endpoint {name}", f"プライベート エンドポイント {name}"))
        return self.estate.view(PrivateEndpoint, doc) if doc is not None else None

    @cached_property
    def approved(self) -> list[tuple[ArcConnection, PrivateEndpoint]]:
        """Approved connections for the ``hybridcompute`` group, with their endpoints. An Arc scope
        offers no other group, so a connection that records none is taken as that one."""
        out = []
        for connection in self.scope.connections if self.scope else ():
            if connection.status.lower() != "approved":
                continue
            endpoint = self.endpoint(connection)
            groups = self._groups(connection, endpoint)
            if endpoint is not None and (not groups or ARC_GROUP in groups):
                out.append((connection, endpoint))
        return out

    @property
    def endpoints(self) -> list[PrivateEndpoint]:
        return [pe for _, pe in self.approved]

    @staticmethod
    def dns_zones(cloud: str) -> dict[str, str]:
        """The private DNS zones this private link needs (besides AMPLS's): zone -> what it maps."""
        return arc_private_dns_zones(cloud)



class ArcNetwork(NetworkView):
    """An Arc server's network is not in ARM; what ARM does show is where its private endpoints are:
    the VNets of its Arc Private Link Scope's endpoints, which its traffic reaches over VPN or
    ExpressRoute, and from which AMPLS is reached too."""

    egress_outside_arm = Text(
        "an Azure Arc-enabled server's network is on premises or in another cloud: ARM shows no NSG, route "
        "table or firewall on its path, so egress cannot be judged from it",
        "Azure Arc 対応サーバーのネットワークはオンプレミスまたは他のクラウドにあり、経路上の NSG、ルート テーブル、"
        "ファイアウォールは ARM からは見えないため、ARM の情報では送信可否を判定できません")

    @cached_property
    def vnets(self) -> list[VirtualNetwork]:
        link = self.vm.host_private_link
        found: dict[str, VirtualNetwork] = {}
        for endpoint in link.endpoints if link else ():
            if not endpoint.vnet_id:
                continue
            name = arm.parse(endpoint.vnet_id).name
            doc = self.estate.resolve(endpoint.vnet_id, VNET_TYPE, Text(f"virtual network {name}", f"仮想ネットワーク {name}"))
            if doc is not None:
                found.setdefault(arm.key(doc["id"]), self.estate.view(VirtualNetwork, doc))
        return list(found.values())

    @property
    def custom_dns_servers(self) -> dict[str, list[str]]:
        return {}             # its DNS is on premises: not in ARM (dns_outside_arm says so)

    dns_outside_arm = Text(
        "the server resolves names with its own (on-premises) DNS, which ARM does not show: the private zones "
        "only help if that DNS forwards the privatelink zones' public names to Azure DNS through a resolver or "
        "forwarder in the linked VNet",
        "サーバーは自身の (オンプレミスの) DNS で名前解決しますが、これは ARM からは見えません。プライベート ゾーンが"
        "有効になるのは、その DNS が privatelink ゾーンの公開名を、リンクされた VNet 内のリゾルバーまたはフォワーダー"
        "経由で Azure DNS に転送している場合のみです")
