"""The end-of-discovery summary line; snapshots are written by :func:`amaaudit.snapshot.write`."""

from __future__ import annotations

from ..snapshot import write as write_snapshot

__all__ = ["write_snapshot", "summary_line"]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def machine_counts(resources: list) -> tuple[int, int, int]:
    """(VMs, Arc-enabled servers, uniform scale-set instances) among the documents. An instance may be
    typed ``Microsoft.Compute/virtualMachines`` (ARM does that); its id says what it is."""
    vms = arc = instances = 0
    for r in resources:
        if not isinstance(r, dict):
            continue
        rtype, rid = str(r.get("type", "")).lower(), str(r.get("id", "")).lower()
        if rtype == "microsoft.hybridcompute/machines":
            arc += 1
        elif "/virtualmachinescalesets/" in rid and rtype in ("microsoft.compute/virtualmachines",
                                                             "microsoft.compute/virtualmachinescalesets/virtualmachines"):
            instances += 1
        elif rtype == "microsoft.compute/virtualmachines":
            vms += 1
    return vms, arc, instances


def summary_line(doc: dict) -> str:
    """One line for the end of a live run: machines of each kind (Arc-enabled servers and scale-set
    instances only when there are any), resources, requests, throttling waits (429s retried,
    Resource Graph quota waits), time paced to ARM's buckets (when any), read errors."""
    resources = doc.get("resources") or []
    vms, arc, instances = machine_counts(resources)
    source = doc.get("source") or {}
    errors = doc.get("errors") or []
    machines = [_plural(vms, "VM")] + ([_plural(arc, "Arc-enabled server")] if arc else []) \
        + ([_plural(instances, "scale-set instance")] if instances else [])
    parts = [
        *machines,
        f"{len(resources)} resources",
        f"{source.get('requests', '?')} requests",
        f"{source.get('throttle_waits', 0)} throttling waits",
        f"{len(errors)} read error{'s' if len(errors) != 1 else ''}",
    ]
    if source.get("paced_seconds"):       # time reads were held back to stay within ARM's buckets
        parts.insert(len(parts) - 1, f"{source['paced_seconds']:.0f} s paced to ARM's read limits")
    backend = source.get("backend")
    elapsed = source.get("elapsed_seconds")
    tail = []
    if backend:
        tail.append(f"back-end {backend}")
    if elapsed is not None:
        tail.append(f"{elapsed:.1f} s")
    return "Discovery: " + ", ".join(parts) + (f" ({', '.join(tail)})" if tail else "")
