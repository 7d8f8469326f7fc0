"""The VM's network as the agent's traffic meets it: NICs, subnets, NSGs, routes, private link, DNS."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .. import arm
from ..text import Text
from ..netpath import CompiledNsg, compile_nsg
from .machine import as_list as _list, props as _props
from .estate import Estate, Incomplete, Malformed, Unknown

NIC_TYPE = "Microsoft.Network/networkInterfaces"
VNET_TYPE = "Microsoft.Network/virtualNetworks"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
NSG_TYPE = "Microsoft.Network/networkSecurityGroups"
ROUTE_TABLE_TYPE = "Microsoft.Network/routeTables"
PE_TYPE = "Microsoft.Network/privateEndpoints"
ZONE_GROUP_TYPE = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
AMPLS_TYPE = "microsoft.insights/privateLinkScopes"
SCOPED_TYPE = "microsoft.insights/privateLinkScopes/scopedResources"
ZONE_TYPE = "Microsoft.Network/privateDnsZones"
LINK_TYPE = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
A_TYPE = "Microsoft.Network/privateDnsZones/A"


def _id(value: Any) -> str:
    return str(value.get("id") or "") if isinstance(value, dict) else ""


@dataclass(frozen=True)
class IpConfig:
    name: str
    subnet_id: str
    private_ip: str
    asg_ids: tuple[str, ...]


class NetworkInterface:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id, self.name = doc["id"], doc.get("name") or arm.parse(doc["id"]).name
        p = _props(doc)
        self.nsg_id = _id(p.get("networkSecurityGroup"))
        self.ip_configs = [IpConfig(str(c.get("name") or ""), _id(_props(c).get("subnet")),
                                    str(_props(c).get("privateIPAddress") or ""),
                                    tuple(_id(a) for a in _list(_props(c).get("applicationSecurityGroups"))))
                           for c in _list(p.get("ipConfigurations")) if isinstance(c, dict)]
        dns = p.get("dnsSettings") if isinstance(p.get("dnsSettings"), dict) else {}
        self.dns_servers = [str(s) for s in _list(dns.get("dnsServers"))]


class Subnet:
    def __init__(self, estate: Estate, vnet: "VirtualNetwork", doc: dict[str, Any]):
        self.estate, self.vnet, self.doc = estate, vnet, doc
        self.id = str(doc.get("id") or "")
        self.name = str(doc.get("name") or arm.parse(self.id).name)
        p = _props(doc)
        self.prefixes = [str(x) for x in ([p["addressPrefix"]] if p.get("addressPrefix") else [])
                         + _list(p.get("addressPrefixes"))]
        self.nsg_id = _id(p.get("networkSecurityGroup"))
        self.route_table_id = _id(p.get("routeTable"))


class VirtualNetwork:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id, self.name = doc["id"], doc.get("name") or arm.parse(doc["id"]).name
        p = _props(doc)
        space = p.get("addressSpace") if isinstance(p.get("addressSpace"), dict) else {}
        self.prefixes = [str(x) for x in _list(space.get("addressPrefixes"))]
        dhcp = p.get("dhcpOptions") if isinstance(p.get("dhcpOptions"), dict) else {}
        self.dns_servers = [str(s) for s in _list(dhcp.get("dnsServers"))]
        inline = {arm.key(s.get("id")): s for s in _list(p.get("subnets")) if isinstance(s, dict)}
        for child in estate.children(self.id, SUBNET_TYPE):   # standalone subnet documents win
            inline[arm.key(child["id"])] = child
        self.subnets = {k: Subnet(estate, self, d) for k, d in inline.items()}

    @property
    def private_endpoints(self) -> list["PrivateEndpoint"]:
        return endpoints_by_vnet(self.estate).get(arm.key(self.id), [])


@dataclass(frozen=True)
class Connection:
    target_id: str
    group_ids: tuple[str, ...]
    status: str

    @property
    def is_ampls(self) -> bool:
        return "azuremonitor" in {g.lower() for g in self.group_ids} or \
            arm.parse(self.target_id).type.lower() == AMPLS_TYPE.lower()


class PrivateEndpoint:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id, self.name = doc["id"], doc.get("name") or arm.parse(doc["id"]).name
        p = _props(doc)
        self.subnet_id = _id(p.get("subnet"))
        self.vnet_id = arm.parent(self.subnet_id) if self.subnet_id else ""
        self.connections = []
        for c in _list(p.get("privateLinkServiceConnections")) + _list(p.get("manualPrivateLinkServiceConnections")):
            cp = _props(c)
            state = cp.get("privateLinkServiceConnectionState") or {}
            self.connections.append(Connection(str(cp.get("privateLinkServiceId") or ""),
                                               tuple(str(g) for g in _list(cp.get("groupIds"))),
                                               str(state.get("status") or "") if isinstance(state, dict) else ""))
        self.dns_configs: dict[str, list[str]] = {}
        for cfg in _list(p.get("customDnsConfigs")):
            if isinstance(cfg, dict) and cfg.get("fqdn"):
                self.dns_configs[str(cfg["fqdn"]).lower().rstrip(".")] = [str(i) for i in _list(cfg.get("ipAddresses"))]

    @property
    def ampls_connections(self) -> list[Connection]:
        return [c for c in self.connections if c.is_ampls]

    @property
    def ips(self) -> set[str]:
        return {ip for ips in self.dns_configs.values() for ip in ips}

    @cached_property
    def zone_ids(self) -> list[str]:
        """Private DNS zones this endpoint's zone groups write its records into."""
        groups = self.estate.children_known(self.id, ZONE_GROUP_TYPE,
                                            Text(f"the DNS zone groups of private endpoint {self.name}",
                                                 f"プライベート エンドポイント {self.name} の DNS ゾーン グループ")) + [
            g for g in _list(_props(self.doc).get("privateDnsZoneGroups")) if isinstance(g, dict)]
        return [str(_props(cfg).get("privateDnsZoneId")) for g in groups
                for cfg in _list(_props(g).get("privateDnsZoneConfigs")) if _props(cfg).get("privateDnsZoneId")]


class PrivateLinkScope:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id, self.name = doc["id"], doc.get("name") or arm.parse(doc["id"]).name
        p = _props(doc)
        modes = p.get("accessModeSettings") if isinstance(p.get("accessModeSettings"), dict) else {}
        self.ingestion_access_mode = str(modes.get("ingestionAccessMode") or "Open")

    @cached_property
    def scoped_ids(self) -> set[str]:
        docs = self.estate.children_known(self.id, SCOPED_TYPE, Text(f"the resources scoped to AMPLS {self.name}",
                                                                         f"AMPLS {self.name} のスコープ内リソース"))
        return {arm.key(_props(d).get("linkedResourceId")) for d in docs if _props(d).get("linkedResourceId")}


class PrivateDnsZone:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id, self.name = doc["id"], str(doc.get("name") or arm.parse(doc["id"]).name).lower()

    @cached_property
    def links(self) -> dict[str, str]:
        """Linked VNet id (key) -> virtualNetworkLinkState."""
        docs = self.estate.children_known(self.id, LINK_TYPE, Text(f"the VNet links of private DNS zone {self.name}",
                                                                      f"プライベート DNS ゾーン {self.name} の仮想ネットワーク リンク"))
        return {arm.key(_id(_props(d).get("virtualNetwork"))): str(_props(d).get("virtualNetworkLinkState") or "")
                for d in docs}

    @cached_property
    def a_records(self) -> dict[str, list[str]]:
        docs = self.estate.children_known(self.id, A_TYPE, Text(f"the A records of private DNS zone {self.name}",
                                                                   f"プライベート DNS ゾーン {self.name} の A レコード"))
        out = {}
        for d in docs:
            name = str(d.get("name") or arm.parse(d["id"]).name).lower()
            out[name] = [str(r.get("ipv4Address")) for r in _list(_props(d).get("aRecords")) if isinstance(r, dict)]
        return out


# -- estate-wide indexes, built once ----------------------------------------------------------
def _index(estate: Estate, name: str, resource_type: str, entries) -> dict[str, list]:
    """A derived index built once per estate: key -> items, from every document of one type."""
    def build():
        index: dict[str, list] = defaultdict(list)
        for doc in estate.of_type(resource_type):
            for key, item in entries(doc):
                index[key].append(item)
        return index
    return estate.memo(name, build)


def endpoints_by_vnet(estate: Estate) -> dict[str, list[PrivateEndpoint]]:
    def entries(doc):
        pe = estate.view(PrivateEndpoint, doc)
        yield arm.key(pe.vnet_id), pe
    return _index(estate, "pe-by-vnet", PE_TYPE, entries)


def endpoints_by_zone(estate: Estate) -> dict[str, list[PrivateEndpoint]]:
    """Private DNS zone -> the endpoints whose zone groups write into it. An endpoint whose zone groups
    could not be read is left out here and listed by :func:`endpoints_zones_unknown`."""
    def entries(doc):
        pe = estate.view(PrivateEndpoint, doc)
        try:
            zone_ids = pe.zone_ids
        except Unknown:
            return ()
        return ((arm.key(zone_id), pe) for zone_id in zone_ids)
    return _index(estate, "pe-by-zone", PE_TYPE, entries)


def endpoints_zones_unknown(estate: Estate) -> list[tuple[PrivateEndpoint, Unknown]]:
    """AMPLS endpoints whose zone groups could not be read: any of them may be a machine's DNS path
    (and discovery may not have found the zones they write to, so no link shows it either)."""
    def build():
        out = []
        for doc in estate.of_type(PE_TYPE):
            pe = estate.view(PrivateEndpoint, doc)
            if not pe.ampls_connections:
                continue
            try:
                pe.zone_ids
            except Unknown as unknown:
                out.append((pe, unknown))
        return out
    return estate.memo("pe-zones-unknown", build)


def zones_by_vnet(estate: Estate) -> dict[str, list[str]]:
    """VNet -> ids of private DNS zones linked to it (from the link documents)."""
    def entries(doc):
        yield arm.key(_id(_props(doc).get("virtualNetwork"))), arm.parent(doc["id"])
    return _index(estate, "zones-by-vnet", LINK_TYPE, entries)


def zones_by_name(estate: Estate) -> dict[str, list[PrivateDnsZone]]:
    def entries(doc):
        zone = estate.view(PrivateDnsZone, doc)
        yield zone.name, zone
    return _index(estate, "zones-by-name", ZONE_TYPE, entries)


class NsgRules:
    """An NSG's rules parsed once per estate; its decisions are memoized across the VMs sharing it."""

    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.compiled = compile_nsg(doc)


def nsg_rules(estate: Estate, doc: dict[str, Any] | None) -> CompiledNsg | None:
    """The compiled form of an NSG document (``ValueError`` if a rule is malformed), one per estate."""
    return estate.view(NsgRules, doc).compiled if doc is not None else None


# -- the VM's view ------------------------------------------------------------------------------
def _nsg(nsg_id: str) -> Text:
    name = arm.parse(nsg_id).name
    return Text(f"NSG {name}", f"NSG {name}")


@dataclass(frozen=True)
class Placement:
    """Where one IP configuration of the VM sits."""
    nic: NetworkInterface
    ip: IpConfig
    subnet: Subnet


@dataclass(frozen=True)
class Egress:
    """One way out of the VM: a NIC's IP configuration in a subnet, with the NSGs and routes it meets."""
    nic: NetworkInterface
    ip: IpConfig
    subnet: Subnet
    nic_nsg: dict[str, Any] | None
    subnet_nsg: dict[str, Any] | None
    route_table: dict[str, Any] | None

    @property
    def nic_rules(self) -> CompiledNsg | None:
        """``nic_nsg`` parsed (shared by every VM behind that NSG); pass it to ``netpath.evaluate_*``."""
        return nsg_rules(self.nic.estate, self.nic_nsg)

    @property
    def subnet_rules(self) -> CompiledNsg | None:
        return nsg_rules(self.nic.estate, self.subnet_nsg)


@dataclass(frozen=True)
class PrivateLinkPath:
    endpoint: PrivateEndpoint
    connection: Connection
    scope: PrivateLinkScope | None      # None: the AMPLS it points at does not exist
    via: str                            # "vnet": the endpoint is in the VM's VNet; "dns": a linked zone


class NetworkView:
    """The network questions every kind of machine answers: where its traffic starts (:attr:`vnets`),
    and the private link and DNS that follow from there. Kinds whose network ARM does not show
    (Arc) say why in :attr:`egress_outside_arm`."""

    egress_outside_arm: Text | None = None
    dns_outside_arm: Text | None = None     # the machine's DNS is where ARM cannot see it

    def __init__(self, vm):
        self.vm, self.estate = vm, vm.estate

    @property
    def vnets(self) -> list[VirtualNetwork]:
        raise NotImplementedError

    @property
    def custom_dns_servers(self) -> dict[str, list[str]]:
        return {}

    @cached_property
    def private_link_paths(self) -> list[PrivateLinkPath]:
        """AMPLS private endpoints the machine's names resolve to: in its VNets, or via a linked private zone."""
        candidates: dict[str, tuple[PrivateEndpoint, str]] = {}
        for vnet in self.vnets:
            for pe in vnet.private_endpoints:
                candidates.setdefault(arm.key(pe.id), (pe, "vnet"))
            for zone_id in zones_by_vnet(self.estate).get(arm.key(vnet.id), []):
                for pe in endpoints_by_zone(self.estate).get(arm.key(zone_id), []):
                    candidates.setdefault(arm.key(pe.id), (pe, "dns"))
        # An AMPLS endpoint elsewhere whose zone groups are unknown may put its records in a zone
        # linked here: the set of paths is not known, so neither "none" nor "only these" is.
        for pe, unknown in endpoints_zones_unknown(self.estate):
            if arm.key(pe.id) not in candidates:
                raise unknown
        paths = []
        for pe, via in candidates.values():
            for conn in pe.ampls_connections:
                doc = self.estate.resolve(conn.target_id, AMPLS_TYPE,
                                          Text(f"Azure Monitor private link scope {arm.parse(conn.target_id).name}",
                                               f"Azure Monitor プライベート リンク スコープ {arm.parse(conn.target_id).name}"))
                paths.append(PrivateLinkPath(pe, conn, self.estate.view(PrivateLinkScope, doc) if doc else None, via))
        return paths

    def zone(self, zone_id: str) -> PrivateDnsZone | None:
        doc = self.estate.resolve(zone_id, ZONE_TYPE, Text(f"private DNS zone {arm.parse(zone_id).name}",
                                                                f"プライベート DNS ゾーン {arm.parse(zone_id).name}"))
        return self.estate.view(PrivateDnsZone, doc) if doc else None


class VmNetwork(NetworkView):
    """Network questions about one VM; reached as ``vm.network``.

    Two layers, so that a failed read only touches the verdicts it could change: *where the VM
    sits* (:attr:`placements`: NICs, their IP configurations, subnets and VNets; what private link
    and DNS depend on) and *what its traffic meets* (:attr:`egress`: the NSGs and route tables on
    top, what only the network step needs). Neither ever comes back empty: a VM always has a NIC,
    a NIC an IP configuration, an IP configuration a subnet; where the snapshot lacks one of them
    the answer is *could not evaluate*, never "nothing to check".
    """

    @cached_property
    def nics(self) -> list[NetworkInterface]:
        if not self.vm.nic_ids:
            raise Malformed(Text(f"the network interfaces of VM {self.vm.name}",
                                 f"VM {self.vm.name} のネットワーク インターフェイス"),
                            "the VM document lists no network interface (properties.networkProfile."
                            "networkInterfaces); every Azure VM has at least one", self.vm.id)
        out = []
        for nic_id in self.vm.nic_ids:
            name = arm.parse(nic_id).name
            doc = self.estate.present(nic_id, NIC_TYPE, Text(f"network interface {name}",
                                                             f"ネットワーク インターフェイス {name}"),
                                      Text(f"VM {self.vm.name}", f"VM {self.vm.name}"))
            out.append(self.estate.view(NetworkInterface, doc))
        return out

    @cached_property
    def placements(self) -> list[Placement]:
        """Each IP configuration of each NIC, in its subnet (the subnet's VNet read)."""
        out = []
        for nic in self.nics:
            referrer = Text(f"network interface {nic.name}", f"ネットワーク インターフェイス {nic.name}")
            if not nic.ip_configs:
                raise Malformed(referrer, "it has no IP configuration (properties.ipConfigurations); Azure requires "
                                          "at least one", nic.id)
            for ip in nic.ip_configs:
                if not ip.subnet_id:
                    raise Malformed(referrer, f"its IP configuration {ip.name or '?'} names no subnet", nic.id)
                vnet_id = arm.parent(ip.subnet_id)
                vnet_name = arm.parse(vnet_id).name
                vnet = self.estate.view(VirtualNetwork, self.estate.present(
                    vnet_id, VNET_TYPE, Text(f"virtual network {vnet_name}", f"仮想ネットワーク {vnet_name}"), referrer))
                subnet = vnet.subnets.get(arm.key(ip.subnet_id))
                if subnet is None:
                    name = arm.parse(ip.subnet_id).name
                    raise Incomplete(Text(f"subnet {name} of virtual network {vnet_name}",
                                          f"仮想ネットワーク {vnet_name} のサブネット {name}"), ip.subnet_id, referrer)
                out.append(Placement(nic, ip, subnet))
        return out

    def _attached(self, resource_id: str, resource_type: str, what: Text, referrer: Text) -> dict[str, Any] | None:
        """An NSG or route table that a NIC or subnet names (None when it names none)."""
        return self.estate.present(resource_id, resource_type, what, referrer) if resource_id else None

    @cached_property
    def egress(self) -> list[Egress]:
        out = []
        for place in self.placements:
            nic, subnet = place.nic, place.subnet
            at_nic = Text(f"network interface {nic.name}", f"ネットワーク インターフェイス {nic.name}")
            at_subnet = Text(f"subnet {subnet.name}", f"サブネット {subnet.name}")
            nic_nsg = self._attached(nic.nsg_id, NSG_TYPE, _nsg(nic.nsg_id), at_nic)
            subnet_nsg = self._attached(subnet.nsg_id, NSG_TYPE, _nsg(subnet.nsg_id), at_subnet)
            name = arm.parse(subnet.route_table_id).name
            routes = self._attached(subnet.route_table_id, ROUTE_TABLE_TYPE,
                                    Text(f"route table {name}", f"ルート テーブル {name}"), at_subnet)
            out.append(Egress(nic, place.ip, subnet, nic_nsg, subnet_nsg, routes))
        return out

    @cached_property
    def vnets(self) -> list[VirtualNetwork]:
        found: dict[str, VirtualNetwork] = {}
        for place in self.placements:
            found.setdefault(arm.key(place.subnet.vnet.id), place.subnet.vnet)
        return list(found.values())

    @property
    def custom_dns_servers(self) -> dict[str, list[str]]:
        """Where the VM's DNS does not go to Azure DNS: resource name -> servers."""
        out = {}
        for vnet in self.vnets:
            if vnet.dns_servers:
                out[f"VNet {vnet.name}"] = vnet.dns_servers
        for nic in self.nics:
            if nic.dns_servers:
                out[f"NIC {nic.name}"] = nic.dns_servers
        return out
