"""The endpoints AMA must reach, per cloud, and the private DNS zones AMPLS needs.

Source: Learn "Azure Monitor agent network configuration" and "Configure private link"
(shared/reference/ama-facts.md §2.2, §2.3). Sovereign clouds swap the suffix.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

MONITOR = {"AzureCloud": "monitor.azure.com", "AzureUSGovernment": "monitor.azure.us",
           "AzureChinaCloud": "monitor.azure.cn"}
OPINSIGHTS = {"AzureCloud": "opinsights.azure.com", "AzureUSGovernment": "opinsights.azure.us",
              "AzureChinaCloud": "opinsights.azure.cn"}
ARM_HOST = {"AzureCloud": "management.azure.com", "AzureUSGovernment": "management.usgovcloudapi.net",
            "AzureChinaCloud": "management.chinacloudapi.cn"}
AUTOMATION = {"AzureCloud": "azure-automation.net", "AzureUSGovernment": "azure-automation.us",
              "AzureChinaCloud": "azure-automation.cn"}
BLOB = {"AzureCloud": "blob.core.windows.net", "AzureUSGovernment": "blob.core.usgovcloudapi.net",
        "AzureChinaCloud": "blob.core.chinacloudapi.cn"}


@dataclass(frozen=True)
class Endpoint:
    host: str
    purpose: str
    service_tags: frozenset[str]
    resource_id: str = ""          # the workspace or DCE it belongs to, if any


def private_dns_zones(cloud: str) -> dict[str, str]:
    """Zone name -> what it maps. China's names follow the documented pattern (not in Learn's table)."""
    return {
        f"privatelink.{MONITOR[cloud]}": "shared endpoints and data collection endpoints (DCE)",
        f"privatelink.oms.{OPINSIGHTS[cloud]}": "workspace-specific agent endpoints",
        f"privatelink.ods.{OPINSIGHTS[cloud]}": "workspace-specific ingestion (ODS) endpoints",
        f"privatelink.agentsvc.{AUTOMATION[cloud]}": "workspace-specific agent service endpoints",
        f"privatelink.{BLOB[cloud]}": "agents' solution-pack storage",
    }


def host_of(url: str) -> str:
    return (urlparse(url).hostname or "") if "://" in url else url.split("/")[0]


def ama_endpoints(cloud: str, region: str, workspaces, dces) -> list[Endpoint]:
    """What this VM's agent connects to: control plane, each workspace's ODS, each DCE."""
    monitor = frozenset({"AzureMonitor"})
    out = [Endpoint(f"global.handler.control.{MONITOR[cloud]}", "control service", monitor),
           Endpoint(f"{region.lower().replace(' ', '')}.handler.control.{MONITOR[cloud]}",
                    "DCR download for the VM's region", monitor)]
    for ws in workspaces:
        if ws.customer_id:
            out.append(Endpoint(f"{ws.customer_id.lower()}.ods.{OPINSIGHTS[cloud]}",
                                f"log ingestion to workspace {ws.name}", monitor, ws.id))
    for dce in dces:
        for url, purpose in ((dce.logs_ingestion, "logs ingestion"), (dce.configuration_access, "configuration")):
            if url:
                out.append(Endpoint(host_of(url), f"DCE {dce.name} {purpose}", monitor, dce.id))
    out.append(Endpoint(ARM_HOST[cloud], "Azure Resource Manager (the AzureResourceManager tag AMA needs)",
                        frozenset({"AzureResourceManager"})))
    seen, unique = set(), []
    for e in out:
        if e.host not in seen:
            seen.add(e.host)
            unique.append(e)
    return unique


def connectivity_commands(host: str) -> tuple[str, str]:
    """The guide's own connectivity tests, filled in: Windows PowerShell and Linux openssl."""
    return (f"Test-NetConnection {host} -Port 443",
            f"echo | openssl s_client -connect {host}:443 -servername {host} -showcerts")


# -- Azure Arc-enabled servers -----------------------------------------------------------------
# Learn, "Connected Machine agent network requirements" (azure-arc/servers/network-requirements):
# what the agent itself needs besides AMA's endpoints. Sovereign clouds swap the suffixes.
ARC = {"AzureCloud": "arc.azure.com", "AzureUSGovernment": "arc.azure.us", "AzureChinaCloud": "arc.azure.cn"}
GUESTCONFIG = {"AzureCloud": "guestconfiguration.azure.com", "AzureUSGovernment": "guestconfiguration.azure.us",
               "AzureChinaCloud": "guestconfiguration.azure.cn"}
KUBECONFIG = {"AzureCloud": "kubernetesconfiguration.azure.com",
              "AzureUSGovernment": "kubernetesconfiguration.azure.us",
              "AzureChinaCloud": "kubernetesconfiguration.azure.cn"}
LOGIN = {"AzureCloud": "login.microsoftonline.com", "AzureUSGovernment": "login.microsoftonline.us",
         "AzureChinaCloud": "login.chinacloudapi.cn"}


def arc_endpoints(cloud: str, region: str) -> list[Endpoint]:
    """The Connected Machine agent's own endpoints (identity, metadata, extension management): an Arc
    server sends nothing to AMA's endpoints if it cannot reach these. Wildcard families are given by
    the host the agent uses first (``gbl.his``, the regional guest configuration service)."""
    region = region.lower().replace(" ", "")
    arc_tags = frozenset({"AzureArcInfrastructure"})
    return [Endpoint(LOGIN[cloud], "Microsoft Entra ID sign-in (public even with private link)",
                     frozenset({"AzureActiveDirectory"})),
            Endpoint(f"gbl.his.{ARC[cloud]}", "hybrid identity and metadata (*.his)", arc_tags),
            Endpoint(f"agentserviceapi.{GUESTCONFIG[cloud]}", "extension management (*.guestconfiguration)", arc_tags),
            Endpoint(f"{region}-gas.{GUESTCONFIG[cloud]}", "regional extension management (*.guestconfiguration)",
                     arc_tags),
            Endpoint(ARM_HOST[cloud], "Azure Resource Manager (connect, disconnect)",
                     frozenset({"AzureResourceManager"}))]


def arc_private_dns_zones(cloud: str) -> dict[str, str]:
    """The zones an Arc Private Link Scope's endpoints need (group hybridcompute)."""
    return {f"privatelink.his.{ARC[cloud]}": "hybrid identity and metadata",
            f"privatelink.{GUESTCONFIG[cloud]}": "extension management and guest configuration",
            f"privatelink.dp.{KUBECONFIG[cloud]}": "Arc-enabled Kubernetes configuration (same scope)"}
