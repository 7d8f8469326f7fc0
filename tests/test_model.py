"""The estate model: case-insensitive ids, parents and children, the three-way resolve
(document / None / Unknown), heartbeats, extensions, identities and DCR routes."""

from __future__ import annotations

import copy

import pytest

from amaaudit import arm
from amaaudit.model import DataCollectionRule, Unknown, Workspace
from amaaudit.model.estate import HEARTBEAT_QUERY_OP
from amaaudit.model.monitor import DCR_TYPE, WORKSPACE_TYPE
from amaaudit.synth import guid, rid
from scenarios import MON, SUB, Scenario, estate_of, judge, phantom_workspace, vm_named

VM_TYPE = "Microsoft.Compute/virtualMachines"
EXT_TYPE = "Microsoft.Compute/virtualMachines/extensions"
DCRA_TYPE = "Microsoft.Insights/dataCollectionRuleAssociations"


def shout(resource_id: str) -> str:
    """The same id as another tool might write it: segment names lower-cased, names upper-cased."""
    parts = resource_id.split("/")
    return "/".join(p.lower() if i % 2 == 1 else p.upper() for i, p in enumerate(parts))


# -- ids -------------------------------------------------------------------------------------------
def test_arm_key_parse_and_parent():
    vm_id = rid(SUB, "rg-App", VM_TYPE, "vm01")
    assert arm.key(vm_id + "/") == arm.key(shout(vm_id)) == vm_id.lower()
    parsed = arm.parse(shout(vm_id))
    assert (parsed.subscription, parsed.resource_group, parsed.name) == (SUB.upper(), "RG-APP", "VM01")
    assert parsed.type.lower() == VM_TYPE.lower()
    ext = f"{vm_id}/extensions/AMA"
    assert arm.parse(ext).type == "Microsoft.Compute/virtualMachines/extensions"
    assert arm.parent(ext) == vm_id
    dcra = f"{vm_id}/providers/Microsoft.Insights/dataCollectionRuleAssociations/a1"
    assert arm.parse(dcra).type == DCRA_TYPE and arm.parse(dcra).name == "a1"
    assert arm.parent(dcra) == vm_id                       # an extension resource's parent is what it extends
    link = rid(MON, "rg", "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "privatelink.x.com", "l1")
    assert arm.parent(link) == rid(MON, "rg", "Microsoft.Network/privateDnsZones", "privatelink.x.com")
    assert arm.parse("").name == "" and arm.parse("/subscriptions/x").subscription == "x"


def test_lookups_are_case_insensitive_across_mixed_case_documents():
    s = Scenario()
    vm = s.machine("vm01")
    doc = s.build()
    for d in doc["resources"]:                               # another tool's casing for children only
        if d["type"] in (EXT_TYPE, DCRA_TYPE):
            d["id"] = shout(d["id"])
            d["type"] = d["type"].lower()
    for d in doc["resources"]:
        if d["type"] == DCRA_TYPE.lower():
            d["properties"]["dataCollectionRuleId"] = d["properties"]["dataCollectionRuleId"].upper()
    estate = estate_of(doc)
    assert estate.get(shout(vm["id"]))["name"] == "vm01"
    assert estate.of_type("MICROSOFT.COMPUTE/VIRTUALMACHINES") == [estate.get(vm["id"])]
    model = vm_named(estate, "vm01")
    assert [e.name for e in model.ama_extensions] == ["AzureMonitorLinuxAgent"]
    assert [a.rule.name for a in model.rule_associations] == ["dcr-linux"]
    assert [w.name for w in model.log_workspaces()] == ["law-main"]
    assert len(estate.children(vm["id"].upper(), EXT_TYPE.upper())) == 1


def test_views_are_built_once_per_document():
    s = Scenario()
    s.machine("vm01")
    s.machine("vm02")
    estate = estate_of(s.build())
    a, b = estate.vms
    assert a.rule_associations[0].rule is b.rule_associations[0].rule


# -- the three-way resolve -------------------------------------------------------------------------
DELETED = rid(MON, "rg-mon", DCR_TYPE, "dcr-gone")


def _estate_with_errors(*errors: tuple[str, str]):
    s = Scenario()
    s.machine("vm01")
    for scope, operation in errors:
        s.error(scope, operation, 403, "AuthorizationFailed", "no read for you")
    return s, estate_of(s.build())


def test_resolve_present_document():
    s, estate = _estate_with_errors((f"/subscriptions/{MON}", "*"))
    # a document in the snapshot stays authoritative even when a failed read covers its scope
    assert estate.resolve(s.dcr_linux["id"].upper(), DCR_TYPE, "the rule")["id"] == s.dcr_linux["id"]


def test_resolve_missing_document_is_none_when_no_read_failed():
    _, estate = _estate_with_errors()
    assert estate.resolve(DELETED, DCR_TYPE, "rule dcr-gone") is None


@pytest.mark.parametrize("scope, operation", [
    (DELETED, "Microsoft.Insights/dataCollectionRules/read"),                       # the resource itself
    (rid(MON, "rg-mon", DCR_TYPE, "x").rsplit("/providers", 1)[0], "Microsoft.Insights/dataCollectionRules/read"),
    (f"/subscriptions/{MON}", "Microsoft.Insights/dataCollectionRules/read"),       # subscription scope
    (f"/SUBSCRIPTIONS/{MON.upper()}/", "microsoft.insights/datacollectionrules/READ"),
    (f"/subscriptions/{MON}", "*"),
    (f"/subscriptions/{MON}", "Microsoft.Insights/*"),
])
def test_resolve_is_unknown_when_a_failed_read_covers_it(scope, operation):
    _, estate = _estate_with_errors((scope, operation))
    with pytest.raises(Unknown) as caught:
        estate.resolve(DELETED, DCR_TYPE, "data collection rule dcr-gone")
    text = str(caught.value)
    assert text.startswith("could not evaluate: data collection rule dcr-gone could not be read")
    assert "403 AuthorizationFailed" in text and operation in text and scope in text and "no read for you" in text
    assert caught.value.error["scope"] == scope


@pytest.mark.parametrize("scope, operation", [
    (f"/subscriptions/{SUB}", "Microsoft.Insights/dataCollectionRules/read"),        # another subscription
    (rid(MON, "rg-other", DCR_TYPE, "x").rsplit("/providers", 1)[0], "Microsoft.Insights/dataCollectionRules/read"),
    (f"/subscriptions/{MON}", "Microsoft.Insights/dataCollectionEndpoints/read"),    # another type
    (f"/subscriptions/{MON}", "Microsoft.Insights/dataCollectionRulesX/read"),
    (rid(MON, "rg-mon", DCR_TYPE, "dcr-gone-too"), "Microsoft.Insights/dataCollectionRules/read"),
])
def test_an_error_that_covers_something_else_changes_nothing(scope, operation):
    _, estate = _estate_with_errors((scope, operation))
    assert estate.resolve(DELETED, DCR_TYPE, "rule dcr-gone") is None


def test_children_are_unknown_when_listing_them_failed():
    s = Scenario()
    vm = s.machine("vm01", rules=[])
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read")
    s.error(f"/subscriptions/{SUB}/resourceGroups/rg-app", "Microsoft.Compute/virtualMachines/extensions/read")
    model = vm_named(estate_of(s.build()), "vm01")
    # Present documents stay authoritative; the gap says more may exist.
    assert model.associations == []
    assert "the DCR associations of VM vm01 could not be read" in str(model.collection_gap)
    with pytest.raises(Unknown, match="the extensions of VM vm01 could not be read"):
        model.extensions
    # what the failed reads do not cover is still known
    assert model.power_state == "running" and model.system_assigned


def test_unknown_propagates_through_the_model_questions():
    s = Scenario()
    vm = s.machine("vm01", rules=[])
    s.associate(vm, rule_id=DELETED)
    s.error(f"/subscriptions/{MON}", "Microsoft.Insights/dataCollectionRules/read", 429, "TooManyRequests", "")
    model = vm_named(estate_of(s.build()), "vm01")
    assert model.rule_associations[0].rule_id == DELETED
    assert model.log_workspaces() == [] and model.rules == []   # nothing readable routes anywhere...
    assert "(429 TooManyRequests)" in str(model.collection_gap)  # ...and the model says why it may be more


def test_a_deleted_rule_and_a_deleted_workspace_are_none():
    s = Scenario()
    gone_ws = phantom_workspace(MON, "rg-mon", "law-gone")
    rule = s.dcr(MON, "rg-mon", "dcr-to-nowhere", [gone_ws])
    vm = s.machine("vm01", rules=[rule])
    s.associate(vm, rule_id=DELETED)
    model = vm_named(estate_of(s.build()), "vm01")
    by_rule = {arm.parse(a.rule_id).name: a.rule for a in model.rule_associations}
    assert by_rule["dcr-gone"] is None
    live = by_rule["dcr-to-nowhere"]
    assert live.workspace(live.log_routes[0]) is None
    assert model.log_workspaces() == []


# -- heartbeats ------------------------------------------------------------------------------------
def _beats(rows, **top):
    s = Scenario()
    s.machine("vm01", beat=None)
    doc = s.build()
    doc["heartbeats"] = rows
    doc.update(top)
    return s, estate_of(doc)


def test_heartbeat_index_newest_wins_case_insensitively_and_only_ama_rows():
    s = Scenario()
    vm = s.machine("vm01", beat=None)
    cid = s.law["properties"]["customerId"]
    doc = s.build()
    doc["heartbeats"] = [
        {"workspace_id": cid, "resource_id": vm["id"], "last_heartbeat": "2026-11-25T08:00:00Z",
         "category": "Azure Monitor Agent"},
        {"workspace_id": cid.upper(), "resource_id": vm["id"].upper(), "last_heartbeat": "2026-11-25T08:30:00Z",
         "category": "azure monitor agent"},
        {"workspace_id": cid, "resource_id": vm["id"], "last_heartbeat": "2026-11-25T08:10:00Z"},   # no category
        {"workspace_id": cid, "resource_id": vm["id"], "last_heartbeat": "2026-11-25T08:59:00Z",
         "category": "Direct Agent"},                                                          # legacy MMA row
    ]
    estate = estate_of(doc)
    assert estate.heartbeats_collected
    assert estate.last_heartbeat(vm["id"].lower(), cid).isoformat() == "2026-11-25T08:30:00+00:00"
    assert estate.last_heartbeat(vm["id"], guid("other")) is None


def test_heartbeat_only_from_a_legacy_agent_is_no_heartbeat():
    s = Scenario()
    vm = s.machine("vm01", beat=None)
    s.heartbeat(vm, s.law, 1, category="Direct Agent")
    estate = estate_of(s.build())
    assert estate.last_heartbeat(vm["id"], s.law["properties"]["customerId"]) is None


def test_heartbeat_workspaces_semantics():
    s, estate = _beats(None)
    assert not estate.heartbeats_collected and estate.heartbeat_workspaces is None
    s, estate = _beats([])
    assert estate.heartbeats_collected
    assert estate.heartbeat_workspaces == {s.law["properties"]["customerId"].lower()}   # every workspace in resources
    s, estate = _beats([], heartbeat_workspaces=["ABC-Def"])
    assert estate.heartbeat_workspaces == {"abc-def"}
    s, estate = _beats([], heartbeat_workspaces=[])
    assert estate.heartbeat_workspaces == set()


# -- extensions ------------------------------------------------------------------------------------
def test_extension_matching_is_by_publisher_and_type_never_by_name():
    s = Scenario()
    vm = s.machine("vm01", ama=False)
    s.extension(vm, name="AzureMonitorLinuxAgent", publisher="Contoso.Tools", ext_type="AzureMonitorLinuxAgent")
    s.extension(vm, name="monitoring", publisher="microsoft.azure.MONITOR", ext_type="azuremonitorlinuxagent")
    s.extension(vm, name="AzureMonitorWindowsAgent", publisher="Microsoft.Compute", ext_type="CustomScript")
    s.extension(vm, name="oms", publisher="Microsoft.EnterpriseCloud.Monitoring", ext_type="OmsAgentForLinux")
    model = vm_named(estate_of(s.build()), "vm01")
    assert [e.name for e in model.ama_extensions] == ["monitoring"]
    assert model.ama_extensions[0].ama_os == "Linux"
    assert [(e.name, e.legacy_name) for e in model.legacy_agents] == [("oms", "OmsAgentForLinux (OMS)")]
    assert model.expected_ama_type == "AzureMonitorLinuxAgent"


@pytest.mark.parametrize("version, ok", [("1.33", True), (" 1.33 ", True), ("1.31.1", False), ("1", False),
                                         ("", False), ("v1.33", False), ("1.33.0.0", False)])
def test_type_handler_version_major_minor(version, ok):
    s = Scenario()
    s.machine("vm01", ext={"version": version})
    assert vm_named(estate_of(s.build()), "vm01").ama_extensions[0].version_is_major_minor is ok


def test_extension_failures_and_instance_view_from_the_vm():
    s = Scenario()
    vm = s.machine("vm01", ext={"state": "Failed", "statuses": [
        {"code": "ProvisioningState/failed/51", "level": "Error", "displayStatus": "Provisioning failed",
         "message": "Install failed with exit code 51"}]})
    doc = s.build()
    ext = next(d for d in doc["resources"] if d["type"] == EXT_TYPE)
    view = ext["properties"].pop("instanceView")             # only the VM's instance view knows it
    view["name"] = view["name"].upper()
    vm["properties"]["instanceView"]["extensions"] = [view]
    model = vm_named(estate_of(doc), "vm01")
    ama = model.ama_extensions[0]
    assert ama.provisioning_state == "Failed"
    assert [(f.code, f.message) for f in ama.failures] == [("ProvisioningState/failed/51",
                                                            "Install failed with exit code 51")]
    assert ama.evidence()["statuses"] == ["ProvisioningState/failed/51: Install failed with exit code 51"]


def test_inline_resources_are_the_fallback_for_extensions():
    s = Scenario()
    vm = s.machine("vm01", ama=False)
    inline = s.extension(vm, name="AMA")
    s.resources.remove(inline)
    vm["resources"] = [inline, {"id": vm["id"] + "/whatever/x", "type": "Microsoft.Other/things"}, "junk"]
    model = vm_named(estate_of(s.build()), "vm01")
    assert [e.name for e in model.ama_extensions] == ["AMA"]
    # once the extensions are in the snapshot as documents, those are the truth
    s2 = Scenario()
    vm2 = s2.machine("vm01")
    vm2["resources"] = [copy.deepcopy(inline) | {"name": "stale-inline"}]
    assert [e.name for e in vm_named(estate_of(s2.build()), "vm01").extensions] == ["AzureMonitorLinuxAgent"]


# -- the machine -----------------------------------------------------------------------------------
def test_power_guest_agent_and_os_type():
    s = Scenario()
    s.machine("up")
    s.machine("off", power="deallocated")
    s.machine("nodata", power=None)
    s.machine("notready", agent="Not Ready")
    win = s.machine("win", os="Windows")
    del win["properties"]["storageProfile"]["osDisk"]["osType"]        # osProfile still tells
    guessed = s.machine("guessed")
    guessed["properties"]["storageProfile"] = {}
    guessed["properties"]["osProfile"] = {}                            # only the guest's osName tells
    estate = estate_of(s.build())
    up, off, nodata, notready = (vm_named(estate, n) for n in ("up", "off", "nodata", "notready"))
    assert (up.power_state, up.guest_agent_status.display) == ("running", "Ready")
    assert (off.power_state, off.power_display, off.guest_agent) == ("deallocated", "VM deallocated", None)
    assert (nodata.power_state, nodata.power_display) == (None, "unknown")
    assert notready.guest_agent_status.display == "Not Ready"
    assert vm_named(estate, "win").os_type == "Windows"
    assert vm_named(estate, "guessed").os_type == "Linux"
    assert up.image["publisher"] == "Canonical" and up.guest_os == ("ubuntu", "22.04")


# -- identity --------------------------------------------------------------------------------------
def test_identity_parsing():
    s = Scenario()
    one = s.user_identity(SUB, "rg-id", "id-one")
    two = s.user_identity(SUB, "rg-id", "id-two")
    s.machine("sami")
    s.machine("none", identity=None)
    s.machine("both", user_identities=[one])
    s.machine("two", identity=None, user_identities=[one, two])
    odd = s.machine("odd", identity=None)
    odd["identity"] = {"type": "systemassigned,userassigned", "userAssignedIdentities": {one["id"]: None}}
    s.machine("named", ext={"settings": {"Authentication": {"ManagedIdentity": {
        "identifier-name": "client_id", "identifier-value": one["properties"]["clientId"]}}}})
    estate = estate_of(s.build())
    v = {n: vm_named(estate, n) for n in ("sami", "none", "both", "two", "odd", "named")}
    assert (v["sami"].identity_type, v["sami"].system_assigned, v["sami"].user_assigned) == \
        ("SystemAssigned", True, [])
    assert (v["none"].identity_type, v["none"].system_assigned) == ("None", False)
    assert v["both"].system_assigned and [u.resource_id for u in v["both"].user_assigned] == [one["id"]]
    assert v["both"].user_assigned[0].client_id == one["properties"]["clientId"]
    assert v["both"].user_assigned[0].principal_id == one["properties"]["principalId"]
    assert not v["two"].system_assigned and len(v["two"].user_assigned) == 2
    assert v["odd"].system_assigned and v["odd"].user_assigned[0].client_id == ""
    assert v["named"].ama_extensions[0].managed_identity_setting == {
        "identifier-name": "client_id", "identifier-value": one["properties"]["clientId"]}
    assert v["sami"].ama_extensions[0].managed_identity_setting is None


# -- data collection rules -------------------------------------------------------------------------
def test_dcr_log_routes_merge_streams_and_skip_other_destinations():
    s = Scenario()
    rule = s.dcr(MON, "rg-mon", "dcr-mixed", [s.law])
    props = rule["properties"]
    props["destinations"]["azureMonitorMetrics"] = {"name": "metrics"}
    props["destinations"]["logAnalytics"].append({"name": "no-id"})
    props["dataFlows"] = [
        {"streams": ["Microsoft-Syslog"], "destinations": ["la-0"]},
        {"streams": ["Microsoft-Perf", "Microsoft-Syslog"], "destinations": ["la-0", "metrics", "no-id"]},
        {"streams": ["Microsoft-Event"], "destinations": ["typo-dest"]},
    ]
    s.machine("vm01", rules=[rule])
    model = vm_named(estate_of(s.build()), "vm01")
    dcr = model.rule_associations[0].rule
    assert [(r.destination, r.streams) for r in dcr.log_routes] == [("la-0", ("Microsoft-Syslog", "Microsoft-Perf"))]
    assert dcr.log_routes[0].workspace_id == s.law["id"]
    assert dcr.dangling_flow_destinations == ["typo-dest"]
    assert [w.name for w in model.log_workspaces()] == ["law-main"]


def test_dcr_without_flows_routes_nothing():
    s = Scenario()
    rule = s.dcr(MON, "rg-mon", "dcr-noflow", [s.law], flows=False)
    s.machine("vm01", rules=[rule])
    model = vm_named(estate_of(s.build()), "vm01")
    assert model.rule_associations[0].rule.log_routes == [] and model.log_workspaces() == []


@pytest.mark.parametrize("kind, os_type, fits", [
    ("Linux", "Linux", True), ("linux", "Linux", True), ("Windows", "Linux", False), ("Linux", "Windows", False),
    (None, "Linux", True), ("Linux", None, True), ("AgentDirectToStore", "Windows", True),
])
def test_dcr_kind_fits_os(kind, os_type, fits):
    s = Scenario()
    rule = s.dcr(MON, "rg-mon", "dcr-k", [s.law], kind=kind)
    s.machine("vm01")
    assert estate_of(s.build()).view(DataCollectionRule, rule).fits_os(os_type) is fits


def test_log_workspaces_only_from_rules_fitting_the_os_and_deduplicated():
    s = Scenario()
    second = s.dcr(MON, "rg-mon", "dcr-linux-2", [s.law])
    s.machine("vm01", rules=[s.dcr_linux, second, s.dcr_windows])
    s.machine("vm02", rules=[s.dcr_windows])
    estate = estate_of(s.build())
    assert [w.name for w in vm_named(estate, "vm01").log_workspaces()] == ["law-main"]
    assert vm_named(estate, "vm02").log_workspaces() == []


def test_dce_only_association_is_not_a_rule_association():
    s = Scenario()
    dce = s.dce(MON, "rg-mon", "dce-1")
    vm = s.machine("vm01", rules=[])
    s.associate(vm, endpoint=dce)
    model = vm_named(estate_of(s.build()), "vm01")
    assert model.rule_associations == []
    assert [a.name for a in model.endpoint_associations] == ["configurationAccessEndpoint"]
    assert model.endpoint_associations[0].endpoint.configuration_access.startswith("https://dce-1-")


def test_workspace_matches_id_or_customer_id_and_ingestion_state():
    s = Scenario()
    capped = s.workspace(MON, "rg-mon", "law-capped", ingestion_status="OverQuota")
    s.machine("vm01")
    estate = estate_of(s.build())
    law = estate.view(Workspace, s.law)
    cid = s.law["properties"]["customerId"]
    assert law.matches(s.law["id"].upper()) and law.matches(f" {cid.upper()} ") and law.matches(s.law["id"] + "/")
    assert not law.matches(capped["id"]) and not law.matches(guid("x"))
    assert not law.ingestion_stopped and estate.view(Workspace, capped).ingestion_stopped
    assert law.evidence()["customerId"] == cid


def test_heartbeat_query_error_is_found_for_the_workspace():
    s = Scenario()
    s.machine("vm01")
    s.error(f"/subscriptions/{MON}/resourceGroups/rg-mon", "Microsoft.OperationalInsights/workspaces/query/read")
    estate = estate_of(s.build())
    assert estate.errors.covering(s.law["id"], HEARTBEAT_QUERY_OP)["operation"].endswith("query/read")
    assert estate.errors.covering(s.law["id"], WORKSPACE_TYPE + "/read") is None


# -- wrong-typed nested fields (found by tests/test_fuzz_snapshot.py) -------------------------------
MALFORMED = {
    "instanceView.extensions is a number": lambda vm, ext, dcr, nic: vm["properties"]["instanceView"].update(extensions=5),
    "inline resources is a number": lambda vm, ext, dcr, nic: vm.update(resources=5),
    "networkInterfaces is a number": lambda vm, ext, dcr, nic: vm["properties"]["networkProfile"].update(
        networkInterfaces=5),
    "a flow's streams is a number": lambda vm, ext, dcr, nic: dcr["properties"]["dataFlows"][0].update(streams=5),
    "a flow's destinations is a number": lambda vm, ext, dcr, nic: dcr["properties"]["dataFlows"][0].update(
        destinations=True),
    "logAnalytics is a number": lambda vm, ext, dcr, nic: dcr["properties"]["destinations"].update(logAnalytics=7),
    "an ipConfiguration is not an object": lambda vm, ext, dcr, nic: nic["properties"]["ipConfigurations"].extend(
        ["junk", [1], {"properties": []}]),
    "a reference id is a list": lambda vm, ext, dcr, nic: nic["properties"]["ipConfigurations"][0]["properties"]
    .update(subnet={"id": ["/subscriptions/x"]}),
    "statuses is a number": lambda vm, ext, dcr, nic: vm["properties"]["instanceView"].update(statuses=5),
    "identity fields of the wrong type": lambda vm, ext, dcr, nic: vm.update(
        identity={"type": 5, "userAssignedIdentities": [1]}),
    "managedIdentity values of the wrong type": lambda vm, ext, dcr, nic: ext["properties"].update(settings={
        "authentication": {"managedIdentity": {"identifier-name": ["x"], "identifier-value": {"a": 1}}}}),
    "imageReference is a list": lambda vm, ext, dcr, nic: vm["properties"]["storageProfile"].update(
        imageReference=[1]),
    "osName is a number": lambda vm, ext, dcr, nic: vm["properties"]["instanceView"].update(osName=5),
    "typeHandlerVersion is a number": lambda vm, ext, dcr, nic: ext["properties"].update(typeHandlerVersion=1.31),
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_wrong_typed_nested_fields_are_read_as_absent(change):
    s = Scenario()
    vm = s.machine("vm01")
    ext = next(d for d in s.resources if d["type"] == EXT_TYPE)
    nic = next(d for d in s.resources if d["type"] == "Microsoft.Network/networkInterfaces")
    change(vm, ext, s.dcr_linux, nic)
    verdicts = judge(estate_of(s.build()))            # every check answers; none raises
    assert {step for _, step in verdicts} >= {"os", "power", "agent", "dcr", "identity", "heartbeat"}


def test_arm_ids_of_the_wrong_type_match_nothing():
    assert arm.key(["/subscriptions/x"]) == arm.key(None) == arm.key(5) == ""
    assert arm.parse({"id": 1}).name == "" and arm.parent(7) == ""
