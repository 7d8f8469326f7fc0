"""--what-if on a live estate (the fake ARM over HTTPS, the real SDK clients): discovery happens once, the
run of the estate as it is replays that snapshot instead of reading Azure again, and only the deployment
makes results new."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from test_live_cli import PROD, fake, pytest_run  # noqa: F401  (fake is a fixture)
from tests.fakearm.harness import install_az_stub

DATA = Path(__file__).resolve().parent / "data" / "whatif"


@pytest.mark.slow
def test_live_what_if_discovers_once(fake, tmp_path, monkeypatch):   # noqa: F811
    install_az_stub(monkeypatch, tmp_path, fake)
    common = ("--subscription", PROD, "--arm-endpoint", fake.url, "--logs-endpoint", fake.url)
    plain = pytest_run(*common, "--junitxml", str(tmp_path / "plain.xml"), "--html", str(tmp_path / "plain.html"),
                       "--findings-json", str(tmp_path / "plain.json"), env=dict(os.environ))
    assert plain.returncode == 1, plain.stdout[-2000:] + plain.stderr[-2000:]
    one_discovery = fake.count()
    fake.clear()
    run = pytest_run(*common, "--what-if", str(DATA / "az-group-delete-dns-link.json"), "--fail-on", "new",
                     "--save-estate", str(tmp_path / "estate.json"), "--junitxml", str(tmp_path / "w.xml"),
                     "--html", str(tmp_path / "w.html"), "--findings-json", str(tmp_path / "w.json"),
                     env=dict(os.environ))
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    assert fake.count() == one_discovery and not fake.writes()      # the child replayed, it did not discover
    doc = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    new = sorted((r["vm"], r["step"]) for r in doc["results"] if r.get("baseline") == "new")
    assert new == [("vm23", "dns"), ("vm24", "dns"), ("vm25", "dns"), ("vm30", "dns")]
    assert doc["header"]["estate"]["kind"] == "live"
    saved = json.loads((tmp_path / "estate.json").read_text(encoding="utf-8"))   # the evidence: the estate as it is
    assert any(r["id"].endswith("/virtualNetworkLinks/link-vnet-spoke") for r in saved["resources"])
