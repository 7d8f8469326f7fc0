"""What the terminal shows: which estate was checked, and a short findings summary per VM.

The summary replaces pytest's failure dump for compliance runs: it stays linear in the
number of results and tells an engineer, per VM, the first broken link and its fix.
Everything it prints from the estate, the records or the waivers goes through ``printable``:
a name, a tag or a guest-written status message must not clear the screen or rewrite a line.
"""

from __future__ import annotations

from collections import Counter

from .. import __version__
from ..report.results import primary, reason as reason_in
from ..steps import BY_NAME
from ..text import printable
from . import gating, results, source

KIND_BANNER = {"demo": "DEMO estate (bundled, fictional)", "file": "SNAPSHOT file", "live": "LIVE Azure"}
FULL_LIMIT = 40


def _machines(n: int) -> str:
    return f"{n} machine" if n == 1 else f"{n} machines"


def header_lines(config) -> list[str]:
    loaded = source.loaded(config)
    if loaded is None:
        return []
    snap = loaded.snapshot
    vms = loaded.estate.vms
    subs = {vm.subscription.lower() for vm in vms}
    kinds = Counter(vm.kind for vm in vms)
    by_kind = f" ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})" if len(kinds) > 1 else ""
    spanned = {r["id"].split("/")[2].lower() for r in snap.resources if r["id"].count("/") > 2}
    workspaces = config.getoption("workspace") or ["any (not restricted by --workspace)"]
    lines = [
        f"amaaudit {__version__} | ESTATE: {KIND_BANNER[loaded.kind]} -- {printable(loaded.label)}",
        f"  captured_at {snap.captured_at:%Y-%m-%dT%H:%M:%SZ} (verdicts are judged at this instant) | cloud {printable(snap.cloud)}"
        f" | {_machines(len(vms))}{by_kind} in {len(subs)} subscription(s) | {len(snap.resources)} resources in {len(spanned)} subscription(s)"
        f" | {len(snap.errors)} read errors | heartbeats {'collected' if snap.heartbeats is not None else 'NOT collected'}",
        f"  expected workspaces: {printable(', '.join(workspaces))} | heartbeat max age: {config.getoption('heartbeat_max_age')} min"
        f" | language: {config.getoption('report_lang')}",
    ]
    lines += source.source_lines(loaded)
    gaps = gap_line(loaded)
    if gaps:
        lines.append(f"  INCOMPLETE: {printable(gaps)}")
    return lines


def summary(reporter, config) -> None:
    loaded = source.loaded(config)
    if loaded is None:
        return
    items = results.records(reporter.stats)
    if items:
        _results(reporter, config, loaded, items)
    elif not loaded.estate.vms:
        reporter.write_line(f"amaaudit: the {loaded.kind} estate holds no machine, so nothing was checked "
                            "(exit status 5; the reports say the same)", yellow=True, bold=True)
    gaps = gap_line(loaded)
    if gaps:
        reporter.write_line(f"INCOMPLETE: {printable(gaps)}", red=True, bold=True)


def gap_line(loaded) -> str:
    """The failed VM lists, said in one line ("" when every VM list was read)."""
    from ..report.header import gap_text
    gaps = loaded.estate.errors.inventory_gaps()
    if not gaps:
        return ""
    return (f"the VM list of {gap_text(gaps)} could not be read, so VMs there are not checked at all "
            "(the run fails for it; fix the read and run again)")


def _results(reporter, config, loaded, items) -> None:
    lang = config.getoption("report_lang")
    grouped = results.by_vm(items)
    broken = {rid: steps for rid, steps in grouped.items()
              if any(r["outcome"] in ("fail", "error", "warn") or r.get("findings") for r in steps.values())}
    total = results.counts(items)
    healthy = len(grouped) - len(broken)      # every machine is listed with its findings or counted here
    reporter.write_sep("=", f"amaaudit: {_machines(len(grouped))} checked on the {loaded.kind} estate, "
                            f"{healthy} without findings", bold=True)
    gate = gating.gate(config)
    if gate is not None:        # --baseline / --what-if: the counts, then the VMs with new findings first
        reporter.write_line(gate.counts_line(), bold=True)
        broken = dict(sorted(broken.items(), key=lambda kv: not gate.has_new(kv[1])))
    verbose = config.getoption("verbose") > 0 or len(broken) <= FULL_LIMIT
    shown = list(broken.items()) if verbose else list(broken.items())[:FULL_LIMIT]
    if len(grouped) <= 5:  # a -k run on a few machines: show each chain, healthy or not
        shown = list(grouped.items())
    for _, steps in shown:
        _write_vm(reporter, steps, lang, every_fix=len(grouped) <= 5)
    if len(shown) < len(broken):
        reporter.write_line(f"... and {len(broken) - len(shown)} more VMs with findings (-v shows all; "
                            "the HTML report and findings.json have every one)")
    parts = [f"{total[k]} {k}" for k in ("pass", "fail", "warn", "error", "skip", "waived") if total.get(k)]
    reporter.write_line("results: " + ", ".join(parts))


def _write_vm(reporter, steps, lang: str, every_fix: bool) -> None:
    """One VM: its chain, then each finding; the fix of the first broken link (of every failure
    when only a few VMs were selected, as with ``-k``)."""
    ordered = results.step_sorted(steps)
    any_record = ordered[0]
    first = results.first_broken(steps)
    chain = " ".join(f"{r['step']}:{r['outcome']}" for r in ordered)
    reporter.write_line("")
    reporter.write_line(printable(f"{any_record['vm']}  [{any_record.get('kind') or 'vm'}]  "
                                  f"({any_record['resource_group']}, {any_record['subscription']})  {chain}"), bold=True)
    for record in ordered:
        outcome = record["outcome"]
        if outcome in ("pass",):
            continue
        title = BY_NAME[record["step"]].title.get(lang)
        marker = "  <- first broken link" if record is first else ""
        colour = {"fail": {"red": True}, "error": {"purple": True}, "warn": {"yellow": True}}.get(outcome, {})
        if outcome == "skip":
            if not record.get("reason", "").startswith(("blocked", "not applicable")):
                reporter.write_line(f"  {record['step']:<9} SKIP   {printable(reason_in(record, lang))}")
            for finding in record.get("findings", []):      # what ARM did show beside a step it cannot judge
                reporter.write_line(f"  {record['step']:<9} WARN   {printable(finding['message'][lang])}", yellow=True)
            continue
        if outcome == "error":
            reporter.write_line(f"  {record['step']:<9} ERROR  {title}: {printable(reason_in(record, lang))}{marker}",
                                **colour)
            continue
        waiver = record.get("waiver") or {}
        if outcome == "waived":
            reporter.write_line(f"  {record['step']:<9} WAIVED {title}: " + printable(
                f"{waiver.get('justification', '')} (owner {waiver.get('owner', '?')}, {waiver.get('ticket', '')}, "
                f"expires {waiver.get('expires', '?')})"), cyan=True)
            continue
        if waiver.get("status") == "expired":
            reporter.write_line(f"  {record['step']:<9} note   " + printable(
                f"waiver {waiver.get('id', '')} expired on {waiver.get('expires', '?')}; it no longer applies"),
                yellow=True)
        fixes_said: set[str] = set()        # several findings of one kind share their fix: say it once
        findings = record.get("findings", [])
        # The marker goes on the finding that broke the link, not on a warning recorded before it.
        breaking = primary(record)
        for finding in findings:
            label = "FAIL " if finding["severity"] in ("critical", "high") else "WARN "
            said = marker if finding is breaking else ""
            reporter.write_line(f"  {record['step']:<9} {label}  {printable(finding['message'][lang])}{said}",
                                **(colour if label == "FAIL " or outcome != "fail" else {"yellow": True}))
            if label.startswith("FAIL") and (every_fix or record is first):
                fix = finding["remediation"][lang]
                if fix not in fixes_said:
                    fixes_said.add(fix)
                    reporter.write_line(f"            fix: {printable(fix)}")
                for command in finding["commands"]:
                    reporter.write_line(f"              {printable(command)}")
    blocked = [r["step"] for r in ordered if r["outcome"] == "skip" and r.get("reason", "").startswith("blocked")]
    if blocked:
        reason = next(reason_in(r, lang) for r in ordered if r["step"] == blocked[0])
        reporter.write_line(f"  skipped  {', '.join(blocked)}: {printable(reason)}")
