"""Generate a synthetic ``ama-estate/1`` estate of N VMs for the benchmarks.

    python bench/make_estate.py 10000 bench/out/estate-10000.json [--seed 1]
    python bench/make_estate.py 10000 bench/out/heavy-10000.json --profile failure-heavy [--failing 0.7]

The estate looks like a real landing zone rather than N copies of one VM:

* four application subscriptions (the same resource-group names in each, as templates make
  them) and a central monitoring subscription;
* a handful of shared workspaces, DCRs, DCEs, NSGs, route tables, VNets, one AMPLS hub with its
  five private DNS zones -- every VM points at these, so indexes matter, not per-VM copies;
* about 80% healthy VMs (``--healthy``), the rest spread over every failure mode of every step
  (see ``FAULTS``), weighted roughly by how often each is met in practice;
* VM names that collide across resource groups (``web01`` in many groups) and, a few, across
  subscriptions (same group and name), so test ids need qualifying;
* a few ``errors`` entries (unreadable associations, and one read nothing depends on).

The ``failure-heavy`` profile is the other extreme: the bundled demo estate's VMs cloned to N
(vm01, the healthy one, for ``1 - --failing`` of them; for the rest, the demo VMs that the suite
fails or cannot evaluate, each a failure mode of the guide and several with private link and DNS
findings), so that ``--failing`` of the VMs fail and most results are findings. It is what the checks must stay near pytest's floor on whatever the failure rate.

Deterministic for a given N and seed. The document is written compactly (no indent): the
loader's speed on a large file is part of what is measured.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amaaudit.synth import EstateBuilder, rid  # noqa: E402

MGMT = "0a9b8c7d-6e5f-4d3c-2b1a-0f9e8d7c6b5a"
APPS = ["6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "7a2c3d4e-5f60-4b7c-9d8e-0f1a2b3c4d5e",
        "8b3d4e5f-6071-4c8d-ae9f-1a2b3c4d5e6f", "9c4e5f60-7182-4d9e-bfa0-2b3c4d5e6f70"]
GROUPS = [f"rg-app-{i:02d}" for i in range(1, 7)]
REGIONS = ["japaneast", "japanwest"]
ROLES = ["web", "app", "api", "db", "batch", "cache", "etl", "jump"]

# failure mode -> relative weight among the failing VMs. Every step's failure modes are here.
FAULTS: dict[str, int] = {
    "os_unsupported": 3,       # os: CentOS 7 (and the agent fails to install on it)
    "os_unknown": 2,           # os: custom gallery image, no guest data (skip: undetermined)
    "stopped": 8,              # power: deallocated / stopped (later steps skipped)
    "guest_not_ready": 2,      # power: guest agent Not Ready
    "agent_missing": 8,        # agent: no AMA extension
    "agent_failed": 5,         # agent: provisioning failed
    "agent_version": 3,        # agent: typeHandlerVersion not major.minor
    "auto_upgrade_off": 6,     # agent: automatic upgrade off (warning) + legacy MMA (warning)
    "no_identity": 5,          # identity: none
    "identity_named_absent": 2,  # identity: settings name a UAI that is not attached
    "dcr_none": 6,             # dcr: only a DCE association
    "dcr_deleted": 4,          # dcr: association to a deleted rule
    "dcr_kind": 3,             # dcr: Windows DCR on a Linux VM
    "workspace_capped": 2,     # dcr: workspace over quota
    "nsg_deny": 5,             # network: NSG denies Internet, no tag allowed
    "forced_tunnel": 4,        # network: 0.0.0.0/0 to a firewall (warning)
    "ampls_not_scoped": 3,     # ampls: private link, but the workspace is not in the scope
    "ampls_no_dce": 2,         # ampls: DCR without a DCE
    "ampls_pending": 1,        # ampls: private endpoint connection Pending
    "dns_not_linked": 3,       # dns: zones not linked to the VM's VNet
    "custom_dns": 2,           # dns: custom DNS servers (warning)
    "heartbeat_stale": 6,      # heartbeat: last one 3 h ago
    "heartbeat_missing": 4,    # heartbeat: none in the look-back window
    "dcra_unreadable": 1,      # errors: the VM's associations could not be read (error)
}


class Net:
    """Hands out private IPs inside a subnet prefix (a /18 here: plenty for any N)."""

    def __init__(self, prefix: str):
        first, second, third, _ = prefix.split("/")[0].split(".")
        self.head, self.next = f"{first}.{second}", int(third) * 256 + 4

    def ip(self) -> str:
        a, b = divmod(self.next, 256)
        self.next += 1
        return f"{self.head}.{a}.{b}"


def build(n: int, seed: int = 1, healthy: float = 0.80) -> tuple[dict, Counter]:
    rnd = random.Random(seed)
    b = EstateBuilder(captured_at="2026-11-25T09:00:00Z",
                      source={"kind": "synthetic", "description": f"amaaudit benchmark estate, {n} VMs, seed {seed}",
                              "subscriptions": APPS + [MGMT]})

    # -- shared monitoring: a few workspaces, DCRs per OS per workspace, DCEs per region ------------
    law = {r: b.workspace(MGMT, "rg-monitoring", f"law-central-{r}", r) for r in REGIONS}
    law_capped = b.workspace(MGMT, "rg-monitoring", "law-sandbox", REGIONS[0], ingestion_status="OverQuota")
    law_private = b.workspace(MGMT, "rg-monitoring", "law-private", REGIONS[0], public_ingestion="Disabled")
    dce = {r: b.dce(MGMT, "rg-monitoring", f"dce-{r}", r) for r in REGIONS}
    dce_private = b.dce(MGMT, "rg-monitoring", "dce-private-japaneast", REGIONS[0], public="Disabled")
    dcr = {(r, os): b.dcr(MGMT, "rg-monitoring", f"dcr-{os.lower()}-{r}", [law[r]], r, kind=os, dce=dce[r])
           for r in REGIONS for os in ("Linux", "Windows")}
    dcr_any = b.dcr(MGMT, "rg-monitoring", "dcr-baseline-all", [law[REGIONS[0]]], REGIONS[0], kind=None,
                    streams=["Microsoft-Syslog", "Microsoft-Event"])
    dcr_sandbox = b.dcr(MGMT, "rg-monitoring", "dcr-sandbox", [law_capped], REGIONS[0], kind="Linux")
    dcr_private = b.dcr(MGMT, "rg-monitoring", "dcr-private-syslog", [law_private], REGIONS[0], kind="Linux",
                        dce=dce_private)
    dcr_no_dce = b.dcr(MGMT, "rg-monitoring", "dcr-private-nodce", [law_private], REGIONS[0], kind="Linux")
    deleted_rule = rid(MGMT, "rg-monitoring", "Microsoft.Insights/dataCollectionRules", "dcr-linux-old")
    uai = b.user_identity(MGMT, "rg-identity", "id-ama-shared", REGIONS[0])

    # -- network: per app subscription and region, one spoke VNet with a few subnets --------------
    subnets: dict[tuple[str, str], dict[str, tuple[str, Net]]] = {}
    for si, sub in enumerate(APPS):
        nsg_app = b.nsg(sub, "rg-network", "nsg-app", rules=[
            {"name": "AllowHttpsInbound", "priority": 200, "direction": "Inbound", "access": "Allow",
             "protocol": "Tcp", "destinationPortRange": "443", "sourceAddressPrefix": "Internet"}])
        nsg_tagged = b.nsg(sub, "rg-network", "nsg-tagged", rules=[
            {"name": "AllowAzureMonitor", "priority": 100, "access": "Allow", "protocol": "Tcp",
             "destinationPortRange": "443", "destinationAddressPrefix": "AzureMonitor"},
            {"name": "AllowAzureResourceManager", "priority": 110, "access": "Allow", "protocol": "Tcp",
             "destinationPortRange": "443", "destinationAddressPrefix": "AzureResourceManager"},
            {"name": "DenyInternetOutbound", "priority": 4000, "access": "Deny",
             "destinationAddressPrefix": "Internet"}])
        nsg_locked = b.nsg(sub, "rg-network", "nsg-locked", rules=[
            {"name": "DenyInternetOutbound", "priority": 4000, "access": "Deny",
             "destinationAddressPrefix": "Internet"}])
        firewall = b.route_table(sub, "rg-network", "rt-to-firewall", [
            {"name": "default-to-firewall", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
             "nextHopIpAddress": "10.0.1.4"}])
        for ri, region in enumerate(REGIONS):
            second = 100 + si * 10 + ri * 5
            names = {"snet-app": nsg_app, "snet-web": nsg_tagged, "snet-locked": nsg_locked, "snet-fw": None}
            specs = []
            for k, (name, nsg) in enumerate(names.items()):
                spec = {"name": name, "prefix": f"10.{second}.{k * 64}.0/18"}
                if nsg is not None:
                    spec["nsg"] = nsg
                if name == "snet-fw":
                    spec["route_table"] = firewall
                specs.append(spec)
            vnet = b.vnet(sub, "rg-network", f"vnet-spoke-{region}", f"10.{second}.0.0/16", specs, location=region)
            subnets[(sub, region)] = {s["name"]: (s["id"], Net(s["properties"]["addressPrefix"]))
                                      for s in vnet["properties"]["subnets"]}

    # -- private link: AMPLS hub, zones linked to hub + private spokes, an unlinked and a pending one --
    ampls = b.private_link_scope(MGMT, "rg-monitoring", "ampls-prod", [law_private, dce_private])
    pending_scope = b.private_link_scope(MGMT, "rg-monitoring", "ampls-pending", [law_private, dce_private])
    region = REGIONS[0]
    hub = b.vnet(MGMT, "rg-hub", "vnet-hub", "10.40.0.0/16", [{"name": "snet-pe", "prefix": "10.40.1.0/24"}],
                 location=region)
    spoke_a = b.vnet(APPS[0], "rg-network", "vnet-private", "10.50.0.0/16",
                     [{"name": "snet-app", "prefix": "10.50.0.0/18"}], location=region)
    spoke_b = b.vnet(APPS[1], "rg-network", "vnet-private", "10.51.0.0/16",
                     [{"name": "snet-app", "prefix": "10.51.0.0/18"}], location=region)
    unlinked = b.vnet(APPS[2], "rg-network", "vnet-private-new", "10.60.0.0/16",
                      [{"name": "snet-app", "prefix": "10.60.0.0/18"}, {"name": "snet-pe", "prefix": "10.60.64.0/24"}],
                      location=region)
    customdns = b.vnet(APPS[3], "rg-network", "vnet-private-dns", "10.70.0.0/16",
                       [{"name": "snet-app", "prefix": "10.70.0.0/18"}], location=region, dns_servers=["10.0.0.53"])
    isolated = b.vnet(APPS[3], "rg-network", "vnet-isolated", "10.80.0.0/16",
                      [{"name": "snet-app", "prefix": "10.80.0.0/18"}, {"name": "snet-pe", "prefix": "10.80.64.0/24"}],
                      location=region)

    def sn(vnet, name="snet-app"):
        s = next(x for x in vnet["properties"]["subnets"] if x["name"] == name)
        return s["id"], Net(s["properties"]["addressPrefix"])

    private_nets = {"healthy": [sn(spoke_a), sn(spoke_b)], "unlinked": sn(unlinked), "customdns": sn(customdns),
                    "isolated": sn(isolated)}
    cid = law_private["properties"]["customerId"]
    dce_hosts = [dce_private["properties"][k]["endpoint"].split("://")[1]
                 for k in ("logsIngestion", "configurationAccess")]
    fqdns = {f"{cid}.ods.opinsights.azure.com": "10.40.1.5", f"{cid}.oms.opinsights.azure.com": "10.40.1.6",
             f"{cid}.agentsvc.azure-automation.net": "10.40.1.7", dce_hosts[0]: "10.40.1.8",
             dce_hosts[1]: "10.40.1.9"}
    hub_pe_subnet = hub["properties"]["subnets"][0]["id"]
    pe = b.private_endpoint(MGMT, "rg-hub", "pe-ampls-prod", hub_pe_subnet, ampls, fqdns, location=region)
    zones = [b.dns_zone(MGMT, "rg-dns", z) for z in (
        "privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
        "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net",
        "privatelink.blob.core.windows.net")]
    b.zone_group(pe, zones)
    for fqdn, ip in fqdns.items():
        for zone in zones:
            suffix = zone["name"].removeprefix("privatelink.")
            if fqdn.endswith("." + suffix):
                b.dns_a(zone, fqdn[: -len(suffix) - 1], [ip])
    b.dns_a(zones[-1], "scadvisorcontentpl", ["10.40.1.10"])
    for zone in zones:
        for vnet in (hub, spoke_a, spoke_b, customdns):   # spokes share a name: link names must not
            b.dns_link(zone, vnet, name=f"link-{vnet['name']}-{vnet['id'].split('/')[2][:8]}")
    b.private_endpoint(APPS[2], "rg-network", "pe-ampls-spoke-new", sn(unlinked, "snet-pe")[0], ampls,
                       {k: v.replace("10.40.1", "10.60.64") for k, v in fqdns.items()}, location=region)
    b.private_endpoint(APPS[3], "rg-network", "pe-ampls-pending", sn(isolated, "snet-pe")[0], pending_scope,
                       {k: v.replace("10.40.1", "10.80.64") for k, v in fqdns.items()}, status="Pending",
                       location=region)
    # A read that failed but that no check depends on (must change nothing).
    b.error(f"/subscriptions/{APPS[3]}", "Microsoft.Web/sites/read", 403, "AuthorizationFailed",
            "The client 'sp-amaaudit' does not have authorization to perform action 'Microsoft.Web/sites/read'.")

    # -- the machines ---------------------------------------------------------------------------------
    modes = list(FAULTS)
    weights = [FAULTS[m] for m in modes]
    counts: Counter = Counter()
    per_group: Counter = Counter()
    used: set[tuple[str, str, str]] = set()

    def name_for(sub: str, rg: str, i: int) -> str:
        role = ROLES[i % len(ROLES)]
        if rnd.random() < 0.3:   # template names: web01, db02 ... repeated in every group
            per_group[(sub, rg, role)] += 1
            candidate = f"{role}{per_group[(sub, rg, role)]:02d}"
        else:
            candidate = f"{role}-{sub[:4]}-{i:05d}"
        while (sub, rg.lower(), candidate.lower()) in used:
            candidate += "x"
        used.add((sub, rg.lower(), candidate.lower()))
        return candidate

    for i in range(n):
        mode = "healthy" if rnd.random() < healthy else rnd.choices(modes, weights)[0]
        # a healthy tenth of VMs sends through the private link hub
        if mode == "healthy" and rnd.random() < 0.08:
            mode = "private_healthy"
        counts[mode] += 1
        sub, rg = rnd.choice(APPS), rnd.choice(GROUPS)
        region = REGIONS[0] if rnd.random() < 0.7 else REGIONS[1]
        os_name = "Linux" if rnd.random() < 0.65 else "Windows"
        name = name_for(sub, rg, i)
        private = mode in ("private_healthy", "ampls_not_scoped", "ampls_no_dce", "ampls_pending",
                           "dns_not_linked", "custom_dns")
        if private:
            region, os_name = REGIONS[0], "Linux"
        if mode in ("os_unsupported", "dcr_kind", "workspace_capped"):
            os_name = "Linux"

        subnet_name = {"nsg_deny": "snet-locked", "forced_tunnel": "snet-fw"}.get(
            mode, "snet-web" if rnd.random() < 0.3 else "snet-app")
        if mode in ("private_healthy", "ampls_not_scoped", "ampls_no_dce"):
            subnet_id, net = rnd.choice(private_nets["healthy"])
        elif mode == "dns_not_linked":
            subnet_id, net = private_nets["unlinked"]
        elif mode == "custom_dns":
            subnet_id, net = private_nets["customdns"]
        elif mode == "ampls_pending":
            subnet_id, net = private_nets["isolated"]
        else:
            subnet_id, net = subnets[(sub, region)][subnet_name]

        vm_args: dict = {}
        if mode == "os_unsupported":
            vm_args.update(image=("OpenLogic", "CentOS", "7_9"), guest=("centos", "7.9.2009"))
        elif mode == "os_unknown":
            vm_args.update(image={"id": rid(MGMT, "rg-images", "Microsoft.Compute/galleries/images/versions",
                                            "gal_prod", "hardened-base", "2026.10.1")}, guest=("", ""))
        elif mode == "stopped":
            vm_args["power"] = rnd.choice(["deallocated", "deallocated", "stopped"])
        elif mode == "guest_not_ready":
            vm_args["agent"] = "Not Ready"
        elif mode == "no_identity":
            vm_args["identity"] = None
        elif mode == "identity_named_absent":
            vm_args.update(identity=None, user_identities=[uai])

        nic = b.nic(sub, rg, f"{name}-nic", subnet_id, net.ip(), location=region)
        vm = b.vm(sub, rg, name, os=os_name, location=region, nics=[nic],
                  tags={"env": rnd.choice(["prod", "prod", "stg", "dev"]), "owner": f"team-{i % 17}"}, **vm_args)

        ext: dict | None = {}
        if mode == "agent_missing":
            ext = None
        elif mode == "agent_failed":
            ext = {"state": "Failed", "statuses": [
                {"code": "ProvisioningState/failed/1", "level": "Error", "displayStatus": "Provisioning failed",
                 "message": "Enable failed: mdsd did not start (exit code 1)"}]}
        elif mode == "os_unsupported":
            ext = {"state": "Failed", "statuses": [
                {"code": "ProvisioningState/failed/51", "level": "Error", "displayStatus": "Provisioning failed",
                 "message": "Install failed with exit code 51: Unsupported operating system: centos 7.9.2009"}]}
        elif mode == "agent_version":
            ext = {"version": "1.31.1"}
        elif mode == "auto_upgrade_off":
            ext = {"auto_upgrade": False}
        elif mode == "identity_named_absent":
            ext = {"settings": {"authentication": {"managedIdentity": {
                "identifier-name": "mi_res_id",
                "identifier-value": rid(MGMT, "rg-identity", "Microsoft.ManagedIdentity/userAssignedIdentities",
                                        "id-ama-old")}}}}
        if ext is not None:
            b.extension(vm, **ext)
        if mode == "auto_upgrade_off" and os_name == "Windows":
            b.extension(vm, name="MicrosoftMonitoringAgent", publisher="Microsoft.EnterpriseCloud.Monitoring",
                        ext_type="MicrosoftMonitoringAgent", version="1.0")

        workspace = law[region]
        if mode == "dcr_none":
            b.associate(vm, endpoint=dce[region])
        elif mode == "dcr_deleted":
            b.associate(vm, rule_id=deleted_rule)
        elif mode == "dcr_kind":
            b.associate(vm, dcr[(region, "Windows")])
        elif mode == "workspace_capped":
            b.associate(vm, dcr_sandbox)
            workspace = law_capped
        elif private:
            rule = {"ampls_not_scoped": dcr[(region, "Linux")], "ampls_no_dce": dcr_no_dce}.get(mode, dcr_private)
            b.associate(vm, rule)
            b.associate(vm, endpoint=dce_private)
            workspace = law_private if rule is not dcr[(region, "Linux")] else law[region]
        else:
            b.associate(vm, dcr[(region, os_name)])
            if rnd.random() < 0.15:       # some estates add a kind-less baseline rule beside the OS one
                b.associate(vm, dcr_any)
        if mode == "dcra_unreadable":
            b.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed",
                    f"The client 'sp-amaaudit' does not have authorization to perform action "
                    f"'Microsoft.Insights/dataCollectionRuleAssociations/read' over scope '{vm['id']}'.")

        beats = mode in ("healthy", "private_healthy", "auto_upgrade_off", "forced_tunnel", "custom_dns",
                         "os_unknown", "heartbeat_stale", "workspace_capped")
        if beats:
            minutes = 190 if mode == "heartbeat_stale" else 300 if mode == "workspace_capped" else \
                round(rnd.uniform(0.2, 4.0), 1)
            b.heartbeat(vm, workspace, minutes)
    return b.build(), counts


REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "fixtures" / "estates" / "demo.json"


def failing_demo_vms() -> set[str]:
    """Ids (lower case) of the demo's VMs that the suite fails or cannot evaluate, from a run of it.

    Taken from the suite's own verdicts rather than a list here, so that ``--failing`` stays the share of
    VMs that fail as the demo and the checks change: a demo VM that only warns, or is healthy in another
    way than vm01, would otherwise count as failing and dilute it."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--estate", str(DEMO),
             f"--findings-json={tmp}/findings.json", f"--html={tmp}/report.html", f"--junitxml={tmp}/junit.xml"],
            cwd=REPO, capture_output=True, text=True)
        findings = Path(tmp) / "findings.json"
        if not findings.exists():
            raise SystemExit("make_estate: the suite did not run over the demo estate:\n" + proc.stdout[-2000:])
        results = json.loads(findings.read_text(encoding="utf-8"))["results"]
    return {r["resource_id"].lower() for r in results
            if r.get("kind") == "vm" and r.get("outcome") in ("fail", "error")}


def failure_heavy(n: int, seed: int = 1, failing: float = 0.70) -> tuple[dict, Counter]:
    """The demo estate's VMs cloned to ``n``: ``failing`` of them from its failing VMs, the rest
    from vm01 (healthy). A clone is the VM with everything that is its own (NICs, extensions, DCR
    associations, Heartbeat rows, read errors about it) under a new name; what VMs share (VNets,
    NSGs, DCRs, workspaces, AMPLS, DNS) stays shared, as in a real estate."""
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    rnd = random.Random(seed)
    resources = demo["resources"]
    vms = [r for r in resources if r["type"] == "Microsoft.Compute/virtualMachines"]
    referenced: Counter = Counter(nic["id"].lower() for vm in vms
                                  for nic in vm["properties"]["networkProfile"]["networkInterfaces"])
    own_nics = {k for k, c in referenced.items() if c == 1}
    groups = []
    for vm in vms:
        vid = vm["id"].lower()
        nics = [nic["id"] for nic in vm["properties"]["networkProfile"]["networkInterfaces"]
                if nic["id"].lower() in own_nics]
        prefixes = [vid + "/"] + [i.lower() + "/" for i in nics]
        docs = [r for r in resources if r["id"].lower() in {vid, *(i.lower() for i in nics)}
                or r["id"].lower().startswith(tuple(prefixes))]
        beats = [h for h in demo.get("heartbeats") or [] if h["resource_id"].lower() == vid]
        errors = [e for e in demo.get("errors") or [] if str(e.get("scope", "")).lower().startswith(vid)]
        groups.append((vm, [vm["id"], *nics], docs, beats, errors))
    failing_ids = failing_demo_vms()
    healthy = [g for g in groups if g[0]["name"] == "vm01"]
    broken = [g for g in groups if g[0]["id"].lower() in failing_ids]
    shared_ids = {r["id"].lower() for g in groups for r in g[2]}
    out = [r for r in resources if r["id"].lower() not in shared_ids]
    heartbeats = [h for h in demo.get("heartbeats") or [] if not any(h in g[3] for g in groups)]
    errors = [e for e in demo.get("errors") or [] if not any(e in g[4] for g in groups)]
    counts: Counter = Counter()
    for i in range(n):
        vm, ids, docs, beats, errs = rnd.choice(broken if rnd.random() < failing else healthy)
        counts[vm["name"]] += 1
        text = json.dumps({"docs": docs, "beats": beats, "errors": errs})
        for old in sorted(ids, key=len, reverse=True):          # the VM's own ids get a new last segment
            new = f"{old}-{i:05d}"
            text = text.replace(old, new).replace(old.lower(), new.lower())
        clone = json.loads(text)
        for doc in clone["docs"]:
            if doc["id"].lower().endswith(f"-{i:05d}"):
                doc["name"] = doc["id"].rsplit("/", 1)[-1]
        out += clone["docs"]
        heartbeats += clone["beats"]
        errors += clone["errors"]
    document = {**demo, "source": {"kind": "synthetic", "description": f"amaaudit failure-heavy benchmark estate: "
                                   f"the demo's VMs cloned to {n}, {failing:.0%} from failing ones, seed {seed}"},
                "resources": out, "heartbeats": heartbeats, "errors": errors}
    return document, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of VMs")
    parser.add_argument("out", help="where to write the estate (JSON)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--healthy", type=float, default=0.80, help="share of healthy VMs (default 0.80)")
    parser.add_argument("--profile", choices=("landing-zone", "failure-heavy"), default="landing-zone",
                        help="landing-zone (default): the synthetic landing zone; failure-heavy: the demo's VMs "
                             "cloned, --failing of them from failing ones")
    parser.add_argument("--failing", type=float, default=0.70,
                        help="failure-heavy: share of clones of failing demo VMs (default 0.70)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.profile == "failure-heavy":
        document, counts = failure_heavy(args.n, args.seed, args.failing)
    else:
        document, counts = build(args.n, args.seed, args.healthy)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, separators=(",", ":"), ensure_ascii=False)
    if not args.quiet:
        size = out.stat().st_size / 1e6
        print(f"wrote {out}: {args.n} VMs, {len(document['resources'])} resources, "
              f"{len(document.get('heartbeats') or [])} heartbeats, {len(document.get('errors') or [])} errors, "
              f"{size:.1f} MB")
        print("  modes: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
