"""The scale benchmark: a compliance run over N synthetic VMs against pytest's own floor.

    python bench/run.py                         # N = 1,000 and 10,000 (about 15 minutes on 2 cores)
    python bench/run.py --sizes 1000 --quick    # a smoke run: no xdist, browser or discovery parts

For each N it prints (and writes to ``bench/results.md`` with the machine's facts):

(a) wall time and peak RSS of ``pytest --estate estate-N.json`` with the default outputs
    (HTML, JUnit, findings.json), and in the same benchmark run two floors: a bare pytest suite
    with the same number of trivial parametrized items (9 test functions x N ids), with no
    output files (``floor``), and the same suite writing pytest-html's report and JUnit XML
    (``floor+out``). The ratio that the goal (<= 1.5 at 10,000 VMs) is judged on is
    ``run / floor+out``: both then pay for the same kinds of output. ``run / floor`` is printed too.
    The suites of (a) and (b) alternate over ``--repeat`` rounds and each keeps its fastest, so
    that a drift of the machine's speed does not land on one side of a ratio.
(b) the same run with ``pytest -n W`` (pytest-xdist) at the largest N, and whether its verdicts
    and outputs are identical to the serial run's (JUnit test cases and their properties,
    findings.json results; both sorted).
(c) estate load + model build + every VM's derived questions, in a fresh process, and how it
    grows from the smallest to the largest N (linear would be N2/N1).
(d) how long headless Chromium takes to show the report's matrix at the largest N.
(e) live discovery against the fake ARM server (tests/fakearm, in a process of its own), 30-50 ms
    per request, both back-ends, each once without limits and once under Azure's documented limits (ARM: a bucket
    of 250 reads per subscription refilled at 25/s; Resource Graph 15 queries per 5 s; Log
    Analytics 200 per 30 s): wall time, requests, 429s, waits, and the throttle floor = the largest
    over subscriptions of (reads in that subscription - 250) / 25 s. The goal: throttled <= 1.25 x
    max(unthrottled, floor), and both captures identical.

Times are printed, never asserted. Generated estates and reports go to ``bench/out/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))

STEPS = ("os", "power", "agent", "network", "ampls", "dns", "dcr", "identity", "heartbeat")
PROFILES = ("landing-zone", "failure-heavy")      # bench/make_estate.py --profile
ROW_NAMES = {"run": "pytest --estate (default outputs)", "floor": "floor: bare pytest, no outputs",
             "floor+out": "floor+out: bare pytest + pytest-html + JUnit"}


# -- running things ------------------------------------------------------------------------------
def timed(cmd: list[str], cwd: Path, log: Path | None = None, env: dict | None = None) -> dict:
    """Run ``cmd``; wall seconds and the child's own peak RSS (wait4, so per run, not per benchmark)."""
    started = time.perf_counter()
    with open(log or os.devnull, "w") as sink:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"seconds": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024, "exit": proc.returncode,
            "cpu_seconds": usage.ru_utime + usage.ru_stime}


def estate_file(n: int, seed: int, profile: str = "landing-zone") -> Path:
    path = OUT / (f"estate-{n}-s{seed}.json" if profile == "landing-zone" else f"estate-{profile}-{n}-s{seed}.json")
    if not path.exists():
        from bench.make_estate import build, failure_heavy
        document, _ = failure_heavy(n, seed) if profile == "failure-heavy" else build(n, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"), ensure_ascii=False)
    return path


def compliance_run(estate: Path, n: int, workers: int | None = None, profile: str = "landing-zone") -> dict:
    tag = f"run-{n}" + ("" if profile == "landing-zone" else f"-{profile}") + (f"-n{workers}" if workers else "")
    out = OUT / tag
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pytest", "--estate", str(estate), f"--html={out}/report.html",
           "--self-contained-html", f"--junitxml={out}/junit.xml", f"--findings-json={out}/findings.json"]
    if workers:
        cmd += ["-n", str(workers)]
    result = timed(cmd, REPO, out / "terminal.txt")
    result["dir"] = out
    result["summary"] = _last_line(out / "terminal.txt")
    return result


def fastest(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """Per suite, its fastest round; the peak memory is the largest of any round."""
    best = {}
    for key in rounds[0]:
        best[key] = dict(min((r[key] for r in rounds), key=lambda x: x["seconds"]))
        best[key]["rss_mb"] = max(r[key]["rss_mb"] for r in rounds)
    return best


def _last_line(path: Path) -> str:
    lines = [l for l in path.read_text(errors="replace").splitlines() if l.strip()]
    for line in reversed(lines):
        if re.search(r"\d+ (passed|failed)", line):
            return line.strip("= ")
    return lines[-1] if lines else ""


def floor_runs(n: int, workers: int | None = None) -> dict[str, dict]:
    """The same number of trivial items: 9 functions, each parametrized over N ids (and, with
    ``workers``, the floor+out suite under ``pytest -n workers`` too: what xdist itself costs)."""
    with tempfile.TemporaryDirectory(prefix="amaaudit-floor-") as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        body = ["import pytest", "", f"IDS = [f'vm{{i:05d}}' for i in range({n})]", ""]
        for step in STEPS:
            body += ["", "@pytest.mark.parametrize('vm', IDS)", f"def test_{step}(vm):", "    pass", ""]
        (root / "test_floor.py").write_text("\n".join(body))
        # The installed amaaudit plugin is inert outside a compliance run, but a floor has none of it.
        base = [sys.executable, "-m", "pytest", "-p", "no:amaaudit", "-p", "no:cacheprovider", "--tb=no", "-rN"]
        out = [f"--html={root}/r.html", "--self-contained-html", f"--junitxml={root}/j.xml"]
        result = {"floor": timed(base, root), "floor+out": timed(base + out, root)}
        if workers:
            result["floor+out xdist"] = timed(base + out + ["-n", str(workers)], root)
        return result


MODEL_SCRIPT = r"""
import json, sys, time
from amaaudit.snapshot import load
from amaaudit.model import Estate, Unknown

def egress(vm):
    # an Arc server's network is not in ARM: its network view has no egress to derive, and no check asks for it
    return vm.network.egress if hasattr(type(vm.network), "egress") else []

def touch(vm):
    # the questions every machine kind answers (amaaudit.model.machine.Machine), as the checks ask them
    asked = 0
    for question in (lambda: vm.os_type, lambda: vm.image, lambda: vm.guest_os, lambda: vm.liveness,
                     lambda: vm.agent_service, lambda: vm.ama_extensions, lambda: vm.legacy_agents,
                     lambda: vm.user_assigned, lambda: vm.system_assigned,
                     lambda: [a.rule for a in vm.rule_associations], lambda: vm.log_workspaces(),
                     lambda: vm.data_collection_endpoints(), lambda: egress(vm),
                     lambda: [(e.nic_rules, e.subnet_rules) for e in egress(vm)],
                     lambda: vm.network.vnets, lambda: vm.network.private_link_paths,
                     lambda: vm.network.custom_dns_servers):
        try:
            question()
        except Unknown:
            pass
        asked += 1
    return asked

import gc
t0 = time.perf_counter()
snap = load(sys.argv[1])
t1 = time.perf_counter()
estate = Estate(snap)
if sys.argv[2] == "freeze":
    gc.freeze()          # what a compliance run does once the estate is loaded (fixtures/compliance.py)
vms = estate.vms
t2 = time.perf_counter()
asked = sum(touch(vm) for vm in vms)
t3 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "index": t2 - t1, "derive": t3 - t2, "total": t3 - t0, "vms": len(vms),
                  "resources": len(snap.resources), "questions": asked}))
"""


def model_timing(estate: Path) -> dict:
    """As a run uses the model (the loaded estate frozen out of the GC's reach), and as a plain
    library caller would (``derive_plain``: no freeze, the cyclic GC re-walks the estate)."""
    out = {}
    for policy in ("freeze", "plain"):
        proc = subprocess.run([sys.executable, "-c", MODEL_SCRIPT, str(estate), policy], cwd=REPO,
                              capture_output=True, text=True, check=True)
        out[policy] = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**out["freeze"], "derive_plain": out["plain"]["derive"]}


# -- comparing outputs -----------------------------------------------------------------------------
def junit_cases(path: Path) -> list[tuple]:
    cases = []
    for case in ET.parse(path).iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = f"{child.tag}: {child.get('message') or ''}"
        props = tuple(sorted((p.get("name"), p.get("value")) for p in case.iter("property")))
        cases.append((case.get("classname"), case.get("name"), outcome, props))
    return sorted(cases)


def findings_results(path: Path) -> list[str] | None:
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in document.get("results", []))


def same_outputs(serial: Path, parallel: Path) -> dict:
    a, b = junit_cases(serial / "junit.xml"), junit_cases(parallel / "junit.xml")
    out = {"junit_cases": len(a), "junit_identical": a == b,
           "junit_differences": len(set(a) ^ set(b))}
    fa, fb = findings_results(serial / "findings.json"), findings_results(parallel / "findings.json")
    out["findings_identical"] = None if fa is None or fb is None else fa == fb
    if fa is not None and fb is not None:
        out["findings_results"] = len(fa)
        # the whole file too: it is written sorted, so it should be byte-identical but for the header
        out["findings_differences"] = len(set(fa) ^ set(fb))
    return out


def outcome_counts(junit: Path) -> dict:
    counts: dict[str, int] = {}
    failing_vms, vms = set(), set()
    for case in ET.parse(junit).iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        outcome = props.get("outcome", "?")
        counts[outcome] = counts.get(outcome, 0) + 1
        vm = props.get("resource_id")
        vms.add(vm)
        if outcome in ("fail", "error"):
            failing_vms.add(vm)
    counts["vms"] = len(vms)
    counts["failing_vms"] = len(failing_vms)
    return counts


# -- the browser -----------------------------------------------------------------------------------
def browser_timing(report: Path) -> dict:
    try:
        from amaaudit.report import chromium
    except ImportError:
        chromium = None
    if chromium is not None and hasattr(chromium, "time_to_matrix") and chromium.executable():
        try:
            t = chromium.time_to_matrix(report, rounds=3)
            return {"how": "CDP: performance.now() when the matrix is in the DOM / painted", **t}
        except Exception as exc:  # noqa: BLE001 - e.g. an older report with no matrix stamps
            fallback = f"time_to_matrix failed ({exc}); "
    else:
        fallback = ""
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory(prefix="amaaudit-chromium-") as profile:
        started = time.perf_counter()
        subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                        "--virtual-time-budget=600000", "--dump-dom", report.resolve().as_uri()],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
        wall = time.perf_counter() - started
    return {"how": fallback + "wall time of chromium --headless --dump-dom (start-up included)",
            "matrix_s": None, "load_s": wall, "bytes": report.stat().st_size}


# -- discovery -------------------------------------------------------------------------------------
class _Token:
    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        return AccessToken("bench-token", int(time.time()) + 3600)


class FakeServer:
    """The suite's fake ARM (tests/fakearm) in a process of its own (tests/fakearm/serve.py), so that
    discovery does not share its process and GIL with the server it reads from."""

    def __init__(self, estate: Path, latency: tuple[float, float]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fakearm.serve", str(estate),
                                      "--latency", f"{latency[0]},{latency[1]}"], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.url, self.ca = info["url"], info["ca"]

    def ask(self, **command) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        if self.proc.wait(timeout=60) != 0:
            raise RuntimeError("the fake ARM server ended badly (did discovery send a write?)")


def discovery_timing(estate: Path, latency: tuple[float, float], concurrency: int) -> list[dict]:
    """Both back-ends, each captured twice from one fake ARM: without limits, then under the documented
    ones (fresh buckets). And ``arm`` once more for one subscription alone: with four, this client
    reads more slowly than four buckets refill (100 reads/s), so only a capture of one subscription
    (25 reads/s) shows the pacing at work, at its floor."""
    from amaaudit.discovery import LiveSettings, discover
    from amaaudit.discovery.limits import DOCUMENTED
    from tests.fakearm.harness import comparable

    document = json.loads(estate.read_text(encoding="utf-8"))
    subs = sorted({r["id"].split("/")[2] for r in document["resources"]
                   if r["type"].lower() == "microsoft.compute/virtualmachines"})
    del document
    rows = []
    server = FakeServer(estate, latency)
    saved = {k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "NO_PROXY", "no_proxy")}
    os.environ.update(REQUESTS_CA_BUNDLE=server.ca, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    try:
        for backend, listed in (("arm", subs), ("resource-graph", subs), ("arm", subs[:1])):
            runs = {}
            for mode in ("unthrottled", "throttled"):
                server.ask(cmd="reset", limits=mode == "throttled")
                settings = LiveSettings(subscriptions=listed, arm_endpoint=server.url, logs_endpoint=server.url,
                                        backend=backend, concurrency=concurrency)
                started = time.perf_counter()
                doc = discover(settings, credential=_Token())
                wall = time.perf_counter() - started
                served = server.ask(cmd="stats")
                src = doc["source"]
                by = src.get("requests_by_api", {})
                runs[mode] = {"seconds": wall, "requests": src.get("requests"), "arm": by.get("arm", 0),
                              "resource_graph": by.get("resource_graph", 0),
                              "log_analytics": by.get("log_analytics", 0), "throttled": served["throttled"],
                              "waits": src.get("throttle_waits", 0), "wait_s": src.get("throttle_wait_seconds", 0),
                              "paced_s": src.get("paced_seconds", 0),
                              "floor": DOCUMENTED.arm_floor_seconds(served["reads"]),
                              "errors": len(doc.get("errors") or []),
                              "repeated_gets": served["repeated_gets"], "comparable": comparable(doc),
                              "vms": sum(1 for r in doc["resources"]
                                         if r["type"].lower() == "microsoft.compute/virtualmachines")}
                print(f"  {backend} ({len(listed)} of {len(subs)} subscriptions) {mode}: {wall:.1f} s, {src.get('requests')} requests, "
                      f"{runs[mode]['throttled']} 429s, paced {runs[mode]['paced_s']} s, "
                      f"floor {runs[mode]['floor']:.1f} s", flush=True)
                del doc
            free, paced = runs["unthrottled"], runs["throttled"]
            same = free.pop("comparable") == paced.pop("comparable")
            rows.append({"backend": backend + ("" if listed == subs else f", {len(listed)} of {len(subs)} subscriptions"),
                         "free": free, "paced": paced, "identical": same,
                         "ratio": paced["seconds"] / max(free["seconds"], paced["floor"])})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.close()
    return rows


# -- facts and printing ----------------------------------------------------------------------------
def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    versions = subprocess.run([sys.executable, "-c", "import pytest, xdist, pytest_html; print(pytest.__version__, "
                               "xdist.__version__, pytest_html.__version__)"], capture_output=True, text=True)
    pytest_v, xdist_v, html_v = (versions.stdout.split() + ["?", "?", "?"])[:3]
    chromium = subprocess.run([shutil.which("chromium") or "/usr/bin/chromium", "--version"], capture_output=True,
                              text=True).stdout.strip() if shutil.which("chromium") else "not found"
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "pytest": pytest_v, "pytest-xdist": xdist_v, "pytest-html": html_v, "chromium": chromium,
            "os": f"{platform.system()} {platform.release()}",
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def table(headers: list[str], rows: list[list]) -> list[str]:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return [line, rule] + ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated VM counts (default 1000,10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="pytest -n W for part (b) (default 2)")
    parser.add_argument("--xdist-size", type=int, default=None, help="N for part (b) (default: the largest)")
    parser.add_argument("--browser-size", type=int, default=None, help="N for part (d) (default: the largest)")
    parser.add_argument("--discovery-sizes", default="1000,3000",
                        help="VM counts for part (e), comma-separated, or 'none' (default 1000,3000: about 10 "
                             "minutes; each size is captured four times); with 'none' the results file keeps "
                             "the part (e) it had")
    parser.add_argument("--latency", default="0.03,0.05",
                        help="fake ARM latency per request, s: a value or a range LO,HI (default 0.03,0.05)")
    parser.add_argument("--profiles", default=",".join(PROFILES),
                        help="the estates of parts (a)-(d), comma-separated: landing-zone (the synthetic landing "
                             "zone, about 20%% of the VMs failing) and failure-heavy (the demo's VMs cloned, 70%% "
                             "failing; bench/make_estate.py --profile); default both, measured in the same rounds")
    parser.add_argument("--concurrency", type=int, default=8, help="discovery concurrency (default 8, the CLI's)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="rounds of parts (a) and (b), suites alternating; each keeps its fastest (default 2)")
    parser.add_argument("--quick", action="store_true", help="only parts (a) and (c)")
    parser.add_argument("--discovery-only", action="store_true",
                        help="only part (e); its section of the results file is replaced, the rest kept")
    parser.add_argument("--results", default=str(REPO / "bench" / "results.md"), help="where to write the figures")
    args = parser.parse_args(argv)

    sizes = [] if args.discovery_only else sorted(int(s) for s in args.sizes.split(","))
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = [p for p in profiles if p not in PROFILES]
    if unknown or not profiles:
        parser.error(f"--profiles: {', '.join(unknown) or 'none given'}; choose from {', '.join(PROFILES)}")
    latency = latency_of(args)
    big = sizes[-1] if sizes else 0
    xdist_n = None if args.quick else (args.xdist_size or big)
    browser_n = None if args.quick else (args.browser_size or big)
    discovery_sizes = [] if args.quick or args.discovery_sizes == "none" else \
        sorted(int(s) for s in args.discovery_sizes.split(","))
    facts = machine()
    print(f"machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['memory']}, Python {facts['python']}, "
          f"pytest {facts['pytest']}, pytest-xdist {facts['pytest-xdist']}, pytest-html {facts['pytest-html']}")

    runs: dict[int, dict] = {}
    for n in sizes:
        entry: dict = {"profiles": {}}
        for profile in profiles:
            estate = estate_file(n, args.seed, profile)
            print(f"\nN = {n}, {profile}: {estate.relative_to(REPO)} ({estate.stat().st_size / 1e6:.1f} MB)", flush=True)
            model = model_timing(estate)
            print(f"  model: load {model['load']:.2f} s, index {model['index']:.2f} s, "
                  f"derive {model['derive']:.2f} s", flush=True)
            entry["profiles"][profile] = {"estate": estate, "model": model}
        # The machine's speed drifts (a shared host): the suites alternate, round after round, and
        # each keeps its fastest round, so that a ratio compares runs made under the same conditions.
        # Both profiles have the same number of items, so they share the floors of their round.
        rounds = []
        for r in range(args.repeat):
            one = {}
            for profile in profiles:
                one[f"run:{profile}"] = compliance_run(entry["profiles"][profile]["estate"], n, profile=profile)
            one.update(floor_runs(n, args.workers if n == xdist_n else None))
            if n == xdist_n:
                for profile in profiles:
                    one[f"xdist:{profile}"] = compliance_run(entry["profiles"][profile]["estate"], n, args.workers,
                                                             profile)
            rounds.append(one)
            print(f"  round {r + 1}: " + "; ".join(f"{k} {v['seconds']:.1f} s" for k, v in one.items()), flush=True)
        best = fastest(rounds)
        for key in ("floor", "floor+out", "floor+out xdist"):
            if key in best:
                entry[key] = best[key]
        print(f"  floor: {entry['floor']['seconds']:.1f} s; floor+out: {entry['floor+out']['seconds']:.1f} s"
              + (f"; floor+out -n {args.workers}: {entry['floor+out xdist']['seconds']:.1f} s"
                 if "floor+out xdist" in entry else ""), flush=True)
        for profile, e in entry["profiles"].items():
            e["run"] = best[f"run:{profile}"]
            e["counts"] = outcome_counts(e["run"]["dir"] / "junit.xml")
            print(f"  {profile} run: {e['run']['seconds']:.1f} s, {e['run']['rss_mb']:.0f} MB -- {e['run']['summary']}",
                  flush=True)
            if n == xdist_n:
                e["xdist"] = best[f"xdist:{profile}"]
                e["xdist_same"] = same_outputs(e["run"]["dir"], e["xdist"]["dir"])
                print(f"  {profile} -n {args.workers}: {e['xdist']['seconds']:.1f} s, identical: {e['xdist_same']}",
                      flush=True)
            if n == browser_n:
                e["browser"] = browser_timing(e["run"]["dir"] / "report.html")
                print(f"  {profile} browser: {e['browser']}", flush=True)
        runs[n] = entry

    discovery: dict[int, list[dict]] = {}
    for n in discovery_sizes:
        print(f"\ndiscovery, N = {n}, latency {_ms(latency)} ms, concurrency {args.concurrency}", flush=True)
        try:
            discovery[n] = discovery_timing(estate_file(n, args.seed), latency, args.concurrency)
        except ImportError as exc:
            print(f"  skipped: {exc}")
            break

    lines = report(facts, runs, discovery, args, sizes)
    command = sys.argv[1:] if argv is None else argv
    if args.discovery_only:
        lines = lines[lines.index(next(line for line in lines if line.startswith("### (e)"))):]
        text = discovery_md(Path(args.results), facts, lines, command)
    else:
        if not discovery:
            lines = kept_discovery(Path(args.results), lines)
        text = "\n".join(results_md(facts, lines, command)) + "\n"
    print("\n" + "\n".join(lines))
    Path(args.results).write_text(text, encoding="utf-8")
    print(f"\nwrote {Path(args.results).relative_to(REPO) if Path(args.results).is_relative_to(REPO) else args.results}")
    return 0


def report(facts: dict, runs: dict[int, dict], discovery: dict[int, list[dict]], args, sizes: list[int]) -> list[str]:
    def each():
        for n, entry in runs.items():
            for profile, e in entry["profiles"].items():
                yield n, profile, entry, e

    lines = ["### (a) compliance run vs pytest's floor (9 items per VM)", ""]
    rows = []
    for n, profile, entry, e in each():
        c = e["counts"]
        fail_share = f"{100 * c['failing_vms'] / max(c['vms'], 1):.0f}%"
        rows.append([f"{n:,}", profile, f"{9 * n:,}", f"{e['run']['seconds']:.1f}", f"{e['run']['rss_mb']:.0f}",
                     f"{entry['floor']['seconds']:.1f}", f"{entry['floor+out']['seconds']:.1f}",
                     f"**{e['run']['seconds'] / entry['floor+out']['seconds']:.2f}**",
                     f"{e['run']['seconds'] / entry['floor']['seconds']:.2f}", fail_share])
    lines += table(["VMs", "estate", "items", "run s", "run peak MB", "floor s", "floor+out s", "run / floor+out",
                    "run / floor", "VMs failing"], rows)
    lines += ["", "goal: run / floor+out <= 1.5 at 10,000 VMs (landing-zone), <= 1.25 (failure-heavy). floor = 9 trivial "
              "test functions x N ids, no output files; floor+out = the same writing pytest-html (self-contained) "
              "and JUnit XML; both estates of a size share the floors of their rounds (same number of items). "
              "landing-zone: bench/make_estate.py's synthetic landing zone; failure-heavy: the demo's VMs cloned, "
              "70% of them from its failing ones (several findings per VM)."]
    for n, profile, entry, e in each():
        c = e["counts"]
        lines.append(f"- N={n:,} {profile} outcomes: " + ", ".join(f"{k} {v:,}" for k, v in c.items()
                                                                   if k not in ("vms", "failing_vms")))

    lines += ["", "### (b) pytest-xdist", ""]
    xrows = []
    for n, profile, entry, e in each():
        if "xdist" in e:
            same = e["xdist_same"]
            fx = entry.get("floor+out xdist")
            xrows.append([f"{n:,}", profile, f"{e['run']['seconds']:.1f}", f"-n {args.workers}",
                          f"{e['xdist']['seconds']:.1f}", f"{e['run']['seconds'] / e['xdist']['seconds']:.2f}x",
                          f"{e['xdist']['seconds'] / entry['floor+out']['seconds']:.2f}",
                          f"{entry['floor+out']['seconds']:.1f} -> {fx['seconds']:.1f}" if fx else "-",
                          "yes" if same["junit_identical"] else f"NO ({same['junit_differences']} differ)",
                          {True: "yes", False: f"NO ({same.get('findings_differences')} differ)",
                           None: "n/a (no findings.json)"}[same["findings_identical"]]])
    lines += table(["VMs", "estate", "serial s", "workers", "xdist s", "speed-up", "xdist / floor+out",
                    "floor+out serial -> xdist s", "JUnit identical", "findings.json identical"], xrows) \
        if xrows else ["(not run)"]
    if xrows:
        lines += ["", "The floor+out suite under the same -n shows what pytest-xdist costs by itself for items this "
                      "cheap: its controller logs every report (3 per item), every worker collects everything, "
                      "and every test is six execnet messages; the compliance run sends them in batches "
                      "(amaaudit/plugin/wire.py)."]

    lines += ["", "### (c) estate load + model build (fresh process)", ""]
    mrows = []
    for n, profile, entry, e in each():
        m = e["model"]
        mrows.append([f"{n:,}", profile, f"{m['resources']:,}", f"{e['estate'].stat().st_size / 1e6:.1f}",
                      f"{m['load']:.2f}", f"{m['index']:.2f}", f"{m['derive']:.2f}", f"{m['total']:.2f}",
                      f"{m['derive_plain']:.2f}"])
    lines += table(["VMs", "estate", "resources", "MB", "load s", "index s", "derive s", "total s",
                    "derive s, no freeze"], mrows)
    lines += ["", "load = amaaudit.snapshot.load (JSON + validation); index = amaaudit.model.Estate + its machine "
                  "views; derive = 17 questions per machine (OS, liveness, extensions, DCRs, workspaces, DCEs, NICs, "
                  "NSGs compiled, VNets, private link paths, DNS), after gc.freeze() as in a run; last column: "
                  "the same without the freeze."]
    if len(runs) > 1:
        lo, hi = sizes[0], sizes[-1]
        for profile in runs[hi]["profiles"]:
            if profile not in runs[lo]["profiles"]:
                continue
            a, b = runs[lo]["profiles"][profile]["model"], runs[hi]["profiles"][profile]["model"]
            lines += ["", f"growth {lo:,} -> {hi:,} VMs, {profile} (linear = {hi / lo:.0f}x): load "
                          f"{b['load'] / a['load']:.1f}x, index {b['index'] / a['index']:.1f}x, derive "
                          f"{b['derive'] / a['derive']:.1f}x, total {b['total'] / a['total']:.1f}x (derive without "
                          f"freeze {b['derive_plain'] / a['derive_plain']:.1f}x)"]

    lines += ["", "### (d) headless Chromium, the report", ""]
    for n, profile, entry, e in each():
        if "browser" in e:
            t = e["browser"]
            if t.get("matrix_s") is not None:
                lines.append(f"- N={n:,} {profile}: report {t['bytes'] / 1e6:.1f} MB; matrix in the DOM "
                             f"**{t['matrix_s']:.2f} s**, painted **{t.get('matrix_paint_s', 0):.2f} s**, "
                             f"DOMContentLoaded {t.get('dom_content_loaded_s', 0):.2f} s, load event "
                             f"{t['load_s']:.2f} s, {t['load_s'] - t.get('empty_load_s', 0):.2f} s after an empty "
                             f"page's ({t.get('table_rows', '?')} table rows; median of {t.get('rounds', 1)}) "
                             "-- goal <= 3 s")
            else:
                lines.append(f"- N={n:,} {profile}: report {t['bytes'] / 1e6:.1f} MB; {t['how']}: {t['load_s']:.1f} s")
    if not any("browser" in e for _, _, _, e in each()):
        lines.append("(not run)")

    lines += ["", f"### (e) discovery against the fake ARM ({_ms(latency_of(args))} ms per request, "
                  f"concurrency {args.concurrency}), without and under Azure's documented limits", ""]
    drows = []
    for n, rows_ in discovery.items():
        for r in rows_:
            free, paced = r["free"], r["paced"]
            drows.append([f"{paced['vms']:,}", r["backend"], f"{free['seconds']:.1f}", f"{paced['seconds']:.1f}",
                          f"{paced['floor']:.1f}", f"**{r['ratio']:.2f}**", f"{paced['requests']:,}",
                          f"{paced['requests'] / max(paced['vms'], 1):.2f}", f"{paced['arm']:,}", paced["resource_graph"],
                          paced["log_analytics"], paced["throttled"], f"{paced['waits']} ({paced['wait_s']:.0f} s)",
                          f"{paced['paced_s']:.0f}", paced["repeated_gets"],
                          "yes" if r["identical"] else "NO", paced["errors"]])
    lines += table(["VMs", "back-end", "unthrottled s", "throttled s", "floor s", "throttled / max(unthrottled, floor)",
                    "requests", "per VM", "ARM", "ARG", "LA", "429s", "retry waits", "paced s", "repeated GETs",
                    "same snapshot", "errors"], drows) if drows else ["(not run)"]
    if drows:
        lines += ["", "goal: throttled <= 1.25 x max(unthrottled, floor), 429s rare. floor = the largest over "
                      "subscriptions of (ARM reads in it - 250) / 25 s: each subscription has its own bucket. "
                      "Limits: ARM 250 reads per subscription refilled at 25/s, Resource Graph 15 queries per 5 s, "
                      "Log Analytics 200 queries per 30 s (amaaudit/discovery/limits.py); requests and 429s are "
                      "the throttled run's; paced s = time reads were held back to stay within a bucket; same "
                      "snapshot = the throttled capture equals the unthrottled one."]
    return lines


def _ms(latency: tuple[float, float]) -> str:
    lo, hi = latency
    return f"{lo * 1000:.0f}" if lo == hi else f"{lo * 1000:.0f}-{hi * 1000:.0f}"


def latency_of(args) -> tuple[float, float]:
    bounds = [float(x) for x in str(args.latency).split(",")]
    return bounds[0], bounds[-1]


def discovery_md(results: Path, facts: dict, lines: list[str], argv: list[str]) -> str:
    """The results file with its part (e) replaced by ``lines`` (the other parts are kept as they were)."""
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    head = old[:old.index("### (e)")] if "### (e)" in old else old
    note = (f"Part (e) produced by `python bench/run.py {' '.join(argv)}` on {facts['date']} ({facts['nproc']} CPUs, "
            f"{facts['cpu']}, Python {facts['python']}); parts (a)-(d) are from the run named at the top.")
    return head + "\n".join([lines[0], "", note, *lines[1:]]) + "\n"


def kept_discovery(results: Path, lines: list[str]) -> list[str]:
    """``lines`` with part (e) taken from the results file when this run did not measure it (it has its
    own, longer run: ``--discovery-only``), so that a run of parts (a)-(d) does not lose its figures."""
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    if "### (e)" not in old or "(not run)" in old[old.index("### (e)"):]:
        return lines
    return lines[:lines.index(next(line for line in lines if line.startswith("### (e)")))] + \
        old[old.index("### (e)"):].rstrip("\n").split("\n")


def results_md(facts: dict, lines: list[str], argv: list[str] | None) -> list[str]:
    command = "python bench/run.py" + ("" if not argv else " " + " ".join(argv))
    return ["# amaaudit scale benchmark: results", "",
            f"Produced by `{command}` (see README.md, 'Performance'). Times are wall-clock seconds on this machine;",
            "they drift by up to a fifth between runs, so in parts (a) and (b) the suites alternate over several",
            "rounds and each keeps its fastest round (peak memory: the largest of any round).", "",
            f"- machine: {facts['nproc']} CPUs, {facts['cpu']}, {facts['memory']} RAM, {facts['os']}",
            f"- Python {facts['python']}, pytest {facts['pytest']}, pytest-xdist {facts['pytest-xdist']}, "
            f"pytest-html {facts['pytest-html']}, {facts['chromium']}",
            f"- date: {facts['date']}", ""] + lines


if __name__ == "__main__":
    sys.exit(main())
