"""Command-line options. Registered from the pytest11 entry point so they are known early."""

from __future__ import annotations

import argparse
import os


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of minutes, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of minutes, got {value}")
    return number


VALUE_OPTIONS = ("--estate", "--workspace", "--heartbeat-max-age", "--report-lang", "--subscription",
                 "--resource-group", "--cloud", "--arm-endpoint", "--logs-endpoint", "--discovery",
                 "--save-estate", "--findings-json", "--waivers", "--baseline", "--what-if", "--fail-on")


def add_options(parser) -> None:
    group = parser.getgroup("amaaudit", "amaaudit: why is this VM not sending Heartbeat")
    group.addoption("--estate", metavar="FILE", action="append", default=[],
                    help="check a saved ama-estate/1 snapshot (default: the bundled demo estate); repeatable: "
                         "several snapshots (e.g. one per subscription) are checked as one estate")
    group.addoption("--workspace", metavar="ID", action="append", default=[],
                    help="workspace (ARM id or customerId GUID) where logs are expected; repeatable")
    group.addoption("--heartbeat-max-age", metavar="MINUTES", type=_positive_int, default=15,
                    help="a Heartbeat older than this before captured_at fails (default 15)")
    group.addoption("--report-lang", choices=("en", "ja"), default="en",
                    help="language of messages and remediation (default en)")
    group.addoption("--fail-on-warning", action="store_true", default=False,
                    help="warning-severity findings fail the run too")
    group.addoption("--findings-json", metavar="FILE", default=None,
                    help="write one JSON object per result (default: findings.json next to the HTML report, "
                         "reports/findings.json without one; schema: docs/findings.schema.json)")
    group.addoption("--waivers", metavar="FILE", default=None,
                    help="YAML file of waivers: accepted, time-boxed exceptions (docs/waivers.md)")
    gate = parser.getgroup("amaaudit gate", "amaaudit: gating changes (docs/report.md, README 'Gating changes')")
    gate.addoption("--baseline", metavar="FILE", default=None,
                   help="findings.json of an earlier run: label each result new or unchanged, list what was resolved")
    gate.addoption("--what-if", metavar="FILE", default=None, dest="what_if",
                   help="check the estate as a planned deployment would leave it: the JSON of "
                        "'az deployment group|sub|mg what-if --no-pretty-print' (or PowerShell's what-if result, "
                        "or 'terraform show -json' of azapi resources); results are labelled against the estate as it is")
    gate.addoption("--fail-on", choices=("any", "new"), default="any", dest="fail_on",
                   help="any (default): fail on any failure or could-not-evaluate; new: only on new ones "
                        "(needs --baseline or --what-if; unchanged failures are still reported)")
    gate.addoption("--amaaudit-preflight-child", action="store_true", default=False,
                   help=argparse.SUPPRESS)   # the --what-if run's own run of the estate as it is
    live = parser.getgroup("amaaudit live", "amaaudit: live discovery from Azure (read-only)")
    live.addoption("--subscription", metavar="ID", action="append", default=[],
                   help="discover VMs in this subscription (repeatable; or AZURE_SUBSCRIPTION_ID)")
    live.addoption("--resource-group", metavar="NAME", action="append", default=[],
                   help="only VMs in this resource group (repeatable)")
    live.addoption("--cloud", choices=("AzureCloud", "AzureUSGovernment", "AzureChinaCloud"), default=None,
                   help="Azure cloud (default AzureCloud)")
    live.addoption("--arm-endpoint", metavar="URL", default=None,
                   help="override the ARM endpoint (https://host[:port][/path]; no user:password@, query or fragment)")
    live.addoption("--logs-endpoint", metavar="URL", default=None,
                   help="override the Log Analytics endpoint (https, as --arm-endpoint)")
    live.addoption("--discovery", choices=("arm", "resource-graph"), default="arm",
                   help="discovery back-end (default arm)")
    live.addoption("--save-estate", metavar="FILE", default=None,
                   help="write the snapshot that was checked (secrets redacted; a new file is 0600)")
    parser.addini("amaaudit_suite", type="bool", default=False,
                  help="this rootdir is an amaaudit compliance suite (load the estate at start)")


def live_subscriptions(config) -> list[str]:
    subs = list(config.getoption("subscription") or [])
    if not subs and not config.getoption("estate") and os.environ.get("AZURE_SUBSCRIPTION_ID"):
        subs = [os.environ["AZURE_SUBSCRIPTION_ID"]]
    return subs
