"""Findings name each resource with its kind, agree in number, and aim the fix (and its command)
at the resource whose setting blocks."""

from __future__ import annotations

import json
from types import SimpleNamespace as NS

import pytest

from amaaudit import arm
from amaaudit import findings as f
from amaaudit.findings.core import KINDS, each_named, kind, named
from amaaudit.netpath import Verdict
from amaaudit.synth import rid
from amaaudit.text import FIELD_LIMIT, Text
from scenarios import LOC, MON, SUB, Scenario, estate_of, run_suite, vm_named
from test_network_steps import private_parts


def model(s: Scenario, vm: str):
    estate = estate_of(s.build())
    return estate, vm_named(estate, vm)


# -- naming --------------------------------------------------------------------------------------
@pytest.mark.parametrize("resource_type", sorted(KINDS))
def test_every_known_kind_is_named_in_both_languages(resource_type):
    provider, *types = resource_type.split("/")
    rid_ = "/subscriptions/s/resourceGroups/rg/providers/" + provider + "/" + "/".join(f"{t}/n{i}" for i, t in
                                                                                        enumerate(types))
    name = named(rid_)
    assert name.en == f"{KINDS[resource_type].en} n{len(types) - 1}"
    assert name.ja == f"{KINDS[resource_type].ja} n{len(types) - 1}"


def test_kinds_follow_the_arm_type_in_any_case_and_fall_back_to_the_type():
    assert kind(rid(SUB, "rg", "microsoft.insights/DATACOLLECTIONENDPOINTS", "x")).en == "data collection endpoint"
    assert kind(rid(SUB, "rg", "Microsoft.Storage/storageAccounts", "x")).en == "storageAccounts"
    assert each_named([rid(SUB, "rg", "Microsoft.OperationalInsights/workspaces", "law"),
                       rid(SUB, "rg", "Microsoft.Insights/dataCollectionEndpoints", "endpoint1")]) == Text(
        "Log Analytics workspace law and data collection endpoint endpoint1",
        "Log Analytics ワークスペース law、データ収集エンドポイント endpoint1")


# -- AMPLS: who refuses public ingestion, and how to let it in --------------------------------------
def refusing_scenario(workspace_closed: bool):
    s = Scenario()
    law = s.workspace(MON, "rg-mon", "law-closed", LOC, public_ingestion="Disabled") if workspace_closed else s.law
    dce = s.dce(MON, "rg-dce", "endpoint1", LOC, public="Disabled")
    rule = s.dcr(MON, "rg-mon", "dcr-dce", [law], LOC, kind="Linux", dce=dce)
    s.machine("pub", rules=[rule], beat=None)
    return s


def test_a_dce_alone_refusing_is_named_as_a_dce_and_fixed_on_the_dce(pytester):
    run = run_suite(pytester, refusing_scenario(workspace_closed=False).build(), "-m", "ampls")
    assert run["pub", "ampls"] == "fail"
    [finding] = run.records["pub", "ampls"][0]["findings"]
    assert finding["message"]["en"].startswith("data collection endpoint endpoint1 refuses public ingestion")
    assert finding["message"]["ja"].startswith("データ収集エンドポイント endpoint1 は")
    fix = finding["remediation"]["en"]
    assert "networkAcls.publicNetworkAccess" in fix and "on data collection endpoint endpoint1" in fix
    assert "workspace" not in fix.split(";")[0]              # no workspace refuses: none to change
    assert finding["commands"] == [f"az monitor data-collection endpoint update --resource-group rg-dce --name "
                                   f"endpoint1 --subscription {MON} --public-network-access Enabled"]


def test_a_workspace_and_a_dce_refusing_are_both_named_and_both_fixed():
    estate, vm = model(refusing_scenario(workspace_closed=True), "pub")
    refusing = [*vm.log_workspaces(), *vm.data_collection_endpoints()]
    finding = f.ampls.unreachable(vm, refusing)
    assert finding.message.en.startswith("Log Analytics workspace law-closed and data collection endpoint endpoint1 "
                                         "refuse public ingestion")
    assert finding.message.ja.startswith("Log Analytics ワークスペース law-closed、データ収集エンドポイント endpoint1 は")
    assert "publicNetworkAccessForIngestion" in finding.remediation.en
    assert "networkAcls.publicNetworkAccess" in finding.remediation.en
    assert "private endpoint to an AMPLS" in finding.remediation.en          # the other way out
    assert finding.commands == (
        f"az monitor log-analytics workspace update --resource-group rg-mon --workspace-name law-closed "
        f"--subscription {MON} --ingestion-access Enabled",
        f"az monitor data-collection endpoint update --resource-group rg-dce --name endpoint1 "
        f"--subscription {MON} --public-network-access Enabled")
    assert finding.evidence["refusePublic"] == [
        {"id": refusing[0].id, "publicNetworkAccessForIngestion": "Disabled"},
        {"id": refusing[1].id, "networkAcls.publicNetworkAccess": "Disabled"}]


def private(**faults):
    s, ampls, pe = private_parts(**faults)
    estate, model_vm = model(s, "pvm")
    return estate, model_vm, ampls, pe


@pytest.mark.parametrize("scoped, words", [
    ("dce", "data collection endpoint dce-a is not added to it: its name resolves"),
    ("both", "Log Analytics workspace law-main and data collection endpoint dce-a are not added to it: their names"),
])
def test_unscoped_resources_are_named_with_their_kind_and_number(scoped, words):
    estate, vm, ampls, pe = private()
    scope = vm.network.private_link_paths[0].scope
    missing = [*vm.data_collection_endpoints()] if scoped == "dce" else [*vm.log_workspaces(),
                                                                         *vm.data_collection_endpoints()]
    finding = f.ampls.not_scoped(vm, scope, missing)
    assert words in finding.message.en
    assert len(finding.commands) == len(missing)
    assert all(f"--subscription {MON}" in c and "--scope-name ampls-a" in c for c in finding.commands)
    assert ("Add it to AMPLS ampls-a" if len(missing) == 1 else "Add them to AMPLS ampls-a") in finding.remediation.en


def test_a_pending_connection_is_approved_by_its_own_id_on_the_ampls():
    estate, vm, ampls, pe = private(status="Pending")
    finding = f.ampls.not_approved(vm, vm.network.private_link_paths)
    connection = ampls["properties"]["privateEndpointConnections"][0]["id"]
    assert finding.commands == (f"az network private-endpoint-connection approve --id {connection} "
                                "--description Approved",)
    assert f"private endpoint {pe['name']}" in finding.remediation.en and "AMPLS ampls-a" in finding.remediation.en


def test_an_unlisted_connection_is_looked_up_then_approved():
    path = NS(endpoint=NS(id="/x/pe", name="pe"), connection=NS(status="Pending"),
              scope=NS(id=rid(MON, "rg", "microsoft.insights/privateLinkScopes", "ampls"), name="ampls", doc={}))
    commands = f.ampls.not_approved(VM, [path]).commands
    assert commands[0].startswith("az network private-endpoint-connection list --id /subscriptions/")
    assert commands[1].startswith("az network private-endpoint-connection approve --id '<")


@pytest.mark.parametrize("count", [1, 2])
def test_rules_without_a_dce_agree_in_number_and_each_gets_its_command(count):
    rules = [NS(id=rid(MON, f"rg{i}", "Microsoft.Insights/dataCollectionRules", f"dcr{i}"), name=f"dcr{i}")
             for i in range(count)]
    finding = f.ampls.dcr_without_dce(VM, rules)
    assert ("data collection rule dcr0 uses no" if count == 1 else
            "data collection rules dcr0, dcr1 use no") in finding.message.en
    updates = [c for c in finding.commands if " rule update " in c]
    assert [c.split("--resource-group ")[1].split()[0] for c in updates] == [f"rg{i}" for i in range(count)]
    assert all("--data-collection-endpoint-id '<data collection endpoint id>'" in c for c in updates)


# -- network: every NSG that denies, each fixed where it can be --------------------------------------------
def _decision(nsg: str, rule: str, priority: int, layer: str, verdict=Verdict.DENIED):
    return NS(verdict=verdict, nsg_id=rid(SUB, f"rg-{nsg}", "Microsoft.Network/networkSecurityGroups", nsg),
              nsg_name=nsg, rule_name=rule, priority=priority, layer=layer)


def _denied(nic, subnet):
    from amaaudit.endpoints import Endpoint
    endpoint = Endpoint("global.handler.control.monitor.azure.com", "control", frozenset({"AzureMonitor"}))
    deciding = nic if nic.verdict is Verdict.DENIED else subnet
    return [endpoint], [(NS(nic=NS(name="nic0"), ip=NS(private_ip="10.0.0.4")), endpoint,
                         NS(nic=nic, subnet=subnet, deciding=deciding))]


_VM_ID = rid(SUB, "rg-app", "Microsoft.Compute/virtualMachines", "vm")
VM = NS(name="vm", id=_VM_ID, resource_group="rg-app", subscription=SUB, label=Text("VM vm", "VM vm"),
        noun=Text("VM", "VM"), managed_as="virtualMachines", association_owner=_VM_ID,
        association_owner_label=Text("VM vm", "VM vm"), heartbeat_resource_id=_VM_ID, heartbeat_computer=None,
        extensions_blocked=None)


def test_both_denying_nsgs_are_named_and_each_gets_its_rule():
    endpoints, denied = _denied(_decision("nsg-nic", "DenyNic", 300, "nic"),
                                _decision("nsg-subnet", "DenySubnet", 65500, "subnet"))
    finding = f.network.blocked(VM, endpoints, denied)
    assert "denied by NSG nsg-nic, rule DenyNic" in finding.message.en and "and by NSG nsg-subnet" in finding.message.en
    creates = [c for c in finding.commands if c.startswith("az network nsg rule create")]
    assert [c.split("--nsg-name ")[1].split()[0] for c in creates] == ["nsg-nic", "nsg-subnet"]
    assert "--resource-group rg-nsg-nic" in creates[0] and "--priority 299" in creates[0]
    assert "--priority 4096" in creates[1]                     # a default rule: the last custom priority
    assert all(f"--subscription {SUB}" in c for c in creates)


def test_a_deny_no_custom_rule_can_outrank_is_to_be_changed():
    endpoints, denied = _denied(_decision("nsg-a", "DenyFirst", 100, "nic"),
                                _decision("nsg-b", "", 0, "subnet", Verdict.ALLOWED))
    finding = f.network.blocked(VM, endpoints, denied)
    assert not [c for c in finding.commands if c.startswith("az network nsg rule create")]
    assert "change or remove rule DenyFirst" in finding.remediation.en


# -- agent, identity, dns, dcr: the resource named, the number agreed --------------------------------------
def _ext(name, type_="AzureMonitorLinuxAgent", ama_os="Linux"):
    return NS(id=f"{VM.id}/extensions/{name}", name=name, type=type_, ama_os=ama_os, publisher="Microsoft.Azure.Monitor",
              type_handler_version="1.33", legacy_name="OmsAgentForLinux (OMS)", evidence=lambda: {"name": name})


def test_duplicate_agents_keep_the_one_for_the_os():
    vm = NS(**vars(VM), os_type="Linux", location=LOC)
    finding = f.agent.several(vm, [_ext("win", "AzureMonitorWindowsAgent", "Windows"), _ext("lin")])
    assert finding.commands == ("Remove-AzVMExtension -ResourceGroupName rg-app -VMName vm -Name win",)
    assert "Keep the extension lin and uninstall the extension win" in finding.remediation.en


def test_automatic_upgrade_targets_the_extension_by_its_instance_name():
    vm = NS(**vars(VM), location=LOC)
    assert "--extension-instance-name ama-custom" in f.agent.automatic_upgrade_off(vm, _ext("ama-custom")).commands[0]
    assert "--extension-instance-name" not in f.agent.automatic_upgrade_off(
        vm, _ext("AzureMonitorLinuxAgent")).commands[0]


@pytest.mark.parametrize("count", [1, 2])
def test_legacy_agents_agree_in_number(count):
    finding = f.agent.legacy_agent(VM, [_ext(f"oms{i}") for i in range(count)])
    assert ("the extension oms0" if count == 1 else "the extensions oms0") in finding.message.en
    assert ("uninstall it" if count == 1 else "uninstall them") in finding.remediation.en
    assert len(finding.commands) == count


@pytest.mark.parametrize("count", [1, 2])
def test_dcr_kind_mismatch_and_missing_workspaces_agree_in_number(count):
    vm = NS(**vars(VM), os_type="Windows")
    rules = [NS(id=rid(MON, "rg", "Microsoft.Insights/dataCollectionRules", f"r{i}"), name=f"r{i}", kind="Linux")
             for i in range(count)]
    mismatch = f.dcr.kind_mismatch(vm, rules).message.en
    assert ("its data collection rule is for another OS" if count == 1 else
            "its data collection rules are for another OS") in mismatch
    routes = [(r, NS(workspace_id=rid(MON, "rg", "Microsoft.OperationalInsights/workspaces", f"gone{i}")))
              for i, r in enumerate(rules)]
    missing = f.dcr.workspace_missing(vm, routes)
    assert ("sends to a Log Analytics workspace that does not exist" if count == 1 else
            "send to Log Analytics workspaces that do not exist") in missing.message.en
    assert "r0" in missing.remediation.en


def test_workspaces_are_named_as_workspaces():
    ws = NS(id=rid(MON, "rg-mon", "Microsoft.OperationalInsights/workspaces", "law-x"), name="law-x",
            ingestion_status="OverQuota", customer_id="c", evidence=lambda: {})
    vm = NS(**vars(VM))
    assert f.dcr.ingestion_stopped(vm, [(None, None, ws)]).message.en.startswith("Log Analytics workspace law-x,")
    assert "sends its logs to Log Analytics workspace law-x," in f.dcr.wrong_workspace(
        vm, [(NS(id="/r", name="r"), None, ws)], ["/other"]).message.en
    assert "in Log Analytics workspace law-x" in f.heartbeat.missing(vm, [ws], 15).message.en


def test_dns_links_name_the_zone_and_the_vnet_and_target_the_zones_subscription():
    zone = NS(id=rid(MON, "rg-dns", "Microsoft.Network/privateDnsZones", "privatelink.monitor.azure.com"),
              name="privatelink.monitor.azure.com")
    vnet = NS(id=rid(SUB, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a"), name="vnet-a")
    finding = f.dns.not_linked(VM, zone, vnet, "")
    assert finding.message.en.startswith("Private DNS zone privatelink.monitor.azure.com is not linked to VNet vnet-a")
    assert "--resource-group rg-dns --zone-name privatelink.monitor.azure.com" in finding.commands[0]
    assert f"--subscription {MON}" in finding.commands[0]


@pytest.mark.parametrize("servers, words", [({"vnet": ["10.0.0.53"]}, "custom DNS server (vnet: 10.0.0.53)"),
                                            ({"vnet": ["10.0.0.53", "10.0.0.54"]}, "custom DNS servers")])
def test_custom_dns_agrees_in_number(servers, words):
    assert words in f.dns.custom_dns(VM, servers).message.en


def test_identity_fix_names_the_vm_and_the_extension():
    vm = NS(**vars(VM), user_assigned=[], identity_type="None")
    ext = _ext("ama")
    assert "VM vm" in f.identity.none(vm).remediation.en
    assert "the extension ama" in f.identity.named_invalid(vm, ext, {}, "why").remediation.en


# -- size: one field cannot swamp an output -------------------------------------------------------------
def test_a_finding_caps_each_field_once_and_says_so():
    huge = "x" * 5_000_000
    ext = NS(**vars(_ext("ama")), provisioning_state="Failed", failures=[NS(code="ProvisioningState/failed", message=huge)])
    ext.evidence = lambda: {"statuses": [huge], "many": list(range(10_000))}
    finding = f.agent.not_provisioned(NS(**vars(VM), location=LOC), ext)
    assert len(finding.message.en) < FIELD_LIMIT + 200 and "cut" in finding.message.en
    assert finding.message.en.endswith(".")                     # the sentence itself is whole
    dumped = json.dumps(finding.to_dict())
    assert len(dumped) < 50_000 and "the snapshot keeps the full value" in dumped
    assert arm.key(finding.resource_id) == arm.key(ext.id)


def test_a_20_mb_status_message_leaves_every_output_small_and_says_it_was_cut(pytester):
    s = Scenario()
    huge = "mdsd failed: " + "x" * 20_000_000
    s.machine("big", ext={"statuses": [{"code": "ProvisioningState/failed/1", "level": "Error",
                                        "displayStatus": "Provisioning failed", "message": huge}]})
    run = run_suite(pytester, s.build(), "-m", "agent")
    assert run["big", "agent"] == "fail"
    reports = pytester.path / "reports"
    for name in ("findings.json", "report.html", "junit.xml"):
        text = (reports / name).read_text(encoding="utf-8")
        assert len(text) < 3_000_000, (name, len(text))
        assert "the snapshot keeps the full value" in text, name
    assert len(run.output) < 100_000
