"""Commands filled in with hostile values hand each value over intact, as one argument.

bash: the generated lines are run by the real bash with ``az`` (and ``openssl``) replaced by
``printf '%s\\0'``: only printf runs. PowerShell (no pwsh here): a tokenizer of the single-quoted
string rule of about_Quoting_Rules, PowerShell's CharTraits (the four typographic single quotes
close a string too) and the argument-mode barewords. KQL: the string-literal rules of Kusto's
"The string data type" page.
"""

from __future__ import annotations

import re
import subprocess
from types import SimpleNamespace as NS

import pytest

from amaaudit.findings.quoting import PS_SINGLE_QUOTES, az, kql, ps, pwsh, sh

# Every kind of trouble a name may carry: the five PowerShell single quotes, bash and PowerShell
# expansion and operators, a leading dash, words argument mode turns into numbers, arrays or
# splats, control characters and bidi overrides, unicode.
HOSTILE = [
    "vm03\u2019; Invoke-Expression (iwr http://x); \u2019",
    "a'b", "a\u2018b", "a\u2019b", "a\u201ab", "a\u201bb", "''", "\u2019",
    "$(touch pwned)", "`touch pwned`", "a`b", "$x", "${env:PATH}",
    "a;b", "a && b", "a|b", "a>b", "a<b", "a&b",
    "line1\nline2", "cr\rhere", "tab\there", "has space", " lead", "trail ",
    "-leading", "--name", "-", "\u2013dash", "1kb", "1e5", "0x10", "1.10", "07", "@x", "a,b", "@(1)", "(1)", "{a,b}",
    "~root", "*", "?", "[ab]", "a=b", "#comment", "!1", "%x%",
    "日本語の名前", "\x1b[2J\x1b]0;title\x07", "\x9b31m", "\u202eevil", "nul\x00byte", "back\\slash", 'dq"x', "",
]
BARE_PS = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


# -- bash --------------------------------------------------------------------------------------
def bash_args(lines: list[str], cwd) -> list[list[str]]:
    """The argv each line hands to ``az``/``openssl`` (or, on the machine, ``azcmagent``/``sudo``/``nslookup``),
    as the real bash parses it; a line must run exactly one such command and nothing else."""
    stub = "".join(f"{cmd}() {{ printf '%s\\0' {cmd} \"$@\"; printf '\\1'; }}\n"
                   for cmd in ("az", "openssl", "azcmagent", "sudo", "nslookup"))
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", stub + "\n".join(lines)],
                          cwd=cwd, capture_output=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode(errors="replace")
    out = proc.stdout.decode("utf-8", errors="surrogateescape")
    chunks = out.split("\1")
    assert chunks[-1] == "", f"output outside a command: {chunks[-1]!r}"
    argvs = [c.split("\0")[:-1] for c in chunks[:-1]]
    assert len(argvs) == len(lines), (lines, argvs)
    return argvs


def flag_values(argv: list[str]) -> list[tuple[str, str]]:
    """``--flag value`` and ``--flag=value`` pairs of an az argv."""
    out, i = [], 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and "=" in arg:
            out.append(tuple(arg.split("=", 1)))
        elif arg.startswith("--") and i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            out.append((arg, argv[i + 1]))
            i += 1
        i += 1
    return out


# -- PowerShell ------------------------------------------------------------------------------------
def ps_tokens(line: str) -> list[tuple[str, str]]:
    """``("str", text)`` for a single-quoted string, ``("bare", word)``, ``("op", c)`` for ( ) { } |.

    About_Quoting_Rules: a single-quoted string is literal; a quote inside is written twice. Any of
    the five single quotes opens and closes one, and inside, any of them followed by any of them is
    the second one (PowerShell's tokenizer). After the closing quote comes a space, the end or a
    closing parenthesis (our own syntax), never more of the word: else the value was cut short.
    """
    tokens, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c == " ":
            i += 1
        elif c in "(){}|":
            tokens.append(("op", c))
            i += 1
        elif c in PS_SINGLE_QUOTES:
            i += 1
            text = []
            while True:
                assert i < n, f"unterminated string in {line!r}"
                if line[i] in PS_SINGLE_QUOTES:
                    if i + 1 < n and line[i + 1] in PS_SINGLE_QUOTES:
                        text.append(line[i + 1])
                        i += 2
                        continue
                    i += 1
                    break
                text.append(line[i])
                i += 1
            assert i == n or line[i] in " )", f"{line[i:i + 20]!r} follows a closing quote in {line!r}"
            tokens.append(("str", "".join(text)))
        elif line.startswith(("$true", "[Version]$_"), i):     # the suite's own syntax
            word = "$true" if line.startswith("$true", i) else "[Version]$_"
            tokens.append(("bare", word))
            i += len(word)
        elif c in '"`$@\n\r\t;&<>,':
            raise AssertionError(f"{c!r} outside a single-quoted string in {line!r}")
        else:
            j = i
            while j < n and line[j] not in " (){}|":
                j += 1
            tokens.append(("bare", line[i:j]))
            i = j
    return tokens


PS_SYNTAX = {"$true", "[Version]$_", ").Version"}


def ps_values(line: str) -> list[str]:
    """Every value of a PowerShell line: quoted strings, and barewords that are certainly plain
    strings; any other bareword must be a cmdlet or parameter name, a number the suite wrote
    (-Port 443) or the suite's own syntax."""
    values = []
    tokens = ps_tokens(line.replace(").Version", ") .Version"))
    for i, (kind, text) in enumerate(tokens):
        if kind == "str":
            values.append(text)
        elif kind == "bare":
            if (i == 0 or tokens[i - 1] == ("op", "(")) and re.fullmatch(r"[A-Z][a-z]+-[A-Za-z]+", text):
                continue                            # a cmdlet (Verb-Noun)
            if text.isdigit() and i > 0 and tokens[i - 1][1] == "-Port":
                continue
            if text.startswith("-"):
                assert re.fullmatch(r"-[A-Za-z]+", text), f"parameter {text!r} in {line!r}"
            elif text not in PS_SYNTAX and text != ".Version":
                assert BARE_PS.fullmatch(text), f"bareword {text!r} is not certainly a plain string in {line!r}"
                values.append(text)
    return values


# -- KQL -------------------------------------------------------------------------------------------
KQL_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t"}   # the documented ones


def kql_value(expr: str) -> tuple[str, str]:
    """The string a KQL expression (a literal, or strcat of literals and make_string(N)) stands for,
    and the rest of the text after it."""
    def literal(s: str, i: int) -> tuple[str, int]:
        assert s[i] == '"', s[i:]
        out, i = [], i + 1
        while s[i] != '"':
            assert s[i] not in "\n\r", "a raw newline or return in a literal"
            if s[i] == "\\":
                assert s[i + 1] in KQL_ESCAPES, f"undocumented escape \\{s[i + 1]}"
                out.append(KQL_ESCAPES[s[i + 1]])
                i += 2
            else:
                out.append(s[i])
                i += 1
        return "".join(out), i + 1

    if expr.startswith('"'):
        value, end = literal(expr, 0)
        return value, expr[end:]
    assert expr.startswith("strcat("), expr
    i, parts = len("strcat("), []
    while True:
        if expr[i] == '"':
            value, i = literal(expr, i)
            parts.append(value)
        else:
            m = re.match(r"make_string\((\d+)\)", expr[i:])
            assert m, expr[i:]
            parts.append(chr(int(m.group(1))))
            i += m.end()
        if expr[i] == ")":
            return "".join(parts), expr[i + 1:]
        assert expr[i:i + 2] == ", ", expr[i:]
        i += 2


# -- the quoting functions ---------------------------------------------------------------------------
def test_bash_hands_each_value_over_as_one_argument(tmp_path):
    values = [v for v in HOSTILE if "\x00" not in v]          # no argv can carry NUL
    lines = [az("x", name=v) for v in values] + [f"az {sh(v)}" for v in values]
    argvs = bash_args(lines, tmp_path)
    for value, argv in zip(values, argvs):
        assert argv in (["az", "x", "--name", value], ["az", "x", f"--name={value}"]), (value, argv)
        if value.startswith("-"):
            assert argv == ["az", "x", f"--name={value}"]     # az's parser would take it for an option
    for value, argv in zip(values, argvs[len(values):]):
        assert argv == ["az", value]
    assert not list(tmp_path.iterdir())                       # no $(...) or `...` ran


def test_bash_leaves_only_plain_words_bare():
    assert [sh(v) for v in ("vm01", "/subscriptions/x/resourceGroups/rg", "1.38", "rg_a.b-c")] == \
        ["vm01", "/subscriptions/x/resourceGroups/rg", "1.38", "rg_a.b-c"]
    for value in ("a b", "~root", "*", "{a,b}", "$x", "a;b", "", "日本"):   # (a leading - is az()'s job)
        assert sh(value).startswith("'"), value


@pytest.mark.parametrize("value", HOSTILE)
def test_powershell_single_quotes_hold_any_value(value):
    line = pwsh("Start-AzVM", ResourceGroupName=value, Name="vm01")
    assert ps_values(line) == [value, "vm01"]
    assert ps_tokens(ps(value)) in ([("str", value)], [("bare", value)])


@pytest.mark.parametrize("value", ["1kb", "1e5", "0x10", "1.10", "07", "@x", "a,b", "$x", "a`b", "-leading",
                                  "\u2013dash", "(1)", "", "true1 2"])
def test_powershell_quotes_what_argument_mode_would_turn_into_something_else(value):
    assert ps(value).startswith("'") and ps(value).endswith("'")


def test_powershell_leaves_plain_names_bare_and_doubles_every_single_quote():
    assert ps("vm-01.a_b") == "vm-01.a_b"
    assert ps("a\u2019b'c\u2018d\u201ae\u201bf") == "'a\u2019\u2019b''c\u2018\u2018d\u201a\u201ae\u201b\u201bf'"


@pytest.mark.parametrize("value", HOSTILE)
def test_kql_literal_reads_back_as_the_value(value):
    query = f"Heartbeat | where _ResourceId =~ {kql(value)} | summarize count()"
    read, rest = kql_value(query.split("=~ ", 1)[1])
    assert read == value and rest == " | summarize count()"


def test_kql_uses_a_plain_literal_when_it_can():
    assert kql('/subscriptions/s/vm"x\\') == '"/subscriptions/s/vm\\"x\\\\"'
    assert kql("a\rb") == 'strcat("a", make_string(13), "b")'


# -- every builder ------------------------------------------------------------------------------------
def _stubs(h: str):
    """Model stand-ins whose every name, group, subscription and location is ``h``."""
    from datetime import date, datetime, timezone

    from amaaudit.model.machine import AgentService, Liveness

    from amaaudit.endpoints import Endpoint
    from amaaudit.netpath import Verdict
    from amaaudit.text import Text

    def rid(kind: str, *names: str) -> str:
        provider, *types = kind.split("/")
        return f"/subscriptions/{h}/resourceGroups/{h}/providers/{provider}/" + "/".join(
            f"{t}/{n}" for t, n in zip(types, names))

    vm_id = rid("Microsoft.Compute/virtualMachines", h)
    ws = NS(id=rid("Microsoft.OperationalInsights/workspaces", h), name=h, public_ingestion="Disabled",
            customer_id=h, ingestion_status=h, evidence=lambda: {"id": h})
    dce = NS(id=rid("Microsoft.Insights/dataCollectionEndpoints", h), name=h, public_network_access="Disabled")
    rule = NS(id=rid("Microsoft.Insights/dataCollectionRules", h), name=h, kind=h, evidence=lambda: {"id": h})
    ext = NS(id=vm_id + f"/extensions/{h}", name=h, type=h, publisher=h, type_handler_version=h,
             provisioning_state=h, failures=[NS(code=h, message=h)], ama_os=None, legacy_name=h,
             evidence=lambda: {"id": h})
    uai = NS(resource_id=rid("Microsoft.ManagedIdentity/userAssignedIdentities", h), principal_id=h, client_id=h)
    machine = dict(name=h, resource_group=h, subscription=h, location=h, os_type="Linux",
                   expected_ama_type="AzureMonitorLinuxAgent", extensions=[ext], associations=[],
                   statuses=[NS(code=h)], identity_type=h, user_assigned=[uai, uai], image={"offer": h},
                   guest_os=(h, h), heartbeat_computer=None, extensions_blocked=None, system_principal_id="",
                   captured_at=datetime(2026, 11, 25, tzinfo=timezone.utc), host_private_link=None)
    vm = NS(id=vm_id, label=Text(f"VM {h}", f"VM {h}"), noun=Text("VM", "VM"), managed_as="virtualMachines",
            association_owner=vm_id, association_owner_label=Text(f"VM {h}", f"VM {h}"), heartbeat_resource_id=vm_id,
            **machine)
    arc_id = rid("Microsoft.HybridCompute/machines", h)
    arc_link = NS(scope_id=rid("Microsoft.HybridCompute/privateLinkScopes", h), endpoints=[], scope=None)
    arc = NS(id=arc_id, label=Text(f"Arc-enabled server {h}", f"Arc 対応サーバー {h}"),
             noun=Text("Arc-enabled server", "Arc 対応サーバー"), managed_as="hybridMachines",
             association_owner=arc_id, association_owner_label=Text(h, h), heartbeat_resource_id=arc_id,
             error_details=[h], proxy=NS(url=h, bypass=(h,)),
             agent_configuration={"extensionsEnabled": "false", "extensionsAllowList": [h], "extensionsBlockList":
                                  [h, "Microsoft.Azure.Monitor/AzureMonitorLinuxAgent"]},
             extension_lists=([h], [h, "Microsoft.Azure.Monitor/AzureMonitorLinuxAgent"]),
             **{**machine, "host_private_link": arc_link, "extensions_blocked": Text(h, h)})
    set_id = rid("Microsoft.Compute/virtualMachineScaleSets", h)
    scale_set = NS(id=set_id, name=h, label=Text(f"scale set {h}", f"スケール セット {h}"), upgrade_mode=h)
    inst = NS(id=set_id + f"/virtualMachines/{h}", label=Text(f"scale-set instance {h}", h),
              noun=Text("scale-set instance", h), managed_as="scaleSet", association_owner=set_id,
              association_owner_label=scale_set.label, heartbeat_resource_id=set_id, scale_set=scale_set,
              instance_id=h, latest_model_applied=False, **{**machine, "heartbeat_computer": h})
    arc_scope = NS(id=arc_link.scope_id, name=h, location=h, connections=[
        NS(id=arc_link.scope_id + f"/privateEndpointConnections/{h}", endpoint_id=rid("Microsoft.Network/privateEndpoints",
                                                                                         h), status=h, group_ids=())])
    linked = NS(scope_id=arc_link.scope_id, scope=arc_scope, endpoints=[NS(id=rid("Microsoft.Network/privateEndpoints", h),
                                                                         name=h, vnet_id=rid("Microsoft.Network/virtualNetworks", h),
                                                                         dns_configs={h: [h]})])
    ampls_id = rid("microsoft.insights/privateLinkScopes", h)
    pe = NS(id=rid("Microsoft.Network/privateEndpoints", h), name=h, ips={h},
            ampls_connections=[NS(target_id=ampls_id)])
    scope = NS(id=ampls_id, name=h, ingestion_access_mode=h, doc={"properties": {"privateEndpointConnections": [
        {"id": f"{ampls_id}/privateEndpointConnections/{h}", "properties": {"privateEndpoint": {"id": pe.id}}}]}})
    bare_scope = NS(id=ampls_id, name=h, ingestion_access_mode=h, doc={})
    zone = NS(id=rid("Microsoft.Network/privateDnsZones", h), name=h)
    vnet = NS(id=rid("Microsoft.Network/virtualNetworks", h), name=h)
    assoc = NS(id=vm_id + f"/providers/Microsoft.Insights/dataCollectionRuleAssociations/{h}", name=h,
               rule_id=rule.id)
    endpoint = Endpoint(h, h, frozenset({h}), ws.id)
    nsg_id = rid("Microsoft.Network/networkSecurityGroups", h)
    deny = NS(verdict=Verdict.DENIED, nsg_id=nsg_id, nsg_name=h, rule_name=h, priority=300, layer="nic")
    allow = NS(verdict=Verdict.ALLOWED)
    egress = NS(nic=NS(name=h), ip=NS(private_ip=h))
    route = NS(route_table_id=rid("Microsoft.Network/routeTables", h), route_table_name=h, route_name=h,
               address_prefix=h, next_hop_type=h, next_hop_ip=h)
    return dict(h=h, vm=vm, arc=arc, inst=inst, linked=linked, date=date, datetime=datetime, timezone=timezone,
                Liveness=Liveness, AgentService=AgentService, ws=ws, dce=dce, rule=rule, ext=ext, uai=uai, pe=pe, scope=scope, bare_scope=bare_scope,
                zone=zone, vnet=vnet, assoc=assoc, endpoint=endpoint, deny=deny, allow=allow, egress=egress,
                route=route, Text=Text)


def _builders():
    from amaaudit import findings as f
    return {
        "os.unsupported": lambda s: f.os.unsupported(s["vm"], NS(detail=s["h"], text=s["Text"](s["h"], s["h"])), None),
        "power.not_running": lambda s: f.power.not_running(s["vm"], s["Liveness"](False, "deallocated", s["h"])),
        "power.not_running (scale set)": lambda s: f.power.not_running(s["inst"],
                                                                       s["Liveness"](False, "stopped", s["h"])),
        "power.not_running (arc)": lambda s: f.power.not_running(s["arc"], s["Liveness"](
            False, "Disconnected", s["h"], s["datetime"](2026, 9, 1, tzinfo=s["timezone"].utc))),
        "power.not_running (arc, expired)": lambda s: f.power.not_running(s["arc"], s["Liveness"](
            False, "Expired", s["h"], s["datetime"](2026, 1, 1, tzinfo=s["timezone"].utc))),
        "power.guest_agent_not_ready": lambda s: f.power.guest_agent_not_ready(
            s["vm"], s["AgentService"](s["Text"](s["h"], s["h"]), False, s["h"], s["h"], s["h"])),
        "agent.not_installed": lambda s: f.agent.not_installed(s["vm"], [s["ext"]]),
        "agent.not_installed (arc, blocked)": lambda s: f.agent.not_installed(s["arc"], []),
        "agent.not_installed (scale set)": lambda s: f.agent.not_installed(s["inst"], []),
        "agent.not_on_instance": lambda s: f.agent.not_on_instance(s["inst"], s["ext"]),
        "agent.not_provisioned (arc)": lambda s: f.agent.not_provisioned(s["arc"], s["ext"]),
        "agent.several": lambda s: f.agent.several(s["vm"], [s["ext"], NS(**{**vars(s["ext"]), "name": s["h"] + "2"})]),
        "agent.not_provisioned": lambda s: f.agent.not_provisioned(s["vm"], s["ext"]),
        "agent.version_not_major_minor": lambda s: f.agent.version_not_major_minor(s["vm"], s["ext"]),
        "agent.automatic_upgrade_off": lambda s: f.agent.automatic_upgrade_off(s["vm"], s["ext"]),
        "agent.legacy_agent": lambda s: f.agent.legacy_agent(s["vm"], [s["ext"]]),
        "network.proxy_without_bypass": lambda s: f.network.proxy_without_bypass(s["arc"], s["arc"].proxy,
                                                                                 ["Arc", "AMA"]),
        "ampls.host_scope_not_approved": lambda s: f.ampls.host_scope_not_approved(s["arc"], s["linked"]),
        "dns.dns_unseen": lambda s: f.dns.dns_unseen(
            s["arc"].__class__(**{**vars(s["arc"]), "host_private_link": s["linked"]}), s["Text"](s["h"], s["h"])),
        "identity.user_assigned_unsupported": lambda s: f.identity.user_assigned_unsupported(
            s["arc"], s["ext"], {"identifier-name": "mi_res_id", "identifier-value": s["h"]}),
        "identity.system_required": lambda s: f.identity.system_required(s["arc"]),
        "dcr.not_associated (scale set)": lambda s: f.dcr.not_associated(s["inst"], []),
        "heartbeat.missing (scale set)": lambda s: f.heartbeat.missing(s["inst"], [s["ws"]], 15),
        "network.blocked": lambda s: f.network.blocked(
            s["vm"], [s["endpoint"]], [(s["egress"], s["endpoint"], NS(deciding=s["deny"], nic=s["deny"],
                                                                        subnet=s["allow"]))]),
        "network.undecidable": lambda s: f.network.undecidable(
            s["vm"], [s["endpoint"]], [(s["egress"], s["endpoint"], NS(explanation=s["h"]))]),
        "network.forced_tunnel": lambda s: f.network.forced_tunnel(s["vm"], [s["endpoint"]], [s["route"]]),
        "ampls.unreachable": lambda s: f.ampls.unreachable(s["vm"], [s["ws"], s["dce"]]),
        "ampls.scope_missing": lambda s: f.ampls.scope_missing(
            s["vm"], [NS(endpoint=s["pe"], connection=NS(target_id=s["scope"].id, status=s["h"]), scope=None)]),
        "ampls.not_approved": lambda s: f.ampls.not_approved(
            s["vm"], [NS(endpoint=s["pe"], connection=NS(target_id=s["scope"].id, status=s["h"]), scope=s["scope"])]),
        "ampls.not_approved (unlisted)": lambda s: f.ampls.not_approved(
            s["vm"], [NS(endpoint=s["pe"], connection=NS(target_id=s["scope"].id, status=s["h"]),
                         scope=s["bare_scope"])]),
        "ampls.not_scoped": lambda s: f.ampls.not_scoped(s["vm"], s["scope"], [s["ws"], s["dce"]]),
        "ampls.dcr_without_dce": lambda s: f.ampls.dcr_without_dce(s["vm"], [s["rule"]]),
        "dns.zone_missing": lambda s: f.dns.zone_missing(s["vm"], s["h"], s["pe"]),
        "dns.not_linked": lambda s: f.dns.not_linked(s["vm"], s["zone"], s["vnet"], s["h"]),
        "dns.record_missing": lambda s: f.dns.record_missing(s["vm"], s["zone"], [s["Text"](s["h"], s["h"])], s["pe"]),
        "dns.zone_shared": lambda s: f.dns.zone_shared(s["vm"], s["zone"], [s["pe"]]),
        "dns.custom_dns": lambda s: f.dns.custom_dns(s["vm"], {s["h"]: [s["h"]]}),
        "dcr.not_associated": lambda s: f.dcr.not_associated(s["vm"], [s["assoc"]]),
        "dcr.rule_missing": lambda s: f.dcr.rule_missing(s["vm"], [s["assoc"]]),
        "dcr.kind_mismatch": lambda s: f.dcr.kind_mismatch(s["vm"], [s["rule"]]),
        "dcr.no_log_destination": lambda s: f.dcr.no_log_destination(s["vm"], [s["rule"]]),
        "dcr.workspace_missing": lambda s: f.dcr.workspace_missing(s["vm"], [(s["rule"], NS(workspace_id=s["ws"].id))]),
        "dcr.wrong_workspace": lambda s: f.dcr.wrong_workspace(s["vm"], [(s["rule"], None, s["ws"])], [s["h"]]),
        "dcr.ingestion_stopped": lambda s: f.dcr.ingestion_stopped(s["vm"], [(s["rule"], None, s["ws"])]),
        "identity.none": lambda s: f.identity.none(s["vm"]),
        "identity.ambiguous": lambda s: f.identity.ambiguous(s["vm"]),
        "identity.named_not_attached": lambda s: f.identity.named_not_attached(
            s["vm"], s["ext"], {"identifier-name": "mi_res_id", "identifier-value": s["uai"].resource_id}),
        "identity.named_invalid": lambda s: f.identity.named_invalid(
            s["vm"], s["ext"], {"identifier-name": s["h"], "identifier-value": s["h"]}, s["h"]),
        "heartbeat.missing": lambda s: f.heartbeat.missing(s["vm"], [s["ws"]], 15),
        "heartbeat.stale": lambda s: f.heartbeat.stale(s["vm"], s["datetime"](2026, 1, 1), 99.0, 15, s["ws"]),
    }


BUILDERS = _builders()
# One name per trouble: ids are made of it, so it holds no "/"; no NUL (no argv can carry one).
NAMES = ["vm03\u2019; Invoke-Expression (iwr x); \u2019", "a'b\u2018c\u201ad\u201be", "$(touch pwned)",
         "`touch pwned`;a && b|c>d", "line1\nline2\rx\ty", "-leading", "1kb", "@x,a", "日本語\u202e",
         "\x1b[2J\x1b]0;t\x07\x9b", 'dq"x\\$x', "has space", "0x10", "{a,b}*"]
PLAIN = "plainname"


def _shell(line: str) -> str:
    # The stubs are Linux machines: what runs on the machine itself (azcmagent, sudo, nslookup) is bash too.
    if line.startswith(("az ", "echo | openssl ", "azcmagent ", "sudo ", "nslookup ")):
        return "bash"
    if line.startswith("Heartbeat "):
        return "kql"
    return "powershell"


def _values(commands, cwd) -> list[list[str]]:
    """Each command's words as its shell hands them over (``--flag=value`` split in two)."""
    lines = list(commands)
    bash = iter(bash_args([c for c in lines if _shell(c) == "bash"], cwd)) if any(
        _shell(c) == "bash" for c in lines) else iter(())
    out = []
    for line in lines:
        shell = _shell(line)
        if shell == "bash":
            out.append([part for arg in next(bash) for part in
                        (arg.split("=", 1) if arg.startswith("--") and "=" in arg else [arg])])
        elif shell == "powershell":
            out.append(ps_values(line))
        else:                           # every "=~ <literal>" of the query, in order
            values, rest = [], line
            while "=~ " in rest:
                read, rest = kql_value(rest.split("=~ ", 1)[1])
                values.append(read)
                assert rest.startswith((" | summarize", " and ")), rest
            out.append(values)
    return out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_every_builder_quotes_every_value(builder, name, tmp_path):
    """With every name, group, subscription and location of the model set to ``name``, each command
    hands over exactly the words it does with a plain name, ``name`` in place of the plain one:
    nothing was cut, split, joined or run."""
    plain = _values(BUILDERS[builder](_stubs(PLAIN)).commands, tmp_path)
    hostile = BUILDERS[builder](_stubs(name))
    got = _values(hostile.commands, tmp_path)
    expected = [[word.replace(PLAIN, name) for word in words] for words in plain]
    assert got == expected, (builder, hostile.commands)
    if plain:
        assert any(name in word for words in got for word in words)
    assert not list(tmp_path.iterdir())                              # nothing but printf ran
