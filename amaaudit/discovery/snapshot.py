"""The end-of-discovery summary line; snapshots are written by :func:`amaaudit.snapshot.write`."""

from __future__ import annotations

from ..snapshot import write as write_snapshot

__all__ = ["write_snapshot", "summary_line"]


def summary_line(doc: dict) -> str:
    """One line for the end of a live run: VMs, resources, requests, throttling waits (429s retried,
    Resource Graph quota waits), time paced to ARM's buckets (when any), read errors."""
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
    if source.get("paced_seconds"):       # time reads were held back to stay within ARM's buckets
        parts.insert(4, f"{source['paced_seconds']:.0f} s paced to ARM's read limits")
    backend = source.get("backend")
    elapsed = source.get("elapsed_seconds")
    tail = []
    if backend:
        tail.append(f"back-end {backend}")
    if elapsed is not None:
        tail.append(f"{elapsed:.1f} s")
    return "Discovery: " + ", ".join(parts) + (f" ({', '.join(tail)})" if tail else "")
