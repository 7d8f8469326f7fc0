"""A pass rests on evidence: broken or partial chains are *could not evaluate*, naming the missing link;
a failed read only touches the verdicts it could change; a check cannot pass without saying what it saw;
an estate with no machine checks nothing and says so."""

from __future__ import annotations

import json

import pytest

from scenarios import LOC, MON, SUB, Scenario, install_suite, run_suite, write_estate
from test_network_steps import private_link, subnet_vm

NET = ("network", "ampls", "dns")


def _vm_nic(s: Scenario, vm: dict) -> dict:
    nic_id = vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"]
    return next(r for r in s.resources if r["id"] == nic_id)


def _drop(s: Scenario, resource_id: str) -> None:
    s.resources[:] = [r for r in s.resources if r["id"].lower() != resource_id.lower()]


# -- malformed and partial chains ------------------------------------------------------------------
def test_broken_network_chains_are_could_not_evaluate_naming_the_link(pytester):
    """Each of these passed the network step before (no NIC path left meant "nothing denied")."""
    s = Scenario()
    vm = s.machine("no-ipconfig")
    _vm_nic(s, vm)["properties"]["ipConfigurations"] = []
    vm = s.machine("no-subnet")
    del _vm_nic(s, vm)["properties"]["ipConfigurations"][0]["properties"]["subnet"]
    vm = s.machine("nic-is-nsg")
    vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"] = s.nsg_default["id"]
    vm = s.machine("no-nic-listed")
    vm["properties"]["networkProfile"]["networkInterfaces"] = []
    vm = s.machine("nic-absent")
    _drop(s, vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"])
    lonely = s.vnet(SUB, "rg-net", "vnet-absent", "10.70.0.0/16", [{"name": "snet", "prefix": "10.70.1.0/24"}],
                    location=LOC)
    s.machine("vnet-absent", nic=False, nics=[s.nic(SUB, "rg-app", "vnet-absent-nic",
                                                    lonely["properties"]["subnets"][0]["id"], "10.70.1.4")])
    _drop(s, lonely["id"])
    s.machine("subnet-absent", nic=False, nics=[s.nic(SUB, "rg-app", "subnet-absent-nic",
                                                      s.subnet_id + "-gone", "10.20.1.99")])
    gone_nsg = s.nsg(SUB, "rg-net", "nsg-gone")
    s.machine("nsg-absent", nic=False, nics=[s.nic(SUB, "rg-app", "nsg-absent-nic", s.subnet_id, "10.20.1.98",
                                                   nsg=gone_nsg)])
    _drop(s, gone_nsg["id"])
    s.machine("healthy")
    run = run_suite(pytester, s.build())
    expected_words = {
        "no-ipconfig": "has no IP configuration", "no-subnet": "names no subnet",
        "nic-is-nsg": "points at a Microsoft.Network/networkSecurityGroups, not a Microsoft.Network/networkInterfaces",
        "no-nic-listed": "lists no network interface", "nic-absent": "is not in the snapshot",
        "vnet-absent": "virtual network vnet-absent", "subnet-absent": "subnet snet-vms-gone",
        "nsg-absent": "NSG nsg-gone"}
    for name, words in expected_words.items():
        assert run[name, "network"] == "error", (name, run.text(name, "network"))
        assert words in run.text(name, "network"), (name, run.text(name, "network"))
    # Where the VM sits is unknown: private link and DNS cannot say "public path, not applicable" either.
    for name in ("no-ipconfig", "no-subnet", "nic-is-nsg", "no-nic-listed", "nic-absent", "vnet-absent",
                 "subnet-absent"):
        assert run[name, "ampls"] == "error", (name, run.text(name, "ampls"))
        assert run[name, "dns"] == "error", (name, run.text(name, "dns"))
    # The NSG only decides the network step.
    assert run["nsg-absent", "ampls"] == "skip" and run["nsg-absent", "dns"] == "skip"
    assert set(run.of("healthy").values()) == {"pass", "skip"}     # public path: ampls and dns do not apply
    for name in expected_words:      # the rest of the chain is still judged
        assert run[name, "dcr"] == "pass" and run[name, "agent"] == "pass"


def _private_vm(s: Scenario, subnets: list[dict]) -> dict:
    """VM "private", healthy over private link (DCR with a DCE, scoped, zones linked), in ``subnets``."""
    dce = s.dce(MON, "rg-mon", "dce-a", LOC)
    rule = s.dcr(MON, "rg-mon", "dcr-private", [s.law], LOC, kind="Linux", dce=dce)
    vm, vnet = subnet_vm(s, "private", subnets, rules=[rule])
    s.associate(vm, endpoint=dce)
    private_link(s, vnet, dce=dce)
    return vnet


def test_a_failed_nsg_or_route_table_read_only_touches_the_network_step(pytester):
    s = Scenario()
    nsg = s.nsg(SUB, "rg-net", "nsg-unreadable")
    rt = s.route_table(SUB, "rg-net", "rt-unreadable", [{"name": "default", "addressPrefix": "0.0.0.0/0",
                                                          "nextHopType": "Internet"}])
    _private_vm(s, [{"name": "a", "prefix": "10.90.1.0/24", "nsg": nsg, "route_table": rt},
                    {"name": "pe", "prefix": "10.90.9.0/24"}])
    _drop(s, nsg["id"])
    _drop(s, rt["id"])
    s.error(nsg["id"], "Microsoft.Network/networkSecurityGroups/read")
    s.error(rt["id"], "Microsoft.Network/routeTables/read")
    run = run_suite(pytester, s.build())
    assert run["private", "network"] == "error"
    assert "nsg-unreadable" in run.text("private", "network")
    assert run["private", "ampls"] == "pass", run.text("private", "ampls")
    assert run["private", "dns"] == "pass", run.text("private", "dns")


def test_with_an_unreadable_vnet_and_nsg_private_link_blames_the_vnet(pytester):
    s = Scenario()
    nsg = s.nsg(SUB, "rg-net", "nsg-unreadable")
    vnet = _private_vm(s, [{"name": "a", "prefix": "10.90.1.0/24", "nsg": nsg}, {"name": "pe", "prefix": "10.90.9.0/24"}])
    for doc in (nsg, vnet):
        _drop(s, doc["id"])
        s.error(doc["id"], doc["type"] + "/read")
    run = run_suite(pytester, s.build())
    for step in ("ampls", "dns"):
        assert run["private", step] == "error"
        text = run.text("private", step)
        assert "virtual network vnet-private" in text and "nsg-unreadable" not in text, text


def _spoke_over_hub(fail_zone_groups: bool) -> Scenario:
    """VM "spoke" reaches AMPLS only through DNS: the endpoint is in the hub, its zones linked to both."""
    s = Scenario()
    hub = s.vnet(SUB, "rg-net", "vnet-hub", "10.90.0.0/16", [{"name": "pe", "prefix": "10.90.9.0/24"}], location=LOC)
    dce = s.dce(MON, "rg-mon", "dce-a", LOC)
    vm, spoke = subnet_vm(s, "spoke", [{"name": "a", "prefix": "10.91.1.0/24"}],
                          rules=[s.dcr(MON, "rg-mon", "dcr-private", [s.law], LOC, kind="Linux", dce=dce)])
    s.associate(vm, endpoint=dce)
    _, pe, zones = private_link(s, hub, dce=dce)
    for zone in zones:
        s.dns_link(zone, spoke)
    if fail_zone_groups:
        _drop(s, pe["id"] + "/privateDnsZoneGroups/default")
        s.error(pe["id"], "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read")
    return s


def test_an_endpoint_whose_zone_groups_are_unreadable_may_be_the_dns_path(pytester):
    """Without its zone groups, the hub's endpoint cannot be tied to the spoke's linked zones: "no path
    to AMPLS" would be a false fail (it was, on a Resource Graph capture with that read denied)."""
    assert run_suite(pytester, _spoke_over_hub(False).build())["spoke", "ampls"] == "pass"
    run = run_suite(pytester, _spoke_over_hub(True).build())
    assert run["spoke", "ampls"] == "error", run.text("spoke", "ampls")
    assert "the DNS zone groups of private endpoint pe-ampls-a-vnet-hub" in run.text("spoke", "ampls")


def test_ampls_with_nothing_to_hold_is_not_a_pass(pytester):
    """A private path and no destination at all: "every destination is scoped" would be vacuously true."""
    s = Scenario()
    _, vnet = subnet_vm(s, "nowhere", [{"name": "a", "prefix": "10.90.1.0/24"},
                                       {"name": "pe", "prefix": "10.90.9.0/24"}], rules=[], beat=None)
    private_link(s, vnet)
    run = run_suite(pytester, s.build())
    assert run["nowhere", "dcr"] == "fail"
    assert run["nowhere", "ampls"] == "skip"
    assert "blocked by step 'dcr'" in run.text("nowhere", "ampls")


# -- the evidence rule ----------------------------------------------------------------------------
def test_a_check_that_passes_without_evidence_is_could_not_evaluate(pytester):
    s = Scenario()
    s.machine("vm01")
    install_suite(pytester)
    (pytester.path / "tests_extra").mkdir()
    (pytester.path / "tests_extra" / "test_mine.py").write_text(
        "import pytest\n"
        "from amaaudit.verdict import evidence\n\n"
        "@pytest.mark.dcr\n"
        "def test_says_nothing(vm):\n"
        "    pass\n\n"
        "@pytest.mark.dcr\n"
        "def test_says_what_it_saw(vm):\n"
        "    evidence(id=vm.id)\n")
    estate = write_estate(pytester.path / "estate.json", s.build())
    result = pytester.runpytest_inprocess("--estate", str(estate), "tests_extra", "-p", "no:randomly")
    records = {rep.nodeid.split("::")[1].split("[")[0]: rep.amaaudit
               for rep in result.reprec.getreports("pytest_runtest_logreport") if getattr(rep, "amaaudit", None)}
    assert records["test_says_nothing"]["outcome"] == "error"
    assert "passed without recording the evidence" in records["test_says_nothing"]["reason"]
    assert records["test_says_what_it_saw"]["outcome"] == "pass"


def test_every_pass_of_the_demo_carries_its_evidence(pytester):
    run = run_suite(pytester, None)
    passes = [r for rs in run.records.values() for r in rs if r["outcome"] in ("pass", "warn")]
    assert passes
    assert all(r.get("evidence") for r in passes), [r["test_id"] + " " + r["step"] for r in passes
                                                    if not r.get("evidence")][:10]


# -- no machines ------------------------------------------------------------------------------------
def _no_machines() -> dict:
    s = Scenario()
    doc = s.build()
    assert not [r for r in doc["resources"] if r["type"] == "Microsoft.Compute/virtualMachines"]
    return doc


def test_an_estate_with_no_machine_says_so_writes_every_report_and_exits_5(pytester):
    install_suite(pytester)
    estate = write_estate(pytester.path / "estate.json", _no_machines())
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("--estate", str(estate), "--html", str(out / "r.html"),
                                           "--junitxml", str(out / "j.xml"), "--findings-json", str(out / "f.json"))
    text = result.stdout.str()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED, text
    assert "holds no machine, so nothing was checked" in text
    assert "INTERNALERROR" not in text + result.stderr.str()
    findings = json.loads((out / "f.json").read_text(encoding="utf-8"))
    assert findings["results"] == [] and findings["header"]["vms"]["total"] == 0
    assert (out / "j.xml").stat().st_size > 0
    assert "No machine was checked" in (out / "r.html").read_text(encoding="utf-8")


def test_a_vm_list_that_could_not_be_read_and_no_machine_is_incomplete_exit_1(pytester):
    install_suite(pytester)
    doc = _no_machines()
    doc["errors"] = [{"scope": f"/subscriptions/{SUB}", "operation": "Microsoft.Compute/virtualMachines/read",
                      "status": 403, "code": "AuthorizationFailed", "message": "denied"}]
    estate = write_estate(pytester.path / "estate.json", doc)
    result = pytester.runpytest_subprocess("--estate", str(estate), "--findings-json",
                                           str(pytester.path / "f.json"))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "INCOMPLETE" in result.stdout.str() and "INTERNALERROR" not in result.stdout.str()
    findings = json.loads((pytester.path / "f.json").read_text(encoding="utf-8"))
    assert findings["header"]["incomplete"][0]["scope"] == f"/subscriptions/{SUB}"
