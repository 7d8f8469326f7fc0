"""Loading and validating ``ama-estate/1`` snapshots (the contract: shared/estate-format.md).

A snapshot either loads completely or is refused with one paragraph that names the file
and the first bad entry. Nothing here judges the estate; it only checks the envelope.
"""

from __future__ import annotations

import gc
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import arm, outputs
from .redact import redact

FORMAT = "ama-estate/1"
CLOUDS = ("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")


class SnapshotError(Exception):
    """A snapshot that cannot be used; the message is for the user, as is."""


@dataclass
class Snapshot:
    label: str                      # where it came from, for headers: a path or "live"
    captured_at: datetime
    cloud: str
    source: dict[str, Any]
    resources: list[dict[str, Any]]
    heartbeats: list[dict[str, Any]] | None   # None: not collected
    heartbeat_workspaces: list[str] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    document: dict[str, Any] | None = None    # the raw document, for --save-estate


def parse_time(value: Any) -> datetime | None:
    """ISO-8601 to an aware UTC datetime; None when it is not a time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1:] in "zZ":
        text = text[:-1] + "+00:00"
    # Log Analytics returns 7 fractional digits; fromisoformat takes at most 6.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits):]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}" if digits else head + zone
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@contextmanager
def gc_paused():
    """For making many objects and no cycles (parsing JSON, indexing it): without this, the cyclic
    GC walks all of them again and again while they are being made (half the load time of a
    10,000-VM estate, which then grew faster than the file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(path: str | Path, label: str | None = None) -> Snapshot:
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"Estate file {name} does not exist. Check the path given to --estate, "
                            "or write one with --save-estate during a live run.") from None
    except OSError as exc:
        raise SnapshotError(f"Estate file {name} cannot be read ({exc.strerror}). "
                            "Check the path and its permissions.") from None
    try:
        with gc_paused():
            document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SnapshotError(f"Estate file {name} is not UTF-8 text. An ama-estate/1 snapshot is a UTF-8 "
                            "JSON document; re-export it or re-capture it with --save-estate.") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"Estate file {name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}). It may be truncated; re-capture it with --save-estate.") from None
    except RecursionError:
        raise SnapshotError(f"Estate file {name} nests JSON too deeply to be an ama-estate/1 snapshot.") from None
    with gc_paused():
        return from_document(document, label or name)


def from_document(document: Any, name: str) -> Snapshot:
    def refuse(what: str) -> SnapshotError:
        return SnapshotError(f"Estate file {name} is not a usable ama-estate/1 snapshot: {what} "
                             "See the format in shared/estate-format.md (README: 'Estate snapshots').")

    if not isinstance(document, dict):
        raise refuse(f"the top level is a JSON {type(document).__name__}, not an object.")
    fmt = document.get("format")
    if fmt is None:
        raise refuse('the required key "format" is missing (expected "ama-estate/1").')
    if fmt != FORMAT:
        raise refuse(f'"format" is {_show(fmt)}; this version of amaaudit reads only "{FORMAT}".')
    if "captured_at" not in document:
        raise refuse('the required key "captured_at" (UTC ISO-8601 time of capture) is missing.')
    captured_at = parse_time(document["captured_at"])
    if captured_at is None:
        raise refuse(f'"captured_at" is {_show(document["captured_at"])}, not an ISO-8601 time '
                     'such as "2026-11-25T09:00:00Z".')
    cloud = document.get("cloud", "AzureCloud")
    if cloud not in CLOUDS:
        raise refuse(f'"cloud" is {_show(cloud)}; expected one of {", ".join(CLOUDS)}.')
    source = document.get("source") or {}
    if not isinstance(source, dict):
        raise refuse('"source" must be an object (free-form provenance).')

    if "resources" not in document:
        raise refuse('the required key "resources" (the list of ARM documents) is missing.')
    resources = document["resources"]
    if not isinstance(resources, list):
        raise refuse(f'"resources" is a JSON {type(resources).__name__}, not a list.')
    seen: dict[str, int] = {}
    for index, entry in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(entry, dict):
            raise refuse(f"{where} is a JSON {type(entry).__name__}, not an ARM resource object.")
        rid, rtype = entry.get("id"), entry.get("type")
        if not isinstance(rid, str) or not rid.strip().startswith("/"):
            raise refuse(f"{where} has no usable \"id\" (got {_show(rid)}); every resource needs its ARM id.")
        if not isinstance(rtype, str) or "/" not in rtype:
            raise refuse(f"{where} ({_short(rid)}) has no usable \"type\" (got {_show(rtype)}).")
        for key_name in ("properties", "tags", "identity"):
            if entry.get(key_name) is not None and not isinstance(entry[key_name], dict):
                raise refuse(f'{where} ({_short(rid)}) has "{key_name}" of JSON type '
                             f"{type(entry[key_name]).__name__}; ARM returns an object there.")
        for key_name in ("name", "location", "kind"):
            if entry.get(key_name) is not None and not isinstance(entry[key_name], str):
                raise refuse(f'{where} ({_short(rid)}) has "{key_name}" of JSON type '
                             f"{type(entry[key_name]).__name__}; ARM returns a string there.")
        k = arm.key(rid)
        if k in seen and {**resources[seen[k]], "id": k} != {**entry, "id": k}:
            raise refuse(f"{where} and resources[{seen[k]}] have the same id {_short(rid)} "
                         "(ids compare case-insensitively) but different contents.")
        seen.setdefault(k, index)
    unique = [resources[i] for i in sorted(seen.values())]

    heartbeats = document.get("heartbeats")
    if heartbeats is not None:
        if not isinstance(heartbeats, list):
            raise refuse('"heartbeats" must be a list (or absent when not collected).')
        for index, row in enumerate(heartbeats):
            where = f"heartbeats[{index}]"
            if not isinstance(row, dict):
                raise refuse(f"{where} is not an object.")
            for required in ("workspace_id", "resource_id"):
                if not isinstance(row.get(required), str) or not row[required].strip():
                    raise refuse(f'{where} has no "{required}".')
            if parse_time(row.get("last_heartbeat")) is None:
                raise refuse(f'{where} has "last_heartbeat" {_show(row.get("last_heartbeat"))}, '
                             "not an ISO-8601 time.")
    hb_workspaces = document.get("heartbeat_workspaces")
    if hb_workspaces is not None and (not isinstance(hb_workspaces, list)
                                      or not all(isinstance(w, str) for w in hb_workspaces)):
        raise refuse('"heartbeat_workspaces" must be a list of workspace customerId strings.')

    errors = document.get("errors") or []
    if not isinstance(errors, list):
        raise refuse('"errors" must be a list of failed reads.')
    for index, entry in enumerate(errors):
        where = f"errors[{index}]"
        if not isinstance(entry, dict):
            raise refuse(f"{where} is not an object.")
        if not isinstance(entry.get("scope"), str) or not entry["scope"].startswith("/"):
            raise refuse(f'{where} has no "scope" (the resource id or /subscriptions/<guid> that was read).')
        if not isinstance(entry.get("operation"), str) or not entry["operation"].strip():
            raise refuse(f'{where} has no "operation" (what was being read).')

    return Snapshot(label=name, captured_at=captured_at, cloud=cloud, source=source,
                    resources=unique, heartbeats=heartbeats, heartbeat_workspaces=hb_workspaces,
                    errors=errors, document=document)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _short(resource_id: str) -> str:
    return resource_id if len(resource_id) <= 160 else resource_id[:157] + "..."


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


def write(doc: dict, path: str | os.PathLike[str]) -> None:
    """Write atomically (temporary file in the same folder, fsync, rename): an interrupted run
    leaves the previous file or the new one, never a truncated snapshot. Redacted, sorted.
    Through a symlink to its file; never over anything but a regular file. A new snapshot is
    0600 (it names machines, ids and the principal that read them); a replaced one keeps its mode."""
    data = canonical(doc)

    def encode(fh) -> None:
        for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
            fh.write(chunk)
        fh.write("\n")

    outputs.write_atomically(path, encode, new_mode=0o600)
