"""Scenario estates for the suite's own tests, and running the compliance suite on them.

Build an estate with :class:`Scenario` (an :class:`amaaudit.synth.EstateBuilder` with a small
monitoring baseline and a ``machine()`` helper), then either ask the model about it
(:func:`estate_of`) or run the real compliance suite on it with pytester (:func:`run_suite`)
and read the verdicts per VM and step::

    s = Scenario()
    s.machine("vm01")                                  # healthy
    s.machine("vm02", ama=False)                       # agent not installed
    run = run_suite(pytester, s.build())
    assert run["vm01", "agent"] == "pass"
    assert run["vm02", "agent"] == "fail"
    assert "no Azure Monitor Agent" in run.text("vm02", "agent")

Keys are ``(vm test id, step)``: the test id is the VM name, or ``rg/vm`` when names collide,
exactly as ``-k`` sees it. Outcomes are amaaudit's: pass, fail, warn, skip, error.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable

import pytest

from amaaudit import verdict
from amaaudit.findings.core import WARNING
from amaaudit.model import Estate, Unknown
from amaaudit.plugin.results import OUTCOME_RANK
from amaaudit.snapshot import from_document
from amaaudit.steps import BY_NAME
from amaaudit.synth import EstateBuilder, guid, rid

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "fixtures" / "estates" / "demo.json"
ARM_EXAMPLES = Path(__file__).resolve().parent / "data" / "arm-examples"

SUB = "11111111-2222-4333-8444-555555555555"        # the machines
MON = "99999999-8888-4777-8666-555555555555"        # central monitoring
LOC = "japaneast"
CAPTURED_AT = "2026-11-25T09:00:00Z"

Doc = dict[str, Any]

# In-process runs drop every module they imported; these are imported by every run (the hypothesis
# plugin imports hypothesis at the end of each session), so load them once here and keep them.
try:
    import hypothesis.internal.observability  # noqa: F401
except ImportError:   # pragma: no cover
    pass

# What the compliance run needs from the checkout, put into each pytester directory so that runs
# are isolated (their reports land there) and exercise the suite exactly as it is in the checkout.
SUITE_FILES = ("conftest.py", "pytest.ini")
SUITE_DIRS = ("fixtures", "tests_infra")


class Scenario(EstateBuilder):
    """An estate builder with a monitoring baseline most scenarios share.

    ``law`` (workspace), ``dcr_linux`` / ``dcr_windows`` (rules sending to it), and a VNet with a
    subnet whose NSG keeps Azure's defaults, so machines have a realistic, open network path.
    """

    def __init__(self, captured_at: str = CAPTURED_AT, **kwargs: Any):
        super().__init__(captured_at=captured_at, **kwargs)
        self.law = self.workspace(MON, "rg-mon", "law-main", LOC)
        self.dcr_linux = self.dcr(MON, "rg-mon", "dcr-linux", [self.law], LOC, kind="Linux")
        self.dcr_windows = self.dcr(MON, "rg-mon", "dcr-windows", [self.law], LOC, kind="Windows")
        self.nsg_default = self.nsg(SUB, "rg-net", "nsg-default", location=LOC)
        self.vnet_main = self.vnet(SUB, "rg-net", "vnet-main", "10.20.0.0/16",
                                   [{"name": "snet-vms", "prefix": "10.20.1.0/24", "nsg": self.nsg_default}],
                                   location=LOC)
        self.subnet_id = self.vnet_main["properties"]["subnets"][0]["id"]
        self._ip = iter(range(4, 250))

    def machine(self, name: str, rg: str = "rg-app", os: str = "Linux", sub: str = SUB, ama: bool = True,
                ext: dict[str, Any] | None = None, rules: list[Doc] | None = None, beat: float | None = 1.0,
                workspace: Doc | None = None, nic: bool = True, **vm_args: Any) -> Doc:
        """A VM that passes every step unless an argument says otherwise.

        ``ama``: install the AMA extension (``ext``: arguments of :meth:`extension`);
        ``rules``: DCRs to associate (default: the baseline rule of its OS);
        ``beat``: minutes before ``captured_at`` of its last Heartbeat in ``workspace``
        (default ``law``), None for no Heartbeat row; the rest goes to :meth:`vm`.
        """
        nics = vm_args.pop("nics", None) or (
            [self.nic(sub, rg, f"{name}-nic", self.subnet_id, f"10.20.1.{next(self._ip)}", location=LOC)]
            if nic else [])
        vm = self.vm(sub, rg, name, os=os, location=LOC, nics=nics, **vm_args)
        if ama:
            self.extension(vm, **(ext or {}))
        for rule in ([self.dcr_linux] if os == "Linux" else [self.dcr_windows]) if rules is None else rules:
            self.associate(vm, rule)
        if beat is not None:
            self.heartbeat(vm, workspace or self.law, beat)
        return vm


def phantom_workspace(sub: str, rg: str, name: str) -> Doc:
    """A workspace document that is *not* added to the estate (a DCR destination that was deleted)."""
    return {"id": rid(sub, rg, "Microsoft.OperationalInsights/workspaces", name),
            "properties": {"customerId": guid("ws", sub, rg, name)}}


# -- snapshots ---------------------------------------------------------------------------------
def write_estate(path: str | Path, doc: Doc) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def estate_of(doc: Doc, name: str = "scenario.json") -> Estate:
    """The model of a snapshot document, as a compliance run would build it."""
    return Estate(from_document(doc, name))


def vm_named(estate: Estate, name: str):
    found = [vm for vm in estate.vms if vm.name == name]
    assert len(found) == 1, f"{len(found)} VMs named {name!r}"
    return found[0]


def demo_document() -> Doc:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def arm_example(name: str) -> Any:
    """``responses.200.body`` of one of the ARM REST examples copied into tests/data/arm-examples."""
    return json.loads((ARM_EXAMPLES / name).read_text(encoding="utf-8"))["responses"]["200"]["body"]


def arm_documents(name: str) -> list[Doc]:
    """The resource documents of an example: the body, or ``value[]`` for a list response."""
    body = arm_example(name)
    return list(body["value"]) if isinstance(body, dict) and "value" in body else [body]


# The examples that are resource documents a capture would hold (GET bodies and list values).
ARM_RESOURCE_EXAMPLES = (
    "compute__VirtualMachine_Get.json", "compute__VirtualMachineExtension_List_MaximumSet_Gen.json",
    "compute__VirtualMachineExtension_Get_MaximumSet_Gen.json",
    "monitor__DataCollectionRuleAssociationsListByResource.json", "monitor__DataCollectionRuleAssociationsGet.json",
    "monitor__DataCollectionRulesGet.json", "monitor__DataCollectionRulesListBySubscription.json",
    "monitor__DataCollectionEndpointsGet.json", "monitor__PrivateLinkScopesGet.json",
    "monitor__PrivateLinkScopedResourceList.json", "operationalinsights__WorkspacesGet.json",
    "network__NetworkInterfaceGet.json", "network__NetworkSecurityGroupGet.json", "network__VirtualNetworkGet.json",
    "network__PrivateEndpointGet.json", "privatedns__PrivateZoneGet.json", "privatedns__RecordSetAList.json",
    "privatedns__VirtualNetworkLinkGet.json", "privatedns__VirtualNetworkLinkList.json",
)
# The monitor examples live in this subscription; the compute examples say "{subscription-id}".
ARM_EXAMPLE_SUB = "703362b3-f278-4e4b-9179-c76eaf41ffc2"


def arm_examples_document(captured_at: str = CAPTURED_AT) -> Doc:
    """A snapshot made of the real ARM example payloads, wrapped as a capture would write them.

    The VM document is ``VirtualMachine_Get`` with ``VirtualMachine_Get_InstanceView`` as its
    ``properties.instanceView`` (what ``$expand=instanceView`` returns). Its subscription
    placeholder is set to the monitor examples' subscription, so the DCR associations of
    ``.../virtualMachines/myVm`` (other case, as the examples have it) belong to ``myVM``.
    The extension GET and list examples hold the same document twice: it is kept once.
    """
    resources: list[Doc] = []
    for name in ARM_RESOURCE_EXAMPLES:
        for doc in arm_documents(name):
            resources.append(json.loads(json.dumps(doc).replace("{subscription-id}", ARM_EXAMPLE_SUB)))
    vm = resources[0]
    vm["properties"]["instanceView"] = arm_example("compute__VirtualMachine_Get_InstanceView.json")
    return {"format": "ama-estate/1", "captured_at": captured_at, "cloud": "AzureCloud",
            "source": {"kind": "arm-examples", "files": list(ARM_RESOURCE_EXAMPLES)}, "resources": resources}


# -- judging without pytest ------------------------------------------------------------------------
RULES = REPO / "tests_infra"


def _private_import(path: Path, name: str):
    """Import a file under a private module name (so pytester runs can import it under its own)."""
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


def rules() -> list[tuple[str, Any]]:
    """``(step, test function)`` of every compliance test in tests_infra, in the guide's order."""
    found = []
    for path in sorted(RULES.glob("test_*.py")):
        module = _private_import(path, f"_amaaudit_selftest_rules.{path.stem}")
        marks = getattr(module, "pytestmark", [])
        marks = marks if isinstance(marks, list) else [marks]
        step = next(m.name for m in marks if m.name in BY_NAME)
        found += [(step, fn) for name, fn in vars(module).items() if name.startswith("test_") and callable(fn)]
    return found


def vm_ids(vms) -> list[str]:
    """The test ids the compliance suite gives these VMs (fixtures/compliance.py)."""
    return _private_import(REPO / "fixtures" / "compliance.py", "_amaaudit_selftest_fixtures").vm_ids(vms)


def _up(vm) -> bool:
    """As the plugin's setup hook (fixtures/compliance.py) asks it of every kind of machine: one the
    snapshot cannot tell about is judged (its power step says why)."""
    try:
        return vm.liveness.up
    except Unknown:
        return True


def judge(estate: Estate, workspaces: Iterable[str] = (), heartbeat_max_age: int = 15,
          render: bool = True, evidence: dict | None = None) -> dict[tuple[str, str], str]:
    """``(vm test id, step) -> outcome`` by calling tests_infra's test functions directly, no pytest run.

    A fast stand-in for :func:`run_suite` (used by the fuzzer): the same rule bodies, the same
    fixtures and the same skip-when-not-running rule; a finding fails, ``Unknown`` is an error, a
    skip is a skip. Any other exception propagates: that is a bug in a check, not a verdict.
    With ``render``, every finding is also rendered and serialized as the report layer would.
    A check that returns without recording evidence raises ``verdict.NoEvidence``, as in a run;
    ``evidence`` (a dict), when given, receives ``(vm test id, step) -> the evidence of each pass``.
    """
    fixtures = {"estate": estate, "expected_workspaces": tuple(workspaces), "heartbeat_max_age": heartbeat_max_age}
    outcomes: dict[tuple[str, str], str] = {}
    checks = rules()
    for vm, vm_id in zip(estate.vms, vm_ids(estate.vms)):
        for step, check in checks:
            if BY_NAME[step].blocked_by_power and not _up(vm):
                outcomes[(vm_id, step)] = "skip"
                continue
            kwargs = {name: vm if name == "vm" else fixtures[name] for name in inspect.signature(check).parameters}
            recorded: list = []
            verdict._recorded = recorded
            seen = verdict._evidence = {}
            try:
                check(**kwargs)
                verdict.rests_on_evidence()
                outcome = "warn" if any(f.severity == WARNING for f in recorded) else "pass"
                if evidence is not None:
                    evidence[(vm_id, step)] = seen
            except verdict.FindingFailed:
                outcome = "fail"
            except pytest.skip.Exception:
                outcome = "skip"
            except Unknown as exc:
                str(exc)
                outcome = "error"
            finally:
                verdict._recorded = verdict._evidence = None
            if render:
                for finding in recorded:
                    finding.render("en"), finding.render("ja")
                    json.dumps(finding.to_dict(), ensure_ascii=False, sort_keys=True)
            outcomes[(vm_id, step)] = outcome
    return outcomes


# -- running the compliance suite --------------------------------------------------------------
def install_suite(pytester) -> Path:
    """Put the compliance suite (root conftest, pytest.ini, fixtures/, tests_infra/) in pytester's dir.

    The files are copied; the folders are linked, so the checkout's own modules (and their cached
    assertion-rewritten bytecode) are what runs.
    """
    for name in SUITE_FILES:
        shutil.copy2(REPO / name, pytester.path / name)
    for name in SUITE_DIRS:
        target = pytester.path / name
        if not target.exists():
            target.symlink_to(REPO / name, target_is_directory=True)
    return pytester.path


class SuiteRun(dict):
    """``(vm test id, step) -> outcome`` of one compliance run, with the run's details alongside.

    When a step has several tests for one VM, the worst outcome stands for the step.
    """

    def __init__(self, result, records: Iterable[dict[str, Any]]):
        super().__init__()
        self.result = result
        self.ret = int(result.ret)
        self.output = "\n".join(result.outlines + result.errlines)
        self.records: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for record in records:
            key = (record["test_id"], record["step"])
            self.records.setdefault(key, []).append(record)
            if key not in self or OUTCOME_RANK[record["outcome"]] < OUTCOME_RANK[self[key]]:
                self[key] = record["outcome"]

    @property
    def vms(self) -> set[str]:
        return {vm for vm, _ in self}

    @property
    def steps(self) -> set[str]:
        return {step for _, step in self}

    def of(self, vm: str) -> dict[str, str]:
        """step -> outcome for one VM."""
        return {step: outcome for (v, step), outcome in self.items() if v == vm}

    def text(self, vm: str, step: str) -> str:
        """Everything the run said about this VM and step: reason, finding messages, failure text."""
        parts = []
        for record in self.records[(vm, step)]:
            parts.append(record.get("reason", ""))
            parts += [f["message"]["en"] for f in record.get("findings", ())]
            parts += [c for f in record.get("findings", ()) for c in f.get("commands", ())]
            parts.append(record.get("longrepr", ""))
        return "\n".join(p for p in parts if p)

    def mismatches(self, expected: dict[tuple[str, str], str]) -> list[str]:
        """One line per ``(vm, step)`` whose outcome is not the expected one (with what the run said)."""
        wrong = []
        for (vm, step), outcome in expected.items():
            got = self.get((vm, step))
            if got != outcome:
                said = self.text(vm, step).replace("\n", " | ")[:300] if got else "(no such test)"
                wrong.append(f"{vm} {step}: expected {outcome}, got {got}: {said}")
        return wrong

    def assert_outcomes(self, expected: dict[tuple[str, str], str]) -> None:
        wrong = self.mismatches(expected)
        assert not wrong, "\n".join(wrong) + "\n--- run output ---\n" + self.output[-3000:]

    def codes(self, vm: str, step: str) -> list[str]:
        """The finding codes recorded for this VM and step (warnings included)."""
        return [f["code"] for r in self.records[(vm, step)] for f in r.get("findings", ())]


def test_id_of(nodeid: str) -> str:
    """The parametrization id of ``path::test_x[<id>]``."""
    return nodeid[nodeid.index("[") + 1:-1] if nodeid.endswith("]") else ""


def run_suite(pytester, doc: Doc | None, *args: str, estate_name: str = "estate.json") -> SuiteRun:
    """Run the compliance suite in-process on ``doc`` (None: the bundled demo) with extra pytest args."""
    install_suite(pytester)
    argv = list(args)
    if doc is not None:
        argv = ["--estate", str(write_estate(pytester.path / estate_name, doc))] + argv
    result = pytester.runpytest_inprocess(*argv)
    records = []
    for rep in result.reprec.getreports("pytest_runtest_logreport"):
        record = getattr(rep, "amaaudit", None)
        if record:
            records.append({**record, "test_id": test_id_of(rep.nodeid), "longrepr": rep.longreprtext})
    return SuiteRun(result, records)


def junit_records(path: str | Path) -> list[dict[str, Any]]:
    """amaaudit's records from a JUnit XML file (its per-test properties)."""
    records = []
    for case in ET.parse(path).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "step" in props and "outcome" in props:
            text = " ".join((el.get("message") or "") + (el.text or "")
                            for el in case if el.tag in ("failure", "error", "skipped"))
            records.append({**props, "test_id": test_id_of(case.get("name", "")), "longrepr": text})
    return records


class _Completed:
    """A subprocess result in the shape SuiteRun reads (like pytester's RunResult)."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.ret = proc.returncode
        self.outlines = proc.stdout.splitlines()
        self.errlines = proc.stderr.splitlines()


def run_repo(args: list[str], junit: str | Path, cwd: Path = REPO, timeout: float = 120) -> SuiteRun:
    """``python -m pytest ARGS`` as a user types it, in a fresh process (from the checkout by default).

    The reports go next to ``junit`` (never into the checkout's reports/); the outcomes are read
    back from the JUnit properties.
    """
    junit = Path(junit)
    report_args = ["--junitxml", str(junit), "--html", str(junit.with_suffix(".html")),
                   "--findings-json", str(junit.with_suffix(".findings.json"))]
    proc = subprocess.run([sys.executable, "-m", "pytest", *args, *report_args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    return SuiteRun(_Completed(proc), junit_records(junit) if junit.exists() else [])
