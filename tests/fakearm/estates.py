"""Small ARM-shaped test estates (shapes follow shared/reference/arm-examples).

The standard estate spreads what a VM depends on over four subscriptions, the way real
landing zones do, so that discovery has to follow references out of the subscription it was
asked about:

* APP (listed):  VMs, NICs, the spoke VNet (VM subnet with NSG + route table, PE subnet with
  the AMPLS private endpoint and its zone group), extensions, DCR associations
* CENTRAL:       the DCR, the DCE, the AMPLS and its scoped resources
* MGMT:          the Log Analytics workspace
* HUB:           the peered hub VNet (with an unrelated storage private endpoint) and the five
  AMPLS private DNS zones with their VNet links and A records

Every kind of machine (``kinds=True``, the default; :func:`add_machine_kinds`):

* Azure Arc-enabled servers in APP: healthy, disconnected (60 days), extensions disabled
  (``azcmagent config``), and one behind an Arc Private Link Scope (HUB) whose private endpoint
  sits in a VNet of its own (``vnet-arc``), with the three Arc privatelink zones, and the AMPLS
  zones linked to that VNet too;
* a Uniform scale set (Manual upgrades: its last instance is behind the model and has no AMA;
  one instance typed ``Microsoft.Compute/virtualMachines``, as ARM's own example types them),
  whose model's NIC configuration names an NSG and a subnet of its own; a Uniform set with no
  instance (what its model references must not be read); a Flexible set whose instances are
  two of the VMs.

Plus decoys nothing references (must not be captured), one association to a deleted DCR
(the DCR must be absent, not an error), and Heartbeat rows (some stale, outside look-back; a
uniform instance's carry the scale set's id and the instance's computer name; one row of a
computer that is not an Azure resource, with an empty ``_ResourceId``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from amaaudit.synth import EstateBuilder

APP = "11111111-1111-4111-8111-111111111111"
CENTRAL = "22222222-2222-4222-8222-222222222222"
MGMT = "33333333-3333-4333-8333-333333333333"
HUB = "44444444-4444-4444-8444-444444444444"
CUSTOMER_ID = "5b02755b-5bf4-430c-9487-45502a2a7e62"
LOCATION = "westeurope"

SECRET_MARKERS = ("MARKER-PROTECTED-KEY", "MARKER-SAS-SIG", "MARKER-KV-SECRET", "MARKER-ACCOUNT-KEY",
                  "MARKER-ADMIN-PASSWORD")

AMPLS_ZONES = ("privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
               "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net",
               "privatelink.blob.core.windows.net")
ARC_ZONES = ("privatelink.his.arc.azure.com", "privatelink.guestconfiguration.azure.com",
             "privatelink.dp.kubernetesconfiguration.azure.com")
ARC_MACHINES = ("arc-ok", "arc-down", "arc-noext", "arc-pl")
UNIFORM, EMPTY_UNIFORM, FLEXIBLE = "vmss-web", "vmss-empty", "vmss-flex"


def rg_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


SYSTEM_DATA = {
    "createdBy": "user1@contoso.example", "createdByType": "User", "createdAt": "2024-03-22T19:15:08.2155156Z",
    "lastModifiedBy": "user1@contoso.example", "lastModifiedByType": "User",
    "lastModifiedAt": "2024-03-22T19:15:08.2155156Z",
}


@dataclass
class Estate:
    doc: dict
    listed: list[str]
    decoys: set[str] = field(default_factory=set)
    other_rg_ids: set[str] = field(default_factory=set)
    vm_ids: list[str] = field(default_factory=list)
    missing_dcr: str = ""
    arc_ids: list[str] = field(default_factory=list)
    scale_set_ids: dict[str, str] = field(default_factory=dict)    # name -> id

    def expected_ids(self, *, resource_groups: bool = False) -> set[str]:
        skip = self.decoys | (self.other_rg_ids if resource_groups else set())
        return {r["id"].lower() for r in self.doc["resources"] if r["id"].lower() not in skip}

    def by_id(self) -> dict[str, dict]:
        return {r["id"].lower(): r for r in self.doc["resources"]}


def build_estate(n_vms: int = 3, *, secrets: bool = False, other_rg_vm: bool = True, now: datetime | None = None,
                 missing_dcr: bool = True, kinds: bool = True, more_arc: int = 0, instances: int = 3) -> Estate:
    """``more_arc`` healthy Arc-enabled servers besides the four of every kind; ``instances`` in the
    Uniform scale set (the last one behind the model)."""
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    res: list[dict] = []
    add = res.append
    decoys: set[str] = set()

    app_rg = rg_id(APP, "rg-app")
    vnet_id = f"{app_rg}/providers/Microsoft.Network/virtualNetworks/vnet-app"
    hub_vnet_id = f"{rg_id(HUB, 'rg-hub')}/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    snet_vm = f"{vnet_id}/subnets/snet-vm"
    snet_pe = f"{vnet_id}/subnets/snet-pe"
    nsg_vm = f"{app_rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-vm"
    nsg_nic = f"{app_rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-nic"
    rt_vm = f"{app_rg}/providers/Microsoft.Network/routeTables/rt-vm"
    pe_id = f"{app_rg}/providers/Microsoft.Network/privateEndpoints/pe-ampls"
    mon_rg = rg_id(CENTRAL, "rg-monitor")
    dcr_id = f"{mon_rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-linux"
    dce_id = f"{mon_rg}/providers/Microsoft.Insights/dataCollectionEndpoints/dce-weu"
    ampls_id = f"{mon_rg}/providers/microsoft.insights/privateLinkScopes/ampls-hub"
    ws_id = f"{rg_id(MGMT, 'rg-logs')}/providers/Microsoft.OperationalInsights/workspaces/law-central"
    dns_rg = rg_id(HUB, "rg-dns")
    zone_ids = {z: f"{dns_rg}/providers/Microsoft.Network/privateDnsZones/{z}" for z in AMPLS_ZONES}
    missing_dcr_id = f"{mon_rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-deleted"

    # -- network ------------------------------------------------------------------------------
    add({
        "name": "vnet-app", "id": vnet_id, "type": "Microsoft.Network/virtualNetworks", "location": LOCATION,
        "etag": 'W/"00000000-0000-0000-0000-000000000001"',
        "properties": {
            "provisioningState": "Succeeded",
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [
                {"name": "snet-vm", "id": snet_vm, "properties": {
                    "addressPrefix": "10.10.1.0/24", "provisioningState": "Succeeded",
                    "networkSecurityGroup": {"id": nsg_vm}, "routeTable": {"id": rt_vm}}},
                {"name": "snet-pe", "id": snet_pe, "properties": {
                    "addressPrefix": "10.10.2.0/24", "provisioningState": "Succeeded",
                    "privateEndpointNetworkPolicies": "Disabled",
                    "privateEndpoints": [{"id": pe_id}]}},
            ],
            "virtualNetworkPeerings": [{
                "name": "to-hub", "id": f"{vnet_id}/virtualNetworkPeerings/to-hub",
                "properties": {"peeringState": "Connected", "remoteVirtualNetwork": {"id": hub_vnet_id},
                               "allowVirtualNetworkAccess": True, "useRemoteGateways": False}}],
        },
    })
    add({
        "name": "nsg-vm", "id": nsg_vm, "type": "Microsoft.Network/networkSecurityGroups", "location": LOCATION,
        "etag": 'W/"00000000-0000-0000-0000-000000000002"',
        "properties": {"provisioningState": "Succeeded", "securityRules": [{
            "name": "deny-internet-out", "id": f"{nsg_vm}/securityRules/deny-internet-out",
            "properties": {"protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                           "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet", "access": "Deny",
                           "priority": 4000, "direction": "Outbound", "provisioningState": "Succeeded"}}],
            "defaultSecurityRules": [{
                "name": "AllowInternetOutBound", "id": f"{nsg_vm}/defaultSecurityRules/AllowInternetOutBound",
                "properties": {"protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                               "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet",
                               "access": "Allow", "priority": 65001, "direction": "Outbound"}}]},
    })
    add({
        "name": "nsg-nic", "id": nsg_nic, "type": "Microsoft.Network/networkSecurityGroups", "location": LOCATION,
        "properties": {"provisioningState": "Succeeded", "securityRules": [], "defaultSecurityRules": []},
    })
    add({
        "name": "rt-vm", "id": rt_vm, "type": "Microsoft.Network/routeTables", "location": LOCATION,
        "properties": {"provisioningState": "Succeeded", "disableBgpRoutePropagation": True, "routes": [{
            "name": "default", "id": f"{rt_vm}/routes/default",
            "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                           "nextHopIpAddress": "10.0.0.4"}}],
            "subnets": [{"id": snet_vm}]},
    })
    add({
        "name": "pe-ampls", "id": pe_id, "type": "Microsoft.Network/privateEndpoints", "location": LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "privateLinkServiceConnections": [{
                "name": "ampls", "id": f"{pe_id}/privateLinkServiceConnections/ampls",
                "properties": {"privateLinkServiceId": ampls_id, "groupIds": ["azuremonitor"],
                               "privateLinkServiceConnectionState": {"status": "Approved",
                                                                     "description": "Auto-approved",
                                                                     "actionsRequired": "None"}}}],
            "manualPrivateLinkServiceConnections": [],
            "subnet": {"id": snet_pe},
            "networkInterfaces": [{"id": f"{app_rg}/providers/Microsoft.Network/networkInterfaces/pe-ampls.nic"}],
            "customDnsConfigs": [{"fqdn": "api.monitor.azure.com", "ipAddresses": ["10.10.2.4"]}],
        },
    })
    records = {
        "privatelink.monitor.azure.com": [("api", "10.10.2.4"), ("global.handler.control", "10.10.2.5"),
                                          ("dce-weu-abcd.westeurope-1.handler.control", "10.10.2.6")],
        "privatelink.oms.opinsights.azure.com": [(CUSTOMER_ID, "10.10.2.7")],
        "privatelink.ods.opinsights.azure.com": [(CUSTOMER_ID, "10.10.2.8")],
        "privatelink.agentsvc.azure-automation.net": [(f"{CUSTOMER_ID}.agentsvc", "10.10.2.9")],
        "privatelink.blob.core.windows.net": [("scadvisorcontentpl", "10.10.2.10")],
    }
    add({
        "name": "default", "id": f"{pe_id}/privateDnsZoneGroups/default",
        "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "properties": {"provisioningState": "Succeeded", "privateDnsZoneConfigs": [
            {"name": z.replace(".", "-"), "properties": {"privateDnsZoneId": zone_ids[z], "recordSets": [
                {"recordType": "A", "recordSetName": n, "fqdn": f"{n}.{z}", "ipAddresses": [ip]}
                for n, ip in records[z]]}} for z in AMPLS_ZONES]},
    })
    # hub
    hub_snet = f"{hub_vnet_id}/subnets/snet-shared"
    pe_blob = f"{rg_id(HUB, 'rg-hub')}/providers/Microsoft.Network/privateEndpoints/pe-blob"
    add({
        "name": "vnet-hub", "id": hub_vnet_id, "type": "Microsoft.Network/virtualNetworks", "location": LOCATION,
        "properties": {
            "provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "dhcpOptions": {"dnsServers": ["10.0.0.10"]},
            "subnets": [{"name": "snet-shared", "id": hub_snet, "properties": {
                "addressPrefix": "10.0.1.0/24", "provisioningState": "Succeeded",
                "privateEndpoints": [{"id": pe_blob}]}}],
            "virtualNetworkPeerings": [{"name": "to-app", "id": f"{hub_vnet_id}/virtualNetworkPeerings/to-app",
                                        "properties": {"peeringState": "Connected",
                                                       "remoteVirtualNetwork": {"id": vnet_id}}}],
        },
    })
    add({
        "name": "pe-blob", "id": pe_blob, "type": "Microsoft.Network/privateEndpoints", "location": LOCATION,
        "properties": {"provisioningState": "Succeeded", "subnet": {"id": hub_snet},
                       "privateLinkServiceConnections": [{
                           "name": "blob", "id": f"{pe_blob}/privateLinkServiceConnections/blob",
                           "properties": {"privateLinkServiceId": f"{rg_id(HUB, 'rg-hub')}/providers/"
                                                                  "Microsoft.Storage/storageAccounts/sthub",
                                          "groupIds": ["blob"],
                                          "privateLinkServiceConnectionState": {"status": "Approved"}}}],
                       "manualPrivateLinkServiceConnections": []},
    })
    # private DNS
    for z in AMPLS_ZONES:
        zid = zone_ids[z]
        add({"name": z, "type": "Microsoft.Network/privateDnsZones", "etag": "00000000-0000-0000-0000-000000000000",
             "id": zid, "location": "global", "tags": {},
             "properties": {"maxNumberOfRecordSets": 25000, "maxNumberOfVirtualNetworkLinks": 1000,
                            "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                            "numberOfRecordSets": len(records[z]) + 1, "numberOfVirtualNetworkLinks": 2,
                            "numberOfVirtualNetworkLinksWithRegistration": 0, "provisioningState": "Succeeded"}})
        for link, target, state in (("link-app", vnet_id, "Completed"), ("link-hub", hub_vnet_id, "Completed")):
            add({"name": link, "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                 "etag": "00000000-0000-0000-0000-000000000000", "id": f"{zid}/virtualNetworkLinks/{link}",
                 "location": "global",
                 "properties": {"provisioningState": "Succeeded", "registrationEnabled": False,
                                "resolutionPolicy": "Default", "virtualNetwork": {"id": target},
                                "virtualNetworkLinkState": state}})
        for n, ip in records[z]:
            add({"id": f"{zid}/A/{n}", "etag": "00000000-0000-0000-0000-000000000000", "name": n,
                 "type": "Microsoft.Network/privateDnsZones/A",
                 "properties": {"ttl": 10, "fqdn": f"{n}.{z}.", "isAutoRegistered": False,
                                "aRecords": [{"ipv4Address": ip}]}})

    # -- monitoring -----------------------------------------------------------------------------
    add({
        "id": dcr_id, "name": "dcr-linux", "type": "Microsoft.Insights/dataCollectionRules", "location": LOCATION,
        "kind": "Linux", "tags": {"team": "platform"}, "systemData": SYSTEM_DATA,
        "etag": "\"00000836-0000-0100-0000-65fdd8bc0000\"",
        "properties": {
            "immutableId": "dcr-b74e0d383fc9415abaa584ec41adece3",
            "dataCollectionEndpointId": dce_id,
            "dataSources": {"syslog": [{"name": "syslogBase", "streams": ["Microsoft-Syslog"],
                                        "facilityNames": ["syslog", "daemon"], "logLevels": ["Warning", "Error"]}]},
            "destinations": {"logAnalytics": [{"workspaceResourceId": ws_id, "workspaceId": CUSTOMER_ID,
                                               "name": "la-central"}]},
            "dataFlows": [{"streams": ["Microsoft-Syslog"], "destinations": ["la-central"]}],
            "provisioningState": "Succeeded",
        },
    })
    add({
        "id": dce_id, "name": "dce-weu", "type": "Microsoft.Insights/dataCollectionEndpoints", "location": LOCATION,
        "systemData": SYSTEM_DATA,
        "properties": {
            "immutableId": "dce-cd85a330eb664aa3bc7883cc394b0000",
            "configurationAccess": {"endpoint": "https://dce-weu-abcd.westeurope-1.handler.control.monitor.azure.com"},
            "logsIngestion": {"endpoint": "https://dce-weu-abcd.westeurope-1.ingest.monitor.azure.com"},
            "metricsIngestion": {"endpoint": "https://dce-weu-abcd.westeurope-1.metrics.ingest.monitor.azure.com"},
            "networkAcls": {"publicNetworkAccess": "Disabled"},
            "provisioningState": "Succeeded",
        },
    })
    add({
        "name": "ampls-hub", "type": "Microsoft.Insights/privateLinkScopes", "id": ampls_id, "location": "Global",
        "properties": {"accessModeSettings": {"exclusions": [], "ingestionAccessMode": "PrivateOnly",
                                              "queryAccessMode": "Open"},
                       "provisioningState": "Succeeded"},
        "tags": {},
    })
    for name, linked in (("scoped-ws", ws_id), ("scoped-dce", dce_id)):
        add({"id": f"{ampls_id}/scopedResources/{name}", "name": name,
             "type": "Microsoft.Insights/privateLinkScopes/scopedResources",
             "properties": {"kind": "resource", "linkedResourceId": linked, "subscriptionLocation": LOCATION,
                            "provisioningState": "Succeeded"}})
    add({
        "properties": {"customerId": CUSTOMER_ID, "provisioningState": "Succeeded", "sku": {"name": "PerGB2018"},
                       "retentionInDays": 30, "publicNetworkAccessForQuery": "Enabled",
                       "publicNetworkAccessForIngestion": "Disabled",
                       "workspaceCapping": {"dailyQuotaGb": -1.0, "dataIngestionStatus": "RespectQuota"}},
        "id": ws_id, "name": "law-central", "type": "Microsoft.OperationalInsights/workspaces", "location": LOCATION,
    })

    # -- decoys (never referenced) ------------------------------------------------------------
    for decoy in (
        {"name": "nsg-unused", "id": f"{app_rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-unused",
         "type": "Microsoft.Network/networkSecurityGroups", "location": LOCATION,
         "properties": {"securityRules": []}},
        {"id": f"{mon_rg}/providers/Microsoft.Insights/dataCollectionRules/dcr-unused", "name": "dcr-unused",
         "type": "Microsoft.Insights/dataCollectionRules", "location": LOCATION, "properties": {}},
        {"name": "privatelink.vaultcore.azure.net", "type": "Microsoft.Network/privateDnsZones",
         "id": f"{dns_rg}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net",
         "location": "global", "properties": {}},
    ):
        add(decoy)
        decoys.add(decoy["id"].lower())

    # -- VMs ------------------------------------------------------------------------------------
    vm_ids: list[str] = []
    other_rg_ids: set[str] = set()
    heartbeats: list[dict] = []
    for i in range(n_vms + (1 if other_rg_vm else 0)):
        other = i == n_vms
        rg = rg_id(APP, "rg-other") if other else app_rg
        name = f"vm-{i:03d}"
        vm_id = f"{rg}/providers/Microsoft.Compute/virtualMachines/{name}"
        nic_id = f"{rg}/providers/Microsoft.Network/networkInterfaces/nic-{name}"
        ama_view = {"name": "AzureMonitorLinuxAgent", "type": "Microsoft.Azure.Monitor.AzureMonitorLinuxAgent",
                    "typeHandlerVersion": "1.33.2",
                    "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info",
                                  "displayStatus": "Provisioning succeeded", "message": "Enable succeeded"}]}
        ext_views = [ama_view]
        exts = [{
            "name": "AzureMonitorLinuxAgent", "type": "Microsoft.Compute/virtualMachines/extensions",
            "id": f"{vm_id}/extensions/AzureMonitorLinuxAgent", "location": LOCATION,
            "properties": {"autoUpgradeMinorVersion": True, "provisioningState": "Succeeded",
                           "publisher": "Microsoft.Azure.Monitor", "type": "AzureMonitorLinuxAgent",
                           "typeHandlerVersion": "1.33", "enableAutomaticUpgrade": True,
                           "settings": {"authentication": {"managedIdentity": {"identifier-name": "mi_res_id",
                                                                               "identifier-value": "x"}}} if i == 1
                           else {},
                           "instanceView": ama_view},
        }]
        if secrets and i == 0:
            cs_view = {"name": "CustomScript", "type": "Microsoft.Azure.Extensions.CustomScript",
                       "typeHandlerVersion": "2.1.10",
                       "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info",
                                     "displayStatus": "Provisioning succeeded",
                                     "message": "downloaded https://st.blob.core.windows.net/c/run.sh?sv=2022-11-02"
                                                "&sp=r&sig=MARKER-SAS-SIG%3D"}]}
            ext_views.append(cs_view)
            exts.append({
                "name": "CustomScript", "type": "Microsoft.Compute/virtualMachines/extensions",
                "id": f"{vm_id}/extensions/CustomScript", "location": LOCATION,
                "properties": {
                    "publisher": "Microsoft.Azure.Extensions", "type": "CustomScript", "typeHandlerVersion": "2.1",
                    "provisioningState": "Succeeded",
                    "settings": {"fileUris": ["https://st.blob.core.windows.net/c/run.sh?sv=2022-11-02&sp=r"
                                              "&sig=MARKER-SAS-SIG%3D"],
                                 "connection": "DefaultEndpointsProtocol=https;AccountName=st;"
                                               "AccountKey=MARKER-ACCOUNT-KEY==;EndpointSuffix=core.windows.net",
                                 "adminPassword": "MARKER-ADMIN-PASSWORD"},
                    "protectedSettings": {"storageAccountKey": "MARKER-PROTECTED-KEY",
                                          "commandToExecute": "sh run.sh MARKER-PROTECTED-KEY"},
                    "protectedSettingsFromKeyVault": {
                        "secretUrl": "https://kv.vault.azure.net/secrets/MARKER-KV-SECRET/1",
                        "sourceVault": {"id": f"{app_rg}/providers/Microsoft.KeyVault/vaults/kv"}},
                    "instanceView": cs_view},
            })
        add({
            "name": name, "id": vm_id, "type": "Microsoft.Compute/virtualMachines", "location": LOCATION,
            "tags": {"env": "test"}, "identity": {"type": "SystemAssigned",
                                                  "principalId": f"00000000-0000-0000-0000-{i:012d}",
                                                  "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
            "properties": {
                "vmId": f"0f47b100-583c-48e3-a4c0-{i:012d}",
                "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
                "storageProfile": {
                    "imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                       "sku": "22_04-lts-gen2", "version": "latest",
                                       "exactVersion": "22.04.202410020"},
                    "osDisk": {"osType": "Linux", "name": f"{name}-os", "createOption": "FromImage",
                               "caching": "ReadWrite", "managedDisk": {"storageAccountType": "Premium_LRS"},
                               "diskSizeGB": 30},
                    "dataDisks": []},
                "osProfile": {"computerName": name, "adminUsername": "azureuser",
                              "linuxConfiguration": {"disablePasswordAuthentication": True, "provisionVMAgent": True},
                              "secrets": [], "allowExtensionOperations": True},
                "networkProfile": {"networkInterfaces": [{"id": nic_id, "properties": {"primary": True}}]},
                "provisioningState": "Succeeded",
                "instanceView": {
                    "computerName": name, "osName": "ubuntu", "osVersion": "22.04",
                    "vmAgent": {"vmAgentVersion": "2.11.1.12", "statuses": [{
                        "code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready",
                        "message": "Guest Agent is running", "time": iso(now)}]},
                    "extensions": ext_views,
                    "statuses": [
                        {"code": "ProvisioningState/succeeded", "level": "Info",
                         "displayStatus": "Provisioning succeeded"},
                        {"code": "PowerState/deallocated" if i % 5 == 4 else "PowerState/running", "level": "Info",
                         "displayStatus": "VM deallocated" if i % 5 == 4 else "VM running"}],
                },
            },
        })
        for e in exts:
            add(e)
        add({
            "name": f"nic-{name}", "id": nic_id, "type": "Microsoft.Network/networkInterfaces", "location": LOCATION,
            "etag": 'W/"00000000-0000-0000-0000-0000000000aa"',
            "properties": {
                "provisioningState": "Succeeded",
                "ipConfigurations": [{"name": "ipconfig1", "id": f"{nic_id}/ipConfigurations/ipconfig1",
                                      "properties": {"privateIPAddress": f"10.10.1.{4 + i % 250}",
                                                     "privateIPAllocationMethod": "Dynamic",
                                                     "subnet": {"id": snet_vm}, "primary": True,
                                                     "privateIPAddressVersion": "IPv4"}}],
                "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
                "networkSecurityGroup": {"id": nsg_nic} if i == 0 else None,
                "primary": True, "virtualMachine": {"id": vm_id},
            },
        })
        if res[-1]["properties"]["networkSecurityGroup"] is None:
            del res[-1]["properties"]["networkSecurityGroup"]
        dcra_base = f"{vm_id}/providers/Microsoft.Insights/dataCollectionRuleAssociations"
        target_dcr = missing_dcr_id if (missing_dcr and i == n_vms - 1 and n_vms >= 2) else dcr_id
        add({"id": f"{dcra_base}/dcra-linux", "name": "dcra-linux",
             "type": "Microsoft.Insights/dataCollectionRuleAssociations", "systemData": SYSTEM_DATA,
             "etag": "\"00000836-0000-0100-0000-65fdd8bc0000\"",
             "properties": {"dataCollectionRuleId": target_dcr, "provisioningState": "Succeeded"}})
        if i % 2 == 0:
            add({"id": f"{dcra_base}/configurationAccessEndpoint", "name": "configurationAccessEndpoint",
                 "type": "Microsoft.Insights/dataCollectionRuleAssociations",
                 "properties": {"dataCollectionEndpointId": dce_id, "provisioningState": "Succeeded"}})
        if other:
            other_rg_ids |= {vm_id.lower(), nic_id.lower(), f"{dcra_base}/dcra-linux".lower(),
                             f"{vm_id}/extensions/AzureMonitorLinuxAgent".lower()}
            if i % 2 == 0:
                other_rg_ids.add(f"{dcra_base}/configurationAccessEndpoint".lower())
        else:
            vm_ids.append(vm_id)
        if i % 4 == 3:
            hb_time = now - timedelta(days=3)  # outside the default 24 h look-back
        else:
            hb_time = now - timedelta(minutes=1 + i % 50)
        heartbeats.append({"workspace_id": CUSTOMER_ID, "resource_id": vm_id.lower(), "last_heartbeat": iso(hb_time),
                           "category": "Azure Monitor Agent", "computer": name})

    arc_ids: list[str] = []
    scale_set_ids: dict[str, str] = {}
    if kinds:
        vnet_app = next(r for r in res if r["id"] == vnet_id)
        arc_ids, scale_set_ids, more_decoys = add_machine_kinds(
            res, heartbeats, now=now, vnet_app=vnet_app, dcr_id=dcr_id, ampls_zone_ids=list(zone_ids.values()),
            flexible_members=[v for v in vm_ids if v.rsplit("/", 1)[-1] in ("vm-001", "vm-002")],
            more_arc=more_arc, instances=instances)
        decoys |= more_decoys

    doc = {
        "format": "ama-estate/1",
        "captured_at": iso(now),
        "cloud": "AzureCloud",
        "source": {"kind": "test-builder"},
        "resources": res,
        "heartbeats": heartbeats,
        "heartbeat_workspaces": [CUSTOMER_ID],
        "errors": [],
    }
    return Estate(doc=doc, listed=[APP], decoys=decoys, other_rg_ids=other_rg_ids, vm_ids=vm_ids,
                  missing_dcr=missing_dcr_id if (missing_dcr and n_vms >= 2) else "", arc_ids=arc_ids,
                  scale_set_ids=scale_set_ids)


def add_machine_kinds(res: list[dict], heartbeats: list[dict], *, now: datetime, vnet_app: dict, dcr_id: str,
                      ampls_zone_ids: list[str], flexible_members: list[str], more_arc: int = 0,
                      instances: int = 3) -> tuple[list[str], dict[str, str], set[str]]:
    """Arc-enabled servers and scale sets (see the module docstring), in the shapes of
    :mod:`amaaudit.synth`; returns the Arc machines' ids, the scale sets' ids and the decoys."""
    b = EstateBuilder(captured_at=iso(now))
    workspace = {"properties": {"customerId": CUSTOMER_ID}}
    app_rg, hub_rg = "rg-app", "rg-hub"
    decoys: set[str] = set()

    # -- an Arc private link scope, its endpoint in a VNet of its own, the Arc zones ---------------
    vnet_arc = b.vnet(HUB, hub_rg, "vnet-arc", prefix="10.20.0.0/16", location=LOCATION,
                      subnets=[{"name": "snet-arc-pe", "prefix": "10.20.1.0/24"}])
    scope = b.arc_private_link_scope(HUB, hub_rg, "arc-pls", location=LOCATION)
    pe, ips = b.arc_private_endpoint(HUB, hub_rg, "pe-arc", f"{vnet_arc['id']}/subnets/snet-arc-pe", scope,
                                     "10.20.1", location=LOCATION)
    zones = {z: b.dns_zone(HUB, "rg-dns", z) for z in ARC_ZONES}
    b.zone_group(pe, list(zones.values()))
    for zone in zones.values():
        b.dns_link(zone, vnet_arc)
    for fqdn, ip in ips.items():
        zone_name = next(z for z in ARC_ZONES if fqdn.endswith("." + z.removeprefix("privatelink.")))
        b.dns_a(zones[zone_name], fqdn[: -len(zone_name.removeprefix("privatelink.")) - 1], [ip])
    for zone_id in ampls_zone_ids:       # AMA's data goes through AMPLS, resolved in the same VNet
        b.add({"id": f"{zone_id}/virtualNetworkLinks/link-arc", "name": "link-arc",
               "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
               "properties": {"virtualNetwork": {"id": vnet_arc["id"]}, "registrationEnabled": False,
                              "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}})
    unused = b.arc_private_link_scope(HUB, hub_rg, "arc-pls-unused", location=LOCATION)
    decoys.add(unused["id"].lower())

    # -- Arc-enabled servers ----------------------------------------------------------------------
    arc_ids = []
    for name in (*ARC_MACHINES, *(f"arc-x{i:03d}" for i in range(more_arc))):
        machine = b.arc_machine(APP, app_rg, name, location=LOCATION,
                                status="Disconnected" if name == "arc-down" else "Connected",
                                since_days=60 if name == "arc-down" else 2,
                                extensions_enabled="false" if name == "arc-noext" else "true",
                                scope=scope if name == "arc-pl" else None)
        machine.pop("kind")          # ARM's kind: null; Resource Graph has no null column to tell it from absent
        arc_ids.append(machine["id"])
        if name != "arc-noext":
            b.arc_extension(machine)
        b.associate(machine, rule_id=dcr_id)
        b.heartbeat(machine, workspace, minutes_ago=60 * 24 * 60 if name == "arc-down" else 2)

    # -- scale sets -------------------------------------------------------------------------------
    nsg_config = b.nsg(APP, app_rg, "nsg-vmss", location=LOCATION)
    nsg_subnet = b.nsg(APP, app_rg, "nsg-vmss-subnet", location=LOCATION)
    subnet_id = f"{vnet_app['id']}/subnets/snet-vmss"
    vnet_app["properties"]["subnets"].append({"name": "snet-vmss", "id": subnet_id, "properties": {
        "addressPrefix": "10.10.3.0/24", "provisioningState": "Succeeded",
        "networkSecurityGroup": {"id": nsg_subnet["id"]}}})
    web = b.scale_set(APP, app_rg, UNIFORM, location=LOCATION, upgrade_mode="Manual", subnet_id=subnet_id,
                      nsg=nsg_config, capacity=instances)
    for i in range(instances):
        instance = b.scale_set_instance(web, str(i), latest_model=i < instances - 1)
        if i < instances - 1:
            b.heartbeat(instance, workspace, minutes_ago=3 + i)
        if i == 1:      # as the REST API's own example types an instance (the snapshot keeps ARM's type)
            instance["type"] = "Microsoft.Compute/virtualMachines"
    b.associate(web, rule_id=dcr_id)
    empty_nsg = b.nsg(APP, app_rg, "nsg-vmss-empty", location=LOCATION)
    empty = b.scale_set(APP, app_rg, EMPTY_UNIFORM, location=LOCATION, subnet_id=subnet_id, nsg=empty_nsg, capacity=0)
    empty_association = b.associate(empty, rule_id=dcr_id)
    decoys |= {empty_nsg["id"].lower(), empty_association["id"].lower()}
    flexible = b.scale_set(APP, app_rg, FLEXIBLE, location=LOCATION, orchestration="Flexible", upgrade_mode="Manual",
                           capacity=len(flexible_members))
    by_id = {r["id"]: r for r in res}
    for vm_id in flexible_members:
        b.flexible_member(by_id[vm_id], flexible)

    res.extend(b.resources)
    heartbeats.extend(b.heartbeats)
    heartbeats.append({"workspace_id": CUSTOMER_ID, "resource_id": "", "computer": "onprem-legacy01",   # no Azure id
                       "last_heartbeat": iso(now - timedelta(minutes=5)), "category": "Direct Agent"})
    return arc_ids, {d["name"]: d["id"] for d in (web, empty, flexible)}, decoys


def fresh_heartbeats(estate: Estate, lookback_minutes: int = 60 * 24, *, now: datetime | None = None) -> list[dict]:
    """The rows a capture keeps: within the look-back, of an Azure resource (a row without a
    ``_ResourceId`` is a computer no snapshot machine can be)."""
    now = now or datetime.now(timezone.utc)
    out = []
    for hb in estate.doc["heartbeats"]:
        if not hb["resource_id"]:
            continue
        t = datetime.fromisoformat(hb["last_heartbeat"].replace("Z", "+00:00"))
        if t > now - timedelta(minutes=lookback_minutes):
            out.append(copy.deepcopy(hb))
    return out


def landing_zone(n_vms: int, seed: int = 3, *, now: datetime | None = None) -> dict:
    """The benchmark's synthetic landing zone (``bench/make_estate.py``: four application
    subscriptions, a monitoring one, every failure mode of every step, names that collide), with
    its Heartbeat moved to ``now`` so that a live capture sees the same ages. Its ``errors``
    (unreadable associations) are for :func:`forbid_errors` to turn into missing read access."""
    from bench.make_estate import build

    doc, _ = build(n_vms, seed)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    shift = now - datetime.fromisoformat(doc["captured_at"].replace("Z", "+00:00"))
    for hb in doc.get("heartbeats") or []:
        t = datetime.fromisoformat(hb["last_heartbeat"].replace("Z", "+00:00"))
        hb["last_heartbeat"] = iso(t + shift)
    doc["captured_at"] = iso(now)
    return doc


def forbid_errors(fake, doc: dict) -> int:
    """Make the fake refuse what the estate's ``errors`` say could not be read (403s): the
    estate's read errors then come from the fake's RBAC, on either back-end."""
    n = 0
    for err in doc.get("errors") or []:
        op = str(err.get("operation") or "")
        if err.get("status") == 403 and op.endswith("/read"):
            fake.forbid(err["scope"], op[: -len("/read")])
            n += 1
    return n
