"""The compliance suite end to end: pytester runs of tests_infra on small scenario estates,
asserting per VM and step pass / fail / warn / skip / error, selection with -k and -m, the
test ids, the --estate / --workspace / --heartbeat-max-age options, and the demo estate.

Each test builds one estate in which every VM carries one fault, runs the suite once, and
compares a table of expected outcomes (all mismatches are reported together).
"""

from __future__ import annotations

import re

import pytest

from amaaudit.steps import STEPS
from amaaudit.synth import rid
from scenarios import (MON, REPO, SUB, Scenario, demo_document, estate_of, install_suite, judge,
                       phantom_workspace, run_repo, run_suite, write_estate)

CORE = ("os", "power", "agent", "dcr", "identity", "heartbeat")       # the steps of this suite's first issue
DOWNSTREAM = ("agent", "network", "ampls", "dns", "dcr", "identity", "heartbeat")   # blocked by power
OTHER_SUB = "22222222-3333-4444-8555-666666666666"


def expect(vm: str, default: str | None = "pass", **steps: str) -> dict[tuple[str, str], str]:
    """``{(vm, step): outcome}``: the named steps as given, the other core steps ``default``."""
    table = {(vm, step): default for step in CORE if default}
    table.update({(vm, step): outcome for step, outcome in steps.items()})
    return table


def no_traceback(run) -> None:
    assert "Traceback" not in run.output and "internal error in the check" not in run.output, run.output[-3000:]


# -- os and power ----------------------------------------------------------------------------------
def test_os_and_power(pytester):
    s = Scenario()
    s.machine("ok")
    s.machine("os-centos", image=("OpenLogic", "CentOS", "7_9"), guest=("centos", "7.9.2009"))
    s.machine("os-custom", guest=("", ""), image={"id": rid(SUB, "rg-img", "Microsoft.Compute/galleries/images",
                                                             "gal", "base")})
    s.machine("os-2008", os="Windows", guest=("Windows Server 2008 R2 Datacenter", "6.1.7601"),
              image=("MicrosoftWindowsServer", "WindowsServer", "2008-R2-SP1"))
    s.machine("os-arm64", size="Standard_D2ps_v5", guest=("ubuntu", "16.04"),
              image=("Canonical", "UbuntuServer", "16.04-LTS"))
    s.machine("pw-deallocated", power="deallocated", beat=None)
    s.machine("pw-stopped", os="Windows", power="stopped", beat=None)
    s.machine("pw-notready", agent="Not Ready")
    s.machine("pw-noview", power=None)
    run = run_suite(pytester, s.build())
    no_traceback(run)
    expected = {
        **expect("ok"),
        **expect("os-centos", os="fail"),
        **expect("os-custom", os="skip"),
        **expect("os-2008", os="fail"),
        **expect("os-arm64", os="fail"),
        **expect("pw-deallocated", None, os="pass", power="fail", **{step: "skip" for step in DOWNSTREAM}),
        **expect("pw-stopped", None, os="pass", power="fail", **{step: "skip" for step in DOWNSTREAM}),
        **expect("pw-notready", power="fail"),                   # the VM runs: later steps are still judged
        **expect("pw-noview", power="error"),
    }
    run.assert_outcomes(expected)
    assert run.codes("os-centos", "os") == ["OS_UNSUPPORTED"] and "centos" in run.text("os-centos", "os")
    assert "aarch64" in run.text("os-arm64", "os")
    assert "OS support unknown" in run.text("os-custom", "os") and "custom or gallery image" in run.text("os-custom", "os")
    assert run.codes("pw-deallocated", "power") == ["VM_NOT_RUNNING"]
    for step in DOWNSTREAM:
        assert "blocked by step 'power'" in run.text("pw-deallocated", step)
        assert "VM deallocated" in run.text("pw-deallocated", step)
    assert run.codes("pw-notready", "power") == ["GUEST_AGENT_NOT_READY"]
    assert "could not evaluate" in run.text("pw-noview", "power") and "instanceView" in run.text("pw-noview", "power")


# -- agent -----------------------------------------------------------------------------------------
def test_agent(pytester):
    s = Scenario()
    s.machine("ok")
    s.machine("renamed", ext={"name": "monitoring-agent"})                 # any name: publisher + type count
    s.machine("missing", ama=False)
    impostor = s.machine("impostor", ama=False)                            # the right name, the wrong extension
    s.extension(impostor, name="AzureMonitorLinuxAgent", publisher="Contoso.Monitoring",
                ext_type="AzureMonitorLinuxAgent")
    other_os = s.machine("other-os", ama=False)
    s.extension(other_os, ext_type="AzureMonitorWindowsAgent")
    two = s.machine("two")
    s.extension(two, name="AMA-second")
    s.machine("exit51", ext={"state": "Failed", "statuses": [
        {"code": "ProvisioningState/failed/51", "level": "Error", "displayStatus": "Provisioning failed",
         "message": "Install failed with exit code 51: Unsupported operating system: ubuntu 22.04"}]})
    s.machine("failed-substatus", ext={"statuses": [
        {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
        {"code": "ComponentStatus/mdsd/failed", "level": "Error", "displayStatus": "mdsd not running",
         "message": "mdsd exited"}]})
    s.machine("v1311", os="Windows", ext={"version": "1.31.1"})
    s.machine("no-auto", ext={"auto_upgrade": False})
    mma = s.machine("mma", os="Windows")
    s.extension(mma, name="MicrosoftMonitoringAgent", publisher="Microsoft.EnterpriseCloud.Monitoring",
                ext_type="MicrosoftMonitoringAgent", version="1.0")
    oms = s.machine("oms")
    s.extension(oms, name="OMSExtension", publisher="Microsoft.EnterpriseCloud.Monitoring",
                ext_type="OmsAgentForLinux", version="1.19")
    s.machine("lowercase-type", ext={"ext_type": "azuremonitorlinuxagent", "version": "latest"})
    run = run_suite(pytester, s.build())
    no_traceback(run)
    a = "agent"
    run.assert_outcomes({
        (v, a): o for v, o in [("ok", "pass"), ("renamed", "pass"), ("missing", "fail"), ("impostor", "fail"),
                               ("other-os", "fail"), ("two", "fail"), ("exit51", "fail"),
                               ("failed-substatus", "fail"), ("v1311", "fail"), ("no-auto", "warn"),
                               ("mma", "warn"), ("oms", "warn"), ("lowercase-type", "fail")]})
    assert run.codes("missing", a) == run.codes("impostor", a) == ["AGENT_NOT_INSTALLED"]
    assert "which is the agent for the other OS" in run.text("other-os", a)
    assert run.codes("two", a) == ["AGENT_DUPLICATED"]
    assert run.codes("exit51", a) == ["AGENT_NOT_PROVISIONED"]
    assert "Install failed with exit code 51" in run.text("exit51", a)           # the agent's own message
    assert "mdsd exited" in run.text("failed-substatus", a)
    assert run.codes("v1311", a) == ["AGENT_VERSION_FORMAT"]
    text = run.text("v1311", a)
    assert "The value of parameter typeHandlerVersion is invalid" in text
    assert ("Set-AzVMExtension -Name AzureMonitorWindowsAgent -ExtensionType AzureMonitorWindowsAgent "
            "-Publisher Microsoft.Azure.Monitor -ResourceGroupName rg-app -VMName v1311") in text
    # quoted: PowerShell's argument mode would read a bare 1.31 as a number (and 1.10 as 1.1)
    assert "-HandlerVersion '1.31' " in text and "1.31.1 " not in text.split("Set-AzVMExtension")[1]
    assert run.codes("lowercase-type", a) == ["AGENT_VERSION_FORMAT"]       # types match case-insensitively
    assert "-HandlerVersion '1.38' " in run.text("lowercase-type", a)         # newest known, as no version is usable
    assert run.codes("no-auto", a) == ["AGENT_AUTO_UPGRADE_OFF"]
    assert run.codes("mma", a) == run.codes("oms", a) == ["LEGACY_AGENT_PRESENT"]
    assert run.result.parseoutcomes()["warned"] == 3          # a warning passes, and is counted as such


# -- identity --------------------------------------------------------------------------------------
def test_identity(pytester):
    s = Scenario()
    one = s.user_identity(SUB, "rg-id", "id-one")
    two = s.user_identity(SUB, "rg-id", "id-two")
    absent = s.user_identity(SUB, "rg-id", "id-absent")

    def named(name: str, value: str) -> dict:
        return {"settings": {"authentication": {"managedIdentity": {"identifier-name": name,
                                                                    "identifier-value": value}}}}

    s.machine("sami")
    s.machine("none", identity=None)
    s.machine("one-uai", identity=None, user_identities=[one])
    s.machine("two-uai", identity=None, user_identities=[one, two])
    s.machine("sami-two-uai", user_identities=[one, two])
    s.machine("res-id", identity=None, user_identities=[one, two], ext=named("mi_res_id", two["id"].upper()))
    s.machine("res-id-absent", identity=None, user_identities=[one], ext=named("mi_res_id", absent["id"]))
    s.machine("client-id", identity=None, user_identities=[one, two],
              ext=named("client_id", one["properties"]["clientId"]))
    s.machine("client-id-absent", user_identities=[one], ext=named("client_id", absent["properties"]["clientId"]))
    s.machine("object-id", identity=None, user_identities=[two],
              ext=named("object_id", two["properties"]["principalId"].upper()))
    s.machine("object-id-absent", identity=None, user_identities=[two],
              ext=named("object_id", one["properties"]["principalId"]))
    s.machine("bad-name", identity=None, user_identities=[one], ext=named("resource_id", one["id"]))
    s.machine("bad-guid", identity=None, user_identities=[one], ext=named("client_id", "id-one"))
    run = run_suite(pytester, s.build())
    no_traceback(run)
    i = "identity"
    run.assert_outcomes({(v, i): o for v, o in [
        ("sami", "pass"), ("none", "fail"), ("one-uai", "pass"), ("two-uai", "fail"), ("sami-two-uai", "pass"),
        ("res-id", "pass"), ("res-id-absent", "fail"), ("client-id", "pass"), ("client-id-absent", "fail"),
        ("object-id", "pass"), ("object-id-absent", "fail"), ("bad-name", "fail"), ("bad-guid", "fail")]})
    assert run.codes("none", i) == ["IDENTITY_MISSING"]
    assert run.codes("two-uai", i) == ["IDENTITY_AMBIGUOUS"]
    for vm in ("res-id-absent", "client-id-absent", "object-id-absent"):
        assert run.codes(vm, i) == ["IDENTITY_NAMED_NOT_ATTACHED"], vm
    assert "id-absent" in run.text("res-id-absent", i)
    assert run.codes("bad-name", i) == run.codes("bad-guid", i) == ["IDENTITY_SETTING_INVALID"]


# -- data collection rules -------------------------------------------------------------------------
def test_dcr(pytester):
    s = Scenario()
    capped = s.workspace(MON, "rg-mon", "law-capped", ingestion_status="OverQuota")
    to_capped = s.dcr(MON, "rg-mon", "dcr-capped", [capped])
    no_flow = s.dcr(MON, "rg-mon", "dcr-noflow", [s.law], flows=False)
    to_nowhere = s.dcr(MON, "rg-mon", "dcr-nowhere", [phantom_workspace(MON, "rg-mon", "law-deleted")])
    dce = s.dce(MON, "rg-mon", "dce-main")
    deleted = rid(MON, "rg-mon", "Microsoft.Insights/dataCollectionRules", "dcr-deleted")
    s.machine("ok")
    s.machine("ok-windows", os="Windows")
    s.machine("none", rules=[], beat=None)
    s.associate(s.machine("dce-only", rules=[], beat=None), endpoint=dce)
    s.associate(s.machine("dce-and-rule"), endpoint=dce)
    s.associate(s.machine("deleted", rules=[], beat=None), rule_id=deleted)
    s.associate(s.machine("deleted-and-good"), rule_id=deleted)
    s.machine("kind", rules=[s.dcr_windows], beat=None)
    s.machine("no-flow", rules=[no_flow], beat=None)
    s.machine("ws-missing", rules=[to_nowhere], beat=None)
    s.machine("over-quota", rules=[to_capped], workspace=capped, beat=600)
    run = run_suite(pytester, s.build())
    no_traceback(run)
    d = "dcr"
    run.assert_outcomes({
        **expect("ok"), **expect("ok-windows"), **expect("dce-and-rule"),
        **expect("none", dcr="fail", heartbeat="skip"),
        **expect("dce-only", dcr="fail", heartbeat="skip"),
        **expect("deleted", dcr="fail", heartbeat="skip"),
        **expect("deleted-and-good", dcr="warn"),
        **expect("kind", dcr="fail", heartbeat="skip"),
        **expect("no-flow", dcr="fail", heartbeat="skip"),
        **expect("ws-missing", dcr="fail", heartbeat="skip"),
        **expect("over-quota", dcr="fail", heartbeat="fail"),
    })
    assert run.codes("none", d) == ["DCR_NOT_ASSOCIATED"]
    assert run.codes("dce-only", d) == ["DCR_NOT_ASSOCIATED"]
    assert "configurationAccessEndpoint" in run.text("dce-only", d)
    assert run.codes("deleted", d) == ["DCR_DELETED"] and "dcr-deleted" in run.text("deleted", d)
    assert run.codes("deleted-and-good", d) == ["DCR_DELETED"]          # as a warning beside a working rule
    assert run.codes("kind", d) == ["DCR_KIND_MISMATCH"]
    assert run.codes("no-flow", d) == ["DCR_NO_LOG_ANALYTICS"]
    assert run.codes("ws-missing", d) == ["DCR_WORKSPACE_MISSING"] and "law-deleted" in run.text("ws-missing", d)
    assert run.codes("over-quota", d) == ["WORKSPACE_INGESTION_STOPPED"]
    assert "OverQuota" in run.text("over-quota", d)
    assert "blocked by step 'dcr'" in run.text("none", "heartbeat")


def _two_workspaces() -> tuple[Scenario, dict]:
    s = Scenario()
    other = s.workspace(MON, "rg-mon", "law-other")
    s.machine("to-main")
    s.machine("to-other", rules=[s.dcr(MON, "rg-mon", "dcr-other", [other])], workspace=other)
    return s, other


@pytest.mark.parametrize("how", ["resource-id", "customer-id", "both"])
def test_dcr_expected_workspace(how, pytester):
    s, other = _two_workspaces()
    main_id, main_cid = s.law["id"], s.law["properties"]["customerId"]
    args = {"resource-id": ["--workspace", main_id.upper()],
            "customer-id": ["--workspace", main_cid.upper()],
            "both": ["--workspace", main_id, "--workspace", other["properties"]["customerId"]]}[how]
    run = run_suite(pytester, s.build(), *args)
    no_traceback(run)
    run.assert_outcomes({("to-main", "dcr"): "pass",
                         ("to-other", "dcr"): "pass" if how == "both" else "fail"})
    if how != "both":
        assert run.codes("to-other", "dcr") == ["DCR_WRONG_WORKSPACE"]
        assert "law-other" in run.text("to-other", "dcr")


# -- heartbeat -------------------------------------------------------------------------------------
def _heartbeat_estate(captured_at: str = "2026-11-25T09:00:00Z") -> dict:
    s = Scenario(captured_at=captured_at)
    unqueried = s.workspace(MON, "rg-mon", "law-unqueried")
    unreadable = s.workspace(MON, "rg-mon", "law-unreadable")
    s.machine("fresh", beat=1)
    s.machine("edge", beat=15)
    s.machine("stale", beat=30)
    s.machine("missing", beat=None)
    s.heartbeat(s.machine("legacy-only", beat=None), s.law, 1, category="Direct Agent")
    s.machine("unqueried", rules=[s.dcr(MON, "rg-mon", "dcr-unq", [unqueried])], beat=None)
    s.machine("unreadable", rules=[s.dcr(MON, "rg-mon", "dcr-unr", [unreadable])], beat=None)
    s.error(unreadable["id"], "Microsoft.OperationalInsights/workspaces/query/read", 403, "InsufficientAccessError",
            "The provided credentials have insufficient access to perform the requested operation")
    s.heartbeat_workspaces = [s.law["properties"]["customerId"], unreadable["properties"]["customerId"]]
    return s.build()


def test_heartbeat(pytester):
    run = run_suite(pytester, _heartbeat_estate())
    no_traceback(run)
    h = "heartbeat"
    run.assert_outcomes({(v, h): o for v, o in [
        ("fresh", "pass"), ("edge", "pass"), ("stale", "fail"), ("missing", "fail"), ("legacy-only", "fail"),
        ("unqueried", "skip"), ("unreadable", "error")]})
    assert run.codes("stale", h) == ["HEARTBEAT_STALE"] and "30 minutes before capture" in run.text("stale", h)
    assert run.codes("missing", h) == run.codes("legacy-only", h) == ["HEARTBEAT_MISSING"]
    assert "not collected for law-unqueried" in run.text("unqueried", h)
    assert "InsufficientAccessError" in run.text("unreadable", h)


def test_heartbeat_max_age_option(pytester):
    run = run_suite(pytester, _heartbeat_estate(), "--heartbeat-max-age", "60", "-m", "heartbeat")
    run.assert_outcomes({("stale", "heartbeat"): "pass", ("missing", "heartbeat"): "fail",
                         ("fresh", "heartbeat"): "pass"})
    assert "heartbeat max age: 60 min" in run.output


def test_heartbeat_not_collected_is_skipped_never_passed(pytester):
    doc = _heartbeat_estate()
    del doc["heartbeats"]
    run = run_suite(pytester, doc, "-m", "heartbeat")
    assert set(run.values()) == {"skip"} and len(run) == 7
    assert all("not collected" in run.text(vm, "heartbeat") for vm in run.vms)
    assert "heartbeats NOT collected" in run.output


@pytest.mark.parametrize("captured_at, minutes_ago, outcome", [
    ("2019-06-01T12:00:00Z", 1, "pass"),         # years before today: fresh at capture time
    ("2099-01-01T00:00:00Z", 30, "fail"),        # in the future: still judged against captured_at
])
def test_time_is_captured_at_not_the_wall_clock(captured_at, minutes_ago, outcome, pytester):
    s = Scenario(captured_at=captured_at)
    s.machine("vm01", beat=minutes_ago)
    run = run_suite(pytester, s.build(), "-m", "heartbeat")
    assert run["vm01", "heartbeat"] == outcome, run.output
    assert f"captured_at {captured_at}" in run.output


# -- read errors: could not evaluate ---------------------------------------------------------------
def test_read_errors_are_pytest_errors_never_pass_or_fail(pytester):
    s = Scenario()
    s.machine("ok")
    vm = s.machine("dcra-unreadable", rules=[], beat=None)     # the failed list returned nothing
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed",
            "The client 'sp-audit' does not have authorization")
    # present documents stay authoritative: the association that was read proves a working DCR,
    # but the missing Heartbeat might be in a workspace of an association that was not read
    vm = s.machine("dcra-partly-read", beat=None)
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed",
            "listing stopped on page 2")
    vm = s.machine("ext-unreadable")
    s.error(vm["id"], "Microsoft.Compute/virtualMachines/extensions/read", 500, "InternalServerError", "")
    # a DCR in a subscription whose rules could not be listed: unknown, not "deleted"
    hidden = rid(OTHER_SUB, "rg-mon", "Microsoft.Insights/dataCollectionRules", "dcr-hidden")
    s.associate(s.machine("rule-unreadable", rules=[], beat=None), rule_id=hidden)
    s.error(f"/subscriptions/{OTHER_SUB}", "Microsoft.Insights/dataCollectionRules/read", 403, "AuthorizationFailed")
    # a workspace that could not be read
    ws = phantom_workspace(OTHER_SUB, "rg-mon", "law-hidden")
    s.machine("ws-unreadable", rules=[s.dcr(MON, "rg-mon", "dcr-hidden-ws", [ws])], beat=None)
    s.error(f"/subscriptions/{OTHER_SUB}/resourceGroups/rg-mon", "Microsoft.OperationalInsights/workspaces/read",
            429, "TooManyRequests")
    # an error about something no check needs changes nothing
    vm = s.machine("irrelevant-error")
    s.error(f"/subscriptions/{SUB}/resourceGroups/rg-app", "Microsoft.Compute/disks/read", 403, "AuthorizationFailed")
    run = run_suite(pytester, s.build())
    no_traceback(run)
    run.assert_outcomes({
        **expect("ok"), **expect("irrelevant-error"),
        **expect("dcra-unreadable", dcr="error", heartbeat="error"),
        **expect("dcra-partly-read", dcr="pass", heartbeat="error"),
        **expect("ext-unreadable", agent="error", identity="error"),
        **expect("rule-unreadable", dcr="error", heartbeat="error"),
        **expect("ws-unreadable", dcr="error", heartbeat="error"),
    })
    dcra = run.text("dcra-unreadable", "dcr")
    assert "could not evaluate" in dcra and "403 AuthorizationFailed" in dcra
    assert "dataCollectionRuleAssociations" in dcra
    assert "500 InternalServerError" in run.text("ext-unreadable", "agent")
    assert "dcr-hidden" in run.text("rule-unreadable", "dcr") and f"/subscriptions/{OTHER_SUB}" in \
        run.text("rule-unreadable", "dcr")
    assert "429 TooManyRequests" in run.text("ws-unreadable", "dcr")
    # pytest counts them as errors (not failures), one per unevaluable check
    errors = sum(1 for o in run.values() if o == "error")
    assert run.result.parseoutcomes().get("errors") == errors
    assert run.ret == 1


# -- the demo estate, selection and ids -------------------------------------------------------------
ORDER = tuple(step.name for step in STEPS)


def demo_faults() -> dict[str, tuple[str | None, str]]:
    """What build_demo.py's comments say of each VM: ``(step, outcome)``; ``(None, "pass")`` when healthy.

    ``# agent: not installed`` -> the agent step fails; "(warn...)" -> warn; "unreadable" -> error
    (could not evaluate); "unknown" -> skip; ``# warnings: ...`` -> a warning on some step.
    """
    faults: dict[str, tuple[str | None, str]] = {}
    current = None
    for line in (REPO / "fixtures" / "estates" / "build_demo.py").read_text(encoding="utf-8").splitlines():
        code, _, comment = line.partition("#")
        called = re.search(r"\b(?:machine|private|private_arc|arc|instance|flexible)\(\s*\"([\w-]+)\"", code)
        if called:
            current = called.group(1)
        comment = comment.strip()
        if not code.strip() or not comment or current is None or current in faults:
            continue
        head = re.match(r"(\w+):", comment)
        if "healthy" in comment:
            faults[current] = (None, "pass")
        elif head and head.group(1) == "warnings":
            faults[current] = (None, "warn")
        elif head and head.group(1) in ORDER:
            outcome = ("warn" if re.search(r"\bwarn", comment) else "error" if "unreadable" in comment
                       else "skip" if "unknown" in comment else "fail")
            faults[current] = (head.group(1), outcome)
    return faults


def test_demo_estate(pytester):
    faults = demo_faults()
    assert {f"vm{n:02d}" for n in range(1, 18)} <= set(faults), faults      # the parser read the comments
    run = run_suite(pytester, None)
    no_traceback(run)
    assert "ESTATE: DEMO estate" in run.output
    assert {"vm01", "rg-shop-a/web", "rg-shop-b/web"} | set(faults) <= run.vms
    assert all(run["vm01", step] == "pass" for step in CORE)
    for vm in ("rg-shop-a/web", "rg-shop-b/web"):
        assert all(run[vm, step] == "pass" for step in CORE), run.of(vm)
    wrong = []
    for vm, (step, outcome) in faults.items():
        chain = run.of(vm)
        if step is None:
            worst = {o for o in chain.values()} - {"pass", "skip"}
            ok = worst == ({"warn"} if outcome == "warn" else set())
        else:
            earlier = ORDER[:ORDER.index(step)]
            ok = chain.get(step) == outcome and not any(chain.get(s) == "fail" for s in earlier)
        if not ok:
            wrong.append(f"{vm}: expected {step}:{outcome}, got {chain}")
    assert not wrong, "\n".join(wrong)
    # the fast oracle of the fuzzer (rule bodies called directly) agrees with the real run
    assert dict(run) == judge(estate_of(demo_document()))


def test_select_one_vm_with_k(pytester):
    run = run_suite(pytester, None, "-k", "vm01")
    assert run.vms == {"vm01"} and set(CORE) <= run.steps
    assert run.ret == 0


def test_k_on_one_vm_prints_its_chain_every_finding_and_each_fix_once(pytester):
    run = run_suite(pytester, None, "-k", "vm26")
    out = run.output
    assert "vm26" in out and "dns:fail" in out and out.count("<- first broken link") == 1
    assert out.count("az network private-dns link vnet create") == 5     # one per unlinked zone
    assert out.count("fix: Link the VNet to the zone") == 1              # their shared fix, said once
    assert run.ret == 1


def test_select_one_step_with_m(pytester):
    run = run_suite(pytester, None, "-m", "dcr")
    assert run.steps == {"dcr"} and len(run.vms) == len(estate_of(demo_document()).vms)


def test_select_a_colliding_vm_by_its_qualified_id(pytester):
    run = run_suite(pytester, None, "-k", "rg-shop-b/web")
    assert run.vms == {"rg-shop-b/web"}


def test_ids_are_the_name_or_rg_slash_name_and_never_contain_double_colons(pytester):
    s = Scenario()
    s.machine("solo")
    s.machine("twin", rg="rg-one")
    s.machine("twin", rg="rg-two")
    s.machine("clone", rg="rg-same")
    s.machine("clone", rg="rg-same", sub=OTHER_SUB)
    s.machine("odd::name[1]")
    run = run_suite(pytester, s.build(), "-m", "power")
    assert run.vms == {"solo", "rg-one/twin", "rg-two/twin", f"{SUB}/rg-same/clone", f"{OTHER_SUB}/rg-same/clone",
                       "odd:_:name(1)"}
    nodeids = [rep.nodeid for rep in run.result.reprec.getreports("pytest_runtest_logreport")]
    assert nodeids and all(nodeid.count("::") == 1 for nodeid in nodeids)
    assert set(run.values()) == {"pass"}


# -- options ---------------------------------------------------------------------------------------
def test_estate_and_subscription_together_are_refused(pytester, tmp_path):
    s = Scenario()
    s.machine("vm01")
    path = write_estate(tmp_path / "estate.json", s.build())
    install_suite(pytester)
    result = pytester.runpytest_inprocess("--estate", str(path), "--subscription", SUB)
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--estate and --subscription both name the estate" in output and "Give only one of them" in output
    assert "Traceback" not in output


def test_estate_space_form_with_a_file_outside_the_checkout(tmp_path):
    """`pytest --estate /elsewhere/estate.json` from the repo root, in a fresh process (the rootdir trap)."""
    s = Scenario()
    s.machine("vm01")
    s.machine("vm02", ama=False)
    path = write_estate(tmp_path / "elsewhere" / "estate.json", s.build())
    run = run_repo(["--estate", str(path), "-p", "no:cacheprovider"], tmp_path / "junit.xml")
    assert "unrecognized arguments" not in run.output and "Traceback" not in run.output, run.output[-3000:]
    assert "ESTATE: SNAPSHOT file" in run.output and str(path) in run.output
    assert run.ret == 1
    assert run["vm01", "agent"] == "pass" and run["vm02", "agent"] == "fail"
    assert run.vms == {"vm01", "vm02"}                # the snapshot's VMs, not the demo's
    assert {step for _, step in run} >= set(CORE)
