"""Planned deployments applied to a snapshot document (amaaudit.whatif, amaaudit.terraform): every
changeType, children kept inline in their parent, what Azure deletes with a resource, the runtime state
kept, the shapes az / REST / PowerShell / Terraform write (tests/data/whatif, sources in its README), and
the files that are refused in one paragraph. No pytest run here: the document in, the document out."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from amaaudit import arm, whatif
from amaaudit.model import Unknown
from amaaudit.report import attribution
from amaaudit.synth import rid
from scenarios import LOC, MON, Scenario, demo_document, estate_of, vm_named

DATA = Path(__file__).resolve().parent / "data" / "whatif"
DEMO_DNS_LINK = ("/subscriptions/0a9b8c7d-6e5f-4d3c-2b1a-0f9e8d7c6b5a/resourceGroups/rg-dns/providers/"
                 "Microsoft.Network/privateDnsZones/privatelink.monitor.azure.com/virtualNetworkLinks/link-vnet-spoke")


def plan_of(*changes: dict, status: str = "Succeeded") -> whatif.Plan:
    return whatif.from_document({"status": status, "error": None, "changes": list(changes)}, "plan.json")


def ids(doc: dict) -> set[str]:
    return {arm.key(r["id"]) for r in doc["resources"]}


def by_id(doc: dict, resource_id: str) -> dict | None:
    return next((r for r in doc["resources"] if arm.key(r["id"]) == arm.key(resource_id)), None)


@pytest.fixture
def scenario():
    s = Scenario()
    vm = s.machine("vm-a")
    s.machine("vm-b")
    return s, vm, s.build()


# -- every changeType --------------------------------------------------------------------------------
def test_create_modify_and_deploy_put_after_in_place(scenario):
    s, vm, doc = scenario
    original = copy.deepcopy(doc)
    new_id = rid(MON, "rg-mon", "Microsoft.Insights/dataCollectionEndpoints", "dce-new")
    dcr_id = s.dcr_linux["id"]
    plan = plan_of(
        {"resourceId": new_id, "changeType": "Create",
         "after": {"apiVersion": "2023-03-11", "id": new_id, "type": "Microsoft.Insights/dataCollectionEndpoints",
                   "name": "dce-new", "location": LOC, "properties": {"networkAcls": {}}}},
        {"resourceId": dcr_id.upper(), "changeType": "Modify",           # ids compare case-insensitively
         "after": {**s.dcr_linux, "tags": {"changed": "yes"}}},
        {"resourceId": vm["id"], "changeType": "Deploy", "after": {"id": vm["id"], "type": vm["type"], "name": "vm-a",
                                                                     "location": LOC, "properties": {"hardwareProfile": {}}}})
    out, effects = whatif.apply(doc, plan)
    assert doc == original                                    # the estate as it is stays for the baseline run
    assert by_id(out, new_id)["properties"] == {"networkAcls": {}} and "apiVersion" not in by_id(out, new_id)
    assert by_id(out, dcr_id)["tags"] == {"changed": "yes"}
    assert by_id(out, dcr_id)["id"] == dcr_id                 # the snapshot's spelling of the id is kept
    assert len([r for r in out["resources"] if arm.key(r["id"]) == arm.key(dcr_id)]) == 1
    deployed = by_id(out, vm["id"])
    assert deployed["properties"]["hardwareProfile"] == {}
    # what-if predicts configuration, not runtime state: the power state and guest agent stay
    assert deployed["properties"]["instanceView"] == vm["properties"]["instanceView"]
    assert [e.effect for e in effects] == ["added", "replaced", "replaced"]
    assert vm_named(estate_of(out), "vm-a").power_state == vm_named(estate_of(doc), "vm-a").power_state


def test_delete_removes_what_azure_deletes_with_it(scenario):
    s, vm, doc = scenario
    dcras = [r["id"] for r in doc["resources"] if arm.key(r["id"]).startswith(arm.key(vm["id"]) + "/")]
    assert any("dataCollectionRuleAssociations" in i for i in dcras) and any("/extensions/" in i for i in dcras)
    out, effects = whatif.apply(doc, plan_of({"resourceId": vm["id"], "changeType": "Delete", "before": vm}))
    assert not {arm.key(i) for i in [vm["id"], *dcras]} & ids(out)      # its extensions and DCR associations too
    assert [v.name for v in estate_of(out).vms] == ["vm-b"]
    assert effects[0].effect.startswith("removed with") and str(len(dcras)) in effects[0].effect


def test_delete_of_a_dns_zone_takes_its_links_and_records():
    doc = demo_document()
    zone = arm.parent(DEMO_DNS_LINK)
    under = {i for i in ids(doc) if i.startswith(arm.key(zone) + "/")}
    assert len(under) >= 3                                                # links and A records
    out, _ = whatif.apply(doc, plan_of({"resourceId": zone, "changeType": "Delete"}))
    assert not (under | {arm.key(zone)}) & ids(out)


def test_unsupported_makes_the_resource_unknown(scenario):
    s, vm, doc = scenario
    plan = plan_of({"resourceId": s.dcr_linux["id"], "changeType": "Unsupported",
                    "unsupportedReason": "the resource id cannot be calculated before the deployment"})
    out, effects = whatif.apply(doc, plan)
    assert by_id(out, s.dcr_linux["id"]) is None
    entry = out["errors"][-1]
    assert entry["scope"] == s.dcr_linux["id"] and entry["operation"] == "Microsoft.Insights/dataCollectionRules/read"
    assert "cannot be calculated" in entry["message"] and "unknown" in effects[0].effect
    estate = estate_of(out)                                  # what depends on it cannot be evaluated, never guessed
    with pytest.raises(Unknown):
        estate.resolve(s.dcr_linux["id"], "Microsoft.Insights/dataCollectionRules", "the DCR")


@pytest.mark.parametrize("kind", ["NoChange", "Ignore", 4, 2])
def test_nochange_and_ignore_change_nothing(scenario, kind):
    s, vm, doc = scenario
    out, effects = whatif.apply(doc, plan_of({"resourceId": vm["id"], "changeType": kind,
                                              "after": {"id": vm["id"], "type": vm["type"]}}))
    assert out["resources"] == doc["resources"] and effects == []


# -- children the snapshot keeps inline -------------------------------------------------------------------
def test_subnet_and_security_rule_are_changed_in_their_parent(scenario):
    s, vm, doc = scenario
    subnet_id = s.subnet_id
    rule_id = s.nsg_default["id"] + "/securityRules/DenyInternetOutbound"
    rule = {"id": rule_id, "name": "DenyInternetOutbound", "type": "Microsoft.Network/networkSecurityGroups/securityRules",
            "properties": {"access": "Deny", "direction": "Outbound", "priority": 100, "protocol": "*",
                           "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "Internet",
                           "destinationPortRange": "*"}}
    plan = plan_of(
        {"resourceId": subnet_id, "changeType": "Modify",
         "after": {"id": subnet_id, "name": "snet-vms", "type": "Microsoft.Network/virtualNetworks/subnets",
                   "properties": {"addressPrefix": "10.20.1.0/24"}}},                 # the NSG is detached
        {"resourceId": rule_id, "changeType": "Create", "after": rule})
    out, effects = whatif.apply(doc, plan)
    assert by_id(out, subnet_id) is None and by_id(out, rule_id) is None          # no standalone documents
    vnet = by_id(out, s.vnet_main["id"])
    assert vnet["properties"]["subnets"][0]["properties"] == {"addressPrefix": "10.20.1.0/24"}
    nsg = by_id(out, s.nsg_default["id"])
    assert [r["name"] for r in nsg["properties"]["securityRules"]] == ["DenyInternetOutbound"]
    assert by_id(doc, s.nsg_default["id"])["properties"].get("securityRules", []) == []      # original untouched
    assert "in place" in effects[0].effect and "in place" in effects[1].effect
    # and the model reads them from there
    estate = estate_of(out)
    assert estate.get(s.vnet_main["id"]) is vnet

    out2, effects2 = whatif.apply(out, plan_of({"resourceId": rule_id, "changeType": "Delete"}))
    assert by_id(out2, s.nsg_default["id"])["properties"]["securityRules"] == []
    assert "inline" in effects2[0].effect


def test_an_inline_extension_is_changed_in_the_vm(scenario):
    s, vm, doc = scenario
    ext = next(r for r in doc["resources"] if r["type"] == "Microsoft.Compute/virtualMachines/extensions"
               and arm.parent(r["id"]) == vm["id"])
    inline_doc = copy.deepcopy(doc)
    inline_doc["resources"] = [r for r in inline_doc["resources"] if r["id"] != ext["id"]]
    by_id(inline_doc, vm["id"])["resources"] = [ext]                  # as a VM GET returns it
    failed = {**ext, "properties": {**ext["properties"], "provisioningState": "Failed"}}
    failed["properties"].pop("instanceView", None)
    out, _ = whatif.apply(inline_doc, plan_of({"resourceId": ext["id"], "changeType": "Modify", "after": failed}))
    kept = by_id(out, vm["id"])["resources"][0]
    assert kept["properties"]["provisioningState"] == "Failed"
    assert kept["properties"]["instanceView"] == ext["properties"]["instanceView"]
    assert vm_named(estate_of(out), "vm-a").ama_extensions[0].doc is kept


def test_the_applied_after_is_redacted(scenario):
    s, vm, doc = scenario
    ext_id = vm["id"] + "/extensions/CustomScript"
    out, _ = whatif.apply(doc, plan_of({"resourceId": ext_id, "changeType": "Create", "after": {
        "id": ext_id, "type": "Microsoft.Compute/virtualMachines/extensions",
        "properties": {"protectedSettings": {"commandToExecute": "x"}, "settings": {"storageAccountKey": "s3cr3t"}}}}))
    text = json.dumps(by_id(out, ext_id))
    assert "s3cr3t" not in text and "protectedSettings" not in text


# -- the shapes Azure's tools write (tests/data/whatif/README.md) -------------------------------------------------
def test_az_cli_output():
    plan = whatif.load(DATA / "az-group-delete-dns-link.json")
    assert plan.shape == "az" and plan.status == "Succeeded"
    assert [c.change_type for c in plan.changes] == ["Delete", "Modify", "NoChange"]
    out, effects = whatif.apply(demo_document(), plan)
    assert arm.key(DEMO_DNS_LINK) not in ids(out)
    assert [e.change.change_type for e in effects] == ["Delete", "Modify"]


def test_rest_response():
    plan = whatif.load(DATA / "rest-sub-unsupported-dcr.json")
    assert plan.shape == "rest" and plan.status == "succeeded"
    assert [c.change_type for c in plan.changes] == ["Ignore", "Unsupported"]
    assert "cannot be calculated" in plan.changes[1].reason


def test_powershell_output_with_numeric_change_types(tmp_path):
    plan = whatif.load(DATA / "powershell-nsg-deny-rule.json")
    assert plan.shape == "powershell" and [c.change_type for c in plan.changes] == ["Create"]
    # Windows PowerShell redirects in UTF-16: the same file reads the same
    utf16 = tmp_path / "whatif.json"
    utf16.write_bytes((DATA / "powershell-nsg-deny-rule.json").read_text(encoding="utf-8").encode("utf-16"))
    assert whatif.load(utf16).changes == plan.changes
    out, effects = whatif.apply(demo_document(), plan)
    assert "in place in nsg-app" in effects[0].effect


def test_terraform_azapi_plan():
    plan = whatif.load(DATA / "terraform-azapi-plan.json")
    assert plan.shape == "terraform"
    kinds = {(c.change_type, arm.parse(c.resource_id).name) for c in plan.changes}
    assert kinds == {("Delete", "dcra-dcr-linux-syslog"), ("Create", "dcra-dcr-linux-syslog"), ("Unsupported", "DenyOut")}
    created = next(c for c in plan.changes if c.change_type == "Create")
    assert created.resource_id.endswith("/virtualMachines/vm02/providers/Microsoft.Insights/"
                                        "dataCollectionRuleAssociations/dcra-dcr-linux-syslog")
    assert created.after["type"] == "Microsoft.Insights/dataCollectionRuleAssociations"
    assert created.after["properties"]["dataCollectionRuleId"].endswith("dcr-linux-syslog")
    assert len(plan.notes) == 1 and "azurerm_resource_group.new" in plan.notes[0]


def test_terraform_values_known_only_after_apply_make_the_resource_unknown():
    doc = json.loads((DATA / "terraform-azapi-plan.json").read_text(encoding="utf-8"))
    create = doc["resource_changes"][1]["change"]
    create["after_unknown"] = {"id": True, "body": {"properties": {"dataCollectionRuleId": True}}}
    from amaaudit import terraform
    plan = terraform.plan(doc, "plan.json")
    unknown = [c for c in plan.changes if c.change_type == "Unsupported" and "vm02" in c.resource_id]
    assert unknown and "body.properties.dataCollectionRuleId" in unknown[0].reason


# -- refusals: one paragraph, naming the file ------------------------------------------------------------------------
@pytest.mark.parametrize("content, said", [
    (b"not json at all", "not valid JSON"),
    (b"[1, 2]", "not an object"),
    (b'{"status": "Succeeded"}', 'no "changes" list'),
    (b'{"status": "Failed", "error": {"code": "InvalidTemplate", "message": "Deployment template validation failed"},'
     b' "changes": []}', "did not succeed"),
    (b'{"changes": []}', "did not succeed"),
    (b'{"status": "Succeeded", "changes": [{"resourceId": "/subscriptions/x/resourceGroups/r", "changeType": "Explode"}]}',
     "not one of Create"),
    (b'{"status": "Succeeded", "changes": [{"resourceId": "/subscriptions/x/resourceGroups/r/providers/A.B/c/d",'
     b' "changeType": "Create"}]}', "ResourceIdOnly"),
    (b'{"Status": "Succeeded", "Changes": [{"FullyQualifiedResourceId": "/subscriptions/x/resourceGroups/r/providers/A.B/c/d",'
     b' "ChangeType": 5, "After": [[[]]]}]}', "Windows PowerShell 5.1"),
    (b'{"format_version": "1.2", "resource_changes": [{"address": "a.b", "change": {"actions": ["explode"]}}]}',
     "does not plan"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_refused_in_one_paragraph(tmp_path, content, said):
    path = tmp_path / "whatif.json"
    path.write_bytes(content)
    with pytest.raises(whatif.WhatIfError) as refused:
        whatif.load(path, "whatif.json")
    text = str(refused.value)
    assert said in text and "whatif.json" in text and "\n" not in text and "Nothing was checked" in text


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(whatif.WhatIfError, match="does not exist"):
        whatif.load(tmp_path / "nope.json")


def test_a_failed_status_shows_azures_error_inert():
    with pytest.raises(whatif.WhatIfError) as refused:
        plan_of(status="Failed")
    assert "Failed" in str(refused.value)
    with pytest.raises(whatif.WhatIfError) as refused:
        whatif.from_document({"status": "Failed", "error": {"code": "X\x1b[2J", "message": "m"}, "changes": []}, "f")
    assert "\x1b" not in str(refused.value) and "\\e[2J" in str(refused.value)


# -- attribution -------------------------------------------------------------------------------------------------
def test_the_most_specific_change_is_blamed():
    zone = arm.parent(DEMO_DNS_LINK)
    link = whatif.Effect(whatif.Change(DEMO_DNS_LINK, "Delete"), "removed")
    tag = whatif.Effect(whatif.Change(zone, "Modify", after={}), "replaced")
    record = {"vm": "vm25", "resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm25",
              "step": "dns", "outcome": "fail", "baseline": "new",
              "findings": [{"code": "DNS_ZONE_NOT_LINKED", "severity": "high", "resource_id": zone, "evidence": {"zone": zone}}]}
    changes, unattributed = attribution.attribute([record], [link, tag])
    assert unattributed == 0
    assert changes[0]["says"]["en"] == ("deleting virtualNetworkLink link-vnet-spoke of privatelink.monitor.azure.com "
                                        "breaks DNS for vm25")
    assert changes[1]["breaks"] == [] and "says" not in changes[1]
    lonely = {**record, "findings": [{"code": "X", "severity": "high", "resource_id": "/subscriptions/other/resourceGroups/x"}]}
    assert attribution.attribute([lonely], [link, tag])[1] == 1                # no single change is cited
