"""Shared plumbing for the discovery tests: environment for the stub ``az`` and the fake
server's CA, fast retry settings, and snapshot comparison helpers."""

from __future__ import annotations

import copy
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from .server import FakeArm

ARG_LACKS = ("etag", "systemData")

# Environment variables that would make DefaultAzureCredential try something other than the stub.
_CREDENTIAL_ENV = ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH",
                   "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "AZURE_PASSWORD", "IDENTITY_ENDPOINT",
                   "MSI_ENDPOINT", "IDENTITY_HEADER", "AZURE_AUTHORITY_HOST")


def trust_fake(monkeypatch: Any, fake: FakeArm) -> None:
    """Trust the fake's CA (the standard REQUESTS_CA_BUNDLE) and keep proxies out of 127.0.0.1."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_path)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def install_az_stub(monkeypatch: Any, tmp_path: Path, fake: FakeArm, *, fail: bool = False) -> Path:
    """Put the stub ``az`` first on PATH, restrict DefaultAzureCredential to it (so nothing
    probes the managed-identity endpoint) and trust the fake server's CA."""
    from . import AZ_STUB

    bindir = tmp_path / "stub-bin"
    bindir.mkdir(exist_ok=True)
    target = bindir / "az"
    shutil.copy(AZ_STUB, target)
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = tmp_path / "az-calls.log"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    trust_fake(monkeypatch, fake)
    monkeypatch.setenv("FAKE_AZ_LOG", str(log))
    for name in _CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    if fail:
        monkeypatch.setenv("FAKE_AZ_FAIL", "1")
    else:
        monkeypatch.delenv("FAKE_AZ_FAIL", raising=False)
    return log


def fast_settings(fake: FakeArm, subscriptions: list[str], **kwargs: Any):
    from amaaudit.discovery import LiveSettings

    base: dict[str, Any] = dict(subscriptions=list(subscriptions), arm_endpoint=fake.url, logs_endpoint=fake.url,
                                read_timeout=2.0, connection_timeout=2.0, max_retries=2, retry_backoff_factor=0.05,
                                max_retry_after=2.0)
    base.update(kwargs)
    return LiveSettings(**base)


def without(doc: dict, keys: tuple[str, ...] = ARG_LACKS) -> dict:
    return {k: v for k, v in doc.items() if k not in keys}


def comparable(snapshot: dict, *, strip: tuple[str, ...] = ()) -> dict:
    """The parts of a snapshot that must not depend on the back-end or the moment."""
    out = copy.deepcopy({k: v for k, v in snapshot.items() if k not in ("captured_at", "source")})
    if strip:
        out["resources"] = [without(r, strip) for r in out["resources"]]
    return out
