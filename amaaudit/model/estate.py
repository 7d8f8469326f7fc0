"""Indexes over the snapshot's documents, built once, and the meaning of its ``errors``.

Lookups answer three ways: the document, ``None`` (the target does not exist: a finding
for the check), or :class:`Unknown` (a failed read could have returned it: the check
cannot evaluate). Keeping that distinction in one place is what keeps verdicts honest.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import cached_property
from typing import Any, Iterable

from .. import arm
from ..compose import capture_times
from ..text import Text
from ..snapshot import Snapshot, gc_paused, parse_time, queried_workspaces

HEARTBEAT_QUERY_OP = "Microsoft.OperationalInsights/workspaces/query/Heartbeat/read"


class Unknown(Exception):
    """An input a verdict needs falls under a failed read; the check cannot evaluate.

    ``str()`` is English (what programs and JUnit see); ``text`` has the report's languages."""

    def __init__(self, what: str | Text, error: dict[str, Any]):
        what = Text.of(what)
        self.what = what.en
        self.error = error
        status = error.get("status")
        code = error.get("code") or ""
        cause = " ".join(str(p) for p in (status, code) if p)
        cause = f" ({cause})" if cause else ""
        op, scope, msg = error.get("operation"), error.get("scope"), error.get("message") or ""
        tail = f" -- {msg}" if msg else ""
        self.text = Text(f"could not evaluate: {what.en} could not be read{cause}: {op} at {scope}{tail}",
                         f"判定不能: {what.ja} を読み取れませんでした{cause}: {scope} に対する {op}{tail}")
        super().__init__(self.text.en)


class Malformed(Unknown):
    """An input is present but unusable (e.g. an NSG rule without a priority): the check cannot
    evaluate it, and says which resource and why, rather than guess."""

    def __init__(self, what: str | Text, why: str, resource_id: str):
        what = Text.of(what)
        self.what = what.en
        self.error = {"scope": resource_id, "operation": "interpret the document", "message": why}
        self.text = Text(f"could not evaluate: {what.en} is malformed in the snapshot: {why}",
                         f"判定不能: スナップショット内の {what.ja} の形式が正しくありません: {why}")
        Exception.__init__(self, self.text.en)


class Incomplete(Unknown):
    """A reference that Azure keeps intact (a VM's network interface, an IP configuration's subnet,
    the NSG of a NIC) points at nothing in the snapshot. Azure refuses to delete such a resource
    while it is in use, so the *snapshot* is partial: the check cannot evaluate, and must not take
    the absence for "none" (no NSG would mean "allowed")."""

    def __init__(self, what: str | Text, resource_id: str, referrer: str | Text):
        what, referrer = Text.of(what), Text.of(referrer)
        self.what = what.en
        self.error = {"scope": resource_id, "operation": "find the resource in the snapshot",
                      "message": f"{referrer.en} refers to it"}
        self.text = Text(f"could not evaluate: {what.en} ({resource_id}), which {referrer.en} uses, is not in the "
                         "snapshot; Azure does not delete it while it is in use, so the snapshot is partial "
                         "(capture it again with read access to it)",
                         f"判定不能: {referrer.ja} が使用している {what.ja} ({resource_id}) がスナップショットに"
                         "ありません。使用中のリソースは Azure で削除できないため、スナップショットが不完全です "
                         "(読み取り権限を付与して取得し直してください)")
        Exception.__init__(self, self.text.en)


_INSTANCE_ALIAS = ("microsoft.compute/virtualmachines", "/virtualmachinescalesets/",
                   "microsoft.compute/virtualmachinescalesets/virtualmachines")


def indexed_type(key: str, resource_type: str) -> str:
    """The lower-cased type a document is indexed under. One known ARM quirk: a uniform scale
    set's instance (``.../virtualMachineScaleSets/s/virtualMachines/0``) is returned with the
    type ``Microsoft.Compute/virtualMachines``; its id path says what it is, so it is indexed as
    an instance, never mistaken for a standalone VM."""
    rtype = resource_type.lower()
    if rtype == _INSTANCE_ALIAS[0] and _INSTANCE_ALIAS[1] in key:
        return _INSTANCE_ALIAS[2]
    return rtype


def operation_for(resource_type: str) -> str:
    return f"{resource_type}/read"


def _op_matches(failed: str, needed: str) -> bool:
    failed, needed = failed.strip().lower(), needed.strip().lower()
    if failed in ("*", needed):
        return True
    if failed.endswith("*"):
        return needed.startswith(failed.rstrip("*"))
    # "<type>/read" failing covers the same type read with any action suffix, e.g. a
    # failed ".../workspaces/query/read" covers the Heartbeat query.
    stem = failed[:-len("/read")] if failed.endswith("/read") else failed
    return needed.startswith(stem + "/")




class ReadErrors:
    def __init__(self, entries: Iterable[dict[str, Any]]):
        self.entries = [e for e in entries if isinstance(e, dict)]
        self._by_scope: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in self.entries:
            self._by_scope[arm.key(entry.get("scope"))].append(entry)

    def covering(self, target_id: str, operation: str) -> dict[str, Any] | None:
        """The failed read whose scope contains ``target_id`` and whose operation matches."""
        if not self.entries:
            return None
        target = arm.key(target_id)
        scope = target
        while scope:
            for entry in self._by_scope.get(scope, ()):
                if _op_matches(str(entry.get("operation", "")), operation):
                    return entry
            scope = scope.rpartition("/")[0]
        return None

    def inventory_gaps(self) -> list[dict[str, Any]]:
        """Failed machine lists: the read that lists a kind of machine failed for a whole subscription or
        resource group (or, for scale-set instances, for a whole scale set).

        Unlike a failed read about one machine, which makes some of its verdicts unknown, these leave
        machines out of the estate altogether: no check can say anything about them. Each registered
        kind names the reads that list it (``Machine.inventory``)."""
        from .machine import inventory_operations
        lists = inventory_operations()
        gaps = []
        for entry in self.entries:
            scope, operation = arm.key(entry.get("scope")), str(entry.get("operation", ""))
            for needed, container in lists:
                within = "/providers/" not in scope if container is None else \
                    arm.parse(scope).type.lower() == container.lower() and scope.count("/providers/") == 1
                if within and _op_matches(operation, needed):
                    gaps.append(entry)
                    break
        return gaps


class Estate:
    """Case-insensitive indexes by id, type and parent; views are built once and shared."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.captured_at: datetime = snapshot.captured_at
        self.cloud = snapshot.cloud
        self.errors = ReadErrors(snapshot.errors)
        self._by_id: dict[str, dict[str, Any]] = {}
        self._by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._children: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        with gc_paused():
            for doc in snapshot.resources:
                k = arm.key(doc["id"])
                rtype = indexed_type(k, doc["type"])
                self._by_id[k] = doc
                self._by_type[rtype].append(doc)
                self._children[(arm.key(arm.parent(doc["id"])), rtype)].append(doc)
        self._views: dict[tuple[type, str], Any] = {}

    # -- raw lookups -------------------------------------------------------------------
    def get(self, resource_id: str | None) -> dict[str, Any] | None:
        return self._by_id.get(arm.key(resource_id)) if resource_id else None

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return self._by_type.get(resource_type.lower(), [])

    def children(self, parent_id: str, resource_type: str) -> list[dict[str, Any]]:
        return self._children.get((arm.key(parent_id), resource_type.lower()), [])

    def resolve(self, resource_id: str, resource_type: str, what: str | Text) -> dict[str, Any] | None:
        """The document, or None if it does not exist; Unknown if a failed read hides it, Malformed
        if the reference points at a resource of another type (a NIC reference naming an NSG)."""
        doc = self.get(resource_id)
        if doc is not None:
            if indexed_type(arm.key(doc["id"]), doc["type"]) != resource_type.lower():
                raise Malformed(what, f"the reference {resource_id} points at a {doc['type']}, "
                                      f"not a {resource_type}", resource_id)
            return doc
        failed = self.errors.covering(resource_id, operation_for(resource_type))
        if failed is not None:
            raise Unknown(what, failed)
        return None

    def present(self, resource_id: str, resource_type: str, what: str | Text,
                referrer: str | Text) -> dict[str, Any]:
        """Like :meth:`resolve`, for a reference Azure keeps intact: absence means the snapshot is
        partial (:class:`Incomplete`), never that the resource does not exist."""
        doc = self.resolve(resource_id, resource_type, what)
        if doc is None:
            raise Incomplete(what, resource_id, referrer)
        return doc

    def children_known(self, parent_id: str, resource_type: str, what: str | Text) -> list[dict[str, Any]]:
        """Children of a resource; Unknown when listing them failed."""
        failed = self.errors.covering(f"{parent_id}/{resource_type}", operation_for(resource_type))
        if failed is not None:
            raise Unknown(what, failed)
        return self.children(parent_id, resource_type)

    def view(self, cls: type, doc: dict[str, Any]):
        """One view object per document, so derived facts are computed once per run."""
        k = (cls, arm.key(doc["id"]))
        found = self._views.get(k)
        if found is None:
            found = self._views[k] = cls(self, doc)
        return found

    def memo(self, name: str, build):
        """A derived index built once per estate (e.g. private endpoints by VNet)."""
        k = (Estate, name)
        if k not in self._views:
            self._views[k] = build()
        return self._views[k]

    # -- the machines ------------------------------------------------------------------
    @cached_property
    def machines(self) -> list:
        """Every machine of every registered kind (model.machine.KINDS), in id order."""
        from .machine import registered_kinds
        found: dict[str, Any] = {}
        for cls in registered_kinds():
            for doc in cls.members(self):
                found.setdefault(arm.key(doc["id"]), self.view(cls, doc))
        return [found[k] for k in sorted(found)]

    @property
    def vms(self) -> list:
        """The machines (named from the days when every machine was a VM)."""
        return self.machines

    # -- when ------------------------------------------------------------------------
    @cached_property
    def _capture_times(self) -> dict[str, datetime]:
        return capture_times(self.snapshot)

    def captured_at_of(self, resource_id: str) -> datetime:
        """The instant a machine's facts were captured: the capture time of the snapshot that holds
        it when several were combined (``--estate`` given more than once), else ``captured_at``.
        Time-based verdicts about a machine are judged at this instant."""
        return self._capture_times.get(arm.key(resource_id), self.captured_at)

    # -- heartbeats --------------------------------------------------------------------
    @property
    def heartbeats_collected(self) -> bool:
        return self.snapshot.heartbeats is not None

    @cached_property
    def _heartbeat_index(self) -> dict[tuple[str, str, str], datetime]:
        """(workspace, _ResourceId, Computer or "") -> newest AMA Heartbeat; every row is also
        counted under Computer "" (the machine is its _ResourceId)."""
        index: dict[tuple[str, str, str], datetime] = {}
        for row in self.snapshot.heartbeats or ():
            category = str(row.get("category") or "")
            # Only AMA's own Heartbeat proves AMA works; a legacy agent's row does not.
            if category and category.lower() != "azure monitor agent":
                continue
            when = parse_time(row.get("last_heartbeat"))
            if when is None:
                continue
            computer = str(row.get("computer") or "").lower()
            base = (str(row["workspace_id"]).lower(), arm.key(row["resource_id"]))
            for k in {base + ("",), base + (computer,)}:
                if k not in index or when > index[k]:
                    index[k] = when
        return index

    @cached_property
    def heartbeat_workspaces(self) -> set[str] | None:
        """customerIds whose Heartbeat was queried; None when heartbeats were not collected."""
        return queried_workspaces(self.snapshot)

    def last_heartbeat(self, resource_id: str, customer_id: str, computer: str | None = None) -> datetime | None:
        """The newest AMA Heartbeat of ``resource_id`` in the workspace; with ``computer``, only the rows
        of that computer (a uniform scale set's instances share their scale set's ``_ResourceId``)."""
        return self._heartbeat_index.get((customer_id.lower(), arm.key(resource_id), (computer or "").lower()))
