"""Writing a snapshot so that it diffs cleanly, holds no secret, and is never half there.

A snapshot is evidence: two captures of the same estate must differ only where the estate
did (stable key order, resources sorted by lower-cased id, heartbeats and errors sorted),
and an interrupted run (Ctrl-C, a crash, a full disk) must leave either the previous file
or the new one -- never a truncated JSON that a later ``--estate`` would refuse or, worse,
half-load. Hence: serialise to a temporary file in the target's directory, fsync, then
``os.replace`` (atomic on POSIX and Windows within one filesystem).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .redact import redact

TOP_ORDER = ("format", "captured_at", "cloud", "source", "resources", "heartbeat_workspaces", "heartbeats", "errors")


def _sorted_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _sorted_keys(obj[k]) for k in sorted(obj, key=str)}
    if isinstance(obj, list):
        return [_sorted_keys(v) for v in obj]
    return obj


def canonical(doc: dict) -> dict:
    """The snapshot as it is written: redacted, sorted, known top-level keys first."""
    doc = redact(doc)
    if isinstance(doc.get("resources"), list):
        doc["resources"] = sorted(doc["resources"], key=lambda r: str(r.get("id", "")).lower()
                                  if isinstance(r, dict) else "")
    if isinstance(doc.get("heartbeats"), list):
        doc["heartbeats"] = sorted(doc["heartbeats"], key=lambda h: (
            str(h.get("workspace_id", "")).lower(), str(h.get("resource_id", "")).lower(),
            str(h.get("category", ""))) if isinstance(h, dict) else ("", "", ""))
    if isinstance(doc.get("heartbeat_workspaces"), list):
        doc["heartbeat_workspaces"] = sorted(doc["heartbeat_workspaces"], key=lambda w: str(w).lower())
    if isinstance(doc.get("errors"), list):
        doc["errors"] = sorted(doc["errors"], key=lambda e: (
            str(e.get("scope", "")).lower(), str(e.get("operation", "")), str(e.get("code", "")))
            if isinstance(e, dict) else ("", "", ""))
    out = {k: _sorted_keys(doc[k]) for k in TOP_ORDER if k in doc}
    for k in sorted(k for k in doc if k not in TOP_ORDER):
        out[k] = _sorted_keys(doc[k])
    return out


def write_snapshot(doc: dict, path: str | os.PathLike[str]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = canonical(doc)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
                fh.write(chunk)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def summary_line(doc: dict) -> str:
    """One line for the end of a live run: VMs, resources, requests, throttling waits, read errors."""
    resources = doc.get("resources") or []
    vms = sum(1 for r in resources if isinstance(r, dict)
              and str(r.get("type", "")).lower() == "microsoft.compute/virtualmachines")
    source = doc.get("source") or {}
    errors = doc.get("errors") or []
    parts = [
        f"{vms} VM{'s' if vms != 1 else ''}",
        f"{len(resources)} resources",
        f"{source.get('requests', '?')} requests",
        f"{source.get('throttle_waits', 0)} throttling waits",
        f"{len(errors)} read error{'s' if len(errors) != 1 else ''}",
    ]
    backend = source.get("backend")
    elapsed = source.get("elapsed_seconds")
    tail = []
    if backend:
        tail.append(f"back-end {backend}")
    if elapsed is not None:
        tail.append(f"{elapsed:.1f} s")
    return "Discovery: " + ", ".join(parts) + (f" ({', '.join(tail)})" if tail else "")
