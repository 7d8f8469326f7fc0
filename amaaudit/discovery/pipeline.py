"""The HTTP pipeline every discovery request goes through.

Why the suite builds its own policy list instead of taking the SDKs' defaults:

* **Read-only, by construction.** Every azure-mgmt client normally carries
  ``ARMAutoResourceProviderRegistrationPolicy``, which answers a 409
  ``MissingSubscriptionRegistration`` by POSTing ``providers/<rp>/register`` -- a write, made
  on the auditor's behalf. The list built here leaves it out, and adds a guard that refuses
  any request that is not a GET or one of the two read-only query POSTs (Resource Graph,
  Log Analytics), so a future SDK change cannot sneak a write in.
* **Throttling handled, and counted.** azure-core honours ``Retry-After`` but does not retry a
  POST answered 429 without it, which is exactly how Resource Graph throttles (it sends
  ``x-ms-user-quota-*`` instead). :class:`ReadRetryPolicy` retries 429 on any of our methods
  and waits for the quota reset; every wait is counted for the summary line.
  :class:`ThrottleObserver` tells the scheduler's pacer of every ARM request and of what each
  answer says is left of its subscription's bucket, so that 429s do not happen in the first place.
* **One token per audience.** With ``AzureCliCredential`` every client would run ``az`` once;
  :class:`CachingCredential` shares tokens between the dozens of per-subscription clients.
* **One connection pool.** All clients share one requests session sized to the concurrency.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import requests
from urllib3.util.retry import Retry
from azure.core.credentials import AccessToken
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.policies import (
    BearerTokenCredentialPolicy,
    ContentDecodePolicy,
    DistributedTracingPolicy,
    HeadersPolicy,
    HttpLoggingPolicy,
    ProxyPolicy,
    RedirectPolicy,
    RequestIdPolicy,
    RetryPolicy,
    SansIOHTTPPolicy,
    SensitiveHeaderCleanupPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

from .. import __version__
from .limits import ARG_RESETS_HEADER, ARM_READS_HEADER, TENANT_READS_HEADER
from .scheduler import TENANT, Pacer, bucket_key

USER_AGENT = f"amaaudit/{__version__}"

ARG_PATH = re.compile(r"^/providers/microsoft\.resourcegraph/resources/?$", re.I)
LA_PATH = re.compile(r"^(/v1)?/workspaces/[^/]+/query/?$", re.I)


class WriteRefused(ServiceRequestError):
    """Raised by the read-only guard; never expected to happen."""


@dataclass
class Counters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    throttle_waits: int = 0
    throttle_seconds: float = 0.0
    throttled_answers: int = 0          # 429s received (each retried or given up on)
    paced_seconds: float = 0.0          # time reads were held back to stay within a bucket

    def answered_429(self) -> None:
        with self.lock:
            self.throttled_answers += 1

    def paced(self, seconds: float) -> None:
        with self.lock:
            self.paced_seconds += max(0.0, seconds)

    def count(self, kind: str) -> None:
        with self.lock:
            self.requests += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def throttled(self, seconds: float) -> None:
        with self.lock:
            self.throttle_waits += 1
            self.throttle_seconds += max(0.0, seconds)


def request_kind(method: str, path: str) -> str:
    if ARG_PATH.match(path):
        return "resource_graph"
    if LA_PATH.match(path):
        return "log_analytics"
    return "arm"


class ReadOnlyGuard(SansIOHTTPPolicy):
    """Refuses anything but GET/HEAD and the two read-only query POSTs; counts what is sent."""

    def __init__(self, counters: Counters) -> None:
        super().__init__()
        self._counters = counters

    def on_request(self, request):  # type: ignore[override]
        http = request.http_request
        method = http.method.upper()
        path = urlparse(http.url).path
        if method in ("GET", "HEAD") or (method == "POST" and (ARG_PATH.match(path) or LA_PATH.match(path))):
            self._counters.count(request_kind(method, path))
            return
        raise WriteRefused(f"amaaudit is read-only: refused to send {method} {path}")


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


class ThrottleObserver(SansIOHTTPPolicy):
    """Tells the :class:`~.scheduler.Pacer` of every ARM request sent and answered (the
    remaining-reads header, a 429's Retry-After), and counts 429s. It sits inside the retry loop,
    so it sees each attempt, retried ones and further pages included."""

    def __init__(self, counters: Counters, pacer: Pacer | None, max_retry_after: float) -> None:
        super().__init__()
        self._counters = counters
        self._pacer = pacer
        self._max_retry_after = max_retry_after

    def _key(self, request) -> str | None:
        http = request.http_request
        path = urlparse(http.url).path
        if self._pacer is None or request_kind(http.method, path) != "arm":
            return None
        return bucket_key(path)

    def on_request(self, request):  # type: ignore[override]
        key = self._key(request)
        if key is not None:
            self._pacer.sending(key)

    def on_response(self, request, response):  # type: ignore[override]
        http = response.http_response
        status = http.status_code
        if status == 429:
            self._counters.answered_429()
        key = self._key(request)
        if key is None:
            return
        header = TENANT_READS_HEADER if key == TENANT else ARM_READS_HEADER
        retry_after = None
        if status == 429:
            # as the retry policy will wait: capped, 1 s when absent or not in seconds
            retry_after = min(float(_int_header(http.headers, "Retry-After") or 1), self._max_retry_after)
        self._pacer.answered(key, _int_header(http.headers, header), retry_after=retry_after)

    def on_exception(self, request):  # type: ignore[override]
        key = self._key(request)
        if key is not None:
            self._pacer.answered(key, None)
        return False


def _parse_hms(value: str | None) -> float | None:
    """``x-ms-user-quota-resets-after`` is ``hh:mm:ss``."""
    if not value:
        return None
    try:
        parts = [float(p) for p in value.strip().split(":")]
    except ValueError:
        return None
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


class ReadRetryPolicy(RetryPolicy):
    """azure-core's retry, plus: POST 429s (our POSTs are read-only queries) are retried,
    Resource Graph's quota-reset header is honoured, waits are capped and counted."""

    def __init__(self, counters: Counters, max_retry_after: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._counters = counters
        self._max_retry_after = max_retry_after
        self._method_whitelist = frozenset(["HEAD", "GET", "POST"])

    def get_retry_after(self, response):  # type: ignore[override]
        value = super().get_retry_after(response)
        http = response.http_response
        if value is None and http.status_code == 429:
            value = _parse_hms(http.headers.get(ARG_RESETS_HEADER))
        if value is not None:
            value = min(float(value), self._max_retry_after)
        return value

    def is_retry(self, settings, response):  # type: ignore[override]
        if response.http_response.status_code == 429 and settings["total"]:
            return True
        return super().is_retry(settings, response)

    def sleep(self, settings, transport, response=None):  # type: ignore[override]
        if response is not None and response.http_response.status_code == 429:
            wait = self.get_retry_after(response)
            if wait is None:
                wait = self.get_backoff_time(settings)
            self._counters.throttled(wait)
            if wait > 0:
                transport.sleep(wait)
            return
        super().sleep(settings, transport, response)


class CachingCredential:
    """Shares tokens across clients (one ``az`` run per audience, not per client)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._cache: dict[tuple, AccessToken] = {}

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                  enable_cae: bool = False, **kwargs: Any) -> AccessToken:
        key = (scopes, tenant_id, enable_cae)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and not claims and cached.expires_on - 300 > time.time():
                return cached
            token = self._fetch(scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs)
            self._cache[key] = token
            return token

    def _fetch(self, scopes, **kwargs: Any) -> AccessToken:
        kwargs = {k: v for k, v in kwargs.items() if v not in (None, False)}
        if hasattr(self._inner, "get_token"):
            return self._inner.get_token(*scopes, **kwargs)
        info = self._inner.get_token_info(*scopes, options=kwargs or None)
        return AccessToken(info.token, info.expires_on)


def token_principal(token: str) -> dict[str, str]:
    """Who the token says we are (name and object id); never the token itself."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except Exception:  # noqa: BLE001 - opaque tokens are fine, we just cannot say who
        return {}
    name = (claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
            or claims.get("app_displayname") or claims.get("appid") or claims.get("azp"))
    out = {}
    if name:
        out["name"] = str(name)
    if claims.get("oid"):
        out["oid"] = str(claims["oid"])
    if claims.get("tid"):
        out["tenant"] = str(claims["tid"])
    return out


class PipelineFactory:
    """Builds policy lists (fresh instances per client: HTTP policies are chained in place)
    around one shared transport."""

    def __init__(self, credential: Any, counters: Counters, *, concurrency: int, connection_timeout: float,
                 read_timeout: float, max_retries: int, retry_backoff_factor: float,
                 max_retry_after: float, pacer: Pacer | None = None) -> None:
        self.credential = credential
        self.counters = counters
        self.pacer = pacer
        self._session = requests.Session()
        pool = max(10, concurrency + 2)
        # like azure-core's own adapter: no urllib3 retries (the retry policy owns retrying)
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=pool, pool_maxsize=pool,
            max_retries=Retry(total=False, redirect=False, raise_on_status=False))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self.transport = RequestsTransport(session=self._session, session_owner=False,
                                           connection_timeout=connection_timeout, read_timeout=read_timeout)
        self._retry_kwargs = dict(retry_total=max_retries, retry_connect=max_retries, retry_read=max_retries,
                                  retry_status=max_retries, retry_backoff_factor=retry_backoff_factor,
                                  retry_backoff_max=60, timeout=3600)
        self._max_retry_after = max_retry_after

    def policies(self, scope: str, *, arm: bool = True) -> list:
        auth = (ARMChallengeAuthenticationPolicy if arm else BearerTokenCredentialPolicy)(self.credential, scope)
        return [
            RequestIdPolicy(),
            HeadersPolicy(),
            UserAgentPolicy(base_user_agent=USER_AGENT),
            ProxyPolicy(),
            ContentDecodePolicy(),
            # no ARMAutoResourceProviderRegistrationPolicy: it writes (see module docstring)
            RedirectPolicy(),
            ReadRetryPolicy(self.counters, self._max_retry_after, **self._retry_kwargs),
            auth,
            ReadOnlyGuard(self.counters),
            ThrottleObserver(self.counters, self.pacer, self._max_retry_after),
            DistributedTracingPolicy(),
            SensitiveHeaderCleanupPolicy(),
            ARMHttpLoggingPolicy() if arm else HttpLoggingPolicy(),
        ]

    def client_kwargs(self, scope: str, *, arm: bool = True) -> dict[str, Any]:
        return {"policies": self.policies(scope, arm=arm), "transport": self.transport}

    def close(self) -> None:
        self._session.close()
