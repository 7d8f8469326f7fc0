"""Which planned change breaks which machine at which step ("deleting virtualNetworkLink link-vnet-spoke of
privatelink.monitor.azure.com breaks DNS for vm25").

A new result of a ``--what-if`` run is attributed to the changes whose resource id is, is a parent
of, or is a child of an id the result cites: its findings' resources, the ids in their evidence, the
read that failed, and last the machine itself. The most specific match wins: a change of a cited
resource or of something under it before a change of something it sits in (a resource group, the
machine), so that a tag on the resource group is not blamed for a deleted DNS link. A result that
cites no changed resource says so ("no single change is cited"). Pure: records and changes in,
sentences out.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any, Iterable

from .. import arm
from ..steps import BY_NAME, ORDER
from ..text import Text
from .results import primary

VERBS = {"Create": Text("creating", "作成"), "Delete": Text("deleting", "削除"), "Modify": Text("modifying", "変更"),
         "Deploy": Text("redeploying", "再デプロイ"), "Unsupported": Text("the unpredictable change to", "予測できない変更")}
SHORT = {"os": "OS", "power": "power state", "agent": "the agent", "network": "network egress", "ampls": "AMPLS",
         "dns": "DNS", "dcr": "data collection", "identity": "the managed identity", "heartbeat": "Heartbeat"}
_LIMIT = 200            # ids taken from one result's evidence


def _ids(value: Any, out: list[str]) -> None:
    if len(out) >= _LIMIT:
        return
    if isinstance(value, str):
        if value.lower().startswith("/subscriptions/"):
            out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _ids(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _ids(v, out)


def cited(record: dict[str, Any]) -> list[str]:
    """The ids a result rests on, the machine's last."""
    out: list[str] = []
    for finding in record.get("findings") or []:
        _ids(finding.get("resource_id"), out)
        _ids(finding.get("evidence"), out)
    _ids((record.get("unread") or {}).get("scope"), out)
    _ids(record.get("evidence"), out)
    machine = arm.key(record.get("resource_id"))
    return [i for i in dict.fromkeys(arm.key(i) for i in out) if i and i != machine]


class Index:
    """The changes by id, so that attributing tens of thousands of new results stays cheap: what is at or
    under an id is a range of the sorted keys, what an id sits in is found by walking up its parents."""

    def __init__(self, changes: list[tuple[str, Any]]):
        self.by_key: dict[str, list[Any]] = {}
        for key, change in changes:
            self.by_key.setdefault(key, []).append(change)
        self.keys = sorted(self.by_key)
        self.order = {id(c): i for i, (_, c) in enumerate(changes)}

    def inside(self, cited_id: str) -> list[str]:
        """Keys equal to ``cited_id`` or under it."""
        start = bisect.bisect_left(self.keys, cited_id)
        out = []
        for key in self.keys[start:]:
            if key != cited_id and not key.startswith(cited_id + "/"):
                if not key.startswith(cited_id):
                    break
                continue                      # a sibling that shares the prefix ("vm1" and "vm10")
            out.append(key)
        return out

    def around(self, cited_id: str) -> list[str]:
        """Keys ``cited_id`` sits under."""
        out, scope = [], cited_id.rpartition("/")[0]
        while scope:
            if scope in self.by_key:
                out.append(scope)
            scope = scope.rpartition("/")[0]
        return out


def causes(record: dict[str, Any], index: Index) -> list[Any]:
    """The changes of ``index`` a new result is attributed to."""
    ids = cited(record)
    machine = arm.key(record.get("resource_id"))
    for scope, look in ((ids, index.inside), ([machine], index.inside), (ids, index.around), ([machine], index.around)):
        keys = {key for cited_id in scope for key in look(cited_id)}
        if keys:
            # The most specific: deleting a zone's link, not tagging the zone, explains a missing link.
            deepest = max(key.count("/") for key in keys)
            found = [c for key in keys if key.count("/") == deepest for c in index.by_key[key]]
            return sorted(found, key=lambda c: index.order.get(id(c), 0))
    return []


def describe(change: Any) -> Text:
    """``deleting virtualNetworkLink link-vnet-spoke of privatelink.monitor.azure.com``."""
    parsed = arm.parse(change.resource_id)
    kind = (parsed.types[-1] if parsed.types else "resource")
    kind = kind[:-1] if kind.endswith("s") and not kind.endswith("ss") else kind
    parent = arm.parse(arm.parent(change.resource_id)).name if len(parsed.names) > 1 else ""
    verb = VERBS.get(change.change_type, Text(change.change_type.lower(), change.change_type))
    of = f" of {parent}" if parent else ""
    return Text(f"{verb.en} {kind} {parsed.name or change.resource_id}{of}",
                f"{parent + ' の ' if parent else ''}{kind} {parsed.name or change.resource_id} の{verb.ja}")


def attribute(records: Iterable[dict[str, Any]], effects: list[Any]) -> tuple[list[dict[str, Any]], int]:
    """(per applied change: what it breaks and a sentence saying so; the number of new results that cite no
    change). ``effects``: :class:`amaaudit.whatif.Effect` in the plan's order."""
    changes = Index([(arm.key(e.change.resource_id), e) for e in effects])
    breaks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    unattributed = 0
    for record in records:
        if record.get("baseline") != "new":
            continue
        found = causes(record, changes)
        if not found:
            unattributed += 1
        code = (primary(record) or {}).get("code")
        for effect in found:
            breaks[id(effect)].append({"vm": record.get("vm"), "resource_id": record.get("resource_id"),
                                       "step": record.get("step"), "outcome": record.get("outcome"), "code": code})
    out = []
    for effect in effects:
        hit = breaks.get(id(effect), [])
        entry = {**effect.to_dict(), "breaks": hit}
        if hit:
            entry["says"] = sentence(effect.change, hit).to_dict()
        out.append(entry)
    return out, unattributed


def sentence(change: Any, hit: list[dict[str, Any]]) -> Text:
    """``deleting ... breaks DNS for vm25, vm30``; a result that can no longer be evaluated is said so."""
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for item in hit:
        key = (item["step"], item.get("outcome") == "error")
        if item["vm"] not in groups[key]:
            groups[key].append(str(item["vm"]))
    order = sorted(groups, key=lambda k: (ORDER.get(k[0], 99), k[1]))
    en, ja = [], []
    for step, unknown in order:
        names = _names(groups[(step, unknown)])
        title = BY_NAME[step].title.ja if step in BY_NAME else step
        if unknown:
            en.append(f"leaves {SHORT.get(step, step)} unevaluable for {names}")
            ja.append(f"{names} の{title}が判定不能になります")
        else:
            en.append(f"breaks {SHORT.get(step, step)} for {names}")
            ja.append(f"{names} の{title}が失敗します")
    what = describe(change)
    return Text(f"{what.en} " + "; ".join(en), f"{what.ja}により、" + "。".join(ja))


def _names(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")
