"""A small estate with one VM per thing the report must show, and runs of the suite over it.

Runs are real ``python -m pytest`` processes from the checkout (as a user types them), with
the reports in a temporary folder; each distinct run is made once per test session and
shared by test_report.py and test_report_browser.py, which keeps them fast.
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from scenarios import REPO, SUB, Scenario, write_estate

# Untrusted text, as a snapshot could hold it: if any of it ran, it would set a global or the title.
XSS_NAME = "<img src=x onerror=window.__xss1=1>"
XSS_TAG = "</script><script>window.__xss2=1;document.title='owned'</script>"
XSS_TAG2 = '"><svg onload=window.__xss3=1>'
XSS_META = "<img src=x onerror=window.__xss4=1>"
SECRET = "sup3r-s3cret-value"


PRINCIPAL = {"name": "auditor@contoso.example", "oid": "0c1d2e3f-0000-4000-8000-000000000042"}


def estate() -> dict[str, Any]:
    s = Scenario(source={"kind": "arm", "subscriptions": [SUB], "principal": PRINCIPAL})
    s.machine("vm-ok", tags={"env": "prod"})
    s.machine("vm-noama", ama=False, beat=None)                                   # agent fail, heartbeat fail
    s.machine("vm-stopped", power="deallocated", beat=None)                       # power fail, later steps blocked
    s.machine("vm-warn", ext={"auto_upgrade": False})                             # agent warning
    vm = s.machine("vm-unreadable", rules=[], beat=None)                          # dcr could not be evaluated
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed",
            "The client 'sp-audit' does not have authorization")
    s.machine("vm-noid", identity=None, beat=None, tags={"waive": "identity"})   # identity fail: waived
    s.machine("vm-lapsed", identity=None, beat=None)                              # identity fail: waiver expired
    s.machine(XSS_NAME, rg="rg-other", tags={"owner": XSS_TAG, "note": XSS_TAG2})  # hostile names and tags
    return s.build()


WAIVERS = """\
waivers:
  - id: noid-identity
    step: identity
    tag: waive=identity
    justification: identity assigned by the platform pipeline next sprint
    owner: platform-team
    ticket: OPS-1
    expires: 2027-01-31
  - id: noid-heartbeat
    step: heartbeat
    vm: vm-noid
    justification: follows from OPS-1
    owner: platform-team
    ticket: OPS-1
    expires: 2027-01-31
  - id: lapsed
    step: identity
    vm: vm-lapsed
    justification: was accepted last year
    owner: app-team
    ticket: OPS-2
    expires: 2026-11-24
  - id: on-error
    step: dcr
    vm: vm-unread*
    justification: cannot waive what was not evaluated
    owner: app-team
    ticket: OPS-3
    expires: 2027-01-31
  - id: stale
    step: os
    resource_id: /subscriptions/*/resourceGroups/rg-gone/*
    justification: the VM was decommissioned
    owner: app-team
    ticket: OPS-4
    expires: 2027-01-31
"""

_ROOT = Path(tempfile.mkdtemp(prefix="amaaudit-report-tests-"))
atexit.register(shutil.rmtree, _ROOT, True)


class Run:
    def __init__(self, folder: Path, proc: subprocess.CompletedProcess):
        self.folder, self.proc = folder, proc
        self.ret = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.html = folder / "report.html"
        self.junit = folder / "junit.xml"
        self.findings_path = folder / "findings.json"

    @property
    def findings(self) -> dict[str, Any]:
        return json.loads(self.findings_path.read_text(encoding="utf-8"))

    def results(self, vm: str) -> dict[str, dict[str, Any]]:
        """step -> findings.json result of one VM."""
        return {r["step"]: r for r in self.findings["results"] if r["vm"] == vm}


def page_data(path: Path, element_id: str) -> dict:
    """A JSON block the HTML report embeds (the matrix: "aa-data"; its details: "aa-details-data")."""
    text = path.read_text(encoding="utf-8")
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', text, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def run_pytest(folder: Path, *args: str, estate_doc: dict | None = None, estate_path: Path | None = None,
               findings_option: bool = True, timeout: float = 120) -> Run:
    """``python -m pytest`` in the checkout, reports into ``folder`` (findings.json by its default
    place, next to the HTML report, when ``findings_option`` is false)."""
    folder.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-q",
            "--html", str(folder / "report.html"), "--junitxml", str(folder / "junit.xml")]
    if findings_option:
        argv += ["--findings-json", str(folder / "findings.json")]
    if estate_doc is not None:
        argv += ["--estate", str(write_estate(estate_path or folder / "estate.json", estate_doc))]
    proc = subprocess.run(argv + list(args), cwd=REPO, capture_output=True, text=True, timeout=timeout)
    return Run(folder, proc)


@lru_cache(maxsize=None)
def scenario_run(lang: str = "en", waivers: bool = True, xdist: bool = False) -> Run:
    """The scenario estate checked once per (language, waivers, xdist)."""
    folder = _ROOT / f"{lang}-{'w' if waivers else 'nw'}-{'n2' if xdist else 'n0'}"
    args = ["--report-lang", lang, "--metadata", "AZURE_CLIENT_SECRET", SECRET, "--metadata", "Build note", XSS_META]
    if waivers:
        path = _ROOT / "waivers.yaml"
        path.write_text(WAIVERS, encoding="utf-8")
        args += ["--waivers", str(path)]
    if xdist:
        args += ["-n", "2"]
    # One estate file for all: its path is in the header, which must not differ between runs.
    return run_pytest(folder, *args, estate_doc=estate(), estate_path=_ROOT / "estate.json")


__all__ = ["PRINCIPAL", "Run", "page_data", "run_pytest", "scenario_run", "estate", "SUB", "XSS_NAME", "XSS_TAG", "XSS_TAG2", "XSS_META",
           "SECRET", "WAIVERS"]
