"""A planned deployment, and the estate as it would leave it.

Reads Azure's what-if output and applies it to a snapshot *document* (before the model is built),
so the checks judge the estate after the deployment with the same code that judges it today.

Shapes read (keys compared case-insensitively):

* ``az deployment group|sub|mg|tenant what-if --no-pretty-print --output json``:
  ``{"status", "error", "changes": [{"resourceId", "changeType", "before", "after", "delta", ...}]}``;
* the REST response (``POST .../whatIf``): the same, with ``changes`` under ``properties``;
* ``Get-AzResourceGroupDeploymentWhatIfResult ... | ConvertTo-Json -Depth 100`` (PowerShell 7):
  ``{"Status", "Error", "Changes": [{"FullyQualifiedResourceId", "ChangeType", "Before", "After", ...}]}``,
  where ``ChangeType`` is a number unless ``-EnumsAsStrings`` was given (the SDK's order below);
* a Terraform plan (``terraform show -json``) of ``azapi_resource``: see :mod:`amaaudit.terraform`.

What each change does to the document:

* Create / Modify / Deploy: ``after`` is put in place (ids compared case-insensitively). A child
  the snapshot keeps inline (a subnet in its VNet's ``properties.subnets``, a security rule in its
  NSG, a route in its route table, a peering in its VNet, an extension in its VM's ``resources``)
  is changed in place in the parent. What what-if never predicts, the runtime state
  (``properties.instanceView``: power, guest agent, extension status), is kept from the snapshot.
* Delete: the document goes, with what Azure deletes with it: every resource under its id (a zone's
  links and records, a VM's extensions, the DCR associations of a machine, a resource group's
  resources) and its inline entry in a parent.
* Unsupported: the resource becomes unknown: its document is dropped and an ``errors`` entry is
  added for it, so every verdict that depends on it is *could not evaluate*, never a guess.
* NoChange / Ignore: nothing.

A file that is not what-if output, or a what-if that did not succeed, is refused in one paragraph.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import arm, jsonfile
from .redact import redact
from .text import clip, printable

CHANGE_TYPES = ("Create", "Delete", "Ignore", "Deploy", "NoChange", "Modify", "Unsupported")   # the SDK's order
APPLIED = ("Create", "Modify", "Deploy", "Delete", "Unsupported")
UNSUPPORTED_CODE = "WhatIfUnsupported"
# Child types a snapshot keeps inline in the parent document (as ARM returns them), and where.
INLINE = {
    "microsoft.network/virtualnetworks/subnets": ("properties", "subnets"),
    "microsoft.network/virtualnetworks/virtualnetworkpeerings": ("properties", "virtualNetworkPeerings"),
    "microsoft.network/networksecuritygroups/securityrules": ("properties", "securityRules"),
    "microsoft.network/routetables/routes": ("properties", "routes"),
    "microsoft.compute/virtualmachines/extensions": ("resources",),
}


class WhatIfError(Exception):
    """The file cannot be used as a planned deployment; the message is one paragraph for the user."""


@dataclass(frozen=True)
class Change:
    resource_id: str
    change_type: str                   # one of CHANGE_TYPES
    after: dict[str, Any] | None = None
    reason: str | None = None          # why what-if (or the plan) cannot predict it

    @property
    def type(self) -> str:
        return arm.parse(self.resource_id).type

    @property
    def name(self) -> str:
        return arm.parse(self.resource_id).name or self.resource_id


@dataclass
class Plan:
    file: str
    shape: str                          # az | rest | powershell | terraform
    status: str
    changes: list[Change]
    notes: list[str] = field(default_factory=list)   # what was read but not applied, in one sentence each


@dataclass
class Effect:
    change: Change
    effect: str                         # what happened to the snapshot, in a few words

    def to_dict(self) -> dict[str, Any]:
        return {"resource_id": self.change.resource_id, "change_type": self.change.change_type,
                "effect": self.effect, **({"reason": self.change.reason} if self.change.reason else {})}


# -- reading --------------------------------------------------------------------------------------
def _get(obj: Any, name: str) -> Any:
    """``obj[name]``, the key compared case-insensitively (az writes camelCase, PowerShell PascalCase)."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    lowered = name.lower()
    return next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == lowered), None)


def _has(obj: Any, name: str) -> bool:
    return isinstance(obj, dict) and any(isinstance(k, str) and k.lower() == name.lower() for k in obj)


def refuse(path: str, what: str) -> WhatIfError:
    return WhatIfError(
        f"Cannot use {printable(path)} as a planned deployment: {what} --what-if takes the JSON that Azure's what-if "
        "returns (az deployment group|sub|mg what-if --no-pretty-print --output json > whatif.json, or "
        "Get-AzResourceGroupDeploymentWhatIfResult ... | ConvertTo-Json -Depth 100 in PowerShell 7) or a "
        "Terraform plan of azapi resources (terraform show -json plan.tfplan). Nothing was checked; give such a "
        "file, or run without --what-if.")


def load(path: str | Path, shown: str | None = None) -> Plan:
    """Read a what-if result or a Terraform plan; raise :class:`WhatIfError` if it is neither."""
    shown = shown or str(path)
    doc = jsonfile.read(path, lambda what: refuse(shown, what),
                        invalid_hint="did the command print its coloured text form instead (add --no-pretty-print)?")
    from . import terraform
    if terraform.is_plan(doc):
        return terraform.plan(doc, shown)
    return from_document(doc, shown)


def _change_type(value: Any, where: str, shown: str) -> str:
    if isinstance(value, bool):
        value = None
    if isinstance(value, int) and 0 <= value < len(CHANGE_TYPES):
        return CHANGE_TYPES[value]                     # PowerShell's ConvertTo-Json writes enums as numbers
    if isinstance(value, str):
        found = next((t for t in CHANGE_TYPES if t.lower() == value.strip().lower()), None)
        if found:
            return found
    raise refuse(shown, f"{where} has changeType {clip(printable(json.dumps(value, ensure_ascii=False)), 60)}, "
                        f"not one of {', '.join(CHANGE_TYPES)}.")


def from_document(doc: Any, shown: str) -> Plan:
    if not isinstance(doc, dict):
        raise refuse(shown, f"the top level is a JSON {type(doc).__name__}, not an object.")
    props = _get(doc, "properties")
    if _has(doc, "changes"):
        changes, shape = _get(doc, "changes"), ("powershell" if "Changes" in doc else "az")
    elif _has(props, "changes"):
        changes, shape = _get(props, "changes"), "rest"
    else:
        raise refuse(shown, 'it has no "changes" list, so it is not what-if output.')
    status = _get(doc, "status") or _get(props, "status")
    error = _get(doc, "error") or _get(props, "error")
    if not isinstance(status, str) or status.strip().lower() != "succeeded":
        said = ""
        if isinstance(error, dict):
            code, message = _get(error, "code"), _get(error, "message")
            said = f" ({printable(code or '')}: {clip(printable(message or ''), 400)})"
        raise refuse(shown, f"the what-if did not succeed: its status is "
                            f"{clip(printable(json.dumps(status, ensure_ascii=False)), 40)}{said}; fix the template "
                            "or its parameters and run what-if again.")
    if changes is None:
        changes = []
    if not isinstance(changes, list):
        raise refuse(shown, f'"changes" is a JSON {type(changes).__name__}, not a list.')
    plan = Plan(file=shown, shape=shape, status=status.strip(), changes=[])
    no_id = 0
    for index, raw in enumerate(changes):
        where = f"changes[{index}]"
        if not isinstance(raw, dict):
            raise refuse(shown, f"{where} is a JSON {type(raw).__name__}, not a change.")
        rid = _get(raw, "resourceId") or _get(raw, "fullyQualifiedResourceId")
        kind = _change_type(_get(raw, "changeType"), where, shown)
        if not isinstance(rid, str) or not rid.strip().startswith("/"):
            no_id += 1       # an extensibility resource (Microsoft Graph, Kubernetes): not an ARM resource
            continue
        after = _get(raw, "after")
        if kind in ("Create", "Modify", "Deploy") and not isinstance(after, dict):
            got = "nothing" if after is None else f"a JSON {type(after).__name__}"
            raise refuse(shown, f"{where} ({printable(kind)} {clip(printable(rid), 200)}) holds {got} as the "
                                "resource's state after the deployment, so the estate it leaves cannot be known "
                                "(what-if run with --result-format ResourceIdOnly, or written by Windows PowerShell "
                                "5.1, whose ConvertTo-Json cannot write it: use the default result format, and az "
                                "or PowerShell 7).")
        reason = _get(raw, "unsupportedReason")
        plan.changes.append(Change(rid.strip(), kind, after if isinstance(after, dict) else None,
                                   str(reason) if reason else None))
    if no_id:
        plan.notes.append(f"{no_id} change(s) name no ARM resource id (extensibility resources such as Microsoft "
                          "Graph or Kubernetes objects): amaaudit does not model them, so they were not applied.")
    potential = _get(doc, "potentialChanges") or _get(props, "potentialChanges")
    if isinstance(potential, list) and potential:
        plan.notes.append(f"what-if lists {len(potential)} potential change(s) it is not sure of: they were not "
                          "applied.")
    return plan


# -- applying -------------------------------------------------------------------------------------
def _container(doc: dict[str, Any], path: tuple[str, ...], create: bool) -> list | None:
    """The inline list of a parent document (copied on the way, so the original stays untouched)."""
    node = doc
    for step in path[:-1]:
        child = node.get(step)
        if not isinstance(child, dict):
            if not create:
                return None
            child = {}
        node[step] = child = dict(child)
        node = child
    items = node.get(path[-1])
    if not isinstance(items, list):
        if not create:
            return None
        items = []
    node[path[-1]] = items = list(items)
    return items


def _inline_index(items: list, rid: str) -> int | None:
    k, name = arm.key(rid), arm.parse(rid).name.lower()
    for i, item in enumerate(items):
        if isinstance(item, dict) and (arm.key(item.get("id")) == k if item.get("id")
                                       else str(item.get("name", "")).lower() == name):
            return i
    return None


def _document(change: Change, previous: dict[str, Any] | None) -> dict[str, Any]:
    """``after`` as a snapshot document: redacted, the id and type filled in, the runtime state kept."""
    new = redact(copy.deepcopy(change.after or {}))
    new.pop("apiVersion", None)
    new["id"] = previous.get("id") if previous and previous.get("id") else change.resource_id
    if not isinstance(new.get("type"), str) or "/" not in new["type"]:
        new["type"] = (previous or {}).get("type") or change.type
    new.setdefault("name", change.name)
    old_props = (previous or {}).get("properties")
    if isinstance(old_props, dict) and "instanceView" in old_props:
        props = new.get("properties") if isinstance(new.get("properties"), dict) else {}
        if "instanceView" not in props:
            new["properties"] = {**props, "instanceView": old_props["instanceView"]}
    if previous and isinstance(previous.get("resources"), list) and "resources" not in new:
        new["resources"] = previous["resources"]          # a VM's inline extensions: not what-if's business
    return new


class _Estate:
    """The document being changed: resources by key (in order), their parents' inline lists."""

    def __init__(self, document: dict[str, Any]):
        self.document = dict(document)
        self.docs: dict[str, dict[str, Any]] = {}
        for doc in document.get("resources") or []:
            if isinstance(doc, dict):
                self.docs.setdefault(arm.key(doc.get("id")), doc)
        self.errors = list(document.get("errors") or [])

    def _inline(self, rid: str) -> tuple[str, tuple[str, ...]] | None:
        path = INLINE.get(arm.parse(rid).type.lower())
        parent = arm.key(arm.parent(rid))
        return (parent, path) if path and parent in self.docs else None

    def _edit_parent(self, parent: str, path: tuple[str, ...], rid: str, new: dict[str, Any] | None,
                     add: bool) -> bool:
        holder = dict(self.docs[parent])
        items = _container(holder, path, create=add)
        if items is None:
            return False
        at = _inline_index(items, rid)
        if at is None and not add:
            return False
        if new is None:
            del items[at]
        elif at is None:
            items.append(new)
        else:
            items[at] = new
        self.docs[parent] = holder
        return True

    def inline_entry(self, rid: str) -> dict[str, Any] | None:
        where = self._inline(rid)
        if where is None:
            return None
        items = _container(dict(self.docs[where[0]]), where[1], create=False)
        at = _inline_index(items, rid) if items is not None else None
        return items[at] if at is not None else None

    def put(self, change: Change) -> str:
        k = arm.key(change.resource_id)
        standalone = self.docs.get(k)
        inline = self.inline_entry(change.resource_id)
        new = _document(change, standalone or inline)
        effects = []
        if standalone is not None:
            self.docs[k] = new
            effects.append("replaced")
        where = self._inline(change.resource_id)
        if inline is not None and where:
            self._edit_parent(*where, change.resource_id, new, add=False)
            effects.append("changed in place in " + arm.parse(arm.parent(change.resource_id)).name)
        if effects:
            return "; ".join(effects)
        if where:
            parent, rtype = arm.key(arm.parent(change.resource_id)), change.type.lower()
            if not any(arm.key(arm.parent(d.get("id"))) == parent and str(d.get("type", "")).lower() == rtype
                       for d in self.docs.values()):
                self._edit_parent(*where, change.resource_id, new, add=True)
                return "added in place in " + arm.parse(arm.parent(change.resource_id)).name
        self.docs[k] = new
        return "added"

    def delete(self, change: Change) -> str:
        k = arm.key(change.resource_id)
        prefix = k + "/"
        gone = [key for key in self.docs if key == k or key.startswith(prefix)]
        for key in gone:
            del self.docs[key]
        where = self._inline(change.resource_id)
        inline = bool(where) and self._edit_parent(*where, change.resource_id, None, add=False)
        if not gone and not inline:
            return "not in the snapshot: nothing to remove"
        children = len(gone) - (1 if k in gone else 0)
        said = "removed" + (f" with {children} resource(s) under it" if children else "")
        return said + (" (and from its parent's inline list)" if inline else "")

    def unknown(self, change: Change) -> str:
        k = arm.key(change.resource_id)
        self.docs.pop(k, None)
        where = self._inline(change.resource_id)
        if where:
            self._edit_parent(*where, change.resource_id, None, add=False)
        why = change.reason or "what-if cannot predict this resource"
        self.errors.append({"scope": change.resource_id, "operation": f"{change.type}/read",
                            "status": None, "code": UNSUPPORTED_CODE,
                            "message": f"the planned deployment's effect on it is unknown ({clip(why, 300)})"})
        return "unknown after the deployment: checks that need it cannot evaluate"

    def result(self) -> dict[str, Any]:
        self.document["resources"] = list(self.docs.values())
        self.document["errors"] = self.errors
        return self.document


def apply(document: dict[str, Any], plan: Plan) -> tuple[dict[str, Any], list[Effect]]:
    """The snapshot document as the deployment would leave it (the original is not changed), and what
    each change did to it."""
    estate = _Estate(document)
    effects = []
    for change in plan.changes:
        if change.change_type in ("Create", "Modify", "Deploy"):
            said = estate.put(change)
        elif change.change_type == "Delete":
            said = estate.delete(change)
        elif change.change_type == "Unsupported":
            said = estate.unknown(change)
        else:
            continue                        # NoChange, Ignore
        effects.append(Effect(change, said))
    return estate.result(), effects
