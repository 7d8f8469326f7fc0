"""Heartbeat: one Log Analytics query per destination workspace, not one per VM.

Heartbeat is the outcome everything else explains, and it is data plane: it needs Log
Analytics Reader (``Microsoft.OperationalInsights/workspaces/query/read``), not ARM Reader.
A workspace whose query fails is *not* listed in ``heartbeat_workspaces`` and gets an errors
entry, so a VM without a row there is never mistaken for a VM without Heartbeat. A partial
result counts as a failure for the same reason: a missing row could be the missing part.

The query groups by ``Computer`` too: a uniform scale set's instances all report their scale
set's id in ``_ResourceId`` and are told apart only by their computer name. A row without a
``_ResourceId`` is a computer that is not an Azure resource (e.g. a server sending through a
workspace key); no machine of the snapshot can be it, so it is left out (the snapshot contract
requires a resource id on every row).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from azure.monitor.query import LogsQueryClient, LogsQueryPartialResult

from .errors import error_entry
from .pipeline import PipelineFactory
from .walker import dig, items
from .workers import DaemonPool

OPERATION = "Microsoft.OperationalInsights/workspaces/query/Heartbeat/read"


def heartbeat_query(lookback_minutes: int) -> str:
    return (f"Heartbeat | where TimeGenerated > ago({int(lookback_minutes)}m) "
            "| summarize last_heartbeat=max(TimeGenerated) by _ResourceId, Category, Computer")


def iso_z(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
        return value.strftime(fmt)
    return str(value)


def destination_workspaces(resources: dict[str, dict], errors: list[dict]) -> dict[str, str]:
    """customerId -> the workspace's ARM id, for every workspace a VM's DCR sends to.

    The customerId comes from the workspace document; if that read failed (but the workspace
    may exist) the DCR's own ``workspaceId`` is used. A workspace that does not exist (absent,
    no error) is not queried.
    """
    failed = {str(e.get("scope", "")).lower() for e in errors}
    out: dict[str, str] = {}
    seen: set[str] = set()
    for doc in resources.values():
        if str(doc.get("type", "")).lower() != "microsoft.insights/datacollectionruleassociations":
            continue
        dcr_id = str(dig(doc, "properties", "dataCollectionRuleId") or "")
        dcr = resources.get(dcr_id.lower())
        for dest in items(dig(dcr, "properties", "destinations", "logAnalytics")):
            ws_id = str(dig(dest, "workspaceResourceId") or "")
            ws = resources.get(ws_id.lower())
            customer = dig(ws, "properties", "customerId") if ws else None
            if not customer and ws_id.lower() in failed:
                customer = dig(dest, "workspaceId")
            if isinstance(customer, str) and customer and customer.lower() not in seen:
                seen.add(customer.lower())
                out[customer] = ws_id or dcr_id  # errors entries are scoped to an ARM id
    return out


def collect(factory: PipelineFactory, *, endpoint: str, audience: str, workspaces: dict[str, str],
            lookback_minutes: int, concurrency: int, progress: Callable[[str], None]
            ) -> tuple[list[dict], list[str], list[dict]]:
    if not workspaces:
        return [], [], []
    scope = audience.rstrip("/") + "/.default"
    client = LogsQueryClient(factory.credential, endpoint=endpoint, audience=audience,
                             **factory.client_kwargs(scope, arm=False))
    query = heartbeat_query(lookback_minutes)
    progress(f"Querying Heartbeat in {len(workspaces)} workspace(s)")

    def one(customer_id: str) -> tuple[str, list[dict] | None, dict | None]:
        scope_id = workspaces[customer_id]
        try:
            result = client.query_workspace(customer_id, query, timespan=timedelta(minutes=lookback_minutes))
            if isinstance(result, LogsQueryPartialResult):
                err = result.partial_error
                return customer_id, None, {
                    "scope": scope_id, "operation": OPERATION, "status": 200,
                    "code": str(getattr(err, "code", None) or "PartialError"),
                    "message": "the Heartbeat query returned a partial result: "
                               + " ".join(str(getattr(err, "message", err)).split())[:400]}
            rows: list[dict] = []
            for table in result.tables:
                cols = [c.lower() for c in table.columns]
                for row in table.rows:
                    values = dict(zip(cols, list(row)))
                    resource_id = str(values.get("_resourceid") or "").strip()
                    if not resource_id:
                        continue            # not an Azure resource: no machine of the snapshot
                    entry = {
                        "workspace_id": customer_id,
                        "resource_id": resource_id,
                        "last_heartbeat": iso_z(values.get("last_heartbeat")),
                        "category": str(values.get("category") or ""),
                    }
                    computer = str(values.get("computer") or "")
                    if computer:
                        entry["computer"] = computer
                    rows.append(entry)
            return customer_id, rows, None
        except Exception as exc:  # noqa: BLE001 - becomes an errors entry
            return customer_id, None, error_entry(scope_id, OPERATION, exc)

    heartbeats: list[dict] = []
    queried: list[str] = []
    errors: list[dict] = []
    with DaemonPool(min(concurrency, len(workspaces)), name="amaaudit-heartbeat") as pool:
        for customer_id, rows, err in pool.map(one, sorted(workspaces)):
            if err is not None:
                errors.append(err)
            else:
                queried.append(customer_id)
                heartbeats.extend(rows or [])
    return heartbeats, queried, errors
