"""The outbound NSG / route engine (amaaudit.netpath), scenario by scenario.

NSGs are built in the shape ARM returns them (``properties.securityRules[].properties``), with the
six default rules unless a case says otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amaaudit.netpath import (
    Destination,
    Verdict,
    evaluate_outbound,
    evaluate_path,
    forced_tunnel,
    route_prefixes,
)

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network"

# --- destinations -------------------------------------------------------------------------------
HANDLER = Destination("global.handler.control.monitor.azure.com", frozenset({"AzureMonitor"}))
REGIONAL = Destination("eastus.handler.control.monitor.azure.com", frozenset({"AzureMonitor"}), region="eastus")
ARM = Destination("management.azure.com", frozenset({"AzureResourceManager"}))
PRIVATE = Destination("0b1c2d3e-aaaa-bbbb-cccc-000000000001.ods.opinsights.azure.com",
                      frozenset({"AzureMonitor"}), region="eastus", private_ip="10.1.0.5")


# --- ARM-shaped builders --------------------------------------------------------------------------
def rule(name, priority, access, dest="*", port="*", protocol="*", direction="Outbound", source="*",
         source_port="*", **extra):
    """One security rule as ARM returns it; lists go to the plural fields, as ARM does."""
    props = {"protocol": protocol, "access": access, "priority": priority, "direction": direction}
    for singular, value in (("destinationAddressPrefix", dest), ("destinationPortRange", port),
                            ("sourceAddressPrefix", source), ("sourcePortRange", source_port)):
        if isinstance(value, list):
            props[singular.replace("Prefix", "Prefixes").replace("Range", "Ranges")] = value
        elif value is not None:
            props[singular] = value
    props.update(extra)
    return {"name": name, "id": f"{SUB}/networkSecurityGroups/nsg/securityRules/{name}", "properties": props}


def default_rules():
    """Azure's six defaults, as NSG GET returns them."""
    return [
        rule("AllowVnetInBound", 65000, "Allow", "VirtualNetwork", direction="Inbound", source="VirtualNetwork"),
        rule("AllowAzureLoadBalancerInBound", 65001, "Allow", direction="Inbound", source="AzureLoadBalancer"),
        rule("DenyAllInBound", 65500, "Deny", direction="Inbound"),
        rule("AllowVnetOutBound", 65000, "Allow", "VirtualNetwork", source="VirtualNetwork"),
        rule("AllowInternetOutBound", 65001, "Allow", "Internet"),
        rule("DenyAllOutBound", 65500, "Deny"),
    ]


def nsg(name, *rules, defaults=True):
    props = {"securityRules": list(rules)}
    if defaults:
        props["defaultSecurityRules"] = default_rules()
    return {"name": name, "id": f"{SUB}/networkSecurityGroups/{name}",
            "type": "Microsoft.Network/networkSecurityGroups", "location": "eastus", "properties": props}


DENY_INTERNET = rule("DenyInternetOutbound", 4000, "Deny", "Internet")
ALLOW_MONITOR = rule("AllowAzureMonitor", 100, "Allow", "AzureMonitor", "443", "Tcp")
ALLOW_ARM = rule("AllowAzureResourceManager", 110, "Allow", "AzureResourceManager", "443", "Tcp")
ASG = f"{SUB}/applicationSecurityGroups/asg-agents"


# --- one NSG: (case id, NSG, destination, keyword args, verdict, deciding rule) ----------------------
CASES = [
    ("defaults only, public endpoint", nsg("n"), HANDLER, {}, Verdict.ALLOWED, "AllowInternetOutBound"),
    ("defaults only, private endpoint", nsg("n"), PRIVATE, {}, Verdict.ALLOWED, "AllowVnetOutBound"),
    ("custom deny all outbound", nsg("n", rule("DenyAllOut", 4096, "Deny")), HANDLER, {},
     Verdict.DENIED, "DenyAllOut"),
    ("deny 0.0.0.0/0", nsg("n", rule("DenyAny", 4096, "Deny", "0.0.0.0/0")), HANDLER, {},
     Verdict.DENIED, "DenyAny"),
    ("deny Internet, AzureMonitor allowed first", nsg("n", DENY_INTERNET, ALLOW_MONITOR, ALLOW_ARM), HANDLER, {},
     Verdict.ALLOWED, "AllowAzureMonitor"),
    ("deny Internet, AzureResourceManager allowed first", nsg("n", DENY_INTERNET, ALLOW_MONITOR, ALLOW_ARM), ARM, {},
     Verdict.ALLOWED, "AllowAzureResourceManager"),
    ("deny Internet, regional endpoint via AzureMonitor", nsg("n", DENY_INTERNET, ALLOW_MONITOR), REGIONAL, {},
     Verdict.ALLOWED, "AllowAzureMonitor"),
    ("deny Internet, allow only AzureMonitor: ARM blocked", nsg("n", DENY_INTERNET, ALLOW_MONITOR), ARM, {},
     Verdict.DENIED, "DenyInternetOutbound"),
    ("deny Internet, nothing allowed", nsg("n", DENY_INTERNET), HANDLER, {}, Verdict.DENIED, "DenyInternetOutbound"),
    ("deny Internet, allow below it loses", nsg("n", DENY_INTERNET, rule("AllowMonitorLate", 4010, "Allow", "AzureMonitor")),
     HANDLER, {}, Verdict.DENIED, "DenyInternetOutbound"),
    ("deny Internet, private endpoint passes via VirtualNetwork", nsg("n", DENY_INTERNET), PRIVATE, {},
     Verdict.ALLOWED, "AllowVnetOutBound"),
    ("deny VirtualNetwork blocks private endpoint", nsg("n", rule("DenyVnet", 200, "Deny", "VirtualNetwork")), PRIVATE, {},
     Verdict.DENIED, "DenyVnet"),
    ("deny AzureMonitor does not touch private endpoint", nsg("n", rule("DenyMon", 200, "Deny", "AzureMonitor")), PRIVATE, {},
     Verdict.ALLOWED, "AllowVnetOutBound"),
    ("CIDR deny holding the private endpoint IP", nsg("n", rule("DenyPeSubnet", 200, "Deny", "10.1.0.0/24")), PRIVATE, {},
     Verdict.DENIED, "DenyPeSubnet"),
    ("CIDR deny elsewhere, private endpoint", nsg("n", rule("DenyOther", 200, "Deny", ["10.2.0.0/16", "10.3.0.4"])), PRIVATE, {},
     Verdict.ALLOWED, "AllowVnetOutBound"),
    ("port range 400-500 denies 443", nsg("n", rule("DenyRange", 300, "Deny", port="400-500")), HANDLER, {},
     Verdict.DENIED, "DenyRange"),
    ("port range 444-500 misses 443", nsg("n", rule("DenyRange", 300, "Deny", port="444-500")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("port list 22,443 denies 443", nsg("n", rule("DenyList", 300, "Deny", port=["22", "443"])), HANDLER, {},
     Verdict.DENIED, "DenyList"),
    ("port list 22,80 misses 443", nsg("n", rule("DenyList", 300, "Deny", port=["22", "80"])), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("Udp deny does not block TCP", nsg("n", rule("DenyUdp", 300, "Deny", protocol="Udp")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("Icmp deny does not block TCP", nsg("n", rule("DenyIcmp", 300, "Deny", protocol="Icmp")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("Udp deny blocks a UDP flow", nsg("n", rule("DenyUdp", 300, "Deny", protocol="Udp")), HANDLER, {"protocol": "Udp"},
     Verdict.DENIED, "DenyUdp"),
    ("inbound deny-all is ignored", nsg("n", rule("DenyIn", 100, "Deny", direction="Inbound")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("deny AzureCloud holds AzureMonitor", nsg("n", rule("DenyCloud", 300, "Deny", "AzureCloud")), HANDLER, {},
     Verdict.DENIED, "DenyCloud"),
    ("deny another service's tag", nsg("n", rule("DenyStorage", 300, "Deny", "Storage")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("regional tag, same region", nsg("n", rule("DenyMonEast", 300, "Deny", "AzureMonitor.EastUS")), REGIONAL, {},
     Verdict.DENIED, "DenyMonEast"),
    ("regional tag, other region", nsg("n", rule("DenyMonWest", 300, "Deny", "AzureMonitor.WestUS2")), REGIONAL, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("regional tag, global endpoint", nsg("n", rule("DenyMonEast", 300, "Deny", "AzureMonitor.EastUS")), HANDLER, {},
     Verdict.UNCERTAIN, "DenyMonEast"),
    ("public CIDR deny vs public endpoint", nsg("n", rule("DenyMsRange", 300, "Deny", "20.0.0.0/8")), HANDLER, {},
     Verdict.UNCERTAIN, "DenyMsRange"),
    ("private CIDR deny cannot hold a public endpoint", nsg("n", rule("DenyCorp", 300, "Deny", "10.0.0.0/8")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("public CIDR allow before deny-all", nsg("n", rule("AllowMsRange", 100, "Allow", "20.0.0.0/8"), rule("DenyAll", 4096, "Deny")),
     HANDLER, {}, Verdict.UNCERTAIN, "AllowMsRange"),
    ("public CIDR allow, defaults allow anyway", nsg("n", rule("AllowMsRange", 100, "Allow", "20.0.0.0/8")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("allow VirtualNetwork then deny all, public endpoint", nsg("n", rule("AllowVnet", 100, "Allow", "VirtualNetwork"),
     rule("DenyAll", 4096, "Deny")), HANDLER, {}, Verdict.UNCERTAIN, "AllowVnet"),
    ("same, with a 0.0.0.0/0 UDR in the VirtualNetwork tag", nsg("n", rule("AllowVnet", 100, "Allow", "VirtualNetwork"),
     rule("DenyAll", 4096, "Deny")), HANDLER, {"vnet_prefixes": ["10.0.0.0/16", "0.0.0.0/0"]}, Verdict.ALLOWED, "AllowVnet"),
    ("source CIDR holds the NIC IP", nsg("n", rule("DenyFromApp", 300, "Deny", source="10.0.1.0/24")), HANDLER,
     {"source_ip": "10.0.1.4"}, Verdict.DENIED, "DenyFromApp"),
    ("source CIDR misses the NIC IP", nsg("n", rule("DenyFromApp", 300, "Deny", source="10.0.2.0/24")), HANDLER,
     {"source_ip": "10.0.1.4"}, Verdict.ALLOWED, "AllowInternetOutBound"),
    ("source CIDR, NIC IP unknown", nsg("n", rule("DenyFromApp", 300, "Deny", source="10.0.1.0/24")), HANDLER, {},
     Verdict.UNCERTAIN, "DenyFromApp"),
    ("source VirtualNetwork always holds the NIC", nsg("n", rule("DenyFromVnet", 300, "Deny", source="VirtualNetwork")), HANDLER, {},
     Verdict.DENIED, "DenyFromVnet"),
    ("source Internet never holds the NIC", nsg("n", rule("DenyFromInternet", 300, "Deny", source="Internet")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("source ASG, membership unknown", nsg("n", rule("DenyAgents", 300, "Deny", source=None,
     sourceApplicationSecurityGroups=[{"id": ASG}])), HANDLER, {}, Verdict.UNCERTAIN, "DenyAgents"),
    ("source ASG, NIC is a member (id in odd case)", nsg("n", rule("DenyAgents", 300, "Deny", source=None,
     sourceApplicationSecurityGroups=[{"id": ASG}])), HANDLER, {"source_asgs": [ASG.upper()]}, Verdict.DENIED, "DenyAgents"),
    ("source ASG, NIC is not a member", nsg("n", rule("DenyAgents", 300, "Deny", source=None,
     sourceApplicationSecurityGroups=[{"id": ASG}])), HANDLER, {"source_asgs": []}, Verdict.ALLOWED, "AllowInternetOutBound"),
    ("destination ASG never holds a public endpoint", nsg("n", rule("DenyToAsg", 300, "Deny", dest=None,
     destinationApplicationSecurityGroups=[{"id": ASG}])), HANDLER, {}, Verdict.ALLOWED, "AllowInternetOutBound"),
    ("source port 80 excludes ephemeral ports", nsg("n", rule("DenySrc80", 300, "Deny", source_port="80")), HANDLER, {},
     Verdict.ALLOWED, "AllowInternetOutBound"),
    ("source ports 1024-65535 hold all ephemeral ports", nsg("n", rule("DenyHigh", 300, "Deny", source_port="1024-65535")),
     HANDLER, {}, Verdict.DENIED, "DenyHigh"),
    ("source ports 30000-40000: OS choice unknown", nsg("n", rule("DenyMid", 300, "Deny", source_port="30000-40000")),
     HANDLER, {}, Verdict.UNCERTAIN, "DenyMid"),
]


@pytest.mark.parametrize("doc, dest, kwargs, verdict, rule_name",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_single_nsg(doc, dest, kwargs, verdict, rule_name):
    d = evaluate_outbound(doc, dest, **kwargs)
    assert (d.verdict, d.rule_name) == (verdict, rule_name), d.explanation
    assert d.nsg_name == doc["name"] and d.nsg_id == doc["id"]
    assert rule_name in d.explanation
    assert d.allowed is {Verdict.ALLOWED: True, Verdict.DENIED: False, Verdict.UNCERTAIN: None}[verdict]


def test_denied_decision_names_everything():
    d = evaluate_outbound(nsg("nsg-app", DENY_INTERNET), HANDLER)
    assert (d.priority, d.access, d.is_default_rule, d.defaults_assumed) == (4000, "Deny", False, False)
    assert "nsg-app" in d.explanation and "4000" in d.explanation and HANDLER.host in d.explanation


def test_default_rule_is_flagged():
    d = evaluate_outbound(nsg("n"), HANDLER)
    assert (d.priority, d.is_default_rule, d.access) == (65001, True, "Allow")


def test_uncertain_says_why_and_what_else_would_happen():
    d = evaluate_outbound(nsg("n", rule("DenyMsRange", 300, "Deny", "20.0.0.0/8")), HANDLER)
    assert d.verdict is Verdict.UNCERTAIN and d.priority == 300 and d.access == "Deny"
    assert "not in ARM" in d.explanation and "AllowInternetOutBound" in d.explanation
    assert d.undecided and d.undecided[0].startswith("DenyMsRange (priority 300)")


def test_no_nsg_filters_nothing():
    d = evaluate_outbound(None, HANDLER)
    assert d.verdict is Verdict.ALLOWED and d.nsg_id is None and d.rule_name is None
    assert "No NSG" in d.explanation


def test_odd_casing_in_keys_and_values():
    odd = {"Name": "NSG-Odd", "ID": f"{SUB}/networkSecurityGroups/NSG-Odd", "Properties": {
        "SecurityRules": [{"Name": "deny-web", "Properties": {
            "Protocol": "TCP", "Access": "deny", "Priority": "200", "Direction": "outbound",
            "DestinationAddressPrefix": "internet", "DestinationPortRanges": ["80", "443"],
            "SourceAddressPrefix": "*", "SourcePortRange": "*"}}],
        "DefaultSecurityRules": default_rules()}}
    d = evaluate_outbound(odd, HANDLER, protocol="tcp")
    assert (d.verdict, d.rule_name, d.priority, d.access, d.nsg_name) == (Verdict.DENIED, "deny-web", 200, "Deny", "NSG-Odd")
    allow_tag = {"name": "x", "properties": {"securityRules": [
        rule("denyall", 4096, "DENY"), rule("allow-mon", 100, "ALLOW", "azuremonitor", "443", "tcp")]}}
    assert evaluate_outbound(allow_tag, HANDLER).rule_name == "allow-mon"


@pytest.mark.parametrize("dest, expected", [(HANDLER, "AllowInternetOutBound"), (PRIVATE, "AllowVnetOutBound")])
def test_missing_default_rules_are_assumed(dest, expected):
    d = evaluate_outbound(nsg("hand-written", rule("DenyUdp", 300, "Deny", protocol="Udp"), defaults=False), dest)
    assert (d.verdict, d.rule_name, d.is_default_rule, d.defaults_assumed) == (Verdict.ALLOWED, expected, True, True)
    assert "standard defaults" in d.explanation
    blocked = evaluate_outbound(nsg("hand-written", rule("DenyWeb", 300, "Deny", "Internet", "443"), defaults=False), HANDLER)
    assert blocked.verdict is Verdict.DENIED and blocked.rule_name == "DenyWeb"


def test_malformed_rule_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="priority"):
        evaluate_outbound(nsg("n", rule("NoPriority", None, "Deny")), HANDLER)


def test_real_arm_example_nsg():
    """The REST spec's NetworkSecurityGroupGet example: an inbound custom rule plus the six defaults."""
    name = "network__NetworkSecurityGroupGet.json"
    candidates = [Path(__file__).parent.parent / "fixtures" / "arm-examples" / name,
                  Path("/work/shared/reference/arm-examples") / name]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        pytest.skip(f"{name} not available")
    body = json.loads(path.read_text())["responses"]["200"]["body"]
    d = evaluate_outbound(body, HANDLER)
    assert (d.verdict, d.rule_name, d.priority, d.defaults_assumed) == (Verdict.ALLOWED, "AllowInternetOutBound", 65001, False)
    assert d.nsg_id == body["id"] and d.nsg_name == "testnsg"
    assert evaluate_outbound(body, PRIVATE).rule_name == "AllowVnetOutBound"
    assert evaluate_outbound(body, HANDLER, port=80).rule_name == "AllowInternetOutBound"  # rule1 is inbound


# --- NIC NSG then subnet NSG ----------------------------------------------------------------------------
OPEN = nsg("nsg-open")
CLOSED = nsg("nsg-closed", DENY_INTERNET)
UNSURE = nsg("nsg-unsure", rule("DenyMsRange", 300, "Deny", "20.0.0.0/8"))
PATHS = [
    ("no NSGs at all", None, None, Verdict.ALLOWED, None),
    ("both allow", OPEN, OPEN, Verdict.ALLOWED, None),
    ("NIC allows, subnet denies", OPEN, CLOSED, Verdict.DENIED, ("subnet", "nsg-closed")),
    ("NIC denies, subnet allows", CLOSED, None, Verdict.DENIED, ("nic", "nsg-closed")),
    ("both deny: NIC is met first", CLOSED, nsg("nsg-subnet", rule("DenyAll", 4096, "Deny")), Verdict.DENIED, ("nic", "nsg-closed")),
    ("NIC undecidable, subnet denies", UNSURE, CLOSED, Verdict.DENIED, ("subnet", "nsg-closed")),
    ("NIC undecidable, subnet allows", UNSURE, OPEN, Verdict.UNCERTAIN, ("nic", "nsg-unsure")),
]


@pytest.mark.parametrize("nic, subnet, verdict, deciding", [p[1:] for p in PATHS], ids=[p[0] for p in PATHS])
def test_path(nic, subnet, verdict, deciding):
    p = evaluate_path(nic, subnet, HANDLER)
    assert p.verdict is verdict, p.explanation
    assert (p.nic.layer, p.subnet.layer) == ("nic", "subnet")
    got = p.deciding and (p.deciding.layer, p.deciding.nsg_name)
    assert got == deciding
    assert (p.blocking is not None) == (verdict is Verdict.DENIED)
    if deciding:
        assert deciding[1] in p.explanation


def test_path_names_the_subnet_rule():
    p = evaluate_path(OPEN, CLOSED, HANDLER, source_ip="10.0.1.4")
    assert p.blocking.rule_name == "DenyInternetOutbound" and p.blocking.priority == 4000
    assert "subnet NSG 'nsg-closed'" in p.explanation
    assert evaluate_path(OPEN, CLOSED, PRIVATE).verdict is Verdict.ALLOWED  # private endpoint: VirtualNetwork


# --- routes ----------------------------------------------------------------------------------------------
def route_table(*routes, name="rt-spoke"):
    return {"name": name, "id": f"{SUB}/routeTables/{name}", "properties": {"routes": [
        {"name": n, "id": f"{SUB}/routeTables/{name}/routes/{n}",
         "properties": {"addressPrefix": prefix, "nextHopType": hop, **({"nextHopIpAddress": ip} if ip else {})}}
        for n, prefix, hop, ip in routes]}}


ROUTES = [
    ("no route table", None, None, []),
    ("default route to a firewall", route_table(("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4")), None,
     [("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4")]),
    ("default route to the gateway", route_table(("to-onprem", "0.0.0.0/0", "VirtualNetworkGateway", None)), None,
     [("to-onprem", "0.0.0.0/0", "VirtualNetworkGateway", None)]),
    ("default route to Internet", route_table(("inet", "0.0.0.0/0", "Internet", None)), None, []),
    ("only a private range to the firewall", route_table(("corp", "10.0.0.0/8", "VirtualAppliance", "10.0.0.4")), None, []),
    ("/1 split to the firewall", route_table(("lo", "0.0.0.0/1", "VirtualAppliance", "10.0.0.4"),
                                            ("hi", "128.0.0.0/1", "VirtualAppliance", "10.0.0.4")), None,
     [("lo", "0.0.0.0/1", "VirtualAppliance", "10.0.0.4"), ("hi", "128.0.0.0/1", "VirtualAppliance", "10.0.0.4")]),
    ("/1 split to Internet beats a /0 to the firewall", route_table(("all", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4"),
     ("lo", "0.0.0.0/1", "Internet", None), ("hi", "128.0.0.0/1", "Internet", None)), None, []),
    ("odd casing", route_table(("ToFw", "0.0.0.0/0", "virtualappliance", "10.0.0.4")), None,
     [("ToFw", "0.0.0.0/0", "virtualappliance", "10.0.0.4")]),
    ("AzureMonitor tag route to Internet bypasses the firewall", route_table(
        ("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4"), ("mon", "AzureMonitor", "Internet", None)), HANDLER, []),
    ("the bypass covers AzureMonitor only, not ARM", route_table(
        ("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4"), ("mon", "AzureMonitor", "Internet", None)), ARM,
     [("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4")]),
    ("private endpoint never takes the default route", route_table(("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4")),
     PRIVATE, []),
]


@pytest.mark.parametrize("table, dest, expected", [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_forced_tunnel(table, dest, expected):
    found = forced_tunnel(table, dest)
    assert [(f.route_name, f.address_prefix, f.next_hop_type, f.next_hop_ip) for f in found] == expected
    for f in found:
        assert f.route_table_id == table["id"] and f.route_table_name == "rt-spoke"
        assert f.route_name in f.explanation and "HTTPS" in f.explanation and not f.drops_traffic


def test_default_route_to_none_drops_traffic():
    (f,) = forced_tunnel(route_table(("blackhole", "0.0.0.0/0", "None", None)))
    assert f.drops_traffic and "drops" in f.explanation


def test_route_prefixes_feed_the_virtual_network_tag():
    table = route_table(("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.0.4"))
    doc = nsg("n", rule("AllowVnet", 100, "Allow", "VirtualNetwork"), rule("DenyAll", 4096, "Deny"))
    d = evaluate_outbound(doc, HANDLER, vnet_prefixes=["10.0.0.0/16", *route_prefixes(table)])
    assert (d.verdict, d.rule_name) == (Verdict.ALLOWED, "AllowVnet")
