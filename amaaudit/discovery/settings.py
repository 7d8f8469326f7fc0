"""What a live run is asked to read, and where the clouds keep their endpoints.

The endpoint table lives here, not in the SDKs' cloud settings, because the suite must be
able to point ARM somewhere else (Azure Stack Hub, a proxy, the fake server of its own tests)
while still asking Entra ID for a token of the *cloud's* audience: a token for
``https://127.0.0.1:PORT`` is never what the caller has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .limits import DOCUMENTED, Limits

CLOUDS: dict[str, dict[str, str]] = {
    "AzureCloud": {
        "arm": "https://management.azure.com",
        "arm_audience": "https://management.azure.com",
        "logs": "https://api.loganalytics.io",
        "logs_audience": "https://api.loganalytics.io",
        "authority": "login.microsoftonline.com",
    },
    "AzureUSGovernment": {
        "arm": "https://management.usgovcloudapi.net",
        "arm_audience": "https://management.usgovcloudapi.net",
        "logs": "https://api.loganalytics.us",
        "logs_audience": "https://api.loganalytics.us",
        "authority": "login.microsoftonline.us",
    },
    "AzureChinaCloud": {
        "arm": "https://management.chinacloudapi.cn",
        "arm_audience": "https://management.chinacloudapi.cn",
        "logs": "https://api.loganalytics.azure.cn",
        "logs_audience": "https://api.loganalytics.azure.cn",
        "authority": "login.chinacloudapi.cn",
    },
}

BACKENDS = ("arm", "resource-graph")


@dataclass
class LiveSettings:
    """Options of a live discovery (the lead maps the pytest command-line options onto these).

    ``read_timeout``, ``max_retries``, ``retry_backoff_factor`` and ``max_retry_after`` are
    there so tests can keep failure paths short; the defaults suit real Azure.
    """

    subscriptions: list[str]
    resource_groups: list[str] = field(default_factory=list)  # empty = all
    cloud: str = "AzureCloud"
    arm_endpoint: str | None = None
    logs_endpoint: str | None = None
    backend: str = "arm"
    heartbeat_lookback_minutes: int = 60 * 24
    concurrency: int = 8
    # transport tuning (not command-line options)
    connection_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 4
    retry_backoff_factor: float = 0.8
    max_retry_after: float = 120.0
    limits: Limits = DOCUMENTED      # Azure's request limits discovery paces itself to (limits.py)


@dataclass(frozen=True)
class Endpoints:
    arm: str
    arm_scope: str
    logs: str
    logs_audience: str
    authority: str
    canonical_arm: str


def endpoints_for(settings: LiveSettings) -> Endpoints:
    cloud = CLOUDS[settings.cloud]
    arm = (settings.arm_endpoint or cloud["arm"]).rstrip("/")
    logs = (settings.logs_endpoint or cloud["logs"]).rstrip("/")
    if logs.lower().endswith("/v1"):
        logs = logs[:-3]
    return Endpoints(
        arm=arm,
        arm_scope=cloud["arm_audience"].rstrip("/") + "/.default",
        logs=logs,
        logs_audience=cloud["logs_audience"],
        authority=cloud["authority"],
        canonical_arm=cloud["arm"],
    )
