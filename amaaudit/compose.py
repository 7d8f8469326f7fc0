"""Several snapshots, one estate: ``--estate`` given more than once.

Why: a 50,000-VM organisation is captured as several runs (one per subscription or management
group, a CI matrix), each run reading its own machines and everything they reference, wherever
it lives. Their snapshots are combined here, *before* the model is built, into one
``ama-estate/1`` document; the checks never know an estate was merged.

The rules (README, "Estates larger than one run"):

* **Documents** are merged by id (case-insensitive). The same document in several snapshots (the
  shared DCR, workspace, hub VNet, DNS zones every run reads) is kept once. When the contents
  differ (it changed between two captures), the one from the snapshot **captured last** is kept
  (ties: the one named last on the command line) and the replacement is said in every header:
  the estate is judged as it was last seen, and nothing is refused for a change between jobs.
* **A machine is judged at the capture time of the snapshot that holds it** (the one whose
  document was kept), and its Heartbeat rows come from that snapshot's query of a workspace
  when that snapshot queried it: each machine gets the verdicts its own run would have given it.
  Rows about resources no snapshot holds, or from workspaces their holder did not query, come
  from the snapshot captured last.
* **Read errors** are the union: a read that failed in one run stays *could not evaluate* for
  what rests on it (a document another run did read is used, as in any snapshot).
* ``captured_at`` of the whole is the latest capture; ``source`` says ``kind: composed`` and
  lists every snapshot (label, capture time, its own provenance, the machines it holds), which is
  where :func:`capture_times` finds each machine's instant. All snapshots must be of one cloud.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from . import arm
from .snapshot import Snapshot, SnapshotError, from_document, parse_time, queried_workspaces, same_document

REPLACED_SHOWN = 100        # replaced documents named in the source (all are counted)


def _iso(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def _parts(snap: Snapshot) -> list[dict[str, Any]]:
    """The captures a snapshot is made of: itself, or (already composed) the ones it lists."""
    src = snap.source if isinstance(snap.source, dict) else {}
    if src.get("kind") == "composed" and isinstance(src.get("sources"), list):
        parts = [p for p in src["sources"] if isinstance(p, dict)]
        if parts:
            return parts
    return [{"label": snap.label, "captured_at": _iso(snap.captured_at), "cloud": snap.cloud, "source": src}]


def capture_times(snapshot: Snapshot) -> dict[str, datetime]:
    """Machine id key -> the capture time of the snapshot holding it (empty unless composed)."""
    src = snapshot.source if isinstance(snapshot.source, dict) else {}
    out: dict[str, datetime] = {}
    if src.get("kind") != "composed" or not isinstance(src.get("sources"), list):
        return out
    for part in src["sources"]:
        when = parse_time(part.get("captured_at")) if isinstance(part, dict) else None
        machines = part.get("machines") if isinstance(part, dict) else None
        if when is None or not isinstance(machines, list):
            continue
        for rid in machines:
            if isinstance(rid, str):
                out[arm.key(rid)] = when
    return out


def compose(snapshots: list[Snapshot], label: str | None = None) -> Snapshot:
    """One snapshot of every document, error and Heartbeat row of ``snapshots`` (rules above)."""
    if len(snapshots) == 1:
        return snapshots[0]
    if not snapshots:
        raise ValueError("compose() needs at least one snapshot")
    clouds = {s.cloud for s in snapshots}
    if len(clouds) > 1:
        named = "; ".join(f"{s.label} is {s.cloud}" for s in snapshots)
        raise SnapshotError(f"The estates given with --estate are of different clouds ({named}). One run checks "
                            "one cloud: give only the snapshots of one cloud, and run again for the other.")
    # Oldest capture first, so that a later one replaces what an earlier one said.
    order = sorted(range(len(snapshots)), key=lambda i: (snapshots[i].captured_at, i))
    kept: dict[str, tuple[int, dict[str, Any]]] = {}
    replaced: dict[str, dict[str, Any]] = {}
    for i in order:
        for doc in snapshots[i].resources:
            k = arm.key(doc["id"])
            before = kept.get(k)
            if before is not None and not same_document(before[1], doc):
                entry = replaced.setdefault(k, {"id": doc["id"], "dropped": []})
                entry["dropped"].append(snapshots[before[0]].label)
                entry["kept"] = snapshots[i].label
            kept[k] = (i, doc)
    from .model.machine import machine_types    # the model imports this module: asked when composing
    machines = machine_types()
    holder = {k: i for k, (i, doc) in kept.items() if doc["type"].lower() in machines}

    document: dict[str, Any] = {
        "format": "ama-estate/1",
        "captured_at": _iso(max(s.captured_at for s in snapshots)),
        "cloud": snapshots[0].cloud,
        "source": _source(snapshots, holder, kept, replaced),
        "resources": [doc for _i, doc in kept.values()],
        "errors": _errors(snapshots),
    }
    heartbeats, workspaces = _heartbeats(snapshots, order, holder)
    if heartbeats is not None:
        document["heartbeats"] = heartbeats
        document["heartbeat_workspaces"] = workspaces
    return from_document(document, label or " + ".join(s.label for s in snapshots))


def _source(snapshots: list[Snapshot], holder: dict[str, int], kept: dict[str, tuple[int, dict[str, Any]]],
            replaced: dict[str, dict[str, Any]]) -> dict[str, Any]:
    machines: dict[int, list[str]] = {}
    for k, i in holder.items():
        machines.setdefault(i, []).append(kept[k][1]["id"])
    held_before = [capture_times(s) for s in snapshots]
    sources = []
    for i, snap in enumerate(snapshots):
        mine = sorted(machines.get(i, []), key=str.lower)
        parts = _parts(snap)
        if len(parts) == 1:
            sources.append({**parts[0], "machines": mine})
            continue
        # an already composed snapshot: each of its machines stays with the capture that held it
        by_time: dict[str, list[str]] = {}
        for rid in mine:
            when = held_before[i].get(arm.key(rid), snap.captured_at)
            by_time.setdefault(_iso(when), []).append(rid)
        for part in parts:
            stamp = str(part.get("captured_at"))
            sources.append({**{k: v for k, v in part.items() if k != "machines"},
                            "machines": by_time.pop(stamp, [])})
        for stamp, rest in by_time.items():      # held at a time no listed capture has: say so
            sources.append({"label": snap.label, "captured_at": stamp, "cloud": snap.cloud, "source": {},
                            "machines": rest})
    shown = sorted(replaced.values(), key=lambda r: r["id"].lower())
    return {"kind": "composed", "sources": sources, "replaced_count": len(replaced),
            "replaced": shown[:REPLACED_SHOWN]}


def _errors(snapshots: list[Snapshot]) -> list[dict[str, Any]]:
    seen: set[tuple] = set()
    out = []
    for snap in snapshots:
        for e in snap.errors:
            key = (arm.key(e.get("scope")), e.get("operation"), e.get("status"), e.get("code"))
            if key not in seen:
                seen.add(key)
                out.append(e)
    return out


def _heartbeats(snapshots: list[Snapshot], order: list[int], holder: dict[str, int]
                ) -> tuple[list[dict[str, Any]] | None, list[str]]:
    if all(s.heartbeats is None for s in snapshots):
        return None, []
    queried = [queried_workspaces(s) or set() for s in snapshots]
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for i in order:                                   # oldest first: a later row replaces an earlier one
        for row in snapshots[i].heartbeats or ():
            ws, rid = str(row["workspace_id"]).lower(), arm.key(row["resource_id"])
            h = holder.get(rid)
            if h is not None and ws in queried[h] and h != i:
                continue                              # the machine's own run asked this workspace
            rows[(ws, rid, str(row.get("category") or ""))] = row
    names: dict[str, str] = {}
    for snap, asked in zip(snapshots, queried):
        for w in (snap.heartbeat_workspaces if snap.heartbeat_workspaces is not None else sorted(asked)):
            names.setdefault(str(w).lower(), str(w))
    return list(rows.values()), sorted(names.values(), key=str.lower)


def sources_of(snapshot: Snapshot) -> list[dict[str, Any]]:
    """What the headers say about where the estate came from: one entry per capture (label,
    capture time, cloud, who captured it, its own provenance, how many machines it holds)."""
    parts = _parts(snapshot)
    out = []
    for part in parts:
        src = part.get("source") if isinstance(part.get("source"), dict) else {}
        machines = part.get("machines")
        out.append({"label": str(part.get("label") or ""), "captured_at": str(part.get("captured_at") or ""),
                    "cloud": str(part.get("cloud") or snapshot.cloud), "source": src,
                    "machines": len(machines) if isinstance(machines, list) else None})
    return out


def replacements(snapshot: Snapshot) -> tuple[int, list[dict[str, Any]]]:
    """How many documents differed between the snapshots, and the first of them (id, kept, dropped)."""
    src = snapshot.source if isinstance(snapshot.source, dict) else {}
    if src.get("kind") != "composed":
        return 0, []
    shown = [r for r in src.get("replaced") or [] if isinstance(r, dict)]
    count = src.get("replaced_count")
    return (count if isinstance(count, int) else len(shown)), shown


def unique_paths(paths: Iterable[str]) -> list[str]:
    """The --estate files, each once (the same file named twice is one source)."""
    seen: set[Path] = set()
    out = []
    for p in paths:
        resolved = Path(p).expanduser().resolve()
        if resolved not in seen:
            seen.add(resolved)
            out.append(p)
    return out
