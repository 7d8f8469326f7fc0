"""Loading and validating ``ama-estate/1`` snapshots (the contract: docs/estate-format.md, with
docs/estate.schema.json for the envelope).

A snapshot either loads completely or is refused with one paragraph that names the file and
the first bad entry. Nothing here judges the estate; it checks the envelope, and refuses what
would otherwise load and then crash or mislead later: numbers JSON cannot round-trip, times
outside 1970..9000, lone UTF-16 surrogates, nesting deeper than 64 levels, a ``type`` that
contradicts its own ``id``, read errors that cover no read, sizes no Azure resource has.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import arm, outputs
from .redact import redact
from .text import clip, printable

FORMAT = "ama-estate/1"
CLOUDS = ("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")

# The limits of the contract (docs/estate-format.md, "What is refused, and why").
MAX_DEPTH = 64                  # containers nested in each other, the top-level object being 1
MAX_ID_LENGTH = 4096            # characters of a resource id or an error scope
MAX_NAME_LENGTH = 1024          # characters of a resource name
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)    # times the verdicts use lie in
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)      # [EARLIEST, LATEST)

CONTRACT = "See docs/estate-format.md and docs/estate.schema.json (README: 'Estate snapshots')."

# Documents whose type is what they are while their id lives elsewhere: (type the id names,
# type the document may carry instead), lower case. A uniform scale-set instance is a VM (the
# REST API's example of its GET types it so); its NICs, their IP configurations and public IPs
# are the Network provider's, read under the scale set's id.
TYPE_ALIASES = {
    ("microsoft.compute/virtualmachinescalesets/virtualmachines", "microsoft.compute/virtualmachines"),
    ("microsoft.compute/virtualmachinescalesets/virtualmachines/networkinterfaces",
     "microsoft.network/networkinterfaces"),
    ("microsoft.compute/virtualmachinescalesets/virtualmachines/networkinterfaces/ipconfigurations",
     "microsoft.network/networkinterfaces/ipconfigurations"),
    ("microsoft.compute/virtualmachinescalesets/virtualmachines/networkinterfaces/ipconfigurations/"
     "publicipaddresses", "microsoft.network/publicipaddresses"),
}


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


# -- times ------------------------------------------------------------------------------------------
def same_document(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two documents with the same id (case-insensitively) and the same contents."""
    k = arm.key(a["id"])
    return a is b or {**a, "id": k} == {**b, "id": k}


def queried_workspaces(snap: "Snapshot") -> set[str] | None:
    """customerIds (lower case) whose Heartbeat the snapshot queried; None when it collected no heartbeats.
    A snapshot that does not list them queried every workspace it holds."""
    if snap.heartbeats is None:
        return None
    if snap.heartbeat_workspaces is not None:
        return {str(w).lower() for w in snap.heartbeat_workspaces}
    return {str(d["properties"]["customerId"]).lower() for d in snap.resources
            if d["type"].lower() == "microsoft.operationalinsights/workspaces"
            and isinstance(d.get("properties"), dict) and isinstance(d["properties"].get("customerId"), str)}


def parse_time(value: Any) -> datetime | None:
    """ISO-8601 to an aware UTC datetime; None when it is not a time. Never raises."""
    if not isinstance(value, str) or not value.strip() or len(value) > 100:   # real ones are < 40
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
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        # Year 1 ahead of UTC and year 9999 behind it have no UTC instant: OverflowError.
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def plausible(moment: datetime) -> bool:
    """Whether a time lies where the verdicts' arithmetic (ages, "older than a year") cannot overflow."""
    return EARLIEST <= moment < LATEST


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


# -- loading --------------------------------------------------------------------------------------
def load(path: str | Path, label: str | None = None) -> Snapshot:
    path = Path(path)
    name = _file(str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"Estate file {name} does not exist. Check the path given to --estate, "
                            "or write one with --save-estate during a live run.") from None
    except OSError as exc:
        raise SnapshotError(f"Estate file {name} cannot be read ({exc.strerror}). "
                            "Check the path and its permissions.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SnapshotError(f"Estate file {name} is not UTF-8 text. An ama-estate/1 snapshot is a UTF-8 "
                            f"JSON document; re-export it or re-capture it with --save-estate. {CONTRACT}") from None
    try:
        with gc_paused():
            # The hooks refuse NaN, Infinity and floats that overflow (Python's json takes them,
            # strict JSON and every other reader do not); floats are rare in ARM documents.
            document = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except _OddNumber as exc:
        raise SnapshotError(_number_refusal(name, text, f"the number {exc.token}")) from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"Estate file {name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}). It may be truncated; re-capture it with --save-estate. {CONTRACT}") from None
    except RecursionError:
        raise SnapshotError(f"Estate file {name} nests JSON too deeply to be an ama-estate/1 snapshot "
                            f"(the limit is {MAX_DEPTH} levels). {CONTRACT}") from None
    except ValueError:      # an integer longer than Python's int-string limit
        raise SnapshotError(_number_refusal(
            name, text, f"an integer of more than {sys.get_int_max_str_digits() or 'the allowed'} digits")) from None
    with gc_paused():
        return from_document(document, label or str(path), raw=raw)


def from_document(document: Any, name: str, raw: bytes | None = None) -> Snapshot:
    """Validate a parsed snapshot. ``raw``, the bytes it was parsed from, lets the scans for deep
    nesting and lone surrogates skip what the bytes show cannot be there (the cost of a 10,000-VM
    estate); without it (live discovery, tests) the document itself is walked."""
    def refuse(what: str) -> SnapshotError:
        return SnapshotError(_refusal(_file(name), what))

    flaw = _structure_flaw(document, raw)
    if flaw is not None:
        path, what = flaw
        raise refuse(f"{_entry(path, document)} {what}")
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
    if captured_at is None or not plausible(captured_at):
        raise refuse(f'"captured_at" is {_show(document["captured_at"])}, not a plausible ISO-8601 time such '
                     f'as "2026-11-25T09:00:00Z": {_TIME_RANGE}')
    cloud = document.get("cloud", "AzureCloud")
    if cloud not in CLOUDS:
        raise refuse(f'"cloud" is {_show(cloud)}; expected one of {", ".join(CLOUDS)}.')
    source = document.get("source")
    if source is None:
        source = {}
    elif not isinstance(source, dict):
        raise refuse(f'"source" must be an object (free-form provenance), not a JSON {type(source).__name__}.')

    if "resources" not in document:
        raise refuse('the required key "resources" (the list of ARM documents) is missing.')
    resources = document["resources"]
    if not isinstance(resources, list):
        raise refuse(f'"resources" is a JSON {type(resources).__name__}, not a list.')
    seen: dict[str, int] = {}
    id_patterns: dict[str, re.Pattern[str] | None] = {}
    for index, entry in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(entry, dict):
            raise refuse(f"{where} is a JSON {type(entry).__name__}, not an ARM resource object.")
        rid, rtype = entry.get("id"), entry.get("type")
        if not isinstance(rid, str) or not rid.startswith("/") or not rid.strip("/ "):
            raise refuse(f"{where} has no usable \"id\" (got {_show(rid)}); every resource needs its ARM id.")
        if len(rid) > MAX_ID_LENGTH:
            raise refuse(f'{where} has an "id" of {len(rid):,} characters ({_short(rid)}); no Azure id is longer '
                         f"than {MAX_ID_LENGTH:,}. Fix or drop the entry.")
        where = _Where(index, rid)        # formatted only when a message needs it
        if not isinstance(rtype, str) or "/" not in rtype:
            raise refuse(f'{where} has no usable "type" (got {_show(rtype)}).')
        if not _type_fits_id(rid, rtype, id_patterns):
            raise refuse(f'{where} has "type" {_show(rtype)}, but its id names {_id_kind(rid)}: the document '
                         "contradicts itself. ARM returns the type its id names; fix the type or drop the entry.")
        for key_name in ("properties", "tags", "identity"):
            if entry.get(key_name) is not None and not isinstance(entry[key_name], dict):
                raise refuse(f'{where} has "{key_name}" of JSON type '
                             f"{type(entry[key_name]).__name__}; ARM returns an object there.")
        for key_name in ("name", "location", "kind"):
            if entry.get(key_name) is not None and not isinstance(entry[key_name], str):
                raise refuse(f'{where} has "{key_name}" of JSON type '
                             f"{type(entry[key_name]).__name__}; ARM returns a string there.")
        if len(entry.get("name") or "") > MAX_NAME_LENGTH:
            raise refuse(f'{where} has a "name" of {len(entry["name"]):,} characters; no Azure resource name '
                         f"is longer than {MAX_NAME_LENGTH:,}. Fix or drop the entry.")
        k = arm.key(rid)
        if k in seen and not same_document(resources[seen[k]], entry):
            raise refuse(f"resources[{index}] and resources[{seen[k]}] have the same id {_short(rid)} "
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
            if len(row["resource_id"]) > MAX_ID_LENGTH:
                raise refuse(f'{where} has a "resource_id" of {len(row["resource_id"]):,} characters; no Azure id '
                             f"is longer than {MAX_ID_LENGTH:,}.")
            when = parse_time(row.get("last_heartbeat"))
            if when is None or not plausible(when):
                raise refuse(f'{where} has "last_heartbeat" {_show(row.get("last_heartbeat"))}, not a plausible '
                             f"ISO-8601 time: {_TIME_RANGE}")
            if "computer" in row and not isinstance(row["computer"], str):
                raise refuse(f'{where} has "computer" of JSON type {type(row["computer"]).__name__}; it is the '
                             "Heartbeat table's Computer column, a string (or leave it out).")
    hb_workspaces = document.get("heartbeat_workspaces")
    if hb_workspaces is not None and (not isinstance(hb_workspaces, list)
                                      or not all(isinstance(w, str) for w in hb_workspaces)):
        raise refuse('"heartbeat_workspaces" must be a list of workspace customerId strings.')

    errors = document.get("errors")
    if errors is None:
        errors = []
    elif not isinstance(errors, list):
        raise refuse(f'"errors" must be a list of failed reads, not a JSON {type(errors).__name__}.')
    for index, entry in enumerate(errors):
        where = f"errors[{index}]"
        if not isinstance(entry, dict):
            raise refuse(f"{where} is not an object.")
        scope = entry.get("scope")
        if not isinstance(scope, str) or not scope.strip():
            raise refuse(f'{where} has no "scope" (the resource id or /subscriptions/<guid> that was read).')
        if len(scope) > MAX_ID_LENGTH or not scope_is_well_formed(scope):
            raise refuse(f'{where} has "scope" {_show(scope)}, which is not a subscription or resource id: it '
                         "would cover no read. Expected /subscriptions/<id>, optionally followed by "
                         "/resourceGroups/<name> and /providers/<namespace>/<type>/<name>...")
        if not isinstance(entry.get("operation"), str) or not entry["operation"].strip():
            raise refuse(f'{where} has no "operation" (what was being read).')

    return Snapshot(label=name, captured_at=captured_at, cloud=cloud, source=source,
                    resources=unique, heartbeats=heartbeats, heartbeat_workspaces=hb_workspaces,
                    errors=errors, document=document)


_TIME_RANGE = (f"amaaudit reads times from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} UTC (so that ages computed "
               "from them cannot overflow). Fix the value, or re-capture the snapshot with --save-estate.")


def _refusal(name: str, what: str) -> str:
    return f"Estate file {name} is not a usable ama-estate/1 snapshot: {what} {CONTRACT}"


# -- numbers JSON cannot round-trip ------------------------------------------------------------------
class _OddNumber(Exception):
    """Raised by the decoder's hooks (and kept, on the refusal path, as the value that was there)."""

    def __init__(self, token: str):
        super().__init__(token)
        self.token = token


def _no_constant(token: str) -> Any:
    raise _OddNumber(token)


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _OddNumber(token)
    return value


def _number_refusal(name: str, text: str, what: str) -> str:
    """Refusal of a number: parsed again, keeping odd numbers as markers, to name where it is."""
    def keep(token: str, convert) -> Any:
        try:
            value = convert(token)
        except ValueError:
            return _OddNumber(token)
        return value if not isinstance(value, float) or math.isfinite(value) else _OddNumber(token)

    where = "the file"
    try:
        with gc_paused():
            marked = json.loads(text, parse_constant=_OddNumber, parse_int=lambda t: keep(t, int),
                                parse_float=lambda t: keep(t, float))
        flaw = _first_flaw(marked, odd_numbers=True)
    except (ValueError, RecursionError):       # also broken further on: name the number only
        flaw = None
    if flaw is not None:
        where = _entry(flaw[0], marked)
        if not flaw[1].startswith("holds the number"):      # something else comes first
            return _refusal(name, f"{where} {flaw[1]}")
        what = flaw[1].removeprefix("holds ")
    return _refusal(name, f"{where} holds {what}, which JSON cannot carry (NaN and the infinities are not JSON; "
                          "no Azure API returns a number that large). Fix the tool that wrote the file, or "
                          "re-capture the snapshot with --save-estate.")


# -- structure: nesting depth and lone surrogates ----------------------------------------------------
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")       # how one gets into a UTF-8 file
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_STRING = re.compile(rb'"[^"]*"')


def _structure_flaw(document: Any, raw: bytes | None) -> tuple[tuple, str] | None:
    """The first entry nested deeper than MAX_DEPTH or holding a lone surrogate, and what is wrong.

    Lone surrogates can only come from a ``\\udXXX`` escape, so a file without one is not walked
    for them. Depth is bounded from the bytes (:func:`_depth_within_limit`); only a file the bound
    cannot clear is walked.
    """
    if raw is None:
        return _first_flaw(document, text=True, odd_numbers=True) if _suspect(document) else None
    text = _SURROGATE_ESCAPE.search(raw) is not None
    if text or not _depth_within_limit(raw):
        return _first_flaw(document, text=text)
    return None


def _suspect(document: Any) -> bool:
    """Whether a document with no bytes behind it may hold a flaw: one walk without paths."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            if any(isinstance(k, str) and not k.isascii() and _SURROGATE.search(k) for k in node):
                return True
            node = node.values()
        for value in node:
            if isinstance(value, (dict, list)):
                stack.append((value, depth + 1))
            elif isinstance(value, str):
                if not value.isascii() and _SURROGATE.search(value):
                    return True
            elif isinstance(value, float) and not math.isfinite(value):
                return True
    return False


def _depth_within_limit(raw: bytes) -> bool:
    """True when the (valid) JSON text ``raw`` surely nests at most MAX_DEPTH levels.

    Works on bytes, at C speed (a quarter of the cost of walking the parsed document): drop the escapes
    that could hide a quote (``\\\\`` first, then ``\\"``, left to right as a parser reads
    them), keep only quotes and brackets, drop the strings (``""`` pairs: two adjacent quotes
    with nothing structural between them, whether they open and close one string or close one
    and open the next; then any string that held a bracket), and peel the innermost ``{}`` and
    ``[]`` pairs, level by level. A round peels at least one level and at most two (``[{}]`` can
    go in one), so a text empty after MAX_DEPTH / 2 rounds nests at most MAX_DEPTH levels.
    """
    data = raw
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    data = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in data:
        data = _STRING.sub(b"", data)
    for _ in range(MAX_DEPTH // 2):
        if not data:
            return True
        data = data.replace(b"{}", b"").replace(b"[]", b"")
    return not data


def _first_flaw(document: Any, *, text: bool = False, odd_numbers: bool = False) -> tuple[tuple, str] | None:
    """The first flaw in document order, with its path: a container deeper than MAX_DEPTH, and
    with ``text`` a lone surrogate in a key or string, with ``odd_numbers`` a number JSON cannot
    carry. Iterative: it must not itself hit the recursion limit it protects the rest from."""
    stack: list[tuple[Any, tuple, int, bool]] = [(document, (), 1, False)]    # value, path, depth, is-a-key
    while stack:
        value, path, depth, is_key = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return path, f"nests more than {MAX_DEPTH} levels deep (ARM documents nest about 15)."
            children: list[tuple[Any, tuple, int, bool]] = []
            if isinstance(value, dict):
                for key, item in value.items():
                    if text:
                        children.append((key, path + (key,), depth, True))
                    children.append((item, path + (key,), depth + 1, False))
            else:
                children = [(item, path + (i,), depth + 1, False) for i, item in enumerate(value)]
            stack.extend(reversed(children))
        elif text and isinstance(value, str) and _SURROGATE.search(value):
            found = _SURROGATE.search(value).group()
            what = "is a key holding" if is_key else "holds"
            return path, (f"{what} a lone UTF-16 surrogate (\\u{ord(found):04x}), which is not text: no Azure API "
                          "returns one, and no report could be written with it. Fix the tool that wrote the file, "
                          "or re-capture the snapshot with --save-estate.")
        elif odd_numbers and (isinstance(value, _OddNumber)
                              or (isinstance(value, float) and not math.isfinite(value))):
            token = value.token if isinstance(value, _OddNumber) else str(value)
            shown = token if len(token) <= 30 else f"{token[:12]}... ({len(token):,} digits)"
            return path, f"holds the number {shown}"
    return None


# -- ids and types -------------------------------------------------------------------------------------
def _type_fits_id(rid: str, rtype: str, patterns: dict[str, re.Pattern[str] | None]) -> bool:
    """Whether ``rtype`` is the type ``rid`` names (``arm.parse(rid).type``, compared in lower case).

    Ordinary ids are matched by one compiled pattern per type, a fraction of the cost of parsing
    each id; anything else is parsed. The pattern only matches ids that ``arm.parse`` reads the
    same way (tests/test_snapshot.py holds the two against each other).
    """
    key = rtype.lower()
    if key not in patterns:
        patterns[key] = _id_pattern(key) if len(patterns) < 256 else None
    pattern = patterns[key]
    # ASCII only: lowering the whole id then equals lowering each of its segments.
    if pattern is not None and rid.isascii() and pattern.fullmatch(rid.lower()):
        return True
    named = arm.parse(rid).type.lower()
    if not named:       # a subscription or resource group document
        return key.startswith("microsoft.resources/")
    return named == key or (named, key) in TYPE_ALIASES


_SEGMENT = r"/[^/]+"


def _id_pattern(rtype: str) -> re.Pattern[str] | None:
    """The lower-cased ids of (lower-cased) type ``rtype`` in their usual shape:
    ``/subscriptions/<s>[/resourcegroups/<g>]``, possibly a parent resource (an extension
    resource's), then ``/providers/<namespace>`` and a ``/<type>/<name>`` pair per type segment.
    The parent is tried last (``??``): most ids have none, and trying it first doubles the cost."""
    namespace, *types = rtype.split("/")
    if len(rtype) > 300 or not namespace or not types or any(not t or t == "providers" for t in types):
        return None
    pair = r"(?:/(?!providers/)[^/]+/[^/]+)"          # a type segment that does not start a new block
    own = "/providers/" + re.escape(namespace) + "".join(f"/{re.escape(t)}{_SEGMENT}" for t in types)
    return re.compile(rf"/subscriptions{_SEGMENT}(?:/resourcegroups{_SEGMENT})?"
                      rf"(?:/providers{_SEGMENT}{pair}+)??{own}")


def _id_kind(rid: str) -> str:
    named = arm.parse(rid).type
    return f"a {_show(named)}" if named else "a subscription or resource group (a Microsoft.Resources type)"


def scope_is_well_formed(scope: str) -> bool:
    """``/subscriptions/<id>``, then optionally ``/resourceGroups/<name>``, then provider blocks
    (``/providers/<namespace>`` and ``/<type>/<name>`` pairs, the last type possibly without a
    name: a list that failed). One trailing slash is tolerated, as ids compare without it."""
    parts = (scope[:-1] if scope.endswith("/") else scope).split("/")
    if len(parts) < 3 or parts[0] != "" or parts[1].lower() != "subscriptions":
        return False
    if any(not p.strip() for p in parts[2:]):
        return False
    i = 3
    if i < len(parts) and parts[i].lower() == "resourcegroups":
        if i + 1 >= len(parts):
            return False
        i += 2
    while i < len(parts):
        if parts[i].lower() != "providers" or i + 2 >= len(parts):
            return False        # a block is "providers", a namespace and at least one type
        i += 2
        while i < len(parts) and parts[i].lower() != "providers":
            i += 2              # type and name (a trailing type alone is a list)
    return True


# -- what messages show ------------------------------------------------------------------------------
def _file(name: str) -> str:
    return clip(printable(name), 300)


def _show(value: Any) -> str:
    if isinstance(value, str) and len(value) > 200:
        value = value[:200]
    text = printable(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 60 else text[:57] + "..."


class _Where:
    """``resources[i] (<id>)``, formatted only if a refusal shows it (ids need escaping, and a
    10,000-VM estate has 40,000 of them)."""
    __slots__ = ("index", "rid")

    def __init__(self, index: int, rid: str):
        self.index, self.rid = index, rid

    def __str__(self) -> str:
        return f"resources[{self.index}] ({_short(self.rid)})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _short(resource_id: str) -> str:
    resource_id = printable(resource_id[:400])
    return resource_id if len(resource_id) <= 160 else resource_id[:157] + "..."


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$@-]{1,40}")


def _entry(path: tuple, document: Any) -> str:
    """Where a flaw is: ``resources[12] (/subscriptions/.../vm03).tags.owner``, at most ~400 characters."""
    if not path:
        return "the top level"
    head, rest = "", list(path)
    if len(path) >= 2 and path[0] == "resources" and isinstance(path[1], int):
        head = f"resources[{path[1]}]"
        entry = document["resources"][path[1]] if isinstance(document, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and path[2:3] != ("id",):
            head += f" ({_short(entry['id'])})"
        rest = rest[2:]
    steps = []
    for step in rest:
        if isinstance(step, int):
            steps.append(f"[{step}]")
        elif _PLAIN_KEY.fullmatch(step):
            steps.append(f".{step}")
        else:
            key = step if len(step) <= 40 else step[:40] + "..."
            steps.append(f"[{json.dumps(key)}]")      # ASCII: control characters and surrogates escaped
    if len(steps) > 12:
        steps = steps[:6] + [f"...({len(steps) - 10} more levels)..."] + steps[-4:]
    text = "".join(steps)
    if not head:
        text = text.lstrip(".")
    return head + text


# -- writing ----------------------------------------------------------------------------------------
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
    leaves the previous file or the new one, never a truncated snapshot. Redacted, sorted, strict
    JSON (no NaN or infinities: what load refuses is never written). Through a symlink to its file;
    never over anything but a regular file. A new snapshot is 0600 (it names machines, ids and the
    principal that read them); a replaced one keeps its mode."""
    data = canonical(doc)

    def encode(fh) -> None:
        for chunk in json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False).iterencode(data):
            fh.write(chunk)
        fh.write("\n")

    outputs.write_atomically(path, encode, new_mode=0o600)
