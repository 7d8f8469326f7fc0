"""A hostile estate and waiver file cannot drive the terminal: every control character they carry
is shown as an escape, in amaaudit's own lines and in what pytest prints of our results, while
findings.json keeps the real characters."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from amaaudit.text import printable
from scenarios import Scenario, install_suite, run_suite, write_estate

# Clear screen, an OSC 8 link, a title change, BEL, a carriage return that overwrites the line,
# a one-byte C1 CSI, a right-to-left override, a line separator.
EVIL = "\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b]0;pwned\x07\rOK\x9b31m\u202etxt\u2028end"
# What must never reach the terminal raw: C0 but newline and tab, DEL, C1, bidi and line separators.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def hostile_estate() -> dict:
    """Hostile names live in the documents' ``name`` (an id with them would contradict its type and be
    refused at load), where the model and every output read them."""
    s = Scenario()
    machines = [s.machine("agent-evil", tags={"owner": EVIL}, ext={"statuses": [
        {"code": "ProvisioningState/failed/1", "level": "Error", "displayStatus": "Provisioning failed",
         "message": "Enable failed: " + EVIL}]}),
        s.machine("stopped", power="deallocated"), s.machine("unread", beat=None)]
    for vm in machines:
        vm["name"] += EVIL
    s.error(s.law["id"], "Microsoft.OperationalInsights/workspaces/query/read", message="denied " + EVIL)
    return s.build()


def waiver_file(path) -> str:
    evil = json.dumps(EVIL)          # a YAML double-quoted scalar takes JSON's escapes
    path.write_text("waivers:\n"
                    f"  - step: power\n    vm: \"stopped*\"\n    justification: {evil}\n    owner: {evil}\n"
                    f"    ticket: {evil}\n    expires: 2099-12-31\n"
                    f"  - step: dns\n    vm: \"*\"\n    justification: {evil}\n    owner: {evil}\n"
                    f"    ticket: {evil}\n    expires: 2099-12-31\n", encoding="utf-8")
    return str(path)


def test_nothing_from_the_estate_or_the_waivers_reaches_the_terminal_raw(pytester):
    doc = hostile_estate()
    waivers = waiver_file(pytester.path / "waivers.yaml")
    run = run_suite(pytester, doc, "-rA", "-v", "--color=no", "--tb=short", "--waivers", waivers)
    out = run.output
    found = sorted({f"U+{ord(c):04X}" for c in RAW.findall(out)})
    assert not found, f"raw control characters in the terminal output: {found}"
    # It was said, only made inert: the same text, escaped, in amaaudit's summary and in pytest's own lines.
    shown = printable(EVIL)
    assert out.count(shown) >= 5
    assert "Enable failed: " + shown in out                               # the finding, in the summary
    assert re.search(r"SKIPPED \[7\] fixtures/compliance\.py:\d+: blocked by step 'power': VM stopped"
                     + re.escape(shown), out)                            # -rA
    assert "denied " + shown in out                                       # an error's reason
    assert f"WAIVED Machine running (Arc: connected), agent ready: {shown} (owner {shown}" in out
    assert f"amaaudit waiver #2 is unused: it matched no failing result ({shown}, owner {shown})" in out
    outcomes = {(vm.split("\\")[0], step): outcome for (vm, step), outcome in run.items()}
    assert outcomes["agent-evil", "agent"] == "fail" and outcomes["unread", "heartbeat"] == "error"
    assert outcomes["stopped", "power"] == "waived" and outcomes["stopped", "dcr"] == "skip"

    # What pytest prints of each result with --tb / -rA (its longrepr): the failure's finding, the
    # error's reason, the skip's reason, all inert, and all of them said.
    texts = {(vm.split("\\")[0], step): "\n".join(r["longrepr"] for r in records)
             for (vm, step), records in run.records.items()}
    assert not [key for key, text in texts.items() if RAW.search(text)]
    assert "Enable failed: " + shown in texts["agent-evil", "agent"]
    assert "denied " + shown in texts["unread", "heartbeat"]
    skips = [rep.longrepr[2] for rep in run.result.reprec.getreports("pytest_runtest_logreport")
             if rep.skipped and isinstance(rep.longrepr, tuple)]          # what -rs prints
    assert skips and not [s for s in skips if RAW.search(s)]
    assert any(f"VM stopped{shown} is not up" in s for s in skips)

    # findings.json keeps the real characters (JSON escapes them); the report is valid JSON.
    data = json.loads((pytester.path / "reports" / "findings.json").read_text(encoding="utf-8"))
    messages = [r["message"] or "" for r in data["results"]]
    assert any(EVIL in m for m in messages)


def test_printable_lines_keep_the_line_breaks_and_nothing_else():
    from amaaudit.plugin.outcomes import printable_lines
    assert printable_lines("a\x1b[2J\nb\r\n") == "a\\e[2J\nb\\r\n"


def test_the_raw_bytes_of_a_real_run_hold_no_control_character(pytester):
    """pytester splits its captured output into lines (a CR or U+2028 would vanish): here the
    bytes a terminal would receive are read as they are, from a separate process."""
    install_suite(pytester)
    estate = write_estate(pytester.path / "estate.json", hostile_estate())
    waivers = waiver_file(pytester.path / "waivers.yaml")
    proc = subprocess.run([sys.executable, "-m", "pytest", "--estate", str(estate), "--waivers", waivers,
                           "-rA", "-v", "--color=no", "--tb=short", "-p", "no:cacheprovider"],
                          cwd=pytester.path, capture_output=True, timeout=300)
    out = (proc.stdout + proc.stderr).decode("utf-8", errors="replace")
    assert proc.returncode == 1 and "1 failed" in out, out[-2000:]
    found = sorted({f"U+{ord(c):04X}" for c in RAW.findall(out)})
    assert not found, f"raw control characters in the terminal output: {found}"
    assert out.count(printable(EVIL)) >= 5
