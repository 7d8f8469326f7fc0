"""``discover()``: sign in, read the estate, return an ``ama-estate/1`` document.

``captured_at`` is the moment the Heartbeat queries start (the last reads), because every
time-based verdict is judged against it: taking the start of a long walk instead would make a
VM that went quiet during discovery look fresh.

Sign-in is checked first, with one token request, so that a missing ``az login`` is one
clear paragraph (:class:`DiscoveryError`) instead of a hundred identical errors entries.
Everything after that is best-effort by design: reads that fail become ``errors`` entries and
discovery goes on, because a partial snapshot that says what it could not read is still
worth checking, and the checks turn the gaps into *could not evaluate*.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from azure.core.exceptions import ClientAuthenticationError

from .. import __version__
from ..text import clip, printable
from .armread import ArmReader
from .errors import DiscoveryError, NotRegistered, signin_error
from .graph import ArgSource
from .heartbeat import collect, destination_workspaces
from .pipeline import CachingCredential, Counters, PipelineFactory, token_principal
from .scheduler import Pacer
from .settings import BACKENDS, CLOUDS, LiveSettings, endpoints_for
from .snapshot import summary_line
from .walker import MACHINE_LISTS, SCALE_SET_TYPE, ArmSource, Walker, is_uniform, list_scope


def _default_credential(authority: str) -> Any:
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(authority=authority)


def _validate(settings: LiveSettings) -> None:
    if settings.cloud not in CLOUDS:
        raise DiscoveryError(f"Unknown cloud {settings.cloud!r}: use one of {', '.join(CLOUDS)}.")
    if settings.backend not in BACKENDS:
        raise DiscoveryError(f"Unknown discovery back-end {settings.backend!r}: use 'arm' or 'resource-graph'.")
    subs = [s for s in (settings.subscriptions or []) if s and s.strip()]
    if not subs:
        raise DiscoveryError("No subscription to discover: pass --subscription <id> (repeatable) or set "
                             "AZURE_SUBSCRIPTION_ID.")
    for option, endpoint in (("--arm-endpoint", settings.arm_endpoint), ("--logs-endpoint", settings.logs_endpoint)):
        if endpoint:
            _validate_endpoint(option, endpoint)


def _validate_endpoint(option: str, endpoint: str) -> None:
    """An endpoint is scheme, host, port and path. Credentials (``user:pass@``) would be written,
    as given, into the saved snapshot and findings.json (``source.arm_endpoint``); a query or a
    fragment has no meaning for a base URL and may hold a secret too. Both are refused, never
    stripped: what is used must be what was typed. Messages never repeat the refused part."""
    try:
        parts = urlsplit(endpoint.strip())
    except ValueError as exc:        # e.g. an unclosed [IPv6 literal
        raise DiscoveryError(f"{option} is not a URL ({exc}); give https://host[:port][/path].") from None
    host = printable(clip(parts.hostname or "", 200))
    if "@" in parts.netloc:
        raise DiscoveryError(f"{option} carries credentials (user:password@ before the host {host}): amaaudit "
                             "signs in with Entra ID tokens only, and the URL would be written into the saved "
                             "snapshot and findings.json. Give the endpoint without them, e.g. https://host[:port][/path].")
    if parts.query or parts.fragment or endpoint.rstrip().endswith(("?", "#")):
        raise DiscoveryError(f"{option} for host {host} has a query (?...) or a fragment (#...): an endpoint is a base "
                             "URL (https://host[:port][/path]) and anything after it could be a secret that the snapshot "
                             "would keep. Give the endpoint without them.")
    if parts.scheme.lower() != "https":
        raise DiscoveryError(f"{option} '{printable(clip(endpoint, 300))}' is not https: bearer tokens are only sent "
                             "over TLS (a private CA is trusted through REQUESTS_CA_BUNDLE).")
    if not parts.hostname:
        raise DiscoveryError(f"{option} '{printable(clip(endpoint, 300))}' names no host; give https://host[:port][/path].")


def discover(settings: LiveSettings, *, credential: Any = None,
             progress: Callable[[str], None] | None = None) -> dict:
    """Read the estate described by ``settings`` and return an ``ama-estate/1`` document."""
    _validate(settings)
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    ep = endpoints_for(settings)
    subscriptions = list(dict.fromkeys(s.strip() for s in settings.subscriptions if s and s.strip()))
    groups = list(dict.fromkeys(g.strip() for g in settings.resource_groups if g and g.strip()))

    explicit = credential is not None
    try:
        inner = credential if explicit else _default_credential(ep.authority)
        cred = CachingCredential(inner)
        say(f"Signing in ({settings.cloud})")
        token = cred.get_token(ep.arm_scope)
    except ClientAuthenticationError as exc:
        raise signin_error(exc, cloud=settings.cloud, authority=ep.authority, explicit=explicit) from None
    except Exception as exc:  # noqa: BLE001 - e.g. a bad AZURE_TOKEN_CREDENTIALS value
        raise signin_error(exc, cloud=settings.cloud, authority=ep.authority, explicit=explicit) from None
    principal = token_principal(token.token)

    counters = Counters()
    pacer = Pacer(settings.limits)
    factory = PipelineFactory(cred, counters, concurrency=settings.concurrency,
                              connection_timeout=settings.connection_timeout, read_timeout=settings.read_timeout,
                              max_retries=settings.max_retries, retry_backoff_factor=settings.retry_backoff_factor,
                              max_retry_after=settings.max_retry_after, pacer=pacer)
    reader = ArmReader(factory, ep)
    fallbacks: list[str] = []
    confirmations: dict[str, int] = {}
    not_registered: set[str] = set()
    try:
        if settings.backend == "resource-graph":
            source: Any = ArgSource(reader, factory, ep.arm_scope, progress=say, arm_endpoint=ep.arm,
                                    max_retry_after=settings.max_retry_after)
            source.load(subscriptions)
        else:
            source = ArmSource(reader)
        walker = Walker(source, concurrency=settings.concurrency, progress=say, started=started, pacer=pacer,
                        counters=counters)

        listed: dict[str, dict] = {}
        found: dict[str, int] = {kind.noun: 0 for kind in MACHINE_LISTS}
        for sub in subscriptions:
            for group in (groups or [None]):
                where = list_scope(sub, group)
                say(f"Listing machines in {where}")
                for kind in MACHINE_LISTS:
                    docs, exc = source.list_machines(kind.resource_type, sub, group)
                    if isinstance(exc, NotRegistered):      # none can exist there: not a failed read
                        not_registered.add(f"{exc.scope}: {exc.namespace}")
                    elif exc is not None:
                        walker.add_error(where, kind.operation, exc)
                    for doc in docs:
                        if isinstance(doc, dict) and isinstance(doc.get("id"), str) \
                                and doc["id"].lower() not in listed:
                            listed[doc["id"].lower()] = doc
                            found[kind.noun] += 1
        uniform = sum(1 for d in listed.values()
                      if str(d.get("type", "")).lower() == SCALE_SET_TYPE.lower() and is_uniform(d))
        say("Found " + ", ".join(f"{n} {noun}" for noun, n in found.items())
            + (f" ({uniform} uniform)" if uniform else "")
            + f"; reading them and what they reference (back-end {settings.backend}, "
              f"concurrency {settings.concurrency})")
        walker.run(listed[k] for k in sorted(listed))
        if isinstance(source, ArgSource):
            fallbacks = source.fallbacks
            confirmations = dict(sorted(source.confirmations.items()))

        workspaces = destination_workspaces(walker.resources, walker.errors)
        # Heartbeat freshness is judged against captured_at: take the instant the Heartbeat is read,
        # not the start of a long walk, so a VM that went quiet meanwhile cannot look fresh.
        captured_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        heartbeats, queried, hb_errors = collect(
            factory, endpoint=ep.logs, audience=ep.logs_audience, workspaces=workspaces,
            lookback_minutes=settings.heartbeat_lookback_minutes, concurrency=settings.concurrency, progress=say)
    finally:
        reader.close()
        factory.close()

    errors = _dedupe(walker.errors + hb_errors)
    source_info: dict[str, Any] = {
        "kind": "arm",
        "subscriptions": subscriptions,
        "resource_groups": groups,
        "backend": settings.backend,
        "tool_version": __version__,
        "arm_endpoint": ep.arm,
        "logs_endpoint": ep.logs,
        "heartbeat_lookback_minutes": settings.heartbeat_lookback_minutes,
        "requests": counters.requests,
        "requests_by_api": dict(sorted(counters.by_kind.items())),
        "throttle_waits": counters.throttle_waits,
        "throttle_wait_seconds": round(counters.throttle_seconds, 1),
        "throttled_answers": counters.throttled_answers,
        "paced_seconds": round(counters.paced_seconds, 1),
        "elapsed_seconds": round(time.monotonic() - started, 1),
        "principal": principal,
    }
    if not_registered:
        # lists answered 409 MissingSubscriptionRegistration: no machine of that namespace exists there
        source_info["providers_not_registered"] = sorted(not_registered, key=str.lower)
    if fallbacks:
        source_info["resource_graph_fallbacks"] = fallbacks
    if confirmations:
        source_info["resource_graph_confirmations"] = confirmations
    resources = sorted(walker.resources.values(), key=lambda r: str(r["id"]).lower())
    doc = {
        "format": "ama-estate/1",
        "captured_at": captured_at,
        "cloud": settings.cloud,
        "source": source_info,
        "resources": resources,
        "heartbeat_workspaces": sorted(queried, key=str.lower),
        "heartbeats": sorted(heartbeats, key=lambda h: (h["workspace_id"].lower(), h["resource_id"].lower(),
                                                         h["category"], h.get("computer", "").lower())),
        "errors": errors,
    }
    say(summary_line(doc))
    return doc


def _dedupe(errors: list[dict]) -> list[dict]:
    seen = set()
    out = []
    for e in errors:
        key = (str(e.get("scope")).lower(), e.get("operation"), e.get("status"), e.get("code"))
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return sorted(out, key=lambda e: (str(e.get("scope", "")).lower(), str(e.get("operation", ""))))
