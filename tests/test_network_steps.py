"""Scenario estates for the steps network, ampls and dns: every rule, passing and failing."""

from __future__ import annotations

from scenarios import LOC, MON, SUB, Scenario, run_suite

ZONES = ("privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
         "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net",
         "privatelink.blob.core.windows.net")
NET = ("network", "ampls", "dns")


def subnet_vm(s: Scenario, name: str, subnets: list[dict], **kw):
    """A VM with one NIC per subnet given ({"name", "prefix", "nsg"?, "route_table"?}), in its own VNet."""
    vnet = s.vnet(SUB, "rg-net", f"vnet-{name}", "10.90.0.0/16", subnets, location=LOC)
    nics = [s.nic(SUB, "rg-app", f"{name}-nic{i}", sn["id"], f"10.90.{i + 1}.4", location=LOC)
            for i, sn in enumerate(vnet["properties"]["subnets"])]
    return s.machine(name, nic=False, nics=nics, **kw), vnet


def private_link(s: Scenario, vnet, *, scoped=None, status="Approved", ingestion="Open", link=True,
                 records=True, zones=ZONES, ampls_name="ampls-a", dce=None, workspace=None):
    """An AMPLS private endpoint in ``vnet``'s last subnet with its zones; each fault switchable."""
    workspace = workspace or s.law
    scoped = [workspace] + ([dce] if dce else []) if scoped is None else scoped
    ampls = s.private_link_scope(MON, "rg-mon", ampls_name, scoped, ingestion=ingestion)
    cid = workspace["properties"]["customerId"]
    ips = {f"{cid}.ods.opinsights.azure.com": "10.90.9.5", f"{cid}.oms.opinsights.azure.com": "10.90.9.6",
           f"{cid}.agentsvc.azure-automation.net": "10.90.9.7"}
    if dce:
        for key in ("logsIngestion", "configurationAccess"):
            ips[dce["properties"][key]["endpoint"].split("://")[1]] = "10.90.9.8"
    pe = s.private_endpoint(SUB, "rg-net", f"pe-{ampls_name}-{vnet['name']}", vnet["properties"]["subnets"][-1]["id"],
                            ampls, ips, status=status, location=LOC)
    made = s.endpoint_zones(pe, MON, "rg-dns", zones, ips, link_to=vnet if link else None, records=records)
    return ampls, pe, made


def outcomes(run, vm):
    return {step: run[vm, step] for step in NET}


# -- network --------------------------------------------------------------------------------------
def test_nsg_rules_on_two_nics_in_two_subnets(pytester):
    s = Scenario()
    deny = s.nsg(SUB, "rg-net", "nsg-deny-internet", [
        {"name": "DenyInternet", "priority": 300, "access": "Deny", "destinationAddressPrefix": "Internet"}])
    tags = s.nsg(SUB, "rg-net", "nsg-tags", [
        {"name": "AllowMonitor", "priority": 100, "access": "Allow", "protocol": "Tcp",
         "destinationPortRange": "443", "destinationAddressPrefix": "AzureMonitor"},
        {"name": "AllowArm", "priority": 110, "access": "Allow", "protocol": "Tcp",
         "destinationPortRanges": ["80", "443"], "destinationAddressPrefix": "AzureResourceManager"},
        {"name": "DenyInternet", "priority": 4000, "access": "Deny", "destinationAddressPrefix": "Internet"}])
    ranges = s.nsg(SUB, "rg-net", "nsg-ranges", [
        {"name": "DenyHighPorts", "priority": 200, "access": "Deny", "protocol": "Tcp",
         "destinationPortRange": "400-500", "destinationAddressPrefix": "*"}])
    udp = s.nsg(SUB, "rg-net", "nsg-udp", [
        {"name": "DenyUdp", "priority": 200, "access": "Deny", "protocol": "Udp", "destinationAddressPrefix": "*"}])
    subnet_vm(s, "two-nics", [{"name": "a", "prefix": "10.90.1.0/24"},
                              {"name": "b", "prefix": "10.90.2.0/24", "nsg": deny}])
    subnet_vm(s, "tags-allowed", [{"name": "a", "prefix": "10.90.1.0/24", "nsg": tags}])
    subnet_vm(s, "port-range", [{"name": "a", "prefix": "10.90.1.0/24", "nsg": ranges}])
    subnet_vm(s, "udp-only", [{"name": "a", "prefix": "10.90.1.0/24", "nsg": udp}])
    rt = s.route_table(SUB, "rg-net", "rt-fw", [{"name": "default", "addressPrefix": "0.0.0.0/0",
                                                  "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}])
    subnet_vm(s, "tunnelled", [{"name": "a", "prefix": "10.90.1.0/24", "route_table": rt}])
    run = run_suite(pytester, s.build())
    assert run["two-nics", "network"] == "fail"
    text = run.text("two-nics", "network")
    assert "nsg-deny-internet" in text and "DenyInternet" in text and "two-nics-nic1" in text
    assert "Test-NetConnection global.handler.control.monitor.azure.com -Port 443" in text
    assert "openssl s_client -connect japaneast.handler.control.monitor.azure.com:443" in text
    assert run["tags-allowed", "network"] == "pass"
    assert run["port-range", "network"] == "fail" and "DenyHighPorts" in run.text("port-range", "network")
    assert run["udp-only", "network"] == "pass"
    assert run["tunnelled", "network"] == "warn" and "VirtualAppliance" in run.text("tunnelled", "network")


def test_ids_in_odd_case_still_connect_the_graph(pytester):
    s = Scenario()
    deny = s.nsg(SUB, "rg-net", "nsg-deny", [
        {"name": "DenyAll443", "priority": 100, "access": "Deny", "protocol": "Tcp", "destinationPortRange": "443"}])
    vm, vnet = subnet_vm(s, "odd-case", [{"name": "a", "prefix": "10.90.1.0/24", "nsg": deny}])
    nic = next(r for r in s.resources if r["name"] == "odd-case-nic0")
    nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"] = \
        nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"].upper().replace("/SUBNETS/", "/subnets/")
    vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"] = nic["id"].lower()
    run = run_suite(pytester, s.build())
    assert run["odd-case", "network"] == "fail" and "DenyAll443" in run.text("odd-case", "network")


# -- ampls and dns -------------------------------------------------------------------------------
def private_parts(**faults):
    """VM "pvm" over private link (its DCR with a DCE, both scoped, zones linked), each fault switchable;
    the scenario, its AMPLS and the private endpoint."""
    s = Scenario()
    dce = s.dce(MON, "rg-mon", "dce-a", LOC)
    rule = s.dcr(MON, "rg-mon", "dcr-private", [s.law], LOC, kind="Linux", dce=dce)
    vm, vnet = subnet_vm(s, "pvm", [{"name": "app", "prefix": "10.90.1.0/24"}, {"name": "pe", "prefix": "10.90.9.0/24"}],
                         rules=[rule])
    s.associate(vm, endpoint=dce)
    ampls, pe, _ = private_link(s, vnet, dce=dce, **faults)
    return s, ampls, pe


def private_scenario(**faults):
    return private_parts(**faults)[0]


def test_private_link_healthy(pytester):
    run = run_suite(pytester, private_scenario().build())
    assert outcomes(run, "pvm") == {"network": "pass", "ampls": "pass", "dns": "pass"}


def test_public_path_is_not_applicable(pytester):
    s = Scenario()
    s.machine("public")
    run = run_suite(pytester, s.build())
    assert run["public", "ampls"] == "skip" and run["public", "dns"] == "skip"
    assert "not applicable" in run.text("public", "ampls")


def test_ampls_faults(pytester):
    cases = {
        "pending": dict(status="Pending"),
        "unscoped": dict(scoped=[]),
        "strict": dict(scoped=[], ingestion="PrivateOnly"),
    }
    for name, faults in cases.items():
        run = run_suite(pytester, private_scenario(**faults).build())
        assert run["pvm", "ampls"] == "fail", (name, run.output[-2000:])
        text = run.text("pvm", "ampls")
        if name == "pending":
            assert "Pending" in text and "not Approved" in text
        else:
            assert "law-main" in text and "dce-a" in text and "scoped-resource create" in text
            assert ("PrivateOnly" in text) == (name == "strict")


def test_dcr_without_dce_and_refused_public_ingestion(pytester):
    s = Scenario()
    closed = s.workspace(MON, "rg-mon", "law-closed", LOC, public_ingestion="Disabled")
    no_dce = s.dcr(MON, "rg-mon", "dcr-no-dce", [s.law], LOC, kind="Linux")
    vm, vnet = subnet_vm(s, "nodce", [{"name": "app", "prefix": "10.90.1.0/24"}, {"name": "pe", "prefix": "10.90.9.0/24"}],
                         rules=[no_dce])
    private_link(s, vnet)
    s.machine("closed", rules=[s.dcr(MON, "rg-mon", "dcr-closed", [closed], LOC, kind="Linux")], beat=None)
    run = run_suite(pytester, s.build())
    assert run["nodce", "ampls"] == "fail" and "dcr-no-dce" in run.text("nodce", "ampls")
    assert run["closed", "ampls"] == "fail" and "law-closed" in run.text("closed", "ampls")
    assert "no AMPLS private endpoint" in run.text("closed", "ampls") or "Private Link Scope" in run.text("closed", "ampls")


def test_dns_faults(pytester):
    run = run_suite(pytester, private_scenario(link=False).build())
    assert run["pvm", "dns"] == "fail"
    text = run.text("pvm", "dns")
    assert "vnet-pvm" in text and "az network private-dns link vnet create" in text and "--zone-name" in text
    # Every unlinked zone is named, each with its own command: one run lists all five fixes.
    assert run.codes("pvm", "dns") == ["DNS_ZONE_NOT_LINKED"] * len(ZONES)
    assert all(f"--zone-name {zone} " in text for zone in ZONES)

    run = run_suite(pytester, private_scenario(zones=ZONES[2:]).build())
    assert run["pvm", "dns"] == "fail" and run.codes("pvm", "dns") == ["DNS_ZONE_MISSING"] * 2
    assert all(zone in run.text("pvm", "dns") for zone in ZONES[:2])

    run = run_suite(pytester, private_scenario(records=False).build())
    assert run["pvm", "dns"] == "fail" and "no A record" in run.text("pvm", "dns")
    assert run.codes("pvm", "dns") == ["DNS_RECORD_MISSING"] * 4    # every zone AMA resolves names in

    run = run_suite(pytester, private_scenario(records="10.1.1.1").build())
    assert run["pvm", "dns"] == "fail" and "10.1.1.1" in run.text("pvm", "dns")


def test_custom_dns_warns_and_shared_zone_fails(pytester):
    s = private_scenario()
    vnet = next(r for r in s.resources if r["name"] == "vnet-pvm")
    vnet["properties"]["dhcpOptions"] = {"dnsServers": ["10.0.0.53"]}
    run = run_suite(pytester, s.build())
    assert run["pvm", "dns"] == "warn" and "168.63.129.16" in run.text("pvm", "dns")

    s = private_scenario()
    other = s.vnet(SUB, "rg-net", "vnet-other", "10.91.0.0/16", [{"name": "pe", "prefix": "10.91.9.0/24"}], location=LOC)
    second = s.private_link_scope(MON, "rg-mon", "ampls-b", [s.law])
    pe = s.private_endpoint(SUB, "rg-net", "pe-ampls-b", other["properties"]["subnets"][0]["id"], second,
                            {"x.ods.opinsights.azure.com": "10.91.9.5"}, location=LOC)
    zones = [r for r in s.resources if r["type"] == "Microsoft.Network/privateDnsZones"]
    s.zone_group(pe, zones)
    run = run_suite(pytester, s.build())
    assert run["pvm", "dns"] == "fail" and "ampls-b" in run.text("pvm", "dns")


def test_government_cloud_uses_its_own_names(pytester):
    s = Scenario(cloud="AzureUSGovernment")
    s.machine("gov")
    deny = s.nsg(SUB, "rg-net", "nsg-deny", [
        {"name": "DenyAll", "priority": 100, "access": "Deny", "protocol": "*"}])
    subnet_vm(s, "gov-denied", [{"name": "a", "prefix": "10.90.1.0/24", "nsg": deny}])
    run = run_suite(pytester, s.build())
    text = run.text("gov-denied", "network")
    assert "global.handler.control.monitor.azure.us" in text and "monitor.azure.com" not in text
    assert "management.usgovcloudapi.net" in text
