"""A Terraform plan as a planned deployment: ``terraform show -json plan.tfplan`` of ``azapi_resource``.

An ``azapi_resource`` carries the ARM body it will PUT (its ``type``, ``parent_id``, ``name``,
``location``, ``tags``, ``identity`` and ``body``), so its planned state is an ARM document and can be
applied to a snapshot exactly like a what-if change (:mod:`amaaudit.whatif`):

* actions ``create`` -> Create, ``update`` -> Modify, ``delete`` -> Delete, a replacement
  (``delete`` + ``create``) -> Modify (the new body in place), ``no-op`` / ``read`` -> NoChange;
* a body that Terraform only knows after apply (``after_unknown``: a value computed from another
  resource that does not exist yet) -> Unsupported: the resource becomes unknown, never guessed;
* a resource of another provider (azurerm, ``azapi_update_resource``, ...) whose ARM id the plan
  knows -> Unsupported (its ARM state after apply is not in the plan); others are listed as not
  modelled, in one warning paragraph.
"""

from __future__ import annotations

import json
from typing import Any

from .text import printable
from .whatif import Change, Plan, refuse

ACTIONS = {("create",): "Create", ("update",): "Modify", ("delete",): "Delete",
           ("delete", "create"): "Modify", ("create", "delete"): "Modify",
           ("no-op",): "NoChange", ("read",): "NoChange"}
# Attributes azapi computes at apply time; their being unknown says nothing about the ARM body.
COMPUTED = {"id", "output", "principal_id", "tenant_id", "timeouts"}


def is_plan(doc: Any) -> bool:
    return isinstance(doc, dict) and "format_version" in doc and (
        "resource_changes" in doc or "planned_values" in doc or "terraform_version" in doc)


def _unknown_paths(value: Any, path: tuple[str, ...] = ()) -> list[str]:
    """The attributes ``after_unknown`` marks as known only after apply, the computed ones left out."""
    if value is True:
        return [".".join(path)] if not set(path) & COMPUTED else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_paths(v, (*path, str(k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_paths(v, (*path, str(i)))]
    return []


def arm_id(values: dict[str, Any]) -> str | None:
    """The ARM id of an azapi_resource: known, or built from its parent, type and name."""
    known = values.get("id")
    if isinstance(known, str) and known.startswith("/"):
        return known
    rtype, parent, name = str(values.get("type") or "").split("@")[0], values.get("parent_id"), values.get("name")
    if not (isinstance(parent, str) and parent.startswith("/") and isinstance(name, str) and rtype.count("/") >= 1):
        return None
    segments = rtype.split("/")
    if len(segments) == 2:                   # a top-level or extension resource under its scope
        return f"{parent.rstrip('/')}/providers/{rtype}/{name}"
    return f"{parent.rstrip('/')}/{segments[-1]}/{name}"


def _identity(value: Any) -> dict[str, Any] | None:
    block = value[0] if isinstance(value, list) and value else value
    if not isinstance(block, dict) or not block.get("type"):
        return None
    out: dict[str, Any] = {"type": block["type"]}
    ids = block.get("identity_ids") or []
    if ids:
        out["userAssignedIdentities"] = {str(i): {} for i in ids}
    return out


def document(values: dict[str, Any], rid: str) -> dict[str, Any]:
    """The ARM document an azapi_resource's planned values describe."""
    body = values.get("body")
    if isinstance(body, str):                # azapi 1.x: the body is a JSON string
        try:
            body = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError:
            body = None
    doc: dict[str, Any] = dict(body) if isinstance(body, dict) else {}
    doc.update({"id": rid, "name": values.get("name"), "type": str(values.get("type") or "").split("@")[0]})
    if values.get("location"):
        doc["location"] = values["location"]
    if isinstance(values.get("tags"), dict):
        doc["tags"] = values["tags"]
    identity = _identity(values.get("identity"))
    if identity:
        doc["identity"] = identity
    return doc


def plan(doc: dict[str, Any], shown: str) -> Plan:
    changes_in = doc.get("resource_changes")
    if changes_in is None:
        changes_in = []
    if not isinstance(changes_in, list):
        raise refuse(shown, '"resource_changes" of the Terraform plan is not a list.')
    out = Plan(file=shown, shape="terraform", status="planned", changes=[])
    not_modelled: list[str] = []
    for index, entry in enumerate(changes_in):
        if not isinstance(entry, dict) or not isinstance(entry.get("change"), dict):
            raise refuse(shown, f"resource_changes[{index}] is not a Terraform resource change.")
        change = entry["change"]
        actions = tuple(change.get("actions") or ())
        kind = ACTIONS.get(actions)
        address = str(entry.get("address") or f"resource_changes[{index}]")
        if kind is None:
            raise refuse(shown, f"{printable(address)} has the actions {printable(list(actions))}, which Terraform "
                                "does not plan.")
        if kind == "NoChange" or entry.get("mode", "managed") != "managed":
            continue
        before = change.get("before") if isinstance(change.get("before"), dict) else {}
        after = change.get("after") if isinstance(change.get("after"), dict) else {}
        values = after or before
        if entry.get("type") != "azapi_resource":
            rid = next((v.get(k) for v in (before, after) for k in ("id", "resource_id")
                        if isinstance(v.get(k), str) and v[k].startswith("/subscriptions/")), None)
            if rid:
                out.changes.append(Change(rid, "Unsupported", reason=f"{address} is a {entry.get('type')} "
                                          "resource: its ARM state after apply is not in the plan"))
            else:
                not_modelled.append(address)
            continue
        rid = arm_id(values) or arm_id(before)
        if rid is None:
            not_modelled.append(address)
            continue
        if kind == "Delete":
            out.changes.append(Change(rid, "Delete"))
            continue
        unknown = _unknown_paths(change.get("after_unknown"))
        if unknown:
            out.changes.append(Change(rid, "Unsupported", reason=f"{address}: {', '.join(unknown[:5])} known only "
                                                                  "after apply"))
            continue
        out.changes.append(Change(rid, kind, after=document(after, rid)))
    if not_modelled:
        shown_list = ", ".join(printable(a) for a in not_modelled[:20])
        more = f" and {len(not_modelled) - 20} more" if len(not_modelled) > 20 else ""
        out.notes.append(f"{len(not_modelled)} planned change(s) are not modelled (not azapi_resource, and no ARM id "
                         f"known before apply): {shown_list}{more}. If they touch what AMA needs (network, DNS, "
                         "DCRs, the agent), check them with Azure's what-if, or write them as azapi_resource.")
    return out
