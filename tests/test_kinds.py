"""Every machine AMA runs on, through the same chain: Arc-enabled servers and scale-set instances (Uniform and
Flexible), one scenario per failure mode, run through the real compliance suite.

Each test builds a small estate with the failure it is about beside a healthy machine of the same kind, and
checks the verdict of every step that failure touches, the finding's code and that its fix speaks the API that
manages the machine (az connectedmachine / azcmagent for Arc, az vmss for a Uniform scale set).
"""

from __future__ import annotations

import json

import pytest

from scenarios import LOC, MON, SUB, Scenario, estate_of, run_suite, vm_named
from test_network_steps import ZONES

ARC_ZONES = ("privatelink.his.arc.azure.com", "privatelink.guestconfiguration.azure.com",
             "privatelink.dp.kubernetesconfiguration.azure.com")
CHAIN = ("os", "power", "agent", "network", "ampls", "dns", "dcr", "identity", "heartbeat")


def arc(s: Scenario, name: str, *, ama: bool = True, ext: dict | None = None, rules=None, beat: float | None = 1.0,
        **machine):
    """An Arc-enabled server that passes every step ARM can judge, unless an argument says otherwise."""
    m = s.arc_machine(SUB, "rg-arc", name, location=LOC, **machine)
    if ama:
        s.arc_extension(m, **(ext or {}))
    for rule in [s.dcr_linux if machine.get("os", "Linux") == "Linux" else s.dcr_windows] if rules is None else rules:
        s.associate(m, rule)
    if beat is not None:
        s.heartbeat(m, s.law, beat)
    return m


def codes(run, machine: str, step: str) -> list[str]:
    return run.codes(machine, step)


def commands(run, machine: str, step: str) -> str:
    return "\n".join(c for r in run.records[machine, step] for f in r.get("findings", ()) for c in f["commands"])


# -- Arc-enabled servers ---------------------------------------------------------------------------------
def test_a_healthy_arc_server_passes_what_arm_shows_and_says_what_it_cannot(pytester):
    s = Scenario()
    arc(s, "arc-db01")
    run = run_suite(pytester, s.build())
    assert run.of("arc-db01") == {"os": "pass", "power": "pass", "agent": "pass", "network": "skip",
                                  "ampls": "skip", "dns": "skip", "dcr": "pass", "identity": "pass",
                                  "heartbeat": "pass"}
    record = run.records["arc-db01", "network"][0]
    assert record["kind"] == "arc"
    reason = record["reason"]
    assert reason.startswith("not visible in ARM: an Azure Arc-enabled server's network is on premises")
    for host in ("global.handler.control.monitor.azure.com", "japaneast.handler.control.monitor.azure.com",
                 "gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com",
                 "japaneast-gas.guestconfiguration.azure.com", "login.microsoftonline.com"):
        assert host in reason, host
    assert "azcmagent check --location japaneast" in reason and "Test-NetConnection" in reason
    assert "openssl s_client" in reason
    # the terminal shows the skip's reason (what to run), not only "skip"
    assert "not visible in ARM" in run.output


@pytest.mark.parametrize("status, days, expired", [("Disconnected", 3, False), ("Disconnected", 60, True),
                                                     ("Expired", 120, True), ("Error", 1, False),
                                                     ("SomethingNew", 1, False)])
def test_an_arc_server_that_is_not_connected_blocks_every_later_step(pytester, status, days, expired):
    s = Scenario()
    arc(s, "arc-db02", status=status, since_days=days, beat=None)
    run = run_suite(pytester, s.build())
    assert run["arc-db02", "power"] == "fail" and codes(run, "arc-db02", "power") == ["ARC_NOT_CONNECTED"]
    text = run.text("arc-db02", "power")
    assert f"is {status} since" in text and f"({days} days before capture)" in text    # unknown values verbatim
    assert ("identity may have expired" in text) is expired
    cmds = commands(run, "arc-db02", "power")
    assert ("azcmagent reconnect" in cmds) is expired and ("azcmagent check --location japaneast" in cmds) is not expired
    for step in ("agent", "network", "ampls", "dns", "dcr", "identity", "heartbeat"):
        assert run["arc-db02", step] == "skip", step
        assert "blocked by step 'power': Arc-enabled server arc-db02 is not up" in run.text("arc-db02", step)


def test_an_arc_server_without_status_is_could_not_evaluate(pytester):
    s = Scenario()
    m = arc(s, "arc-nostatus")
    del m["properties"]["status"]
    run = run_suite(pytester, s.build())
    assert run["arc-nostatus", "power"] == "error"
    assert "connection status of Arc-enabled server arc-nostatus" in run.text("arc-nostatus", "power")


def test_an_old_connected_machine_agent_is_a_warning_and_an_unsure_one_is_not(pytester):
    s = Scenario(captured_at="2026-05-15T09:00:00Z")            # supported: released since 2025-05-15
    arc(s, "arc-old", agent_version="1.40.02669.1635")         # April 2024
    arc(s, "arc-between", agent_version="1.51.0.1")            # between 1.49 (2025-02) and 1.54 (2025-07): unsure
    arc(s, "arc-new", agent_version="1.58.03224.693")
    run = run_suite(pytester, s.build())
    assert run["arc-old", "power"] == "warn" and codes(run, "arc-old", "power") == ["ARC_AGENT_OUTDATED"]
    assert "released before 2024-05" in run.text("arc-old", "power")
    assert run["arc-between", "power"] == "pass" and run["arc-new", "power"] == "pass"


def test_a_stopped_arc_extension_service_fails_power_with_its_service_commands(pytester):
    s = Scenario()
    arc(s, "arc-svc", service="Stopped")
    run = run_suite(pytester, s.build())
    assert run["arc-svc", "power"] == "fail" and codes(run, "arc-svc", "power") == ["ARC_EXTENSION_SERVICE_NOT_RUNNING"]
    assert "sudo systemctl restart extd" in commands(run, "arc-svc", "power")


@pytest.mark.parametrize("config, cause", [
    ({"extensions_enabled": "false"}, "extensions are disabled on the machine"),
    ({"allow": ["Microsoft.Azure.Security/AzureSecurityLinuxAgent"]}, "allow list"),
    ({"block": ["Microsoft.Azure.Monitor/AzureMonitorLinuxAgent"]}, "block list"),
])
def test_a_missing_arc_extension_names_the_local_configuration_that_keeps_it_off(pytester, config, cause):
    s = Scenario()
    arc(s, "arc-web01", ama=False, beat=None, **config)
    run = run_suite(pytester, s.build())
    assert run["arc-web01", "agent"] == "fail" and codes(run, "arc-web01", "agent") == ["AGENT_NOT_INSTALLED"]
    assert cause in run.text("arc-web01", "agent")
    cmds = commands(run, "arc-web01", "agent")
    assert "sudo azcmagent config" in cmds
    assert "az connectedmachine extension create" in cmds and "--machine-name arc-web01" in cmds
    assert "New-AzConnectedMachineExtension" in cmds and "Set-AzVMExtension" not in cmds


def test_an_arc_extension_that_failed_shows_its_single_status(pytester):
    s = Scenario()
    arc(s, "arc-web02", beat=None, ext={"state": "Failed", "status": {
        "code": "1", "level": "Error", "displayStatus": "Provisioning failed",
        "message": "Extension Message: Enable failed: Failed to get MSI token from IMDS endpoint"}})
    run = run_suite(pytester, s.build())
    assert run["arc-web02", "agent"] == "fail" and codes(run, "arc-web02", "agent") == ["AGENT_NOT_PROVISIONED"]
    assert "Failed to get MSI token" in run.text("arc-web02", "agent")
    assert "Remove-AzConnectedMachineExtension" in commands(run, "arc-web02", "agent")


def test_a_user_assigned_identity_named_on_an_arc_server_is_a_finding(pytester):
    s = Scenario()
    uai = s.user_identity(SUB, "rg-id", "id-ama")
    arc(s, "arc-uai", ext={"settings": {"authentication": {"managedIdentity": {
        "identifier-name": "mi_res_id", "identifier-value": uai["id"]}}}})
    m = arc(s, "arc-noid", identity=False)
    run = run_suite(pytester, s.build())
    assert run["arc-uai", "identity"] == "fail"
    assert codes(run, "arc-uai", "identity") == ["IDENTITY_USER_ASSIGNED_UNSUPPORTED"]
    assert run["arc-noid", "identity"] == "fail" and codes(run, "arc-noid", "identity") == ["IDENTITY_SYSTEM_MISSING"]
    assert m["id"]


def arc_private(s: Scenario, name: str, *, scope_location: str = LOC, status: str = "Approved", link: bool = True,
                scope: bool = True, ampls: bool = True, proxy: tuple | None = None):
    """An Arc server behind an Arc Private Link Scope whose endpoint sits in a hub VNet, with AMPLS there too."""
    hub = s.vnet(MON, "rg-hub", f"vnet-hub-{name}", "10.95.0.0/16", [{"name": "snet-pe", "prefix": "10.95.1.0/24"}],
                 location=LOC)
    subnet = hub["properties"]["subnets"][0]["id"]
    pls = s.arc_private_link_scope(MON, "rg-arc", f"pls-{name}", location=scope_location)
    pe, ips = s.arc_private_endpoint(MON, "rg-hub", f"pe-arc-{name}", subnet, pls, "10.95.1", status=status,
                                     location=LOC)
    s.endpoint_zones(pe, MON, f"rg-dns-{name}", ARC_ZONES, ips, link_to=hub if link else None)
    rules = None
    if ampls:
        dce = s.dce(MON, "rg-mon", f"dce-{name}", LOC)
        rule = s.dcr(MON, "rg-mon", f"dcr-{name}", [s.law], LOC, kind="Linux", dce=dce)
        scope_doc = s.private_link_scope(MON, "rg-mon", f"ampls-{name}", [s.law, dce])
        cid = s.law["properties"]["customerId"]
        fqdns = {f"{cid}.ods.opinsights.azure.com": "10.95.1.40", f"{cid}.oms.opinsights.azure.com": "10.95.1.41",
                 f"{cid}.agentsvc.azure-automation.net": "10.95.1.42",
                 **{dce["properties"][k]["endpoint"].split("://")[1]: "10.95.1.43"
                    for k in ("logsIngestion", "configurationAccess")}}
        ampls_pe = s.private_endpoint(MON, "rg-hub", f"pe-ampls-{name}", subnet, scope_doc, fqdns, location=LOC)
        ampls_zones = [s.dns_zone(MON, f"rg-dns-{name}", z) for z in ZONES]
        s.zone_group(ampls_pe, ampls_zones)
        for zone in ampls_zones:
            s.dns_link(zone, hub)
            suffix = zone["name"].removeprefix("privatelink.")
            for fqdn, ip in fqdns.items():
                if fqdn.endswith("." + suffix):
                    s.dns_a(zone, fqdn[: -len(suffix) - 1], [ip])
        rules = [rule]
    machine = arc(s, name, rules=rules, scope=pls if scope else {"id": pls["id"] + "-gone"},
                  **({"proxy_url": proxy[0], "proxy_bypass": list(proxy[1])} if proxy else {}))
    if ampls:
        s.associate(machine, endpoint=dce)
    return machine


def test_an_arc_server_over_private_link_passes_its_scope_and_both_zone_sets(pytester):
    s = Scenario()
    arc_private(s, "arc-pl01")
    run = run_suite(pytester, s.build())
    assert run["arc-pl01", "ampls"] == "pass", run.text("arc-pl01", "ampls")
    assert run["arc-pl01", "dns"] == "warn", run.text("arc-pl01", "dns")   # on-premises DNS is not in ARM
    assert codes(run, "arc-pl01", "dns") == ["DNS_OUTSIDE_ARM"]
    evidence = run.records["arc-pl01", "dns"][0]["evidence"]
    assert set(evidence["zones"]) == set(ZONES) | set(ARC_ZONES)
    assert run["arc-pl01", "network"] == "skip"
    assert "--enable-pls-check" in run.records["arc-pl01", "network"][0]["reason"]


@pytest.mark.parametrize("fault, code", [
    ({"scope": False}, "ARC_PRIVATE_LINK_SCOPE_MISSING"),
    ({"status": "Pending"}, "ARC_PRIVATE_LINK_NOT_APPROVED"),
    ({"scope_location": "westeurope"}, "ARC_PRIVATE_LINK_SCOPE_REGION"),
])
def test_arc_private_link_scope_faults(pytester, fault, code):
    s = Scenario()
    arc_private(s, "arc-pl", **fault)
    run = run_suite(pytester, s.build())
    assert run["arc-pl", "ampls"] == "fail" and codes(run, "arc-pl", "ampls") == [code], run.text("arc-pl", "ampls")
    if code == "ARC_PRIVATE_LINK_NOT_APPROVED":
        assert "az network private-endpoint-connection approve --id" in commands(run, "arc-pl", "ampls")


def test_an_arc_zone_not_linked_to_the_endpoints_vnet_fails_dns(pytester):
    s = Scenario()
    arc_private(s, "arc-pl05", link=False, ampls=False)
    run = run_suite(pytester, s.build())
    assert run["arc-pl05", "dns"] == "fail"
    assert "DNS_ZONE_NOT_LINKED" in codes(run, "arc-pl05", "dns")
    assert "privatelink.his.arc.azure.com" in run.text("arc-pl05", "dns")
    # Arc is private, AMA's data is not: a warning, the Arc scope itself passes
    assert run["arc-pl05", "ampls"] == "warn" and codes(run, "arc-pl05", "ampls") == ["ARC_PRIVATE_LINK_WITHOUT_AMPLS"]


def test_a_proxy_without_bypass_on_a_private_arc_server_is_a_warning_beside_the_skip(pytester):
    s = Scenario()
    arc_private(s, "arc-proxy01", proxy=("http://proxy.corp:3128", ("AAD",)))
    arc_private(s, "arc-proxy02", proxy=("http://proxy.corp:3128", ("Arc", "AMA")))
    run = run_suite(pytester, s.build())
    assert run["arc-proxy01", "network"] == "skip"
    assert codes(run, "arc-proxy01", "network") == ["ARC_PROXY_BYPASS_MISSING"]
    assert "lacks Arc and AMA" in run.text("arc-proxy01", "network")
    assert "sudo azcmagent config set proxy.bypass AAD,Arc,AMA" in commands(run, "arc-proxy01", "network")
    assert codes(run, "arc-proxy02", "network") == []
    assert "proxy bypass (AAD) lacks Arc and AMA" in run.output       # the terminal says the warning too


# -- scale sets --------------------------------------------------------------------------------------------
def uniform(s: Scenario, name: str, *, instances=("0", "1"), rules=None, beat: float | None = 1.0,
            **scale_set):
    ss = s.scale_set(SUB, "rg-vmss", name, location=LOC, subnet_id=s.subnet_id, **scale_set)
    for rule in [s.dcr_linux] if rules is None else rules:
        s.associate(ss, rule)
    made = []
    for instance in instances:
        args = instance if isinstance(instance, dict) else {"instance_id": instance}
        made.append(s.scale_set_instance(ss, **args))
        if beat is not None:
            s.heartbeat(made[-1], s.law, beat)
    return ss, made


def test_uniform_instances_are_rows_named_as_azure_names_them(pytester):
    s = Scenario()
    s.machine("vm01")
    uniform(s, "web")
    run = run_suite(pytester, s.build(), "-k", "web_1")
    assert run.vms == {"web_1"}
    assert set(run.of("web_1").values()) == {"pass", "skip"} and run["web_1", "network"] == "pass"
    record = run.records["web_1", "heartbeat"][0]
    assert record["kind"] == "vmss" and record["resource_id"].endswith("/virtualMachineScaleSets/web/virtualMachines/1")


def test_heartbeat_of_a_uniform_instance_is_matched_by_its_computer(pytester):
    s = Scenario()
    ss, (quiet, talking) = uniform(s, "api", beat=None)
    s.heartbeat(talking, s.law, 1)
    run = run_suite(pytester, s.build())
    assert run["api_1", "heartbeat"] == "pass"
    assert run["api_0", "heartbeat"] == "fail"        # the scale set has rows, but not from this computer
    assert 'Computer =~ "api000000"' in commands(run, "api_0", "heartbeat")


def test_an_instance_behind_a_manual_model_does_not_run_ama(pytester):
    s = Scenario()
    uniform(s, "batch", upgrade_mode="Manual",
            instances=[{"instance_id": "0", "latest_model": False, "on_instance": []}, {"instance_id": "1"}])
    run = run_suite(pytester, s.build())
    assert run["batch_0", "agent"] == "fail" and codes(run, "batch_0", "agent") == ["AGENT_NOT_ON_INSTANCE"]
    assert "upgrade policy Manual" in run.text("batch_0", "agent")
    cmds = commands(run, "batch_0", "agent")
    assert "az vmss update-instances --resource-group rg-vmss --name batch --instance-ids 0" in cmds
    assert "Update-AzVmssInstance" in cmds
    assert run["batch_1", "agent"] == "pass"


def test_ama_failed_on_one_instance_and_missing_from_a_model(pytester):
    s = Scenario()
    uniform(s, "worker", instances=[{"instance_id": "0", "extension_statuses": {"AzureMonitorLinuxAgent": [
        {"code": "ProvisioningState/failed/1", "level": "Error", "displayStatus": "Provisioning failed",
         "message": "Enable failed: mdsd exited"}]}}, {"instance_id": "1"}])
    uniform(s, "bare", extensions=[], instances=("0",))
    run = run_suite(pytester, s.build())
    assert run["worker_0", "agent"] == "fail" and codes(run, "worker_0", "agent") == ["AGENT_NOT_PROVISIONED"]
    assert "mdsd exited" in run.text("worker_0", "agent")
    assert run["worker_1", "agent"] == "pass"
    assert run["bare_0", "agent"] == "fail" and codes(run, "bare_0", "agent") == ["AGENT_NOT_INSTALLED"]
    assert "az vmss extension set --resource-group rg-vmss --vmss-name bare" in commands(run, "bare_0", "agent")


def test_a_scale_set_without_dcr_fails_each_of_its_instances(pytester):
    s = Scenario()
    uniform(s, "nodcr", rules=[], beat=None)
    run = run_suite(pytester, s.build())
    for instance in ("nodcr_0", "nodcr_1"):
        assert run[instance, "dcr"] == "fail" and codes(run, instance, "dcr") == ["DCR_NOT_ASSOCIATED"]
        assert "takes the associations of its scale set nodcr" in run.text(instance, "dcr")
        assert "--resource /subscriptions/" in commands(run, instance, "dcr")
        assert "/virtualMachineScaleSets/nodcr " in commands(run, instance, "dcr") + " "


def test_a_stopped_instance_and_a_scale_set_without_identity(pytester):
    s = Scenario()
    uniform(s, "stopper", instances=[{"instance_id": "0", "power": "deallocated"}], beat=None)
    uniform(s, "noid", identity=None, instances=("0",))
    run = run_suite(pytester, s.build())
    assert run["stopper_0", "power"] == "fail"
    assert "az vmss start --resource-group rg-vmss --name stopper --instance-ids 0" in commands(run, "stopper_0", "power")
    assert run["noid_0", "identity"] == "fail"
    assert "az vmss identity assign --resource-group rg-vmss --name noid" in commands(run, "noid_0", "identity")


def test_an_instance_whose_scale_set_is_not_in_the_snapshot_is_could_not_evaluate(pytester):
    s = Scenario()
    ss, _ = uniform(s, "orphan", instances=("0",))
    s.resources.remove(ss)
    run = run_suite(pytester, s.build())
    assert run["orphan_0", "agent"] == "error"
    assert "scale set orphan" in run.text("orphan_0", "agent") and "not in the snapshot" in run.text("orphan_0", "agent")


def test_flexible_instances_are_vms_of_kind_vmss(pytester):
    s = Scenario()
    flex = s.scale_set(SUB, "rg-vmss", "flex", location=LOC, orchestration="Flexible", upgrade_mode="Manual")
    s.flexible_member(s.machine("flex_a1b2"), flex)
    s.flexible_member(s.machine("flex_c3d4", ama=False, beat=None), flex)
    run = run_suite(pytester, s.build())
    assert run.records["flex_a1b2", "power"][0]["kind"] == "vmss"
    assert set(run.of("flex_a1b2").values()) == {"pass", "skip"}
    assert run["flex_c3d4", "agent"] == "fail"
    assert "az vm extension set" in commands(run, "flex_c3d4", "agent")          # a Flexible instance is a VM


def test_an_instance_typed_as_a_vm_by_arm_is_still_an_instance():
    """ARM's own example types a uniform instance ``Microsoft.Compute/virtualMachines``; its id says what it is."""
    s = Scenario()
    _, (instance,) = uniform(s, "quirk", instances=("0",))
    instance["type"] = "Microsoft.Compute/virtualMachines"
    estate = estate_of(s.build())
    machine = vm_named(estate, "quirk_0")
    assert machine.kind == "vmss" and type(machine).__name__ == "ScaleSetInstance"
    assert len(estate.machines) == 1


# -- every kind in the outputs -----------------------------------------------------------------------
def test_every_output_carries_the_kind(pytester):
    s = Scenario()
    s.machine("vm01")
    arc(s, "arc-db01")
    uniform(s, "web", instances=("0",))
    run = run_suite(pytester, s.build())
    findings = json.loads((pytester.path / "reports" / "findings.json").read_text(encoding="utf-8"))
    kinds = {(r["vm"], r["kind"]) for r in findings["results"]}
    assert kinds == {("vm01", "vm"), ("arc-db01", "arc"), ("web_0", "vmss")}
    junit = (pytester.path / "reports" / "junit.xml").read_text(encoding="utf-8")
    for kind in ("vm", "arc", "vmss"):
        assert f'<property name="kind" value="{kind}"' in junit
    report = (pytester.path / "reports" / "report.html").read_text(encoding="utf-8")
    assert '"kinds":[{"code":"vm","label":"VM"},{"code":"vmss","label":"VMSS"},{"code":"arc","label":"Arc"}]' in report
    assert "arc-db01  [arc]" in run.output and "web_0  [vmss]" in run.output      # the terminal's chain lines
