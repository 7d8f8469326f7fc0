"""A fake Azure Resource Manager + Resource Graph + Log Analytics, serving one snapshot.

Why a real HTTPS server rather than mocking ``requests``: the point of the discovery tests is
that the *real* SDK clients (their URL building, api-versions, paging, retry and auth
policies) produce the snapshot; only the far end is fake. TLS is real too (a ``trustme`` CA;
clients trust it through ``REQUESTS_CA_BUNDLE``), so the production rule "bearer tokens only
over https" stays on.

What it serves, from an ``ama-estate/1`` document:

* ``GET <id>`` for every resource (case-insensitive ids); VMs, VM extensions and uniform scale-set
  instances get their ``properties.instanceView`` only with ``$expand=instanceView``, as ARM does.
  A VM's GET embeds its extensions' documents in ``resources`` and, with ``$expand=instanceView``,
  lists their statuses in ``properties.instanceView.extensions`` when the served document does not
  (as ARM's instance view does); an Arc machine's GET embeds its extensions in ``resources`` too.
* ``GET <collection>`` for every parent/child list (``.../virtualMachines``, ``.../machines``,
  ``.../virtualMachineScaleSets``, subscription-level lists, a VM's ``.../extensions`` (unpaged,
  like ARM), an Arc machine's ``.../extensions`` (with their instance view, as HybridCompute's list
  answers), a scale set's ``.../virtualMachines`` (instance view with ``$expand=instanceView``),
  ``<machine>/providers/Microsoft.Insights/dataCollectionRuleAssociations``,
  ``.../privateDnsZoneGroups``, ``.../virtualNetworkLinks``, ``.../A``, ``.../scopedResources``)
  paged ``page_size`` at a time with absolute ``nextLink``.
* ``POST /providers/Microsoft.ResourceGraph/resources``: a small KQL subset --
  ``<resources|insightsresources|dnsresources|computeresources> [| where type =~ 'x' | where type
  in~ (...) | where resourceGroup in~ (...)] [| order by id asc]`` -- with ``subscriptions``,
  ``$top`` and ``$skipToken`` paging; rows look like ARG's (lower-case type, extra columns, no
  etag or systemData, VMs with ``properties.extended.instanceView.powerState``). Uniform scale-set
  instances are in ``computeresources`` only, under their own type, whatever type ARM gives them.
* ``POST /v1/workspaces/<customerId>/query`` answering the Heartbeat summarize query from the
  snapshot's ``heartbeats`` (honouring ``ago(Nm|h|d)``, with the columns its ``by`` clause names:
  ``_ResourceId``, ``Category``, ``Computer``).

Writes are answered 405 and logged; so is any POST elsewhere. Every request is logged
(method, target, status) so tests can prove discovery stayed read-only. Faults are injected
per request-target regex (:class:`Fault`), latency globally (a fixed delay, or a range drawn
from per request). With ``limits=`` it enforces Azure's request limits, and :meth:`FakeArm.forbid`
takes read access away (ARM answers 403, Resource Graph leaves the resources out); both are
described in ``limits``. :meth:`FakeArm.unregister` makes a subscription unregistered for a
namespace (409 ``MissingSubscriptionRegistration``, as ARM answers). Binds 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import random
import re
import socket
import ssl
import struct
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import trustme

from .limits import Access, FakeLimits, Throttle, collection_parts, hms, type_of_path

VM_TYPE = "microsoft.compute/virtualmachines"
EXT_TYPE = "microsoft.compute/virtualmachines/extensions"
ARC_TYPE = "microsoft.hybridcompute/machines"
INSTANCE_TYPE = "microsoft.compute/virtualmachinescalesets/virtualmachines"
DCRA_TYPE = "microsoft.insights/datacollectionruleassociations"
ARG_PATH = "/providers/microsoft.resourcegraph/resources"
LA_PATH = re.compile(r"^/v1/workspaces/([^/]+)/query/?$", re.I)


@dataclass
class Fault:
    """One injected misbehaviour. ``path`` is a regex searched (case-insensitively) in the
    request target (path + query); ``body`` likewise in the request body (for POSTs)."""

    path: str
    method: str | None = None
    body: str | None = None
    status: int | None = None
    code: str = "InjectedFault"
    message: str = "fault injected by the fake ARM server"
    retry_after: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    delay: float = 0.0
    malformed: bool = False
    page: int | None = None
    times: int | None = None
    hits: int = 0

    def matches(self, method: str, target: str, body: str, page: int) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method and self.method.upper() != method:
            return False
        if not re.search(self.path, target, re.I):
            return False
        if self.body and not re.search(self.body, body, re.I):
            return False
        if self.page is not None and self.page != page:
            return False
        return True


@dataclass
class Record:
    method: str
    target: str
    status: int
    authorized: bool
    throttled: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _is_collection(path: str) -> bool:
    segs = _segments(path)
    last = max((i for i, s in enumerate(segs) if s.lower() == "providers"), default=-1)
    if last < 0:
        return False
    return (len(segs) - (last + 2)) % 2 == 1


def _subscription(resource_id: str) -> str:
    segs = _segments(resource_id)
    return segs[1].lower() if len(segs) > 1 and segs[0].lower() == "subscriptions" else ""


def _resource_group(resource_id: str) -> str:
    segs = _segments(resource_id)
    return segs[3].lower() if len(segs) > 3 and segs[2].lower() == "resourcegroups" else ""


# Every server of this test process adds its traffic here when it stops; tests/conftest.py
# prints the totals, so "discovery never wrote" is shown for the whole run, not per test.
SESSION = {"servers": 0, "requests": 0, "writes": 0}


class ReadOnlyViolation(AssertionError):
    pass


class FakeArm:
    def __init__(self, estate: dict, *, page_size: int = 100, arg_page_size: int = 1000,
                 latency: float | tuple[float, float] = 0.0, arg_quota_remaining: int = 15,
                 limits: FakeLimits | None = None, seed: int = 0) -> None:
        self.page_size = page_size
        self.arg_page_size = arg_page_size
        self.latency = latency
        self.arg_quota_remaining = arg_quota_remaining
        self.throttle = Throttle(limits) if limits is not None else None
        self.access = Access()
        self.unregistered: set[tuple[str, str]] = set()     # (subscription, namespace), lower-case
        self._rng = random.Random(seed)
        self.faults: list[Fault] = []
        self.log: list[Record] = []
        self._lock = threading.Lock()
        self.load(estate)
        self._ca = trustme.CA()
        self._dir = tempfile.TemporaryDirectory(prefix="fakearm-")
        self.ca_path = str(Path(self._dir.name) / "ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_path)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- estate ----------------------------------------------------------------------------
    def load(self, estate: dict) -> None:
        self.estate = estate
        self.docs: dict[str, dict] = {}
        self.collections: dict[str, list[dict]] = {}
        for doc in estate.get("resources", []):
            rid = doc["id"].rstrip("/")
            self.docs[rid.lower()] = doc
            self.collections.setdefault(rid.rsplit("/", 1)[0].lower(), []).append(doc)
            segs = _segments(rid)
            if (len(segs) == 8 and segs[0].lower() == "subscriptions" and segs[2].lower() == "resourcegroups"
                    and segs[4].lower() == "providers"):
                sub_coll = f"/subscriptions/{segs[1]}/providers/{segs[5]}/{segs[6]}".lower()
                self.collections.setdefault(sub_coll, []).append(doc)
        for docs in self.collections.values():
            docs.sort(key=lambda d: d["id"].lower())

    def vm_document(self, doc: dict, expand: bool) -> dict:
        """A VM as ARM's GET answers it: its extensions embedded in ``resources``, and with the
        instance view, their statuses in it."""
        exts = self.collections.get(doc["id"].rstrip("/").lower() + "/extensions", [])
        if not expand:
            doc = _strip_instance_view(doc)
        if not exts:
            return doc
        doc = {**doc, "resources": [_strip_instance_view(e) for e in exts]}
        props = doc.get("properties")
        view = props.get("instanceView") if isinstance(props, dict) else None
        if expand and isinstance(view, dict) and "extensions" not in view:
            views = [e["properties"]["instanceView"] for e in exts
                     if isinstance(e.get("properties"), dict) and isinstance(e["properties"].get("instanceView"), dict)]
            doc["properties"] = {**props, "instanceView": {**view, "extensions": views}}
        return doc

    def arc_document(self, doc: dict) -> dict:
        """An Arc machine as its GET answers it: the machine's extensions listed under ``resources``."""
        exts = self.collections.get(doc["id"].rstrip("/").lower() + "/extensions", [])
        return {**doc, "resources": exts} if exts else doc

    def latency_now(self) -> float:
        if isinstance(self.latency, tuple):
            with self._lock:
                return self._rng.uniform(*self.latency)
        return self.latency

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"https://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> "FakeArm":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
        fake = self

        class Handler(_Handler):
            server_fake = fake

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop, and fail if anything but a read or a query reached the server while it ran.

        A test that provokes a write on purpose (the stock SDK pipeline's provider
        registration) clears the log afterwards; anything left is a real violation."""
        writes = self.writes()
        SESSION["servers"] += 1
        SESSION["requests"] += len(self.log)
        SESSION["writes"] += len(writes)
        self._shutdown()
        if writes:
            raise ReadOnlyViolation(f"the fake ARM received non-read requests: {writes[:5]}")

    def _shutdown(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self._dir.cleanup()

    def __enter__(self) -> "FakeArm":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- test helpers ----------------------------------------------------------------------
    def enforce(self, limits: FakeLimits | None) -> None:
        """From now on, enforce these request limits (None: none), with fresh buckets."""
        self.throttle = Throttle(limits) if limits is not None else None

    def forbid(self, scope: str, resource_type: str | None = None) -> None:
        """The principal may not read resources of ``resource_type`` (any, if None) at or below
        ``scope``: ARM answers 403, Resource Graph leaves them out."""
        self.access.forbid(scope, resource_type)

    def unregister(self, subscription: str, namespace: str) -> None:
        """The subscription is not registered for ``namespace``: every request for it answers 409
        ``MissingSubscriptionRegistration``, as ARM does."""
        self.unregistered.add((subscription.lower(), namespace.lower()))

    def throttled(self) -> int:
        """429s the limits answered (injected faults not counted)."""
        return sum(1 for r in self.log if r.status == 429 and r.throttled)

    def add_fault(self, path: str, **kwargs: Any) -> Fault:
        fault = Fault(path=path, **kwargs)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()
        self.log.clear()

    def writes(self) -> list[Record]:
        """Requests that would change something (or POSTs that are not ARG/LA queries)."""
        out = []
        for r in self.log:
            if r.method in ("GET", "HEAD"):
                continue
            if r.method == "POST" and (r.path.rstrip("/").lower() == ARG_PATH or LA_PATH.match(r.path)):
                continue
            out.append(r)
        return out

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return len(self.log)
        return sum(1 for r in self.log if _kind(r) == kind)

    def _fault_for(self, method: str, target: str, body: str, page: int) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, target, body, page):
                    fault.hits += 1
                    return fault
        return None


def _kind(r: Record) -> str:
    if r.path.rstrip("/").lower() == ARG_PATH:
        return "resource_graph"
    if LA_PATH.match(r.path):
        return "log_analytics"
    return "arm"


def _strip_instance_view(doc: dict) -> dict:
    if isinstance(doc.get("properties"), dict) and "instanceView" in doc["properties"]:
        doc = {**doc, "properties": {k: v for k, v in doc["properties"].items() if k != "instanceView"}}
    return doc


def _arg_row(doc: dict) -> dict:
    rtype = indexed_type(doc)
    props = copy.deepcopy(doc.get("properties")) if isinstance(doc.get("properties"), dict) else doc.get("properties")
    if rtype in (VM_TYPE, EXT_TYPE) and isinstance(props, dict):
        view = props.pop("instanceView", None)
        if rtype == VM_TYPE:
            power = next((s for s in (view or {}).get("statuses", []) if str(s.get("code", "")).startswith("PowerState/")),
                         None)
            if power:
                props["extended"] = {"instanceView": {"powerState": {"code": power.get("code"),
                                                                     "displayStatus": power.get("displayStatus")}}}
    return {
        "id": doc["id"],
        "name": doc.get("name"),
        "type": rtype,
        "tenantId": "00000000-0000-0000-0000-00000000000t",
        "kind": doc.get("kind", ""),
        "location": doc.get("location", ""),
        "resourceGroup": _resource_group(doc["id"]),
        "subscriptionId": _subscription(doc["id"]),
        "managedBy": doc.get("managedBy", ""),
        "sku": doc.get("sku"),
        "plan": doc.get("plan"),
        "properties": props,
        "tags": doc.get("tags"),
        "identity": doc.get("identity"),
        "zones": doc.get("zones"),
        "extendedLocation": doc.get("extendedLocation"),
    }


class KqlError(ValueError):
    pass


_WHERE_EQ = re.compile(r"^where\s+(type|resourceGroup)\s*=~\s*'([^']*)'$", re.I)
_WHERE_IN = re.compile(r"^where\s+(type|resourceGroup)\s+in~\s*\(([^)]*)\)$", re.I)
_ORDER = re.compile(r"^order\s+by\s+id(\s+(asc|desc))?$", re.I)


NOT_IN_ARG = ("microsoft.insights/privatelinkscopes/scopedresources",
              "microsoft.network/privateendpoints/privatednszonegroups")


def is_instance(doc: dict) -> bool:
    """A uniform scale-set instance, whatever type ARM gives it (it may say virtualMachines)."""
    return indexed_type(doc) == INSTANCE_TYPE


def indexed_type(doc: dict) -> str:
    t = doc["type"].lower()
    if t == VM_TYPE and "/virtualmachinescalesets/" in doc["id"].lower():
        return INSTANCE_TYPE
    return t


def arg_table(doc: dict) -> str | None:
    """The ARG table a document lives in (None: ARG does not have it)."""
    t = indexed_type(doc)
    if t in NOT_IN_ARG:
        return None
    if t == INSTANCE_TYPE:
        return "computeresources"
    if t == DCRA_TYPE:
        return "insightsresources"
    if t.startswith("microsoft.network/privatednszones/") and not t.endswith("/virtualnetworklinks"):
        return "dnsresources"
    return "resources"


def run_kql(query: str, docs: list[dict]) -> list[dict]:
    """The subset of KQL the resource-graph back-end sends (see module docstring)."""
    parts = [p.strip() for p in query.split("|")]
    table = parts[0].lower()
    if table not in ("resources", "insightsresources", "dnsresources", "computeresources"):
        raise KqlError(f"table {parts[0]!r} is not served by the fake")
    rows = [d for d in docs if arg_table(d) == table]
    for clause in parts[1:]:
        m = _WHERE_EQ.match(clause)
        if m:
            field_, value = m.group(1).lower(), m.group(2).lower()
            rows = [d for d in rows if _field(d, field_) == value]
            continue
        m = _WHERE_IN.match(clause)
        if m:
            field_ = m.group(1).lower()
            values = {v.strip().strip("'").lower() for v in m.group(2).split(",") if v.strip()}
            rows = [d for d in rows if _field(d, field_) in values]
            continue
        m = _ORDER.match(clause)
        if m:
            rows.sort(key=lambda d: d["id"], reverse=(m.group(2) or "").lower() == "desc")
            continue
        raise KqlError(f"clause {clause!r} is not supported by the fake")
    return rows


def _field(doc: dict, name: str) -> str:
    return indexed_type(doc) if name == "type" else _resource_group(doc["id"])


def _namespace(path: str) -> str:
    """The resource provider namespace a request is for (after its last ``providers``), lower-case."""
    segs = _segments(path)
    last = max((i for i, s in enumerate(segs) if s.lower() == "providers"), default=-1)
    return segs[last + 1].lower() if 0 <= last < len(segs) - 1 else ""


def _ago(query: str) -> timedelta | None:
    m = re.search(r"ago\((\d+)([mhd])\)", query)
    if not m:
        return None
    n = int(m.group(1))
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[m.group(2)]


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeArm
    protocol_version = "HTTP/1.1"
    _limit_headers: dict[str, str] = {}

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        self.request.settimeout(30)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            pass
        super().setup()

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, OSError, socket.timeout):
            pass

    # -- plumbing --------------------------------------------------------------------------
    def _read_body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace") if length else ""

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None,
              throttled: bool = False) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        self.server_fake.log.append(Record(self.command, self.path, status, self._authorized, throttled))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in {**self._limit_headers, **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
               throttled: bool = False) -> None:
        self._send(status, {"error": {"code": code, "message": message}}, headers, throttled=throttled)

    def _forbidden(self, action: str, scope: str) -> None:
        return self._error(403, "AuthorizationFailed",
                           f"The client 'auditor@contoso.example' with object id 'aaaaaaaa-0000-4000-8000-000000000001' "
                           f"does not have authorization to perform action '{action}/read' over scope '{scope}' or "
                           "the scope is invalid. If access was recently granted, please refresh your credentials.")

    def _reset(self) -> None:
        self.server_fake.log.append(Record(self.command, self.path, 0, self._authorized))
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        fake = self.server_fake
        body = self._read_body()
        self._limit_headers: dict[str, str] = {}
        self._authorized = str(self.headers.get("Authorization", "")).startswith("Bearer ")
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = {k.lower(): v for k, v in parse_qsl(split.query, keep_blank_values=True)}
        page = self._page_of(method, path, query, body)
        delay = fake.latency_now()
        if delay:
            time.sleep(delay)
        fault = fake._fault_for(method, self.path, body, page)
        if fault:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.reset:
                return self._reset()
            if fault.malformed:
                return self._send(200, None, raw=b'{"value": [{"id": "/subscriptions/trunc')
            if fault.status:
                headers = dict(fault.headers)
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                return self._error(fault.status, fault.code, fault.message, headers)
        if not self._authorized:
            return self._error(401, "AuthenticationFailed", "no bearer token")
        if method not in ("GET", "POST"):
            return self._error(405, "MethodNotAllowed", f"the fake estate is read-only ({method})")
        if method == "POST":
            if path.rstrip("/").lower() == ARG_PATH:
                if fake.throttle is not None:
                    allowed, remaining, resets = fake.throttle.graph()
                    self._limit_headers = {"x-ms-user-quota-remaining": str(remaining),
                                           "x-ms-user-quota-resets-after": hms(resets)}
                    if not allowed:     # no Retry-After: Resource Graph only sends its quota headers
                        return self._error(429, "RateLimiting", "Please provide below info when asking for "
                                           "support: ... Client application has been throttled", throttled=True)
                return self._arg(body)
            m = LA_PATH.match(path)
            if m:
                if fake.throttle is not None:
                    allowed, _remaining, resets = fake.throttle.logs()
                    if not allowed:
                        return self._error(429, "ThrottledError", "Your request was throttled: too many queries "
                                           "in the last 30 seconds.", {"Retry-After": str(max(1, math.ceil(resets)))},
                                           throttled=True)
                return self._la(m.group(1), body)
            return self._error(405, "MethodNotAllowed", f"POST {path} is not a read")
        if fake.throttle is not None:
            sub = _subscription(path)
            header = ("x-ms-ratelimit-remaining-subscription-reads" if sub
                      else "x-ms-ratelimit-remaining-tenant-reads")
            allowed, remaining, retry_after = fake.throttle.arm(sub or "(tenant)")
            self._limit_headers = {header: str(remaining)}
            if not allowed:
                return self._error(
                    429, "SubscriptionRequestsThrottled",
                    f"Number of 'read' requests for subscription '{sub}' actor 'aaaaaaaa-0000-4000-8000-000000000001' "
                    f"exceeded. Please try again after '{retry_after}' seconds after additional tokens are available.",
                    {"Retry-After": str(retry_after)}, throttled=True)
        if "api-version" not in query:
            return self._error(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
        namespace = _namespace(path)
        if (_subscription(path), namespace) in fake.unregistered:
            return self._error(409, "MissingSubscriptionRegistration",
                               f"The subscription is not registered to use namespace '{namespace}'. See "
                               "https://aka.ms/rps-not-found for how to register subscriptions.")
        key = path.rstrip("/").lower()
        expand = "instanceview" in query.get("$expand", "").lower()
        doc = fake.docs.get(key)
        if doc is not None:
            if not fake.access.can_read(doc["id"], indexed_type(doc)):
                return self._forbidden(doc["type"], doc["id"])
            if is_instance(doc):
                doc = doc if expand else _strip_instance_view(doc)
            elif doc["type"].lower() == VM_TYPE:
                doc = fake.vm_document(doc, expand)
            elif doc["type"].lower() == EXT_TYPE and not expand:
                doc = _strip_instance_view(doc)
            elif doc["type"].lower() == ARC_TYPE:
                doc = fake.arc_document(doc)
            return self._send(200, doc)
        if _is_collection(path):
            listed, scope = collection_parts(path)
            if not fake.access.can_list(listed, scope):
                return self._forbidden(listed, scope)
            sub, group = _subscription(path), _resource_group(path)
            if sub and not any(_subscription(i) == sub for i in fake.docs):
                return self._error(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")
            if group and not any(_subscription(i) == sub and _resource_group(i) == group for i in fake.docs):
                return self._error(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")
            items = fake.collections.get(key, [])
            if key.endswith("/extensions") and listed != "microsoft.hybridcompute/machines/extensions":
                items = [d if expand else _strip_instance_view(d) for d in items]
                return self._send(200, {"value": items})
            # a VM list never carries instance views; a scale set's instance list does when asked for them
            items = [(d if expand else _strip_instance_view(d)) if is_instance(d)
                     else _strip_instance_view(d) if d["type"].lower() == VM_TYPE else d for d in items]
            offset = int(query.get("$skiptoken") or 0)
            chunk = items[offset:offset + fake.page_size]
            out: dict[str, Any] = {"value": chunk}
            if offset + fake.page_size < len(items):
                extra = f"&$expand={query['$expand']}" if "$expand" in query else ""
                out["nextLink"] = (f"{fake.url}{split.path}?api-version={query['api-version']}{extra}"
                                   f"&$skiptoken={offset + fake.page_size}")
            else:
                out["nextLink"] = None
            return self._send(200, out)
        if not fake.access.can_read(path, type_of_path(path)):   # ARM authorizes before it looks
            return self._forbidden(type_of_path(path), path)
        return self._error(404, "ResourceNotFound", f"The Resource '{path}' was not found.")

    def _page_of(self, method: str, path: str, query: dict, body: str) -> int:
        fake = self.server_fake
        try:
            if method == "POST" and path.rstrip("/").lower() == ARG_PATH:
                opts = (json.loads(body or "{}").get("options") or {})
                token = opts.get("$skipToken")
                if not token:
                    return 1
                return int(base64.b64decode(token).decode()) // max(1, self._arg_top(opts)) + 1
            return int(query.get("$skiptoken") or 0) // max(1, fake.page_size) + 1
        except Exception:  # noqa: BLE001
            return 1

    def _arg_top(self, opts: dict) -> int:
        return min(int(opts.get("$top") or 100), self.server_fake.arg_page_size, 1000)

    # -- Resource Graph --------------------------------------------------------------------
    def _arg(self, body: str) -> None:
        fake = self.server_fake
        try:
            req = json.loads(body)
            subs = {s.lower() for s in req.get("subscriptions") or []}
            opts = req.get("options") or {}
            rows = [d for d in run_kql(req["query"], list(fake.docs.values())) if _subscription(d["id"]) in subs
                    and fake.access.can_read(d["id"], indexed_type(d))]   # ARG leaves out what may not be read
        except (KqlError, KeyError, ValueError) as exc:
            return self._error(400, "BadRequest", f"Please provide below info when asking for support: {exc}")
        top = self._arg_top(opts)
        offset = int(base64.b64decode(opts["$skipToken"]).decode()) if opts.get("$skipToken") else int(
            opts.get("$skip") or 0)
        data = [_arg_row(d) for d in rows[offset:offset + top]]
        out: dict[str, Any] = {"totalRecords": len(rows), "count": len(data), "resultTruncated": "false",
                               "facets": []}
        if offset + top < len(rows):
            out["$skipToken"] = base64.b64encode(str(offset + top).encode()).decode()
        if (opts.get("resultFormat") or "table").lower() == "table":
            columns = list(data[0].keys()) if data else ["id"]
            out["data"] = {"columns": [{"name": c, "type": "object"} for c in columns],
                           "rows": [[r.get(c) for c in columns] for r in data]}
        else:
            out["data"] = data
        headers = {} if fake.throttle is not None else {
            "x-ms-user-quota-remaining": str(fake.arg_quota_remaining), "x-ms-user-quota-resets-after": "00:00:05"}
        return self._send(200, out, headers)

    # -- Log Analytics ---------------------------------------------------------------------
    def _la(self, workspace: str, body: str) -> None:
        fake = self.server_fake
        try:
            req = json.loads(body)
            query = req["query"]
        except (ValueError, KeyError):
            return self._error(400, "BadArgumentError", "The request had some invalid properties")
        known = {str((d.get("properties") or {}).get("customerId", "")).lower()
                 for d in fake.docs.values() if d["type"].lower() == "microsoft.operationalinsights/workspaces"}
        if workspace.lower() not in known:
            return self._error(404, "PathNotFoundError", f"The requested path does not exist: workspace {workspace}")
        if "heartbeat" not in query.lower() or "summarize" not in query.lower():
            return self._error(400, "BadArgumentError", "the fake only answers the Heartbeat summarize query")
        window = _ago(query)
        by = re.search(r"\bby\s+(.+)$", query, re.I)
        columns = [c.strip() for c in by.group(1).split(",")] if by else []
        fields = {"_resourceid": "resource_id", "category": "category", "computer": "computer"}
        if not columns or any(c.lower() not in fields for c in columns):
            return self._error(400, "BadArgumentError", f"the fake does not group by {columns}")
        now = datetime.now(timezone.utc)
        rows = []
        for hb in fake.estate.get("heartbeats", []):
            if str(hb.get("workspace_id", "")).lower() != workspace.lower():
                continue
            if window is not None and _parse_time(hb["last_heartbeat"]) <= now - window:
                continue
            rows.append([str(hb.get(fields[c.lower()]) or "") for c in columns] + [hb["last_heartbeat"]])
        table = {"name": "PrimaryResult",
                 "columns": [{"name": c, "type": "string"} for c in columns]
                 + [{"name": "last_heartbeat", "type": "datetime"}],
                 "rows": rows}
        return self._send(200, {"tables": [table]})
