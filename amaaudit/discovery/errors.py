"""Turning a failed read into an ``errors`` entry, and sign-in failures into one paragraph.

A compliance gate must never pass what it could not see. So a read that fails does not stop
discovery and is not swallowed: it becomes ``{"scope", "operation", "status", "code",
"message"}``, and the checks that depend on that read report *could not evaluate*. A 404 on
a referenced id is different: the thing does not exist, which is a finding, so it is not an
error at all (callers handle :class:`NotFound` before they get here).
"""

from __future__ import annotations

import json
from typing import Any

from azure.core.exceptions import (
    ClientAuthenticationError,
    DecodeError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from ..redact import redact_string


class DiscoveryError(Exception):
    """Discovery cannot start (no usable sign-in, bad options). The message is one paragraph
    meant for the person at the terminal: what was tried and how to fix it."""


class NotFound(Exception):
    """The referenced resource does not exist (HTTP 404)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or "NotFound"


class NotRegistered(Exception):
    """A list answered 409 ``MissingSubscriptionRegistration``: the subscription is not registered
    for the resource provider's namespace (``Microsoft.HybridCompute`` in most subscriptions without
    Arc). ARM refuses to unregister a namespace while resources of it exist ("You can't unregister a
    resource provider when you still have resource types from that resource provider in your
    subscription", Learn: Azure resource providers and types), so for a *list* of machines this
    answer means "there are none", which is evidence, not a failed read. Anywhere else it stays an
    errors entry (a read of one resource cannot be taken for its absence that way)."""

    def __init__(self, scope: str, namespace: str) -> None:
        super().__init__(f"{scope}: {namespace} is not registered")
        self.scope, self.namespace = scope, namespace


def is_unregistered(exc: BaseException) -> bool:
    """ARM's answer to a request for a namespace the subscription is not registered for."""
    return isinstance(exc, HttpResponseError) and getattr(exc, "status_code", None) == 409 \
        and error_entry("/", "-", exc)["code"] == "MissingSubscriptionRegistration"


class MalformedResponse(Exception):
    def __init__(self, message: str, status: int | None = 200) -> None:
        super().__init__(message)
        self.status = status


def _short(text: Any, limit: int = 600) -> str:
    text = " ".join(str(text or "").split())
    text = redact_string(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _body_error(response: Any) -> tuple[str | None, str | None]:
    try:
        body = json.loads(response.text())
    except Exception:  # noqa: BLE001
        return None, None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return err.get("code"), err.get("message")
    return None, None


def error_entry(scope: str, operation: str, exc: BaseException) -> dict[str, Any]:
    status: int | None = None
    code: str | None = None
    message: str | None = None
    if isinstance(exc, (DecodeError, MalformedResponse, json.JSONDecodeError)):
        status = getattr(exc, "status_code", None) or getattr(exc, "status", None) or 200
        code, message = "MalformedResponse", f"response is not valid JSON: {exc}"
    elif isinstance(exc, HttpResponseError) and getattr(exc, "response", None) is not None:
        status = exc.status_code
        err = getattr(exc, "error", None)
        code = getattr(err, "code", None)
        message = getattr(err, "message", None)
        if not code or not message:
            c, m = _body_error(exc.response)
            code, message = code or c, message or m
        code = code or (exc.reason or f"HTTP{status}")
        message = message or str(exc)
    elif isinstance(exc, NotFound):
        status, code, message = 404, exc.code, str(exc)
    elif isinstance(exc, ClientAuthenticationError):
        code, message = "AuthenticationFailed", str(exc)
    elif isinstance(exc, ServiceResponseError):
        text = str(exc)
        code = "Timeout" if "timed out" in text.lower() or "timeout" in text.lower() else "ConnectionError"
        message = text
    elif isinstance(exc, ServiceRequestError):
        code, message = "ConnectionError", str(exc)
    else:
        code, message = type(exc).__name__, str(exc)
    return {
        "scope": scope,
        "operation": operation,
        "status": status,
        "code": str(code),
        "message": _short(message),
    }


def signin_error(exc: BaseException, *, cloud: str, authority: str, explicit: bool) -> DiscoveryError:
    import os

    chain = os.environ.get("AZURE_TOKEN_CREDENTIALS", "").strip()
    if explicit:
        tried = f"the credential passed in ({type(exc).__name__})"
    elif chain:
        tried = f"DefaultAzureCredential restricted by AZURE_TOKEN_CREDENTIALS={chain}"
    else:
        tried = ("DefaultAzureCredential (environment service principal, workload identity, managed identity, "
                 "Azure CLI, Azure PowerShell, Azure Developer CLI)")
    first = _short(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 400)
    return DiscoveryError(
        f"Could not sign in to Azure ({cloud}, authority {authority}): {first}. Tried {tried}. "
        "To fix: on a workstation run `az login` (with `az cloud set --name "
        f"{cloud}` first for a sovereign cloud); in CI set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
        "AZURE_CLIENT_SECRET (service principal) or AZURE_FEDERATED_TOKEN_FILE (workload identity federation), "
        "or run where a managed identity is assigned; AZURE_TOKEN_CREDENTIALS=dev|prod|<CredentialName> "
        "(e.g. AzureCliCredential) narrows the chain to what you use. The identity needs Reader on the "
        "subscriptions and Log Analytics Reader on the workspaces."
    )
