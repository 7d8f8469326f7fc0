"""Waivers: accepted, time-boxed exceptions to a check, read from ``--waivers waivers.yaml``.

A waiver names a step (or a test), selects VMs (name or glob, resource id, or tag) and says
why, who owns it, which ticket tracks it and when it expires. A failure (or warning) it
covers is reported as **waived**: counted apart and shown with its justification, never
hidden. A waiver never applies to a result that could not be evaluated (an error): it
accepts a known finding, not an unknown state. The schema is in docs/waivers.md.

Expiry is judged against the snapshot's ``captured_at`` (like every time-based verdict), so
replaying a snapshot gives the same report; a live run's ``captured_at`` is the run itself.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .steps import BY_NAME
from .text import clip, printable

WAIVABLE = ("fail", "warn")
_FIELDS = {"id", "step", "test", "vm", "resource_id", "tag", "justification", "owner", "ticket", "expires"}
_REQUIRED_TEXT = ("justification", "owner", "ticket")


class WaiverError(ValueError):
    """The waiver file cannot be used; the message names the file, the entry and the problem."""


@dataclass
class Waiver:
    id: str
    justification: str
    owner: str
    ticket: str
    expires: dt.date
    step: str | None = None
    test: str | None = None
    vm: str | None = None            # name or glob, case-insensitive (Azure names are)
    resource_id: str | None = None   # ARM id or glob, case-insensitive
    tag: tuple[str, str] | None = None  # key (case-insensitive, as ARM) = value (exact or glob)
    applied: int = field(default=0, compare=False)   # results it waived (controller's tally)
    expired_hits: int = field(default=0, compare=False)  # results it would have waived

    def selects(self, vm, step: str, test: str) -> bool:
        if self.step and self.step != step:
            return False
        if self.test and not fnmatch.fnmatchcase(test, self.test):
            return False
        if self.vm and not fnmatch.fnmatchcase(vm.name.lower(), self.vm.lower()):
            return False
        if self.resource_id and not fnmatch.fnmatchcase(vm.id.lower(), self.resource_id.lower()):
            return False
        if self.tag:
            key, wanted = self.tag
            values = [str(v) for k, v in (vm.tags or {}).items() if str(k).lower() == key.lower()]
            if not any(fnmatch.fnmatchcase(v, wanted) for v in values):
                return False
        return True

    def expired(self, on: dt.date) -> bool:
        return on > self.expires      # valid through the whole expiry day

    def label(self) -> str:
        return f"waived: {self.justification} ({self.owner}, {self.ticket})"

    def to_dict(self) -> dict[str, Any]:
        selector: dict[str, Any] = {}
        for name in ("step", "test", "vm", "resource_id"):
            if getattr(self, name):
                selector[name] = getattr(self, name)
        if self.tag:
            selector["tag"] = f"{self.tag[0]}={self.tag[1]}"
        return {"id": self.id, **selector, "justification": self.justification, "owner": self.owner,
                "ticket": self.ticket, "expires": self.expires.isoformat()}


@dataclass
class WaiverBook:
    path: str
    waivers: list[Waiver]
    today: dt.date                   # the day results are judged at (captured_at)

    def match(self, vm, step: str, test: str) -> tuple[Waiver | None, list[Waiver]]:
        """(the first valid waiver that selects this result, the expired ones that would have)."""
        valid, expired = None, []
        for waiver in self.waivers:
            if waiver.selects(vm, step, test):
                if waiver.expired(self.today):
                    expired.append(waiver)
                elif valid is None:
                    valid = waiver
        return valid, expired

    def by_id(self) -> dict[str, Waiver]:
        return {w.id: w for w in self.waivers}


def _problem(path: str, where: str, what: str) -> WaiverError:
    return WaiverError(printable(f"Invalid waiver file {path}: {where}: {what}. Nothing was checked; fix the file "
                                 "(schema: docs/waivers.md) or run without --waivers."))


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 100


def _shown(value: Any) -> str:
    """A value from the file, for a message: its repr, bounded before it is even made."""
    return clip(_REPR.repr(value), 200)


@functools.cache
def _strict_loader(yaml):
    """PyYAML's SafeLoader, refusing what a waiver file never needs and what makes it lie or hang.
    Built from the ``yaml`` module the caller catches errors of (one per module object: a test
    harness that re-imports PyYAML gets classes of the same module it catches).

    Duplicate keys: YAML says a mapping's keys are unique, PyYAML keeps the last one silently (a
    second ``expires`` would quietly extend a waiver). Anchors and aliases: a few lines of nested
    aliases ("billion laughs") expand to more nodes than memory holds, and would take minutes
    first; refusing the first anchor costs nothing.
    """
    ConstructorError = yaml.constructor.ConstructorError

    class Refused(yaml.YAMLError):
        def __init__(self, problem: str, mark):
            super().__init__(problem)
            self.problem, self.problem_mark = problem, mark

    class StrictLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                raise Refused(f"{'alias' if sign == '*' else 'anchor'} {sign}{clip(str(event.anchor), 40)}: anchors "
                              "and aliases are not allowed in a waiver file; write each value out", event.start_mark)
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                first: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        seen = first.get(key)
                    except TypeError:            # unhashable: PyYAML's own error says so
                        raise ConstructorError(None, None, "found an unhashable key", key_node.start_mark) from None
                    if seen is not None:
                        raise Refused(f"duplicate key {_shown(key)} (first at line {seen + 1}); each key may be given "
                                      "once", key_node.start_mark)
                    first[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

    return StrictLoader, Refused


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _entry(path: str, index: int, raw: Any) -> Waiver:
    where = f"entry {index + 1}"
    if not isinstance(raw, dict):
        raise _problem(path, where, f"expected a mapping of fields, got {type(raw).__name__} {_shown(raw)}")
    if raw.get("id") is not None:
        where += f" (id {_shown(raw['id'])})"
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise _problem(path, where, f"unknown field(s) {clip(', '.join(unknown), 200)}; allowed: {', '.join(sorted(_FIELDS))}")
    for name, value in raw.items():
        if name != "expires" and value is not None and not isinstance(value, str):
            raise _problem(path, where, f"{name} must be text, got {_shown(value)}")
    for name in _REQUIRED_TEXT:
        if not str(raw.get(name) or "").strip():
            raise _problem(path, where, f"{name} is required (a waiver must say why, who owns it and where it "
                                        "is tracked)")
    if not raw.get("step") and not raw.get("test"):
        raise _problem(path, where, f"give the step ({', '.join(BY_NAME)}) or the test name it waives")
    if raw.get("step") and raw["step"] not in BY_NAME:
        raise _problem(path, where, f"unknown step {_shown(raw['step'])}; steps: {', '.join(BY_NAME)}")
    if not any(raw.get(k) for k in ("vm", "resource_id", "tag")):
        raise _problem(path, where, "select the VMs it covers with vm (name or glob, e.g. web-*), resource_id "
                                    "or tag (key=value); use vm: '*' to mean every VM, explicitly")
    tag = None
    if raw.get("tag"):
        key, sep, value = raw["tag"].partition("=")
        if not sep or not key.strip():
            raise _problem(path, where, f"tag must be key=value, got {_shown(raw['tag'])}")
        tag = (key.strip(), value.strip())
    if raw.get("resource_id") and not raw["resource_id"].lower().startswith("/subscriptions/"):
        raise _problem(path, where, f"resource_id must be an ARM id (/subscriptions/...), got {_shown(raw['resource_id'])}")
    if "expires" not in raw or raw["expires"] in (None, ""):
        raise _problem(path, where, "expires is required (YYYY-MM-DD): every waiver is time-boxed")
    expires = _date(raw["expires"])
    if expires is None:
        raise _problem(path, where, f"expires must be a date YYYY-MM-DD, got {_shown(raw['expires'])}")
    return Waiver(id=str(raw.get("id") or f"#{index + 1}"), justification=raw["justification"].strip(),
                  owner=raw["owner"].strip(), ticket=raw["ticket"].strip(), expires=expires,
                  step=raw.get("step") or None, test=raw.get("test") or None, vm=raw.get("vm") or None,
                  resource_id=raw.get("resource_id") or None, tag=tag)


def load(path: str | Path, today: dt.date) -> WaiverBook:
    """Read and validate a waiver file; raise :class:`WaiverError` naming the first problem."""
    path = str(path)
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is a dependency; say so plainly if it is missing
        raise WaiverError(f"Cannot read waiver file {path}: PyYAML is not installed (pip install pyyaml).") from None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise WaiverError(f"Cannot read waiver file {path}: {exc.strerror or exc}.") from None
    loader, refused = _strict_loader(yaml)
    try:
        doc = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader, stricter
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = clip(str(getattr(exc, "problem", None) or exc), 300)
        raise _problem(path, at, problem if isinstance(exc, refused) else f"not valid YAML ({problem})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("waivers"), list):
        raise _problem(path, "top level", "expected a mapping with a list under 'waivers:'")
    extra = sorted(str(k) for k in doc if k != "waivers")
    if extra:
        raise _problem(path, "top level", f"unknown key(s) {clip(', '.join(extra), 200)}; only 'waivers' is allowed")
    waivers = [_entry(path, i, raw) for i, raw in enumerate(doc["waivers"])]
    seen: set[str] = set()
    for waiver in waivers:
        if waiver.id in seen:
            raise _problem(path, f"id {_shown(waiver.id)}", "used by two entries; ids must be unique")
        seen.add(waiver.id)
    return WaiverBook(path, waivers, today)


def apply(book: WaiverBook, vm, rep, record: dict[str, Any]) -> None:
    """Mark a failed or warned result as waived (xfail), or note that its waiver expired.

    Runs where the result is made (on an xdist worker, too), after amaaudit classified it,
    so that pytest's own bookkeeping (exit code, JUnit, pytest-html) sees an xfail.
    """
    outcome = record.get("outcome")
    waiver, expired = book.match(vm, record["step"], record.get("test", ""))
    if outcome == "error":
        if waiver is not None:
            record["waiver"] = {**waiver.to_dict(), "status": "not applied: could not evaluate"}
        return
    if outcome not in WAIVABLE:
        return
    if waiver is None:
        if expired:
            record["waiver"] = {**expired[0].to_dict(), "status": "expired"}
        return
    record["waiver"] = {**waiver.to_dict(), "status": "applied", "waived_outcome": outcome}
    record["outcome"] = "waived"
    if rep.failed:                    # a warning only fails with --fail-on-warning
        rep.outcome = "skipped"
        rep.wasxfail = waiver.label()
