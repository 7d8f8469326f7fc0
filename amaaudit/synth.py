"""ARM-shaped documents for synthetic estates: the demo, the scenario tests, the benchmarks.

Every document has the shape a real ``GET`` returns (see shared/reference/arm-examples), so
what is built here exercises the same parser as a live capture. Nothing here is used on the
path that checks a real estate.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from . import arm
from .snapshot import FORMAT, parse_time

Doc = dict[str, Any]


def guid(*seed: str) -> str:
    return str(uuid.UUID(hashlib.sha1("/".join(seed).encode()).hexdigest()[:32]))


def rid(sub: str, rg: str, provider_type: str, *names: str) -> str:
    provider, *types = provider_type.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names))
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{path}"


def _identity(doc: Doc, identity: str | None, user_identities: list[Doc]) -> None:
    """A VM's or scale set's ``identity``: system-assigned (with its principal) and/or user-assigned ones."""
    if not identity and not user_identities:
        return
    kinds = [k for k in (identity,) if k] + (["UserAssigned"] if user_identities else [])
    doc["identity"] = {"type": ", ".join(dict.fromkeys(kinds))}
    if identity == "SystemAssigned":
        doc["identity"].update(principalId=guid("pid", doc["id"]), tenantId=guid("tenant"))
    if user_identities:
        doc["identity"]["userAssignedIdentities"] = {
            u["id"]: {"principalId": u["properties"]["principalId"], "clientId": u["properties"]["clientId"]}
            for u in user_identities}


class EstateBuilder:
    def __init__(self, captured_at: str = "2026-11-25T09:00:00Z", cloud: str = "AzureCloud",
                 source: dict[str, Any] | None = None):
        self.captured_at = captured_at
        self.now = parse_time(captured_at)
        self.cloud = cloud
        self.source = source or {"kind": "synthetic"}
        self.resources: list[Doc] = []
        self.heartbeats: list[dict[str, Any]] | None = []
        self.heartbeat_workspaces: list[str] | None = None
        self.errors: list[dict[str, Any]] = []

    def add(self, doc: Doc) -> Doc:
        self.resources.append(doc)
        return doc

    # -- monitoring ----------------------------------------------------------------------
    def workspace(self, sub: str, rg: str, name: str, location: str = "japaneast",
                  public_ingestion: str = "Enabled", ingestion_status: str | None = None) -> Doc:
        props: dict[str, Any] = {"customerId": guid("ws", sub, rg, name), "provisioningState": "Succeeded",
                                 "sku": {"name": "PerGB2018"}, "retentionInDays": 30,
                                 "publicNetworkAccessForIngestion": public_ingestion,
                                 "publicNetworkAccessForQuery": "Enabled",
                                 "workspaceCapping": {"dailyQuotaGb": -1.0,
                                                      "dataIngestionStatus": ingestion_status or "RespectQuota"}}
        return self.add({"id": rid(sub, rg, "Microsoft.OperationalInsights/workspaces", name), "name": name,
                         "type": "Microsoft.OperationalInsights/workspaces", "location": location,
                         "properties": props})

    def dce(self, sub: str, rg: str, name: str, location: str = "japaneast", public: str = "Enabled") -> Doc:
        unique = guid("dce", name)[:4]
        return self.add({
            "id": rid(sub, rg, "Microsoft.Insights/dataCollectionEndpoints", name), "name": name,
            "type": "Microsoft.Insights/dataCollectionEndpoints", "location": location,
            "properties": {
                "configurationAccess": {"endpoint": f"https://{name}-{unique}.{location}-1.handler.control.monitor.azure.com"},
                "logsIngestion": {"endpoint": f"https://{name}-{unique}.{location}-1.ingest.monitor.azure.com"},
                "metricsIngestion": {"endpoint": f"https://{name}-{unique}.{location}-1.metrics.ingest.monitor.azure.com"},
                "networkAcls": {"publicNetworkAccess": public}, "provisioningState": "Succeeded",
                "immutableId": f"dce-{guid('dce-imm', name).replace('-', '')}"}})

    def dcr(self, sub: str, rg: str, name: str, workspaces: list[Doc], location: str = "japaneast",
            kind: str | None = "Linux", dce: Doc | None = None, streams: list[str] | None = None,
            flows: bool = True) -> Doc:
        if streams is None:
            streams = ["Microsoft-Syslog"] if kind == "Linux" else ["Microsoft-Event"]
        destinations = [{"name": f"la-{i}", "workspaceResourceId": ws["id"],
                         "workspaceId": ws["properties"]["customerId"]} for i, ws in enumerate(workspaces)]
        sources: dict[str, Any] = {}
        if kind != "Windows":
            sources["syslog"] = [{"name": "syslog", "streams": ["Microsoft-Syslog"],
                                  "facilityNames": ["auth", "daemon", "syslog"], "logLevels": ["Warning", "Error"]}]
        if kind != "Linux":
            sources["windowsEventLogs"] = [{"name": "events", "streams": ["Microsoft-Event"],
                                            "xPathQueries": ["System!*[System[(Level=1 or Level=2)]]"]}]
        props: dict[str, Any] = {
            "immutableId": f"dcr-{guid('dcr', name).replace('-', '')}", "dataSources": sources,
            "destinations": {"logAnalytics": destinations},
            "dataFlows": [{"streams": streams, "destinations": [d["name"] for d in destinations]}] if flows and destinations else [],
            "provisioningState": "Succeeded"}
        if dce is not None:
            props["dataCollectionEndpointId"] = dce["id"]
        doc = {"id": rid(sub, rg, "Microsoft.Insights/dataCollectionRules", name), "name": name,
               "type": "Microsoft.Insights/dataCollectionRules", "location": location, "properties": props}
        if kind:
            doc["kind"] = kind
        return self.add(doc)

    def associate(self, vm: Doc, rule: Doc | None = None, name: str | None = None,
                  rule_id: str | None = None, endpoint: Doc | None = None) -> Doc:
        props: dict[str, Any] = {"provisioningState": "Succeeded"}
        if endpoint is not None:
            name = name or "configurationAccessEndpoint"
            props["dataCollectionEndpointId"] = endpoint["id"]
        else:
            target = rule_id or rule["id"]
            name = name or f"dcra-{arm.parse(target).name}"
            props["dataCollectionRuleId"] = target
        return self.add({"id": f"{vm['id']}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}",
                         "name": name, "type": "Microsoft.Insights/dataCollectionRuleAssociations",
                         "properties": props})

    # -- network -------------------------------------------------------------------------
    def nsg(self, sub: str, rg: str, name: str, rules: list[dict[str, Any]] = (), location: str = "japaneast") -> Doc:
        nid = rid(sub, rg, "Microsoft.Network/networkSecurityGroups", name)

        def rule(spec: dict[str, Any], default: bool = False) -> Doc:
            kind = "defaultSecurityRules" if default else "securityRules"
            props = {"protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
                     "sourcePortRange": "*", "destinationPortRange": "*", "direction": "Outbound",
                     "provisioningState": "Succeeded", **{k: v for k, v in spec.items() if k != "name"}}
            return {"id": f"{nid}/{kind}/{spec['name']}", "name": spec["name"],
                    "type": f"Microsoft.Network/networkSecurityGroups/{kind}", "properties": props}

        defaults = [
            {"name": "AllowVnetInBound", "access": "Allow", "priority": 65000, "direction": "Inbound",
             "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork"},
            {"name": "AllowAzureLoadBalancerInBound", "access": "Allow", "priority": 65001, "direction": "Inbound",
             "sourceAddressPrefix": "AzureLoadBalancer"},
            {"name": "DenyAllInBound", "access": "Deny", "priority": 65500, "direction": "Inbound"},
            {"name": "AllowVnetOutBound", "access": "Allow", "priority": 65000,
             "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork"},
            {"name": "AllowInternetOutBound", "access": "Allow", "priority": 65001,
             "destinationAddressPrefix": "Internet"},
            {"name": "DenyAllOutBound", "access": "Deny", "priority": 65500},
        ]
        return self.add({"id": nid, "name": name, "type": "Microsoft.Network/networkSecurityGroups",
                         "location": location,
                         "properties": {"securityRules": [rule(r) for r in rules],
                                        "defaultSecurityRules": [rule(r, True) for r in defaults],
                                        "provisioningState": "Succeeded"}})

    def route_table(self, sub: str, rg: str, name: str, routes: list[dict[str, Any]],
                    location: str = "japaneast") -> Doc:
        tid = rid(sub, rg, "Microsoft.Network/routeTables", name)
        return self.add({"id": tid, "name": name, "type": "Microsoft.Network/routeTables", "location": location,
                         "properties": {"disableBgpRoutePropagation": False, "provisioningState": "Succeeded",
                                        "routes": [{"id": f"{tid}/routes/{r['name']}", "name": r["name"],
                                                    "properties": {k: v for k, v in r.items() if k != "name"}}
                                                   for r in routes]}})

    def vnet(self, sub: str, rg: str, name: str, prefix: str = "10.0.0.0/16",
             subnets: list[dict[str, Any]] = (), location: str = "japaneast",
             dns_servers: list[str] | None = None) -> Doc:
        vid = rid(sub, rg, "Microsoft.Network/virtualNetworks", name)
        subs = []
        for s in subnets or [{"name": "default", "prefix": prefix.replace("/16", "/24")}]:
            props: dict[str, Any] = {"addressPrefix": s["prefix"], "provisioningState": "Succeeded"}
            if s.get("nsg"):
                props["networkSecurityGroup"] = {"id": s["nsg"]["id"]}
            if s.get("route_table"):
                props["routeTable"] = {"id": s["route_table"]["id"]}
            subs.append({"id": f"{vid}/subnets/{s['name']}", "name": s["name"],
                         "type": "Microsoft.Network/virtualNetworks/subnets", "properties": props})
        doc = {"id": vid, "name": name, "type": "Microsoft.Network/virtualNetworks", "location": location,
               "properties": {"addressSpace": {"addressPrefixes": [prefix]}, "subnets": subs,
                              "provisioningState": "Succeeded"}}
        if dns_servers:
            doc["properties"]["dhcpOptions"] = {"dnsServers": dns_servers}
        return self.add(doc)

    def peer(self, a: Doc, b: Doc) -> None:
        """A two-way VNet peering, inline in both documents as ARM returns them."""
        for here, there in ((a, b), (b, a)):
            name = f"peer-{there['name']}"
            here["properties"].setdefault("virtualNetworkPeerings", []).append({
                "id": f"{here['id']}/virtualNetworkPeerings/{name}", "name": name,
                "properties": {"remoteVirtualNetwork": {"id": there["id"]}, "peeringState": "Connected",
                               "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                               "provisioningState": "Succeeded"}})

    def nic(self, sub: str, rg: str, name: str, subnet_id: str, ip: str, nsg: Doc | None = None,
            location: str = "japaneast", dns_servers: list[str] | None = None) -> Doc:
        nid = rid(sub, rg, "Microsoft.Network/networkInterfaces", name)
        props: dict[str, Any] = {
            "ipConfigurations": [{"id": f"{nid}/ipConfigurations/ipconfig1", "name": "ipconfig1",
                                  "properties": {"privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
                                                 "subnet": {"id": subnet_id}, "primary": True,
                                                 "provisioningState": "Succeeded"}}],
            "dnsSettings": {"dnsServers": dns_servers or [], "appliedDnsServers": dns_servers or []},
            "enableAcceleratedNetworking": False, "provisioningState": "Succeeded", "primary": True}
        if nsg is not None:
            props["networkSecurityGroup"] = {"id": nsg["id"]}
        return self.add({"id": nid, "name": name, "type": "Microsoft.Network/networkInterfaces",
                         "location": location, "properties": props})

    def private_link_scope(self, sub: str, rg: str, name: str, scoped: list[Doc],
                           ingestion: str = "Open") -> Doc:
        sid = rid(sub, rg, "microsoft.insights/privateLinkScopes", name)
        doc = self.add({"id": sid, "name": name, "type": "microsoft.insights/privateLinkScopes",
                        "location": "global",
                        "properties": {"accessModeSettings": {"ingestionAccessMode": ingestion,
                                                              "queryAccessMode": "Open", "exclusions": []},
                                       "privateEndpointConnections": [], "provisioningState": "Succeeded"}})
        for target in scoped:
            self.scope(doc, target)
        return doc

    def scope(self, ampls: Doc, target: Doc) -> Doc:
        name = f"{target['name']}-connection"
        return self.add({"id": f"{ampls['id']}/scopedResources/{name}", "name": name,
                         "type": "microsoft.insights/privateLinkScopes/scopedResources",
                         "properties": {"linkedResourceId": target["id"], "provisioningState": "Succeeded"}})

    def _private_endpoint(self, sub: str, rg: str, name: str, subnet_id: str, service: Doc, group: str,
                          ips: dict[str, str], status: str, location: str) -> Doc:
        """A private endpoint to ``service`` (group id ``group``), listed in its subnet as ARM does."""
        pid = rid(sub, rg, "Microsoft.Network/privateEndpoints", name)
        connection = {"id": f"{pid}/privateLinkServiceConnections/{name}", "name": name,
                      "properties": {"privateLinkServiceId": service["id"], "groupIds": [group],
                                     "privateLinkServiceConnectionState": {"status": status, "description": "",
                                                                          "actionsRequired": "None"},
                                     "provisioningState": "Succeeded"}}
        doc = self.add({"id": pid, "name": name, "type": "Microsoft.Network/privateEndpoints", "location": location,
                        "properties": {"subnet": {"id": subnet_id}, "privateLinkServiceConnections": [connection],
                                       "manualPrivateLinkServiceConnections": [],
                                       "customDnsConfigs": [{"fqdn": f, "ipAddresses": [ip]} for f, ip in ips.items()],
                                       "provisioningState": "Succeeded"}})
        # ARM lists a subnet's private endpoints in the VNet document; discovery follows them.
        vnet = next((r for r in self.resources if arm.key(r["id"]) == arm.key(arm.parent(subnet_id))), None)
        for subnet in (vnet or {}).get("properties", {}).get("subnets", []):
            if arm.key(subnet["id"]) == arm.key(subnet_id):
                subnet["properties"].setdefault("privateEndpoints", []).append({"id": pid})
        return doc

    def private_endpoint(self, sub: str, rg: str, name: str, subnet_id: str, ampls: Doc,
                         ips: dict[str, str], status: str = "Approved", location: str = "japaneast") -> Doc:
        """``ips``: FQDN -> private IP, as the endpoint's customDnsConfigs list them."""
        doc = self._private_endpoint(sub, rg, name, subnet_id, ampls, "azuremonitor", ips, status, location)
        pid = doc["id"]
        ampls["properties"]["privateEndpointConnections"].append({
            "id": f"{ampls['id']}/privateEndpointConnections/{name}-conn", "name": f"{name}-conn",
            "properties": {"privateEndpoint": {"id": pid},
                           "privateLinkServiceConnectionState": {"status": status, "description": ""},
                           "provisioningState": "Succeeded"}})
        return doc

    def zone_group(self, endpoint: Doc, zones: list[Doc]) -> Doc:
        gid = f"{endpoint['id']}/privateDnsZoneGroups/default"
        return self.add({"id": gid, "name": "default",
                         "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                         "properties": {"privateDnsZoneConfigs": [
                             {"name": z["name"].replace(".", "-"), "properties": {"privateDnsZoneId": z["id"]}}
                             for z in zones], "provisioningState": "Succeeded"}})

    def endpoint_zones(self, endpoint: Doc, sub: str, rg: str, names, ips: dict[str, str], *,
                       link_to: Doc | None = None, records: bool | str = True) -> list[Doc]:
        """The private DNS zones ``names`` as an endpoint's zone group fills them: an A record for each of
        its FQDNs (``ips``) in the zone it belongs to (``records``: False for none, or one address for all
        of them, a stale one), each zone linked to ``link_to`` when given."""
        zones = [self.dns_zone(sub, rg, name) for name in names]
        self.zone_group(endpoint, zones)
        for zone in zones:
            if link_to is not None:
                self.dns_link(zone, link_to)
            suffix = zone["name"].removeprefix("privatelink.")
            for fqdn, ip in ips.items():
                if records and fqdn.endswith("." + suffix):
                    self.dns_a(zone, fqdn[: -len(suffix) - 1], [ip if records is True else records])
        return zones

    def dns_zone(self, sub: str, rg: str, name: str) -> Doc:
        return self.add({"id": rid(sub, rg, "Microsoft.Network/privateDnsZones", name), "name": name,
                         "type": "Microsoft.Network/privateDnsZones", "location": "global",
                         "properties": {"provisioningState": "Succeeded", "numberOfRecordSets": 1}})

    def dns_link(self, zone: Doc, vnet: Doc, name: str | None = None, state: str = "Completed") -> Doc:
        name = name or f"link-{vnet['name']}"
        return self.add({"id": f"{zone['id']}/virtualNetworkLinks/{name}", "name": name,
                         "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
                         "properties": {"virtualNetwork": {"id": vnet["id"]}, "registrationEnabled": False,
                                        "virtualNetworkLinkState": state, "provisioningState": "Succeeded"}})

    def dns_a(self, zone: Doc, name: str, ips: list[str]) -> Doc:
        return self.add({"id": f"{zone['id']}/A/{name}", "name": name,
                         "type": "Microsoft.Network/privateDnsZones/A",
                         "properties": {"ttl": 10, "fqdn": f"{name}.{zone['name']}.",
                                        "aRecords": [{"ipv4Address": ip} for ip in ips]}})

    # -- compute -------------------------------------------------------------------------
    def vm(self, sub: str, rg: str, name: str, os: str = "Linux", location: str = "japaneast",
           image: tuple[str, str, str] | dict[str, str] | None = None, guest: tuple[str, str] | None = None,
           power: str | None = "running", agent: str = "Ready", identity: str | None = "SystemAssigned",
           user_identities: list[Doc] = (), nics: list[Doc] = (), size: str = "Standard_D2s_v5",
           tags: dict[str, str] | None = None) -> Doc:
        vid = rid(sub, rg, "Microsoft.Compute/virtualMachines", name)
        if image is None:
            image = (("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2") if os == "Linux"
                     else ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition"))
        ref = image if isinstance(image, dict) else {"publisher": image[0], "offer": image[1], "sku": image[2],
                                                       "version": "latest"}
        if guest is None:
            guest = ("ubuntu", "22.04") if os == "Linux" else ("Windows Server 2022 Datacenter Azure Edition", "10.0.20348.2966")
        props: dict[str, Any] = {
            "vmId": guid("vmid", vid), "hardwareProfile": {"vmSize": size},
            "storageProfile": {"imageReference": ref,
                               "osDisk": {"osType": os, "name": f"{name}-osdisk", "createOption": "FromImage",
                                          "caching": "ReadWrite", "managedDisk": {"storageAccountType": "Premium_LRS"}}},
            "osProfile": {"computerName": name, "adminUsername": "azureuser",
                          **({"linuxConfiguration": {"disablePasswordAuthentication": True, "provisionVMAgent": True}}
                             if os == "Linux" else {"windowsConfiguration": {"provisionVMAgent": True,
                                                                             "enableAutomaticUpdates": True}})},
            "networkProfile": {"networkInterfaces": [{"id": n["id"], "properties": {"primary": i == 0}}
                                                     for i, n in enumerate(nics)]},
            "provisioningState": "Succeeded"}
        if power is not None:
            stamp = (self.now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.0000000+00:00")
            view: dict[str, Any] = {
                "computerName": name,
                "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info",
                              "displayStatus": "Provisioning succeeded", "time": stamp},
                             {"code": f"PowerState/{power}", "level": "Info",
                              "displayStatus": "VM " + power}]}
            if power == "running" and guest:
                view["osName"], view["osVersion"] = guest
            if power == "running":
                view["vmAgent"] = {"vmAgentVersion": "2.13.1.1" if os == "Linux" else "2.7.41491.1130",
                                   "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info" if agent == "Ready" else "Warning",
                                                 "displayStatus": agent,
                                                 "message": "Guest Agent is running" if agent == "Ready"
                                                 else "VM status blob is found but not yet populated.",
                                                 "time": stamp}]}
            props["instanceView"] = view
        doc: dict[str, Any] = {"id": vid, "name": name, "type": "Microsoft.Compute/virtualMachines",
                               "location": location, "tags": tags or {}, "properties": props}
        _identity(doc, identity, user_identities)
        return self.add(doc)

    def user_identity(self, sub: str, rg: str, name: str, location: str = "japaneast") -> Doc:
        uid = rid(sub, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", name)
        return self.add({"id": uid, "name": name, "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                         "location": location, "properties": {"principalId": guid("uai-p", uid),
                                                              "clientId": guid("uai-c", uid),
                                                              "tenantId": guid("tenant")}})

    def extension(self, vm: Doc, name: str | None = None, publisher: str = "Microsoft.Azure.Monitor",
                  ext_type: str | None = None, version: str = "1.33", state: str = "Succeeded",
                  auto_upgrade: bool = True, settings: dict[str, Any] | None = None,
                  statuses: list[dict[str, str]] | None = None, installed: str | None = None) -> Doc:
        os = vm["properties"]["storageProfile"]["osDisk"]["osType"]
        ext_type = ext_type or ("AzureMonitorLinuxAgent" if os == "Linux" else "AzureMonitorWindowsAgent")
        name = name or ext_type
        if statuses is None:
            statuses = [{"code": "ProvisioningState/succeeded", "level": "Info",
                         "displayStatus": "Provisioning succeeded", "message": "Enable succeeded"}] \
                if state == "Succeeded" else []
        return self.add({
            "id": f"{vm['id']}/extensions/{name}", "name": name,
            "type": "Microsoft.Compute/virtualMachines/extensions", "location": vm["location"],
            "properties": {"publisher": publisher, "type": ext_type, "typeHandlerVersion": version,
                           "autoUpgradeMinorVersion": True, "enableAutomaticUpgrade": auto_upgrade,
                           "settings": settings or {}, "provisioningState": state, "suppressFailures": False,
                           "instanceView": {"name": name, "type": f"{publisher}.{ext_type}",
                                            "typeHandlerVersion": installed or f"{version}.0",
                                            "statuses": statuses}}})

    # -- Azure Arc-enabled servers (shapes: HybridCompute 2024-07-10 examples) ---------------
    def arc_machine(self, sub: str, rg: str, name: str, os: str = "Linux", location: str = "japaneast",
                    status: str = "Connected", since_days: float = 2.0, agent_version: str = "1.58.03224.693",
                    os_sku: str | None = None, extensions_enabled: str = "true", allow: list[str] | None = None,
                    block: list[str] | None = None, proxy_url: str | None = None, proxy_bypass: list[str] = (),
                    scope: Doc | None = None, identity: bool = True, service: str | None = "Running",
                    tags: dict[str, str] | None = None, kind: str | None = None) -> Doc:
        mid = rid(sub, rg, "Microsoft.HybridCompute/machines", name)
        os_sku = os_sku or ("Ubuntu 22.04.4 LTS" if os == "Linux" else "Windows Server 2022 Datacenter")
        props: dict[str, Any] = {
            "provisioningState": "Succeeded", "status": status, "agentVersion": agent_version,
            "lastStatusChange": (self.now - timedelta(days=since_days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "osName": os.lower(), "osType": os.lower(), "osSku": os_sku,
            "osVersion": "5.15.0-1057-azure" if os == "Linux" else "10.0.20348.2340",
            "displayName": name, "machineFqdn": f"{name}.corp.contoso.example", "vmId": guid("arc-vmid", mid),
            "detectedProperties": {"cloudprovider": "N/A", "manufacturer": "VMware, Inc.", "model": "VMware7,1"},
            "agentConfiguration": {"proxyUrl": proxy_url or "", "proxyBypass": list(proxy_bypass),
                                   "incomingConnectionsPorts": [], "extensionsEnabled": extensions_enabled,
                                   "guestConfigurationEnabled": "true", "extensionsAllowList": list(allow or []),
                                   "extensionsBlockList": list(block or []), "configMode": "full"},
            "privateLinkScopeResourceId": scope["id"] if scope else None,
            "networkProfile": {"networkInterfaces": [{"ipAddresses": [{
                "address": "192.168.12.34", "ipAddressVersion": "IPv4",
                "subnet": {"addressPrefix": "192.168.12.0/24"}}]}]}}
        if service is not None:
            props["serviceStatuses"] = {"extensionService": {"status": service, "startupType": "Automatic"},
                                        "guestConfigurationService": {"status": "Running", "startupType": "Automatic"}}
        doc: Doc = {"id": mid, "name": name, "type": "Microsoft.HybridCompute/machines", "location": location,
                    "kind": kind, "tags": tags or {}, "properties": props}
        if identity:
            doc["identity"] = {"type": "SystemAssigned", "principalId": guid("arc-pid", mid), "tenantId": guid("tenant")}
        return self.add(doc)

    def arc_extension(self, machine: Doc, name: str | None = None, publisher: str = "Microsoft.Azure.Monitor",
                      ext_type: str | None = None, version: str = "1.33", state: str = "Succeeded",
                      auto_upgrade: bool = True, settings: dict[str, Any] | None = None,
                      status: dict[str, str] | None = None) -> Doc:
        os = machine["properties"]["osType"]
        ext_type = ext_type or ("AzureMonitorLinuxAgent" if os == "linux" else "AzureMonitorWindowsAgent")
        name = name or ext_type
        if status is None:
            status = {"code": "success", "level": "Information", "displayStatus": "Provisioning succeeded",
                      "message": "Extension Message: Enable succeeded"} if state == "Succeeded" else None
        view: dict[str, Any] = {"name": name, "type": ext_type, "typeHandlerVersion": f"{version}.0"}
        if status is not None:
            view["status"] = {**status, "time": (self.now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        # ARM writes these ids with "Machines" and "Extensions" capitalised: readers compare ids case-insensitively.
        eid = machine["id"].replace("/machines/", "/Machines/") + f"/Extensions/{name}"
        return self.add({"id": eid, "name": name, "type": "Microsoft.HybridCompute/machines/extensions",
                         "location": machine["location"],
                         "properties": {"publisher": publisher, "type": ext_type, "typeHandlerVersion": version,
                                        "autoUpgradeMinorVersion": True, "enableAutomaticUpgrade": auto_upgrade,
                                        "settings": settings or {}, "provisioningState": state,
                                        "instanceView": view}})

    def arc_private_link_scope(self, sub: str, rg: str, name: str, location: str = "japaneast",
                               public: str = "Disabled") -> Doc:
        sid = rid(sub, rg, "Microsoft.HybridCompute/privateLinkScopes", name)
        return self.add({"id": sid, "name": name, "type": "Microsoft.HybridCompute/privateLinkScopes",
                         "location": location,
                         "properties": {"publicNetworkAccess": public, "provisioningState": "Succeeded",
                                        "privateLinkScopeId": guid("arc-pls", sid), "privateEndpointConnections": []}})

    def arc_private_endpoint(self, sub: str, rg: str, name: str, subnet_id: str, scope: Doc, ip_base: str,
                             status: str = "Approved", location: str = "japaneast") -> tuple[Doc, dict[str, str]]:
        """A private endpoint to an Arc Private Link Scope; returns it and its FQDN -> IP map."""
        region = location.lower().replace(" ", "")
        fqdns = ["gbl.his.arc.azure.com", f"{region}.his.arc.azure.com",
                 "agentserviceapi.guestconfiguration.azure.com", f"{region}-gas.guestconfiguration.azure.com",
                 f"{region}.dp.kubernetesconfiguration.azure.com"]
        ips = {f: f"{ip_base}.{10 + i}" for i, f in enumerate(fqdns)}
        doc = self._private_endpoint(sub, rg, name, subnet_id, scope, "hybridcompute", ips, status, location)
        pid = doc["id"]
        scope["properties"]["privateEndpointConnections"].append({
            "id": f"{scope['id']}/privateEndpointConnections/{name}.{guid('conn', pid)}",
            "name": f"{name}.{guid('conn', pid)}",
            "type": "Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections",
            "properties": {"privateEndpoint": {"id": pid}, "groupIds": ["hybridcompute"],
                           "privateLinkServiceConnectionState": {"status": status, "description": "",
                                                                "actionsRequired": "None"},
                           "provisioningState": "Succeeded"}})
        return doc, ips

    # -- scale sets (shapes: Compute 2024-11-01 scale-set examples) -------------------------
    @staticmethod
    def scale_set_extension(name: str | None = None, os: str = "Linux", publisher: str = "Microsoft.Azure.Monitor",
                            ext_type: str | None = None, version: str = "1.33", auto_upgrade: bool = True,
                            settings: dict[str, Any] | None = None) -> Doc:
        """An entry of a scale set model's extension profile."""
        ext_type = ext_type or ("AzureMonitorLinuxAgent" if os == "Linux" else "AzureMonitorWindowsAgent")
        return {"name": name or ext_type,
                "properties": {"publisher": publisher, "type": ext_type, "typeHandlerVersion": version,
                               "autoUpgradeMinorVersion": True, "enableAutomaticUpgrade": auto_upgrade,
                               "settings": settings or {}}}

    def scale_set(self, sub: str, rg: str, name: str, os: str = "Linux", location: str = "japaneast",
                  orchestration: str | None = "Uniform", upgrade_mode: str = "Automatic",
                  extensions: list[Doc] | None = None, subnet_id: str | None = None, nsg: Doc | None = None,
                  identity: str | None = "SystemAssigned", user_identities: list[Doc] = (), capacity: int = 2,
                  image: tuple[str, str, str] | None = None, tags: dict[str, str] | None = None) -> Doc:
        sid = rid(sub, rg, "Microsoft.Compute/virtualMachineScaleSets", name)
        image = image or (("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2") if os == "Linux"
                          else ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition"))
        profile: dict[str, Any] = {
            "osProfile": {"computerNamePrefix": name[:9], "adminUsername": "azureuser",
                          **({"linuxConfiguration": {"disablePasswordAuthentication": True, "provisionVMAgent": True}}
                             if os == "Linux" else {"windowsConfiguration": {"provisionVMAgent": True}})},
            "storageProfile": {"imageReference": {"publisher": image[0], "offer": image[1], "sku": image[2],
                                                  "version": "latest"},
                               "osDisk": {"osType": os, "createOption": "FromImage", "caching": "ReadWrite",
                                          "managedDisk": {"storageAccountType": "Premium_LRS"}}},
            "extensionProfile": {"extensions": list(extensions if extensions is not None
                                                    else [self.scale_set_extension(os=os)])}}
        if subnet_id:
            config: dict[str, Any] = {"primary": True, "enableAcceleratedNetworking": False,
                                      "ipConfigurations": [{"name": f"{name}-ipconfig", "properties": {
                                          "subnet": {"id": subnet_id}, "primary": True,
                                          "privateIPAddressVersion": "IPv4"}}]}
            if nsg is not None:
                config["networkSecurityGroup"] = {"id": nsg["id"]}
            profile["networkProfile"] = {"networkInterfaceConfigurations": [{"name": f"{name}-nic",
                                                                             "properties": config}]}
        props: dict[str, Any] = {"upgradePolicy": {"mode": upgrade_mode}, "virtualMachineProfile": profile,
                                 "provisioningState": "Succeeded", "overprovision": False,
                                 "uniqueId": guid("vmss", sid), "singlePlacementGroup": False}
        if orchestration:
            props["orchestrationMode"] = orchestration
        doc: Doc = {"id": sid, "name": name, "type": "Microsoft.Compute/virtualMachineScaleSets",
                    "location": location, "tags": tags or {},
                    "sku": {"name": "Standard_D2s_v5", "tier": "Standard", "capacity": capacity}, "properties": props}
        _identity(doc, identity, user_identities)
        return self.add(doc)

    def scale_set_instance(self, scale_set: Doc, instance_id: str, power: str | None = "running",
                           agent: str = "Ready", latest_model: bool = True, guest: tuple[str, str] | None = None,
                           extension_statuses: dict[str, list[dict[str, str]]] | None = None,
                           on_instance: list[str] | None = None) -> Doc:
        """A uniform instance, as ``GET .../virtualMachines?$expand=instanceView`` lists it.

        ``on_instance``: the model extensions the instance has taken (default: all of them when it runs
        the latest model, none otherwise); ``extension_statuses``: name -> instance view statuses."""
        name = f"{scale_set['name']}_{instance_id}"
        iid = f"{scale_set['id']}/virtualMachines/{instance_id}"
        profile = scale_set["properties"]["virtualMachineProfile"]
        os = profile["storageProfile"]["osDisk"]["osType"]
        computer = f"{profile['osProfile']['computerNamePrefix']}{int(instance_id):06X}"
        definitions = profile.get("extensionProfile", {}).get("extensions", [])
        taken = [d["name"] for d in definitions] if on_instance is None and latest_model else list(on_instance or [])
        stamp = (self.now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.0000000+00:00")
        ok = [{"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
               "message": "Enable succeeded"}]
        props: dict[str, Any] = {
            "instanceId": instance_id, "latestModelApplied": latest_model,
            "modelDefinitionApplied": "VirtualMachineScaleSet", "vmId": guid("vmid", iid),
            "osProfile": {"computerName": computer, "adminUsername": "azureuser"},
            "storageProfile": {"imageReference": dict(profile["storageProfile"]["imageReference"]),
                               "osDisk": {"osType": os}},
            "networkProfile": {"networkInterfaces": [
                {"id": f"{iid}/networkInterfaces/{c['name']}"}
                for c in profile.get("networkProfile", {}).get("networkInterfaceConfigurations", [])]},
            "provisioningState": "Succeeded"}
        if power is not None:
            view: dict[str, Any] = {"computerName": computer, "statuses": [
                {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
                 "time": stamp}, {"code": f"PowerState/{power}", "level": "Info", "displayStatus": "VM " + power}]}
            if power == "running":
                view["osName"], view["osVersion"] = guest or (("ubuntu", "22.04") if os == "Linux" else
                                                              ("Windows Server 2022 Datacenter", "10.0.20348.2966"))
                view["vmAgent"] = {"vmAgentVersion": "2.13.1.1", "statuses": [
                    {"code": "ProvisioningState/succeeded", "level": "Info" if agent == "Ready" else "Warning",
                     "displayStatus": agent, "message": "Guest Agent is running" if agent == "Ready"
                     else "VM status blob is found but not yet populated.", "time": stamp}]}
                view["extensions"] = [{"name": n, "type": next((f"{d['properties']['publisher']}."
                                                                f"{d['properties']['type']}" for d in definitions
                                                                if d["name"] == n), n),
                                       "typeHandlerVersion": "1.33.2",
                                       "statuses": (extension_statuses or {}).get(n, ok)} for n in taken]
            props["instanceView"] = view
        doc: Doc = {"id": iid, "name": name, "instanceId": instance_id,
                    "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
                    "location": scale_set["location"], "sku": {"name": "Standard_D2s_v5", "tier": "Standard"},
                    "properties": props,
                    "resources": [{"id": f"{iid}/extensions/{n}", "name": n,
                                   "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions",
                                   "properties": {"provisioningState": "Succeeded"
                                                  if not any(s.get("level") == "Error" for s in
                                                             (extension_statuses or {}).get(n, ok)) else "Failed"}}
                                  for n in taken]}
        return self.add(doc)

    def flexible_member(self, vm: Doc, scale_set: Doc) -> Doc:
        """Make ``vm`` an instance of a Flexible scale set (a VM that says which set it belongs to)."""
        vm["properties"]["virtualMachineScaleSet"] = {"id": scale_set["id"]}
        return vm

    # -- the facts that are not in ARM -----------------------------------------------------
    def heartbeat(self, vm: Doc, workspace: Doc, minutes_ago: float = 1.0,
                  category: str = "Azure Monitor Agent") -> None:
        """A Heartbeat row of a machine. A uniform instance's row carries its scale set's id and its
        own computer name, as Log Analytics records them."""
        when = self.now - timedelta(minutes=minutes_ago)
        row = {"workspace_id": workspace["properties"]["customerId"], "resource_id": vm["id"].lower(),
               "last_heartbeat": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "category": category}
        if vm["type"] == "Microsoft.Compute/virtualMachineScaleSets/virtualMachines":
            row["resource_id"] = arm.parent(vm["id"]).lower()
            row["computer"] = vm["properties"]["osProfile"]["computerName"]
        self.heartbeats.append(row)

    def error(self, scope: str, operation: str, status: int = 403, code: str = "AuthorizationFailed",
              message: str = "The client does not have authorization to perform action over scope.") -> None:
        self.errors.append({"scope": scope, "operation": operation, "status": status, "code": code,
                            "message": message})

    def build(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": FORMAT, "captured_at": self.captured_at, "cloud": self.cloud,
                               "source": self.source, "resources": self.resources}
        if self.heartbeats is not None:
            doc["heartbeats"] = self.heartbeats
        if self.heartbeat_workspaces is not None:
            doc["heartbeat_workspaces"] = self.heartbeat_workspaces
        if self.errors:
            doc["errors"] = self.errors
        return doc
