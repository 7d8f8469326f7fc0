"""Live discovery against a fake ARM/ARG/Log Analytics over HTTPS, with the real SDK clients.

Run: /work/venv/bin/pytest -q tests/test_discovery*.py -p no:cacheprovider
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amaaudit.discovery import DiscoveryError, discover, redact, summary_line, write_snapshot  # noqa: E402
from tests.fakearm import FakeArm, build_estate  # noqa: E402
from amaaudit.model import Estate  # noqa: E402
from amaaudit.snapshot import from_document  # noqa: E402
from tests.fakearm.estates import (  # noqa: E402
    APP, CENTRAL, CUSTOMER_ID, EMPTY_UNIFORM, HUB, MGMT, SECRET_MARKERS, UNIFORM,
    fresh_heartbeats)
from tests.fakearm.harness import ARG_LACKS, comparable, fast_settings, install_az_stub, trust_fake  # noqa: E402


@pytest.fixture(scope="module")
def estate():
    return build_estate(4, secrets=True)


@pytest.fixture()
def fake(estate):
    with FakeArm(estate.doc, page_size=2, arg_page_size=7) as server:
        yield server


@pytest.fixture()
def az(monkeypatch, tmp_path, fake):
    return install_az_stub(monkeypatch, tmp_path, fake)


def test_arm_snapshot_equals_served_estate(estate, fake, az):
    progress: list[str] = []
    doc = discover(fast_settings(fake, estate.listed), progress=progress.append)

    assert doc["format"] == "ama-estate/1" and doc["cloud"] == "AzureCloud"
    assert doc["captured_at"].endswith("Z")
    assert doc["errors"] == []
    served = estate.by_id()
    got = {r["id"].lower(): r for r in doc["resources"]}
    assert set(got) == estate.expected_ids(), "captured set differs from what the VMs reference"
    for rid, document in got.items():
        assert document == redact(served[rid]), rid
    # followed out of the listed subscription: DCR/DCE/AMPLS (CENTRAL), workspace (MGMT), DNS + hub (HUB)
    subs = {r["id"].split("/")[2].lower() for r in doc["resources"]}
    assert {APP, CENTRAL, MGMT, HUB} <= subs
    # the association to a deleted DCR stays; the DCR is simply absent, and that is not an error
    assert estate.missing_dcr.lower() not in got
    assert any(str(r.get("properties", {}).get("dataCollectionRuleId", "")).lower() == estate.missing_dcr.lower()
               for r in doc["resources"])
    # VMs come with their instance view, extensions with theirs
    for vm_id in estate.vm_ids:
        assert "instanceView" in got[vm_id.lower()]["properties"]
        assert "instanceView" in got[f"{vm_id}/extensions/AzureMonitorLinuxAgent".lower()]["properties"]
    # Heartbeat: one query for the one destination workspace, stale rows filtered by the look-back
    assert doc["heartbeat_workspaces"] == [CUSTOMER_ID]
    key = lambda h: (h["workspace_id"], h["resource_id"])  # noqa: E731
    assert sorted(doc["heartbeats"], key=key) == sorted(fresh_heartbeats(estate), key=key)
    assert fake.count("log_analytics") == 1
    # provenance and progress
    src = doc["source"]
    assert src["backend"] == "arm" and src["subscriptions"] == [APP]
    assert src["principal"] == {"name": "auditor@contoso.example", "oid": "aaaaaaaa-0000-4000-8000-000000000001",
                                "tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
    assert src["requests"] == len(fake.log)
    assert any("of 11 machines" in m for m in progress)     # 5 VMs, 4 Arc-enabled servers, 2 uniform scale sets
    assert progress[-1] == summary_line(doc)
    # strictly read-only, always authenticated, one `az` run per audience (token cache)
    assert fake.writes() == []
    assert all(r.authorized for r in fake.log)
    gets = [r.target.lower() for r in fake.log if r.method == "GET"]
    assert len(gets) == len(set(gets)), "an id was read twice"
    assert len(az.read_text().splitlines()) == 2  # ARM + Log Analytics audiences


def test_both_backends_give_the_same_snapshot(estate, fake, az):
    arm = discover(fast_settings(fake, estate.listed, backend="arm"))
    arm_requests = len(fake.log)
    fake.clear()
    arg = discover(fast_settings(fake, estate.listed, backend="resource-graph"))
    arg_requests = len(fake.log)
    assert arm["errors"] == [] and arg["errors"] == []
    # identical except what ARG does not carry (etag, systemData); everything else byte-for-byte
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)
    # ... and those two are really there in the arm snapshot: nothing was dropped from it
    assert any("etag" in r for r in arm["resources"]) and any("systemData" in r for r in arm["resources"])
    assert fake.writes() == []
    assert {r.method for r in fake.log} == {"GET", "POST"}
    assert arg_requests < arm_requests


def test_backends_identical_when_all_subscriptions_are_listed(estate, fake, az):
    subs = [APP, CENTRAL, MGMT, HUB]
    arm = discover(fast_settings(fake, subs, backend="arm"))
    fake.clear()
    arg = discover(fast_settings(fake, subs, backend="resource-graph"))
    assert comparable(arm, strip=ARG_LACKS) == comparable(arg, strip=ARG_LACKS)
    assert not any("systemData" in r for r in arg["resources"])  # all from ARG this time
    # with every subscription in ARG, ARM is only asked for VM instance views (they carry the extensions),
    # zone groups, scoped resources, and to confirm what ARG says is absent: one page of each VM list
    # (ARG lists only what the caller may read) and the one referenced id ARG does not have (the deleted DCR)
    arm_paths = [r.path.lower() for r in fake.log if r.method == "GET"]
    vm_gets = [p for p in arm_paths if "/virtualmachines/" in p]
    vm_lists = [p for p in arm_paths if p.endswith("/providers/microsoft.compute/virtualmachines")]
    others = [p for p in arm_paths if p not in vm_gets and p not in vm_lists]
    assert len(vm_gets) == 5 and not any(p.endswith("/extensions") for p in vm_gets)
    assert sorted(vm_lists) == sorted(f"/subscriptions/{s}/providers/microsoft.compute/virtualmachines" for s in subs)
    instance_lists = [p for p in others if p.endswith("/virtualmachines")]
    kind_lists = [p for p in others if p.endswith(("/providers/microsoft.hybridcompute/machines",
                                                   "/providers/microsoft.compute/virtualmachinescalesets"))]
    rest = [p for p in others if p not in instance_lists and p not in kind_lists]
    # the Uniform sets' instance lists (ARG has no instance view), one page of each subscription's Arc and
    # scale-set list, and for the rest: the deleted DCR, the zone groups of the AMPLS and the Arc scope's
    # endpoints, the AMPLS's scoped resources, and the extension list of the one Arc server ARG shows none for
    assert sorted(set(instance_lists)) == sorted(f"{estate.scale_set_ids[n].lower()}/virtualmachines"
                                                 for n in (UNIFORM, EMPTY_UNIFORM))
    assert len(instance_lists) == 3                   # vmss-web's 3 instances are 2 pages of 2
    assert len(kind_lists) == 8
    arc_noext = next(i for i in estate.arc_ids if i.endswith("/arc-noext")).lower()
    assert sorted(rest) == sorted([estate.missing_dcr.lower(), f"{arc_noext}/extensions",
                                   *(p for p in rest if p.endswith(("/privatednszonegroups", "/scopedresources")))])
    assert len(rest) == 5, rest
    assert arg["source"]["resource_graph_confirmations"] == {"arc list": 4, "arcext": 1, "get": 1,
                                                             "scale set list": 4, "vm list": 4}


def test_resource_group_filter(estate, fake, az):
    doc = discover(fast_settings(fake, estate.listed, resource_groups=["RG-APP"]))
    got = {r["id"].lower() for r in doc["resources"]}
    assert got == estate.expected_ids(resource_groups=True)
    assert doc["source"]["resource_groups"] == ["RG-APP"]
    fake.clear()
    arg = discover(fast_settings(fake, estate.listed, resource_groups=["rg-app"], backend="resource-graph"))
    assert {r["id"].lower() for r in arg["resources"]} == got


def test_secrets_never_reach_the_written_snapshot(estate, fake, az, tmp_path):
    doc = discover(fast_settings(fake, estate.listed))
    out = tmp_path / "reports" / "estate.json"
    write_snapshot(doc, out)
    text = out.read_text(encoding="utf-8")
    for marker in SECRET_MARKERS:
        assert marker not in text, marker
    assert "protectedSettings\"" not in text
    assert "sig=REDACTED" in text and "AccountKey=REDACTED" in text
    token_part = "eyJ1cG4iOiJhdWRpdG9yQGNvbnRvc28uZXhhbXBsZSIs"
    assert token_part not in text
    loaded = json.loads(text)
    ext = next(r for r in loaded["resources"] if r["id"].endswith("/extensions/CustomScript"))
    assert ext["properties"]["protectedSettingsFromKeyVault"] == "REDACTED"
    assert ext["properties"]["settings"]["adminPassword"] == "REDACTED"
    assert ext["properties"]["publisher"] == "Microsoft.Azure.Extensions"  # the rest stays readable
    vm = next(r for r in loaded["resources"] if r["id"].lower() == estate.vm_ids[0].lower())
    assert vm["properties"]["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"] is True


def test_saved_snapshot_loads_with_the_suites_own_loader(estate, fake, az, tmp_path):
    """One parser for both paths: what discovery saves, --estate reads back (errors included)."""
    from amaaudit.snapshot import load

    fake.add_fault(r"/dataCollectionRuleAssociations\?", status=403, code="AuthorizationFailed")
    fake.add_fault(r"/workspaces/law-central\?", status=500, code="InternalServerError")
    doc = discover(fast_settings(fake, estate.listed))
    out = tmp_path / "estate.json"
    write_snapshot(doc, out)
    snap = load(out)
    assert len(snap.resources) == len(doc["resources"]) and snap.errors == doc["errors"]
    assert snap.heartbeats == doc["heartbeats"] and snap.heartbeat_workspaces == doc["heartbeat_workspaces"]
    assert snap.cloud == "AzureCloud" and snap.captured_at.isoformat().startswith(doc["captured_at"][:19])


def test_write_snapshot_is_stable_and_atomic(tmp_path):
    doc = build_estate(2).doc
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_snapshot(doc, a)
    shuffled = dict(reversed(list(doc.items())))
    shuffled["resources"] = list(reversed(doc["resources"]))
    write_snapshot(shuffled, b)
    assert a.read_bytes() == b.read_bytes()
    assert list(json.loads(a.read_text()))[:2] == ["format", "captured_at"]
    ids = [r["id"].lower() for r in json.loads(a.read_text())["resources"]]
    assert ids == sorted(ids)

    # an exception in the middle of serialising: the previous file is untouched, nothing half-written
    target = tmp_path / "estate.json"
    target.write_text("OLD", encoding="utf-8")
    broken = build_estate(2).doc
    broken["resources"][-1]["properties"]["boom"] = object()  # not JSON: fails late in the stream
    with pytest.raises(TypeError):
        write_snapshot(broken, target)
    assert target.read_text(encoding="utf-8") == "OLD"
    fresh = tmp_path / "new" / "estate.json"
    with pytest.raises(TypeError):
        write_snapshot(broken, fresh)
    assert not fresh.exists()
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_write_snapshot_interrupted_by_keyboard_interrupt(tmp_path, monkeypatch):
    import amaaudit.snapshot as snap

    target = tmp_path / "estate.json"
    target.write_text("OLD", encoding="utf-8")
    real_fsync = os.fsync

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(snap.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_snapshot(build_estate(2).doc, target)
    monkeypatch.setattr(snap.os, "fsync", real_fsync)
    assert target.read_text(encoding="utf-8") == "OLD"
    assert [p.name for p in tmp_path.iterdir()] == ["estate.json"]


def test_failed_sign_in_is_one_clear_paragraph(estate, fake, monkeypatch, tmp_path):
    install_az_stub(monkeypatch, tmp_path, fake, fail=True)
    with pytest.raises(DiscoveryError) as info:
        discover(fast_settings(fake, estate.listed))
    message = str(info.value)
    assert "\n" not in message
    assert "az login" in message and "AZURE_TOKEN_CREDENTIALS" in message and "AZURE_CLIENT_ID" in message
    assert fake.log == []  # nothing was sent without a token

    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "NoSuchCredential")
    with pytest.raises(DiscoveryError, match="AZURE_TOKEN_CREDENTIALS"):
        discover(fast_settings(fake, estate.listed))


def test_bad_options_are_refused(estate, fake, az):
    with pytest.raises(DiscoveryError, match="not https"):
        discover(fast_settings(fake, estate.listed, arm_endpoint=fake.url.replace("https", "http")))
    with pytest.raises(DiscoveryError, match="subscription"):
        discover(fast_settings(fake, []))
    with pytest.raises(DiscoveryError, match="back-end"):
        discover(fast_settings(fake, estate.listed, backend="magic"))
    with pytest.raises(DiscoveryError, match="cloud"):
        discover(fast_settings(fake, estate.listed, cloud="Mars"))


class RecordingCredential:
    """A credential stub (no azure-identity) that records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        import time

        self.scopes.append(scopes)
        return AccessToken("opaque-test-token", int(time.time()) + 3600)


@pytest.mark.parametrize("cloud,arm_aud,logs_aud", [
    ("AzureCloud", "https://management.azure.com/.default", "https://api.loganalytics.io/.default"),
    ("AzureUSGovernment", "https://management.usgovcloudapi.net/.default", "https://api.loganalytics.us/.default"),
    ("AzureChinaCloud", "https://management.chinacloudapi.cn/.default", "https://api.loganalytics.azure.cn/.default"),
])
def test_endpoint_override_keeps_the_clouds_token_audience(estate, fake, monkeypatch, cloud, arm_aud, logs_aud):
    trust_fake(monkeypatch, fake)
    cred = RecordingCredential()
    doc = discover(fast_settings(fake, estate.listed, cloud=cloud), credential=cred)
    assert doc["cloud"] == cloud and doc["errors"] == []
    assert set(cred.scopes) == {(arm_aud,), (logs_aud,)}
    assert doc["source"]["principal"] == {}  # opaque token: nobody named, token never copied
    assert "opaque-test-token" not in json.dumps(doc)


def test_summary_line_counts():
    doc = {"resources": [{"id": "/x/vm", "type": "Microsoft.Compute/virtualMachines"}, {"id": "/y", "type": "t"}],
           "source": {"requests": 12, "throttle_waits": 3, "backend": "arm", "elapsed_seconds": 1.25},
           "errors": [{"scope": "/s"}]}
    assert summary_line(doc) == ("Discovery: 1 VM, 2 resources, 12 requests, 3 throttling waits, 1 read error "
                                 "(back-end arm, 1.2 s)")
    # every kind, counted by what it is: an instance typed virtualMachines (as ARM may) is an instance
    vmss = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachineScaleSets/ss"
    doc["resources"] += [{"id": "/s/Microsoft.HybridCompute/machines/a", "type": "Microsoft.HybridCompute/machines"},
                         {"id": f"{vmss}/virtualMachines/0", "type": "Microsoft.Compute/virtualMachines"},
                         {"id": f"{vmss}/virtualMachines/1",
                          "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"}]
    doc["source"]["paced_seconds"] = 4.0
    assert summary_line(doc) == ("Discovery: 1 VM, 1 Arc-enabled server, 2 scale-set instances, 5 resources, "
                                 "12 requests, 3 throttling waits, 4 s paced to ARM's read limits, 1 read error "
                                 "(back-end arm, 1.2 s)")


def test_redaction_rules():
    doc = {
        "properties": {
            "protectedSettings": {"k": "v"},
            "settings": {"url": "https://a.blob.core.windows.net/c/f?sv=1&sig=abc%2B123&se=2",
                         "storageAccountKey": "abc", "token": "t0k", "keyData": "ssh-rsa AAAA",
                         "conn": "Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccessKey=s3cr3t",
                         "auth": "Bearer abcdefghijklmnop", "disablePasswordAuthentication": True},
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/key",
        }
    }
    out = redact(doc)
    s = out["properties"]["settings"]
    assert "protectedSettings" not in out["properties"]
    assert s["url"] == "https://a.blob.core.windows.net/c/f?sv=1&sig=REDACTED&se=2"
    assert s["storageAccountKey"] == "REDACTED" and s["token"] == "REDACTED"
    assert s["keyData"] == "ssh-rsa AAAA"  # a public key is not a secret
    assert s["conn"].endswith("SharedAccessKey=REDACTED")
    assert s["auth"] == "Bearer REDACTED"
    assert s["disablePasswordAuthentication"] is True
    assert out["properties"]["id"] == doc["properties"]["id"]
    assert redact(out) == out  # idempotent


def test_sdk_default_pipeline_would_register_a_provider_ours_never_does(estate, fake, monkeypatch):
    """Proves the read-only claim is not vacuous: the stock mgmt pipeline answers 409
    MissingSubscriptionRegistration with a POST .../register; discovery's pipeline does not."""
    from azure.mgmt.monitor import MonitorManagementClient

    trust_fake(monkeypatch, fake)
    fake.add_fault(r"/dataCollectionRules/dcr-linux\?", status=409, code="MissingSubscriptionRegistration",
                   message="The subscription is not registered to use namespace 'Microsoft.Insights'.")
    stock = MonitorManagementClient(RecordingCredential(), CENTRAL, base_url=fake.url, retry_total=0)
    with pytest.raises(Exception):
        stock.data_collection_rules.get("rg-monitor", "dcr-linux")
    assert any(r.method == "POST" and r.path.lower().endswith("/register") for r in fake.log)

    fake.log.clear()
    doc = discover(fast_settings(fake, estate.listed), credential=RecordingCredential())
    assert fake.writes() == []
    [err] = doc["errors"]
    assert err["status"] == 409 and err["code"] == "MissingSubscriptionRegistration"


def test_unknown_resource_group_is_an_error_not_an_empty_estate(estate, fake, az):
    doc = discover(fast_settings(fake, estate.listed, resource_groups=["rg-gone"]))
    assert doc["resources"] == []
    # every kind's list failed there: the run is incomplete, not an estate without machines
    assert sorted(e["operation"] for e in doc["errors"]) == [
        "Microsoft.Compute/virtualMachineScaleSets/read", "Microsoft.Compute/virtualMachines/read",
        "Microsoft.HybridCompute/machines/read"]
    for err in doc["errors"]:
        assert err["scope"].endswith("/resourceGroups/rg-gone") and err["status"] == 404
        assert err["code"] == "ResourceGroupNotFound"
    assert len(Estate(from_document(doc, "live")).errors.inventory_gaps()) == 3
    fake.clear()
    arg = discover(fast_settings(fake, estate.listed, resource_groups=["rg-gone"], backend="resource-graph"))
    assert comparable(arg) == comparable(doc)
