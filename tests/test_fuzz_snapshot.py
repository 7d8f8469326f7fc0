"""Hostile snapshots: property-based fuzzing of the loader, the model and the checks.

Real snapshots (the demo, a scenario estate, the ARM example payloads) are mutated: fields
removed, added, nulled or given the wrong JSON type, huge strings, odd unicode and casing,
references made dangling or cyclic, ids duplicated, files truncated or corrupted; and what the
loader must refuse (docs/estate-format.md): NaN, infinities and huge numbers written into the
JSON text, times at and beyond the edges of 1970..9000 or with odd offsets, lone surrogates in
names, tags and keys, deep nesting, a document re-typed as another known type, error scopes that
cover no read, over-long ids and names. Every input
must either load and yield a verdict for every VM and step (the real rule bodies of tests_infra
run on it, findings rendered as the reports would), or be refused with one clear SnapshotError
paragraph naming the file. Never another exception, never a hang. A snapshot the loader
accepts also validates against docs/estate.schema.json (the loader is stricter, never looser).
A few mutated snapshots also go through a whole pytest run of the suite.

AMAAUDIT_FUZZ_EXAMPLES=N runs N cases per property instead of the default (CI keeps it small).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import signal
from collections import Counter
from contextlib import contextmanager

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amaaudit.model import Estate
from amaaudit.snapshot import SnapshotError, load
from amaaudit.synth import rid
from scenarios import (MON, REPO, SUB, Scenario, arm_examples_document, demo_document, install_suite, judge,
                       phantom_workspace, vm_ids)

EXAMPLES = int(os.environ.get("AMAAUDIT_FUZZ_EXAMPLES", "0")) or None
SCHEMA = jsonschema.Draft202012Validator(json.loads((REPO / "docs" / "estate.schema.json").read_text(encoding="utf-8")))
SECONDS_PER_CASE = 10          # a case that takes longer than this is a hang


def fuzz_settings(default: int, **kwargs):
    return settings(max_examples=EXAMPLES or default, deadline=3000, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture], **kwargs)


# -- the corpus: real snapshots ------------------------------------------------------------------
def rich_scenario() -> dict:
    """A small estate that touches every model question: identities, DCEs, read errors, heartbeats."""
    s = Scenario()
    one = s.user_identity(SUB, "rg-id", "id-one")
    two = s.user_identity(SUB, "rg-id", "id-two")
    dce = s.dce(MON, "rg-mon", "dce-main")
    gone = s.dcr(MON, "rg-mon", "dcr-nowhere", [phantom_workspace(MON, "rg-mon", "law-gone")], dce=dce)
    s.machine("ok")
    s.machine("win", os="Windows", user_identities=[one])
    s.machine("named", identity=None, user_identities=[one, two], ext={"settings": {"authentication": {
        "managedIdentity": {"identifier-name": "mi_res_id", "identifier-value": two["id"]}}}})
    s.associate(s.machine("dce", rules=[gone]), endpoint=dce)
    s.associate(s.machine("deleted", rules=[]),
                rule_id=rid(MON, "rg-mon", "Microsoft.Insights/dataCollectionRules", "dcr-deleted"))
    s.machine("off", power="deallocated", beat=None)
    s.machine("failed", ext={"state": "Failed", "version": "1.31.1", "statuses": [
        {"code": "ProvisioningState/failed/51", "level": "Error", "message": "exit code 51"}]})
    vm = s.machine("unreadable", beat=None)
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read")
    s.heartbeat(s.machine("legacy", beat=30), s.law, 1, category="Direct Agent")
    s.heartbeat_workspaces = [s.law["properties"]["customerId"]]
    return s.build()


CORPUS_TEXT = {"demo": json.dumps(demo_document()), "scenario": json.dumps(rich_scenario()),
               "arm-examples": json.dumps(arm_examples_document())}
# The demo is the richest but the slowest to judge: it is drawn less often.
BASE_NAMES = ["scenario", "scenario", "arm-examples", "arm-examples", "demo"]

STATS: Counter = Counter()
REFUSALS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def print_case_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or not STATS:
        return
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.ensure_newline()
        reporter.write_line(
            f"snapshot fuzzing: {STATS['cases']} cases ran: {STATS['loaded']} loaded and judged "
            f"({STATS['verdicts']} verdicts), {STATS['refused']} refused with a SnapshotError, "
            f"{STATS['suite-runs']} through a whole pytest run")
        if REFUSALS:
            reporter.write_line("  refusals by kind: " + ", ".join(f"{k} {n}" for k, n in REFUSALS.most_common()))


# -- values and mutations ------------------------------------------------------------------------
ODD_TEXT = st.sampled_from([
    "", " ", "\x00", "\u202evm01", "vm\u200b01", "e\u0301", "\ufeffvm", "::", "vm01::x[0]", "[", "]", "/", "//",
    "\ud800", "a\udfffb", "😀" * 3, "ＶＭ０１", "İı", "ß", "\n\r\t", "<script>alert(1)</script>", "' OR 1=1 --",
    "../../etc/passwd", "%s%n", "null", "NaN", "-1", "1.31.1", "Linux", "Windows", "PowerState/running",
    "/subscriptions", "/subscriptions/" + SUB, "/", "x" * 300_000,
]) | st.text(max_size=40)

# What the loader must refuse, or still accept at the edges (docs/estate-format.md).
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-2.5E+999", "9" * 5000, "-" + "1" * 4301,
               "1e308", "-0.0", "1e-400", "12345678901234567890123"]
EDGE_TIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1969-12-31T23:59:59Z",
              "1970-01-01T00:00:00Z", "8999-12-31T23:59:59.9999999Z", "9000-01-01T00:00:00Z",
              "2026-11-25T09:00:00+23:59", "2026-11-25T09:00:00-23:59:59.999999", "2026-11-25T09:00:00+24:00",
              "2026-11-25T09:00:00.1234567+09:00", "2026-11-25t09:00:00z", "2026-02-30T00:00:00Z",
              "2026-11-25T24:00:00Z", "20261125T090000Z", "2026-W48-3", "2026-11-25", "0000-01-01T00:00:00Z"]
SURROGATES = ["\\ud800", "a\\udfffb", "\\udbff\\udbff", "x\\ude00", "\\ud83d\\ude00"]   # JSON escapes; the last is a real pair
BAD_SCOPES = ["/", "//", "/subscriptions", "/subscriptions/", "foo", "/providers/Microsoft.Management/managementGroups/mg",
              "/subscriptions/x//y", "/subscriptions/x/resourceGroups", "/subscriptions/" + SUB + "/resourceGroups/rg-app",
              "/subscriptions/" + SUB, "/subscriptions/" + MON + "/providers/Microsoft.Insights/dataCollectionRules"]
DEPTHS = [10, 55, 60, 61, 62, 63, 64, 65, 100, 600]


def raw(token: str) -> str:
    """A placeholder that :func:`encode` writes as the raw JSON text ``token``."""
    return f"@@RAW:{token}@@"


SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.floats(allow_nan=True, allow_infinity=True) | ODD_TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(ODD_TEXT, inner, max_size=3), max_leaves=8)


# Fields the model and the checks read: mutations aim at them half of the time.
FIELDS_READ = {f.lower() for f in (
    "name", "kind", "location", "properties", "identity", "tags", "resources", "publisher",
    "typeHandlerVersion", "enableAutomaticUpgrade", "provisioningState", "settings", "authentication",
    "managedIdentity", "identifier-name", "identifier-value", "instanceView", "statuses", "substatuses", "code",
    "level", "displayStatus", "message", "vmAgent", "osName", "osVersion", "extensions", "storageProfile",
    "osDisk", "osType", "imageReference", "sku", "offer", "hardwareProfile", "vmSize", "osProfile",
    "networkProfile", "networkInterfaces", "userAssignedIdentities", "principalId", "clientId",
    "dataCollectionRuleId", "dataCollectionEndpointId", "destinations", "logAnalytics", "workspaceResourceId",
    "workspaceId", "dataFlows", "streams", "customerId", "workspaceCapping", "dataIngestionStatus",
    "configurationAccess", "logsIngestion", "networkAcls", "publicNetworkAccess", "ipConfigurations", "subnet",
    "subnets", "networkSecurityGroup", "securityRules", "defaultSecurityRules", "routeTable", "routes",
    "privateLinkServiceConnections", "customDnsConfigs", "privateDnsZoneConfigs", "virtualNetwork",
    "aRecords", "linkedResourceId", "accessModeSettings", "addressPrefix", "addressPrefixes", "dhcpOptions",
    "dnsServers", "workspace_id", "resource_id", "last_heartbeat", "category", "scope", "operation")}


def _nodes(node, path=()):
    """Every (path, value) below node; paths are tuples of keys and indexes."""
    yield path, node
    if isinstance(node, dict):
        for key, value in list(node.items()):
            yield from _nodes(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, path + (index,))


def _container(doc, path):
    target = doc
    for key in path[:-1]:
        target = target[key]
    return target


def _ids(doc) -> list[str]:
    resources = doc.get("resources") if isinstance(doc, dict) else None
    return [r["id"] for r in resources or () if isinstance(r, dict) and isinstance(r.get("id"), str)]


# Kinds of mutation, repeated by weight (those that make a snapshot unloadable are rarer, so that
# most cases reach the model and the checks).
MUTATIONS = ["delete", "delete", "replace", "replace", "replace", "null", "null", "recase", "recase", "recase-key",
             "extra", "wrong-type", "wrong-type", "dangle", "dangle", "cycle", "cycle", "huge", "duplicate",
             "steal-id", "raw-number", "time", "surrogate", "deep", "retype", "scope", "long-id", "no-machines"]
MACHINE_TYPES = {"microsoft.compute/virtualmachines", "microsoft.hybridcompute/machines",
                 "microsoft.compute/virtualmachinescalesets/virtualmachines"}


@st.composite
def mutated_documents(draw):
    """A real snapshot with 1-5 mutations; returns (document, what was done)."""
    base = draw(st.sampled_from(BASE_NAMES))
    doc = json.loads(CORPUS_TEXT[base])
    done = [base]
    for _ in range(draw(st.integers(1, 5))):
        resources = doc.get("resources") if isinstance(doc, dict) else None
        area = draw(st.sampled_from(["resource", "resource", "resource", "top"]))
        if area == "resource" and isinstance(resources, list) and resources:
            index = draw(st.integers(0, len(resources) - 1))
            root, prefix = resources[index], ("resources", index)
        else:
            root, prefix = doc, ()
        nodes = list(_nodes(root))
        read = [(p, v) for p, v in nodes if p and str(p[-1]).lower() in FIELDS_READ]
        path, value = draw(st.sampled_from(read if read and draw(st.booleans()) else nodes))
        full = prefix + path
        kind = draw(st.sampled_from(MUTATIONS))
        done.append(f"{kind}@{'/'.join(map(str, full))[:80]}")
        if kind in ("delete", "replace", "null", "recase-key", "wrong-type", "huge") and not full:
            kind = "extra"          # the top level itself: add a field instead
        if kind == "delete":
            parent = _container(doc, full)
            del parent[full[-1]]
        elif kind in ("replace", "null", "huge"):
            new = None if kind == "null" else "x" * draw(st.sampled_from([10_000, 1_000_000])) if kind == "huge" \
                else draw(JSON_VALUES)
            _container(doc, full)[full[-1]] = new
        elif kind == "recase":
            if isinstance(value, str) and full:
                how = draw(st.sampled_from([str.upper, str.lower, str.swapcase, str.title]))
                _container(doc, full)[full[-1]] = how(value)
        elif kind == "recase-key":
            parent = _container(doc, full)
            if isinstance(parent, dict) and isinstance(full[-1], str):
                parent[draw(st.sampled_from([str.upper, str.lower, str.title]))(full[-1])] = parent.pop(full[-1])
        elif kind == "extra":
            target = _container(doc, full + ("x",)) if isinstance(value, dict) else None
            if isinstance(target, dict):
                target[draw(ODD_TEXT)] = draw(JSON_VALUES)
            elif isinstance(value, list):
                value.append(draw(JSON_VALUES))
        elif kind == "wrong-type":
            _container(doc, full)[full[-1]] = draw(st.sampled_from([
                [value], json.dumps(value), {"value": value}, 7, True, "x"]))
        elif kind in ("dangle", "cycle"):
            ids = _ids(doc)
            refs = [(p, v) for p, v in _nodes(doc) if isinstance(v, str) and v.lower().startswith("/subscriptions/")
                    and p]
            if refs:
                ref_path, ref = draw(st.sampled_from(refs))
                if kind == "dangle":
                    new = ref.rstrip("/") + draw(st.sampled_from(["-gone", "/x/y", "/providers/A.B/c/d", ""]))
                else:   # point the reference at itself, its owner, or anything else in the estate
                    owner = ids[ref_path[1]] if ref_path[0] == "resources" and len(ref_path) > 1 and \
                        isinstance(ref_path[1], int) and ref_path[1] < len(ids) else ref
                    new = draw(st.sampled_from([ref, owner, *(ids[:50] or [ref])]))
                _container(doc, ref_path)[ref_path[-1]] = new
        elif kind == "duplicate" and isinstance(resources, list) and resources:
            twin = copy.deepcopy(draw(st.sampled_from(resources)))
            if isinstance(twin, dict) and isinstance(twin.get("id"), str) and draw(st.integers(0, 3)) == 0:
                twin["id"] = twin["id"].upper()
            resources.insert(draw(st.integers(0, len(resources))), twin)
        elif kind == "steal-id" and isinstance(resources, list) and len(resources) > 1:
            a, b = draw(st.lists(st.integers(0, len(resources) - 1), min_size=2, max_size=2, unique=True))
            if isinstance(resources[a], dict) and isinstance(resources[b], dict):
                resources[a]["id"] = resources[b].get("id")
        elif kind == "raw-number" and full:
            _container(doc, full)[full[-1]] = raw(draw(st.sampled_from(RAW_NUMBERS)))
        elif kind == "time" and isinstance(doc, dict):
            rows = [r for r in doc.get("heartbeats") or () if isinstance(r, dict)]
            target = draw(st.sampled_from([doc, *rows[:20]]))
            target["captured_at" if target is doc else "last_heartbeat"] = draw(st.sampled_from(EDGE_TIMES))
        elif kind == "surrogate":
            text = draw(st.sampled_from(SURROGATES))
            where = draw(st.sampled_from(["value", "key", "name", "tag"]))
            entry = resources[full[1]] if len(full) > 1 and full[0] == "resources" and isinstance(resources, list) \
                and isinstance(full[1], int) and full[1] < len(resources) else None
            if where == "name" and isinstance(entry, dict):
                entry["name"] = raw(f'"{text}"')
            elif where == "tag" and isinstance(entry, dict):
                entry["tags"] = {raw(f'"{text}"') if draw(st.booleans()) else "owner": raw(f'"{text}"')}
            elif where == "key" and isinstance(value, dict):
                value[raw(f'"{text}"')] = "x"
            elif full:
                _container(doc, full)[full[-1]] = raw(f'"{text}"')
        elif kind == "deep" and full:
            nested: object = value
            for level in range(draw(st.sampled_from(DEPTHS))):
                nested = [nested] if level % 2 else {"d": nested}
            _container(doc, full)[full[-1]] = nested
        elif kind == "retype" and isinstance(resources, list) and resources:
            types = sorted({r["type"] for r in resources if isinstance(r, dict) and isinstance(r.get("type"), str)})
            victim = draw(st.sampled_from(resources))
            if types and isinstance(victim, dict):
                victim["type"] = draw(st.sampled_from(types + ["Microsoft.Resources/resourceGroups"]))
        elif kind == "scope" and isinstance(doc, dict):
            if not isinstance(doc.get("errors"), list):
                doc["errors"] = []
            doc["errors"].append({"scope": draw(st.sampled_from(BAD_SCOPES)), "operation": "Microsoft.Compute/virtualMachines/read",
                                  "status": 403, "code": "AuthorizationFailed"})
        elif kind == "long-id" and isinstance(resources, list) and resources:
            victim = draw(st.sampled_from(resources))
            if isinstance(victim, dict) and isinstance(victim.get("id"), str):
                if draw(st.booleans()):
                    victim["id"] = victim["id"] + "x" * max(0, draw(st.sampled_from([4096, 4097, 9000])) - len(victim["id"]))
                else:
                    victim["name"] = "n" * draw(st.sampled_from([1024, 1025, 100_000]))
        elif kind == "no-machines" and isinstance(resources, list):
            # an empty subscription, or (with a failed list read) one whose machines could not be listed
            resources[:] = [r for r in resources if not (isinstance(r, dict) and str(r.get("type", "")).lower()
                                                          in MACHINE_TYPES)]
            if draw(st.booleans()) and isinstance(doc, dict):
                doc["errors"] = [{"scope": "/subscriptions/" + SUB, "operation": "Microsoft.Compute/virtualMachines/read",
                                  "status": 403, "code": "AuthorizationFailed", "message": "fuzz"}]
    return doc, done


# -- the oracle ----------------------------------------------------------------------------------
class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    def expire(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)




def check_file(path) -> str:
    STATS["cases"] += 1
    with time_limit(SECONDS_PER_CASE):
        try:
            snap = load(path)
        except SnapshotError as exc:
            message = str(exc)
            assert message.startswith(f"Estate file {path} "), message
            assert "\n" not in message and "Traceback" not in message, message
            assert len(message) < 1000, message
            STATS["refused"] += 1
            REFUSALS[_refusal_kind(message)] += 1
            return "refused"
        invalid = [f"{'/'.join(map(str, e.absolute_path))[:120]}: {e.message[:200]}"
                   for e in SCHEMA.iter_errors(snap.document)][:3]
        assert not invalid, f"the loader accepted what docs/estate.schema.json rejects: {invalid}"
        estate = Estate(snap)
        ids = vm_ids(estate.vms)
        assert all("::" not in i for i in ids), ids
        verdicts = judge(estate)
        assert len(verdicts) >= len(set(ids)) * 6
        assert set(verdicts.values()) <= {"pass", "fail", "warn", "skip", "error"}
        STATS["loaded"] += 1
        STATS["verdicts"] += len(verdicts)
        return "loaded"


def _refusal_kind(message: str) -> str:
    for words, kind in [("not valid JSON", "not JSON"), ("which JSON cannot carry", "NaN/huge number"),
                        ("lone UTF-16 surrogate", "lone surrogate"), ("levels deep", "too deep"), ("nests", "too deep"),
                        ("top level", "not an object"), ("not an ARM resource object", "resource not an object"),
                        ("not UTF-8", "not UTF-8"), ("same id", "duplicate id"),
                        ("contradicts itself", "type contradicts id"), ("not a plausible", "time out of range"),
                        ("not a subscription or resource id", "error scope"), ("characters", "too long"),
                        ('"format"', "format"), ('"captured_at"', "captured_at"), ('"cloud"', "cloud"),
                        ('"source"', "source"), ('no usable "id"', "no id"),
                        ('no usable "type"', "no type"), ("of JSON type", "wrong-typed field"),
                        ("heartbeat", "heartbeats"), ("errors", "errors")]:
        if words in message:
            return kind
    return "other"


def write_bytes(tmp_path_factory, data: bytes):
    path = tmp_path_factory.mktemp("fuzz") / "estate.json"
    path.write_bytes(data)
    return path


RAW = re.compile(r'"@@RAW:((?:[^"\\@]|\\.)*)@@"')


def encode(doc) -> bytes:
    """JSON with non-ASCII escaped: lone surrogates and NaN survive as another tool would write them;
    :func:`raw` placeholders become the raw text they carry (a number JSON cannot hold, an escape)."""
    text = json.dumps(doc)
    if "@@RAW:" in text:
        text = RAW.sub(lambda m: json.loads(f'"{m.group(1)}"'), text)
    return text.encode("ascii")


# -- the properties ------------------------------------------------------------------------------
@fuzz_settings(120)
@given(case=mutated_documents())
def test_mutated_snapshots_load_and_are_judged_or_are_refused(case, tmp_path_factory):
    doc, _ = case
    check_file(write_bytes(tmp_path_factory, encode(doc)))


@fuzz_settings(40)
@given(base=st.sampled_from(sorted(CORPUS_TEXT)), data=st.data())
def test_truncated_and_corrupted_files_are_refused_or_load(base, data, tmp_path_factory):
    raw = CORPUS_TEXT[base].encode("utf-8")
    how = data.draw(st.sampled_from(["truncate", "flip", "insert", "bom", "latin-1"]))
    at = data.draw(st.integers(0, len(raw) - 1))
    if how == "truncate":
        raw = raw[:at]
    elif how == "flip":
        raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1:]
    elif how == "insert":
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif how == "bom":
        raw = b"\xef\xbb\xbf" + raw
    else:
        raw = json.dumps(json.loads(raw), ensure_ascii=False).replace("vm01", "vm\xe901").encode("latin-1", "replace")
    outcome = check_file(write_bytes(tmp_path_factory, raw))
    if how == "truncate":
        assert outcome == "refused"


@fuzz_settings(30)
@given(value=JSON_VALUES)
def test_any_json_document_is_refused_or_loads(value, tmp_path_factory):
    check_file(write_bytes(tmp_path_factory, json.dumps(value).encode("ascii")))


@fuzz_settings(30)
@given(data=st.data())
def test_any_resource_entry(data, tmp_path_factory):
    """Arbitrary JSON as the fields of a VM, its extension, a DCR association and a DCR."""
    s = Scenario()
    vm = s.machine("vm01")
    docs = [d for d in s.resources if d["type"] in (
        "Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachines/extensions",
        "Microsoft.Insights/dataCollectionRuleAssociations", "Microsoft.Insights/dataCollectionRules",
        "Microsoft.OperationalInsights/workspaces")]
    target = data.draw(st.sampled_from(docs))
    area = target.setdefault("properties", {})
    for _ in range(data.draw(st.integers(1, 6))):
        key = data.draw(st.sampled_from(sorted(area) + ["instanceView", "settings", "dataFlows", "destinations",
                                                         "storageProfile", "statuses", "identity"]))
        current = area.get(key)
        if isinstance(current, str) and data.draw(st.booleans()):     # the same value in another case
            area[key] = data.draw(st.sampled_from([str.upper, str.lower, str.swapcase]))(current)
        else:
            area[key] = data.draw(JSON_VALUES)
    if data.draw(st.booleans()):
        vm["identity"] = data.draw(st.dictionaries(st.sampled_from(["type", "userAssignedIdentities", "principalId"]),
                                                   JSON_VALUES, max_size=3))
    check_file(write_bytes(tmp_path_factory, encode(s.build())))


@fuzz_settings(8)
@given(case=mutated_documents())
def test_mutated_snapshots_through_a_whole_pytest_run(case, pytester):
    """The suite itself on mutated snapshots: verdicts or one usage error, never a traceback."""
    doc, _ = case
    install_suite(pytester)
    path = pytester.path / "estate.json"
    path.write_bytes(encode(doc))
    STATS["suite-runs"] += 1
    with time_limit(60):
        result = pytester.runpytest_inprocess("--estate", str(path))
    output = "\n".join(result.outlines + result.errlines)
    internal = [line for line in output.splitlines() if "internal error in the check" in line]
    assert "Traceback" not in output and not internal, output[-4000:]
    if result.ret == pytest.ExitCode.USAGE_ERROR:
        assert sum(line.startswith("ERROR:") for line in output.splitlines()) == 1, output[-4000:]
        return
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED), \
        output[-4000:]
    assert_strict_outputs(pytester.path / "reports")


def _no_constants(name):
    raise AssertionError(f"{name} in an output: not JSON")


def assert_strict_outputs(folder) -> None:
    """Every output a complete run writes is strict, whatever the input held: findings.json is JSON without
    NaN or infinities, junit.xml well-formed XML, report.html UTF-8 whose embedded data is strict JSON too."""
    import xml.etree.ElementTree as ET
    findings = json.loads((folder / "findings.json").read_bytes().decode("utf-8"), parse_constant=_no_constants)
    assert findings["format"] == "amaaudit-findings/1"
    ET.fromstring((folder / "junit.xml").read_bytes())
    page = (folder / "report.html").read_bytes().decode("utf-8")
    for element in ("aa-data", "aa-details-data"):
        found = re.search(f'<script type="application/json" id="{element}">(.*?)</script>', page, re.S)
        assert found, element
        json.loads(found.group(1), parse_constant=_no_constants)      # embed_json escapes with \\u, not entities
