"""The live path end to end, as a user types it: ``pytest --subscription ... --arm-endpoint ...``.

The bundled demo estate is served by the fake ARM (HTTPS, test CA, the stub ``az`` for the
credential chain); the suite discovers it with the real SDK clients, checks it, saves the
snapshot, and must give exactly the verdicts of a replay of the demo file. The demo's one
failed read (403 on vm12's DCR associations) is injected as a real 403.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.snapshot import parse_time  # noqa: E402
from tests.fakearm import FakeArm, build_estate  # noqa: E402
from tests.fakearm.estates import APP  # noqa: E402
from tests.fakearm.harness import install_az_stub  # noqa: E402

DEMO = ROOT / "fixtures" / "estates" / "demo.json"
PROD, MGMT = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "0a9b8c7d-6e5f-4d3c-2b1a-0f9e8d7c6b5a"


SECRETS = ("MARKER-PROTECTED-9f1c", "MARKER-SAS-SIG-77aa", "MARKER-CONN-KEY-5e2b", "MARKER-KV-SECRET-31d0")


def served_demo() -> dict:
    """The demo as Azure would hold it now (Heartbeat times moved to keep their age), with
    secrets planted where people put them: protected settings, a SAS URL, a connection string."""
    doc = json.loads(DEMO.read_text())
    for res in doc["resources"]:
        if res["type"].lower().endswith("/extensions") and "/vm01/" in res["id"]:
            res["properties"]["protectedSettings"] = {"token": SECRETS[0]}
            res["properties"]["protectedSettingsFromKeyVault"] = {"secretUrl": SECRETS[3]}
            res["properties"]["settings"] = {
                "proxy": {"mode": "none"},
                "scriptUri": f"https://stacct.blob.core.windows.net/c/x.sh?sv=2024-01-01&sig={SECRETS[1]}",
                "connection": f"DefaultEndpointsProtocol=https;AccountName=st;AccountKey={SECRETS[2]}"}
    shift = datetime.now(timezone.utc) - parse_time(doc["captured_at"])
    for row in doc["heartbeats"]:
        row["last_heartbeat"] = (parse_time(row["last_heartbeat"]) + shift).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc.pop("errors")
    return doc


def outcomes(junit: Path) -> dict[str, str]:
    result = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kind = next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), "passed")
        result[f"{case.get('classname')}::{case.get('name')}"] = kind
    return result


def pytest_run(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture()
def fake():
    with FakeArm(served_demo(), page_size=5) as server:
        server.add_fault(r"virtualMachines/vm12/providers/Microsoft\.Insights/dataCollectionRuleAssociations",
                         status=403, code="AuthorizationFailed",
                         message="does not have authorization to perform action "
                                 "'Microsoft.Insights/dataCollectionRuleAssociations/read'")
        yield server


@pytest.mark.slow
def test_live_run_gives_the_replay_verdicts(fake, tmp_path, monkeypatch):
    install_az_stub(monkeypatch, tmp_path, fake)
    saved, live_xml, replay_xml, demo_xml = (tmp_path / n for n in ("estate.json", "live.xml", "replay.xml", "demo.xml"))
    live = pytest_run("--subscription", PROD, "--arm-endpoint", fake.url, "--logs-endpoint", fake.url,
                      "--save-estate", str(saved), "--junitxml", str(live_xml),
                      "--html", str(tmp_path / "live.html"), env=dict(os.environ))
    assert "Traceback" not in live.stdout + live.stderr, live.stdout + live.stderr
    assert "ESTATE: LIVE Azure" in live.stdout
    assert "amaaudit discovery:" in live.stdout + live.stderr     # progress and the summary line
    assert live.returncode == 1, live.stdout[-3000:] + live.stderr[-3000:]
    assert not fake.writes(), fake.writes()

    replay = pytest_run("--estate", str(saved), "--junitxml", str(replay_xml), "--html", str(tmp_path / "r.html"))
    pytest_run("--estate", str(DEMO), "--junitxml", str(demo_xml), "--html", str(tmp_path / "d.html"))
    assert outcomes(live_xml) == outcomes(replay_xml)
    assert outcomes(live_xml) == outcomes(demo_xml)
    snapshot = json.loads(saved.read_text())
    assert snapshot["format"] == "ama-estate/1" and snapshot["source"]["kind"] == "arm"
    jsonschema.Draft202012Validator(json.loads((ROOT / "docs" / "estate.schema.json").read_text())).validate(snapshot)
    assert any(e["status"] == 403 and "vm12" in e["scope"] for e in snapshot["errors"])

    # No secret and no token in any output: snapshot, JUnit, HTML, JSON, terminal.
    token = re.search(r'"(eyJ[^"]+)"', (ROOT / "tests" / "fakearm" / "bin" / "az").read_text()).group(1)
    outputs = {p.name: p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
               and p.suffix in (".json", ".xml", ".html")}
    outputs["terminal"] = live.stdout + live.stderr + replay.stdout + replay.stderr
    for name, text in outputs.items():
        for secret in (*SECRETS, token):
            assert secret not in text, f"{secret} leaked into {name}"


def kinds(junit: Path) -> dict[str, str]:
    """test id -> the machine kind JUnit says it checked (property ``kind``)."""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        out[f"{case.get('classname')}::{case.get('name')}"] = props.get("kind", "")
    return out


@pytest.mark.slow
def test_live_run_of_every_kind_gives_the_replay_verdicts(tmp_path, monkeypatch):
    """The standard discovery estate (VMs, Arc-enabled servers, Uniform and Flexible scale sets) discovered
    as a user runs it: the saved snapshot replays to the same verdicts, every kind is a row."""
    estate = build_estate(4)
    saved, live_xml, replay_xml = (tmp_path / n for n in ("estate.json", "live.xml", "replay.xml"))
    with FakeArm(estate.doc, page_size=2) as fake:
        install_az_stub(monkeypatch, tmp_path, fake)
        live = pytest_run("--subscription", APP, "--arm-endpoint", fake.url, "--logs-endpoint", fake.url,
                          "--save-estate", str(saved), "--junitxml", str(live_xml),
                          "--html", str(tmp_path / "live.html"), env=dict(os.environ))
        assert not fake.writes(), fake.writes()
    assert "Traceback" not in live.stdout + live.stderr, live.stdout[-3000:] + live.stderr[-3000:]
    assert live.returncode == 1, live.stdout[-3000:] + live.stderr[-3000:]
    assert "INCOMPLETE" not in live.stdout
    replay = pytest_run("--estate", str(saved), "--junitxml", str(replay_xml), "--html", str(tmp_path / "r.html"))
    assert "Traceback" not in replay.stdout + replay.stderr
    assert outcomes(live_xml) == outcomes(replay_xml)
    by_kind = kinds(live_xml)
    assert set(by_kind.values()) == {"vm", "arc", "vmss"}
    machines = {kind: {k.split("[", 1)[1].rstrip("]") for k, v in by_kind.items() if v == kind} for kind in ("arc", "vmss")}
    assert machines["arc"] == {"arc-ok", "arc-down", "arc-noext", "arc-pl"}
    assert {"vmss-web_0", "vmss-web_1", "vmss-web_2", "vm-001", "vm-002"} == machines["vmss"]   # Flexible members too


def test_estate_and_subscription_are_refused_together(tmp_path):
    run = pytest_run("--estate", str(DEMO), "--subscription", PROD)
    assert run.returncode == 4
    assert "Give only one of them" in run.stderr and "Traceback" not in run.stderr


def test_failed_sign_in_is_one_paragraph_and_no_demo_fallback(fake, tmp_path, monkeypatch):
    install_az_stub(monkeypatch, tmp_path, fake, fail=True)
    run = pytest_run("--subscription", PROD, "--arm-endpoint", fake.url, env=dict(os.environ))
    assert run.returncode == 4
    assert "ERROR:" in run.stderr and "Traceback" not in run.stdout + run.stderr
    assert "DEMO" not in run.stdout
