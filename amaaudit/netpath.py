"""Outbound path evaluation for the AMA endpoints: NSG rules and forced-tunnelling routes.

The pure engine of the ``network`` step: raw ARM documents in, decisions out. No I/O, no SDK.

NSG semantics, as Azure applies them to traffic leaving a VM:

* only ``Outbound`` rules count; custom and default rules are sorted by priority and the
  **first matching rule wins**;
* the NIC's NSG is evaluated first, then the subnet's; traffic leaves only if both allow;
* the default rules (AllowVnetOutBound 65000, AllowInternetOutBound 65001, DenyAllOutBound 65500)
  are always there. ARM returns them in ``defaultSecurityRules``; a hand-written snapshot that
  lacks outbound defaults gets the standard ones, and the decision says so.

ARM cannot show everything a packet meets (the public IPs behind an FQDN, the NIC's ASG
membership if the caller doesn't pass it, gateway-learned routes). Where a rule's match depends
on such a fact the rule is *undecidable*, and the verdict is three-valued:

* ``allowed`` / ``denied``: the outcome is the same whichever way the undecidable rules go
  (e.g. an undecidable Allow followed by a certain Allow is still ``allowed``);
* ``uncertain``: the outcome depends on an undecidable rule; the decision names that rule and why.

Choices a caller must know:

* A public destination (``Destination.private_ip`` unset) is in ``Internet`` and ``AzureCloud``
  plus the tags the caller lists in ``service_tags``. Any other service tag (``Storage``, ``Sql``,
  ...) is taken **not** to contain it: Azure publishes the endpoints' tags as ``AzureMonitor`` /
  ``AzureResourceManager``, and treating every tag as "maybe" would make any NSG with a
  ``Deny Storage`` rule undecidable.
* Regional tags (``AzureMonitor.EastUS``) match when the tag contains the destination and
  ``Destination.region`` equals the suffix (case/space-insensitive); no match for another region;
  undecidable when the destination has no region (global endpoints).
* A CIDR prefix vs a public destination: ``0.0.0.0/0`` matches, a private/reserved range cannot
  contain it, any other range is undecidable (ARM doesn't hold the endpoint's IPs).
* ``VirtualNetwork`` vs a public destination: Azure's tag also holds UDR prefixes and
  gateway-learned routes, "and might contain default routes". It matches when ``vnet_prefixes``
  (what the caller knows the tag holds) covers all of IPv4, else it is undecidable.
* A private-endpoint destination is in ``VirtualNetwork`` and in CIDRs containing its IP, and in
  no other tag (service tags and ``Internet`` hold public addresses).
* Malformed rules (no valid priority, access or direction) raise ``ValueError``: the order of the
  rules is unknown then, and a clear error beats a guessed verdict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from .arm import key


class Verdict(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Destination:
    """An endpoint AMA must reach.

    ``service_tags``: the tags whose prefixes hold this endpoint's public IPs, e.g.
    ``{"AzureMonitor"}`` for handler/ods/DCE hosts, ``{"AzureResourceManager"}`` for
    ``management.azure.com``. ``Internet`` and ``AzureCloud`` are implied for public endpoints.
    ``region``: the Azure region its IPs belong to (``eastus``), for regional tags; None for global.
    ``private_ip``: the private endpoint IP it resolves to through AMPLS; the endpoint is then a
    VNet address, not a public one.
    """

    host: str
    service_tags: frozenset[str] = frozenset()
    region: str | None = None
    private_ip: str | None = None

    def __post_init__(self) -> None:
        tags = self.service_tags
        # frozenset("AzureMonitor") would be a set of letters: accept a lone string.
        tags = frozenset({tags} if isinstance(tags, str) else tags)
        object.__setattr__(self, "service_tags", tags)
        if self.private_ip is not None:
            ipaddress.ip_address(self.private_ip)  # ValueError early, not deep in a match

    @property
    def label(self) -> str:
        return f"{self.host} (private endpoint {self.private_ip})" if self.private_ip else self.host


@dataclass(frozen=True)
class RuleDecision:
    """The outcome of one NSG for one flow.

    For ``allowed``/``denied`` the rule fields name the deciding rule; for ``uncertain`` they
    name the undecidable rule that could change the outcome (``undecided`` lists all of them).
    ``nsg is None`` gives ``allowed`` with every rule field None.
    """

    verdict: Verdict
    host: str
    nsg_id: str | None
    nsg_name: str | None
    rule_name: str | None
    priority: int | None
    is_default_rule: bool
    access: str | None  # "Allow" | "Deny" of the named rule
    explanation: str
    undecided: tuple[str, ...] = ()  # "name (priority N): why", rules that could flip the verdict
    defaults_assumed: bool = False  # the document had no outbound default rules
    layer: str = ""  # "nic" | "subnet" when produced by evaluate_path

    @property
    def allowed(self) -> bool | None:
        return {Verdict.ALLOWED: True, Verdict.DENIED: False}.get(self.verdict)


@dataclass(frozen=True)
class PathDecision:
    """Both NSGs of one NIC for one destination: allowed only if both allow."""

    destination: Destination
    nic: RuleDecision
    subnet: RuleDecision
    verdict: Verdict
    deciding: RuleDecision | None  # the first deny (NIC first), else the first uncertain, else None
    explanation: str

    @property
    def allowed(self) -> bool | None:
        return {Verdict.ALLOWED: True, Verdict.DENIED: False}.get(self.verdict)

    @property
    def blocking(self) -> RuleDecision | None:
        return self.deciding if self.verdict is Verdict.DENIED else None


@dataclass(frozen=True)
class RouteFinding:
    """One route that takes AMA's public traffic away from the Internet next hop."""

    route_table_id: str | None
    route_table_name: str | None
    route_name: str | None
    address_prefix: str
    next_hop_type: str  # as ARM spells it: VirtualAppliance | VirtualNetworkGateway | None
    next_hop_ip: str | None
    explanation: str

    @property
    def drops_traffic(self) -> bool:
        """Next hop ``None``: Azure discards the traffic (a failure, not a warning)."""
        return self.next_hop_type.lower() == "none"


# --- ARM document access (keys may come in any case) -------------------------------------------


def _ci(d: object) -> dict:
    return {str(k).lower(): v for k, v in d.items()} if isinstance(d, Mapping) else {}


def _props(doc: Mapping) -> dict:
    """A resource's ``properties`` (lower-cased keys); flat documents are accepted as they are."""
    top = _ci(doc)
    return _ci(top["properties"]) if isinstance(top.get("properties"), Mapping) else top


def _values(p: Mapping, singular: str, plural: str) -> list[str]:
    """ARM splits one field into ``x`` and ``xs``; either (or both) may be set."""
    many = p.get(plural) or []
    out = [p.get(singular)] + ([many] if isinstance(many, str) else list(many))
    return [str(v).strip() for v in out if v is not None and str(v).strip()]


def _name(doc: Mapping) -> str | None:
    top = _ci(doc)
    if top.get("name"):
        return str(top["name"])
    return str(top["id"]).rstrip("/").rsplit("/", 1)[-1] if top.get("id") else None


# --- rules -------------------------------------------------------------------------------------


def _default(name: str, priority: int, source: str, dest: str, access: str) -> dict:
    return {"name": name, "properties": {
        "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
        "sourceAddressPrefix": source, "destinationAddressPrefix": dest,
        "access": access, "priority": priority, "direction": "Outbound"}}


# Azure's outbound defaults, as every NSG GET returns them.
STANDARD_OUTBOUND_DEFAULTS = (
    _default("AllowVnetOutBound", 65000, "VirtualNetwork", "VirtualNetwork", "Allow"),
    _default("AllowInternetOutBound", 65001, "*", "Internet", "Allow"),
    _default("DenyAllOutBound", 65500, "*", "*", "Deny"),
)


@dataclass(frozen=True)
class _Rule:
    name: str
    priority: int
    access: str  # "Allow" | "Deny"
    is_default: bool
    props: dict

    @property
    def label(self) -> str:
        kind = "default rule" if self.is_default else "rule"
        return f"{kind} '{self.name}' (priority {self.priority})"


def _outbound(doc: Mapping, is_default: bool, nsg_name: str | None) -> _Rule | None:
    p = _props(doc)
    name = _name(doc) or "<unnamed>"
    direction = str(p.get("direction") or "").lower()
    access = str(p.get("access") or "").lower()
    if direction not in ("inbound", "outbound") or access not in ("allow", "deny"):
        raise ValueError(f"NSG {nsg_name!r} rule {name!r}: direction/access missing or invalid")
    if direction == "inbound":
        return None
    try:
        priority = int(p.get("priority"))
    except (TypeError, ValueError):
        raise ValueError(f"NSG {nsg_name!r} rule {name!r}: no valid priority") from None
    return _Rule(name, priority, access.capitalize(), is_default, p)


def _rules(nsg: Mapping) -> tuple[list[_Rule], bool]:
    """Outbound rules in evaluation order, and whether the standard defaults had to be assumed."""
    p, name = _props(nsg), _name(nsg)
    custom = [_outbound(r, False, name) for r in p.get("securityrules") or []]
    defaults = [_outbound(r, True, name) for r in p.get("defaultsecurityrules") or []]
    defaults = [r for r in defaults if r]
    assumed = not defaults
    if assumed:
        defaults = [_outbound(r, True, name) for r in STANDARD_OUTBOUND_DEFAULTS]
    return sorted([r for r in custom if r] + defaults, key=lambda r: (r.priority, r.is_default)), assumed


# --- matching: every check answers True / False / None (undecidable), with the reason -------------

Tri = tuple[bool | None, str]

_ANY = {"*", "any", "all"}  # "All" is how effective-rule documents spell the protocol wildcard
# Ranges that never hold a public Azure endpoint (RFC 1918, CGNAT, loopback, link-local, ...).
_NON_PUBLIC = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")]
# AMA opens connections from OS-chosen ephemeral ports; every OS picks them inside this range.
_EPHEMERAL = (1024, 65535)


@dataclass(frozen=True)
class _Flow:
    dest: Destination
    port: int
    protocol: str
    source_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    source_asgs: frozenset[str] | None
    vnet_covers_all: bool


def _net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None  # not an address: a service tag


def _covers_all_ipv4(prefixes: Iterable[str]) -> bool:
    return _covers_all_ipv4_cached(tuple(prefixes))


@lru_cache(maxsize=1024)
def _covers_all_ipv4_cached(prefixes: tuple[str, ...]) -> bool:
    # Cached: a VNet's prefixes are the same for every VM in it, and collapsing is slow.
    nets = [n for n in map(_net, prefixes) if n is not None and n.version == 4]
    return ipaddress.ip_network("0.0.0.0/0") in ipaddress.collapse_addresses(nets)


@lru_cache(maxsize=4096)
def _source_class(source_ip: str | None) -> tuple[bool, bool]:
    """(given, in a non-public range): all a source *tag* rule can learn from the NIC's IP."""
    if not source_ip:
        return False, False
    address = ipaddress.ip_address(source_ip)
    return True, any(address in n for n in _NON_PUBLIC)


def _any_of(results: list[Tri], what: str) -> Tri:
    for r in results:
        if r[0] is True:
            return r
    maybes = [why for ok, why in results if ok is None]
    if maybes:
        return None, "; ".join(maybes)
    return False, f"{what} does not match"


def _port_range(text: str) -> tuple[int, int]:
    if text.lower() in _ANY:
        return 0, 65535
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def _protocol(p: Mapping, flow: _Flow) -> Tri:
    proto = str(p.get("protocol") or "").strip()
    if not proto:
        return None, "the rule has no protocol"
    ok = proto.lower() in _ANY or proto.lower() == flow.protocol.lower()
    return ok, f"protocol '{proto}'"


def _dest_port(p: Mapping, flow: _Flow) -> Tri:
    entries = _values(p, "destinationportrange", "destinationportranges")
    if not entries:
        return None, "the rule has no destination port range"
    results: list[Tri] = []
    for e in entries:
        try:
            lo, hi = _port_range(e)
        except ValueError:
            results.append((None, f"destination port '{e}' is not a port or range"))
            continue
        results.append((lo <= flow.port <= hi, f"destination port '{e}'"))
    return _any_of(results, f"destination ports {entries}")


def _source_port(p: Mapping, flow: _Flow) -> Tri:
    entries = _values(p, "sourceportrange", "sourceportranges")
    if not entries:
        return None, "the rule has no source port range"
    try:
        ranges = sorted(_port_range(e) for e in entries)
    except ValueError:
        return None, f"source ports {entries} are not ports or ranges"
    lo, hi = _EPHEMERAL
    if not any(a <= hi and b >= lo for a, b in ranges):
        return False, f"source ports {entries} exclude ephemeral ports"
    reach = lo  # does the union of ranges cover the whole ephemeral range?
    for a, b in ranges:
        if a <= reach <= b:
            reach = b + 1
    if reach > hi:
        return True, f"source ports {entries}"
    return None, (f"source ports {entries} cover only part of the ephemeral range AMA's "
                  "connections come from; the port the OS picks is not in ARM")


def _asg_ids(p: Mapping, field_name: str) -> frozenset[str]:
    return frozenset(key(_ci(a).get("id")) for a in p.get(field_name) or [] if _ci(a).get("id"))


def _source(p: Mapping, flow: _Flow) -> Tri:
    asgs = _asg_ids(p, "sourceapplicationsecuritygroups")
    if asgs:
        if flow.source_asgs is None:
            return None, "the source is an application security group; the NIC's ASGs were not given"
        return bool(asgs & flow.source_asgs), "source application security group"
    entries = _values(p, "sourceaddressprefix", "sourceaddressprefixes")
    if not entries:
        return None, "the rule has no source prefix"
    return _any_of([_source_prefix(e, flow) for e in entries], f"source {entries}")


def _source_prefix(e: str, flow: _Flow) -> Tri:
    low, net = e.lower(), _net(e)
    if low in _ANY or low == "virtualnetwork" or (net is not None and net.prefixlen == 0 and net.version == 4):
        return True, f"source '{e}'"  # the NIC's own address is always in VirtualNetwork
    if net is not None:
        if flow.source_ip is None:
            return None, f"source '{e}' is an address range and the NIC's IP was not given"
        return flow.source_ip in net, f"source '{e}'"
    if low == "internet":  # Internet is everything outside VirtualNetwork, where the NIC is
        return False, f"source '{e}'"
    if flow.source_ip is not None and any(flow.source_ip in n for n in _NON_PUBLIC):
        return False, f"source tag '{e}' holds public addresses, the NIC's is private"
    return None, f"source tag '{e}': whether it holds the NIC's address is not in ARM"


def _destination(p: Mapping, flow: _Flow) -> Tri:
    if _asg_ids(p, "destinationapplicationsecuritygroups"):
        if flow.dest.private_ip:  # private endpoints can be ASG members; membership is elsewhere
            return None, "the destination is an application security group; PE membership not evaluated"
        return False, "the destination is an application security group; ASGs never hold public endpoints"
    entries = _values(p, "destinationaddressprefix", "destinationaddressprefixes")
    if not entries:
        return None, "the rule has no destination prefix"
    return _any_of([_dest_prefix(e, flow) for e in entries], f"destination {entries}")


def _norm_region(region: str) -> str:
    return region.lower().replace(" ", "").replace("-", "")


def _dest_prefix(e: str, flow: _Flow) -> Tri:
    dest, low, net = flow.dest, e.lower(), _net(e)
    if low in _ANY:
        return True, f"destination '{e}' is any address"
    if dest.private_ip:
        if net is not None:
            return ipaddress.ip_address(dest.private_ip) in net, f"destination '{e}' vs {dest.private_ip}"
        if low == "virtualnetwork":
            return True, f"destination '{e}' holds the private endpoint IP"
        return False, f"destination '{e}' holds public addresses, not the private endpoint IP"
    # public endpoint from here on: its IPs are not in ARM
    if net is not None:
        if net.prefixlen == 0 and net.version == 4:  # AMA connects over IPv4
            return True, f"destination '{e}' is any address"
        if any(net.version == n.version and net.subnet_of(n) for n in _NON_PUBLIC):
            return False, f"destination '{e}' is a private range; {dest.host} is public"
        return None, (f"destination '{e}' is an address range and the public IPs behind "
                      f"{dest.host} are not in ARM")
    if low == "internet":
        return True, f"destination '{e}' holds the public endpoint"
    if low == "virtualnetwork":
        if flow.vnet_covers_all:
            return True, f"destination '{e}' includes a default route (0.0.0.0/0), so every address"
        return None, (f"destination '{e}' also holds route prefixes (UDRs, gateway-learned routes, "
                      "possibly a default route) that ARM does not fully show")
    tags = {t.lower() for t in dest.service_tags} | {"azurecloud"}
    if low in tags:
        return True, f"service tag '{e}' holds {dest.host}"
    tag, _, region = low.partition(".")
    if region and tag in tags:
        if dest.region is None:
            return None, f"regional tag '{e}': {dest.host} is a global endpoint, its region is unknown"
        same = _norm_region(region) == _norm_region(dest.region)
        return same, f"regional tag '{e}' vs endpoint region {dest.region}"
    return False, f"service tag '{e}' does not hold {dest.host}"


def _match(rule: _Rule, flow: _Flow) -> Tri:
    parts = [f(rule.props, flow) for f in (_protocol, _dest_port, _destination, _source, _source_port)]
    for ok, why in parts:
        if ok is False:
            return False, why
    maybes = [why for ok, why in parts if ok is None]
    if maybes:
        return None, "; ".join(maybes)
    return True, "; ".join(why for _, why in parts[:3])  # protocol, port, destination say enough


# --- evaluation ------------------------------------------------------------------------------------


class CompiledNsg:
    """One NSG document parsed once: its outbound rules in evaluation order, and a memo of decisions.

    Many VMs share an NSG, and AMA's endpoints are few, so the same flow is judged again and
    again; a decision depends on the NIC's IP only through the rules that look at the source, so
    the memo key keeps just what those rules can see (the IP itself only when a rule has a source
    CIDR). Build one per NSG document for the lifetime of an estate (see ``compile_nsg``); the
    document must not change afterwards. Malformed rules raise ``ValueError`` here.
    """

    __slots__ = ("id", "name", "rules", "assumed", "_by_ip", "_by_asg", "_memo")

    def __init__(self, nsg: Mapping):
        self.id, self.name = _ci(nsg).get("id"), _name(nsg)
        self.rules, self.assumed = _rules(nsg)
        self._by_ip = self._by_asg = False   # decisions depend on the exact source IP / ASGs
        for rule in self.rules:
            if _asg_ids(rule.props, "sourceapplicationsecuritygroups"):
                self._by_asg = True
                continue
            for e in _values(rule.props, "sourceaddressprefix", "sourceaddressprefixes"):
                net = _net(e)
                if net is not None and not (net.prefixlen == 0 and net.version == 4):
                    self._by_ip = True
        self._memo: dict[tuple, RuleDecision] = {}

    def decide(self, dest: Destination, port: int = 443, protocol: str = "Tcp", source_ip: str | None = None,
               source_asgs: Iterable[str] | None = None, vnet_prefixes: Iterable[str] = (),
               layer: str = "") -> RuleDecision:
        asgs = None if source_asgs is None else frozenset(map(key, source_asgs))
        covers_all = _covers_all_ipv4(vnet_prefixes)
        memo = not (self._by_ip or self._by_asg)   # per-NIC keys would only fill the memo
        if memo:
            k = (dest, port, protocol, _source_class(source_ip), covers_all, layer)
            found = self._memo.get(k)
            if found is not None:
                return found
        decision = self._evaluate(dest, port, protocol, source_ip, asgs, covers_all)
        if layer:
            decision = replace(decision, layer=layer)
        if memo:
            self._memo[k] = decision
        return decision

    def _evaluate(self, dest: Destination, port: int, protocol: str, source_ip: str | None,
                  asgs: frozenset[str] | None, covers_all: bool) -> RuleDecision:
        flow_text = f"outbound {protocol}/{port} to {dest.label}"
        nsg_id, nsg_name, assumed = self.id, self.name, self.assumed
        flow = _Flow(dest, port, protocol, ipaddress.ip_address(source_ip) if source_ip else None, asgs, covers_all)
        note = (" The document has no outbound default rules, so Azure's standard defaults were applied."
                if assumed else "")
        verb = {"Allow": "allows", "Deny": "denies"}

        def decide(verdict: Verdict, rule: _Rule | None, text: str, undecided=()) -> RuleDecision:
            return RuleDecision(verdict, dest.host, nsg_id, nsg_name, rule and rule.name,
                                rule and rule.priority, bool(rule and rule.is_default),
                                rule and rule.access, f"NSG '{nsg_name}': {text}{note}",
                                tuple(undecided), assumed)

        pending: list[tuple[_Rule, str]] = []  # undecidable rules met so far, in priority order
        for rule in self.rules:
            ok, why = _match(rule, flow)
            if ok is False:
                continue
            if ok is None:
                pending.append((rule, why))
                continue
            # An undecidable rule before this one only matters if it would act differently.
            contrary = [(r, w) for r, w in pending if r.access != rule.access]
            if not contrary:
                verdict = Verdict.ALLOWED if rule.access == "Allow" else Verdict.DENIED
                return decide(verdict, rule, f"{rule.label} {verb[rule.access]} {flow_text} ({why}).")
            first, first_why = contrary[0]
            return decide(
                Verdict.UNCERTAIN, first,
                f"cannot decide {flow_text} from ARM: {first.label} may match ({first_why}). If it "
                f"does, it {verb[first.access]} the traffic; if not, {rule.label} {verb[rule.access]} "
                "it. Check the NIC's effective security rules, or Network Watcher IP flow verify "
                "against the resolved IP.",
                [f"{r.name} (priority {r.priority}): {w}" for r, w in contrary])
        if pending:  # only reachable when the document's default rules are incomplete
            first, first_why = pending[0]
            return decide(Verdict.UNCERTAIN, first, f"cannot decide {flow_text}: {first.label} may "
                          f"match ({first_why}) and no later rule surely matches.",
                          [f"{r.name} (priority {r.priority}): {w}" for r, w in pending])
        return decide(Verdict.UNCERTAIN, None, f"no outbound rule matches {flow_text}; the document's "
                      "default rules look incomplete.")


def compile_nsg(nsg: Mapping | CompiledNsg | None) -> CompiledNsg | None:
    """Parse an NSG document once (``evaluate_*`` accept the result wherever they take a document)."""
    if nsg is None or isinstance(nsg, CompiledNsg):
        return nsg
    return CompiledNsg(nsg)


@lru_cache(maxsize=1024)
def _no_nsg(dest: Destination, port: int, protocol: str, layer: str) -> RuleDecision:
    return RuleDecision(Verdict.ALLOWED, dest.host, None, None, None, None, False, None,
                        f"No NSG is associated, so nothing filters outbound {protocol}/{port} to {dest.label} here.",
                        layer=layer)


def evaluate_outbound(
    nsg: Mapping | CompiledNsg | None,
    dest: Destination,
    port: int = 443,
    protocol: str = "Tcp",
    source_ip: str | None = None,
    source_asgs: Iterable[str] | None = None,
    vnet_prefixes: Iterable[str] = (),
) -> RuleDecision:
    """Evaluate one NSG for outbound ``protocol``/``port`` traffic from a NIC to ``dest``.

    ``nsg``: the NSG document, or its :func:`compile_nsg` form (parsed once, decisions memoized).
    ``source_ip``: the NIC ipConfiguration's private IP (decides source CIDRs).
    ``source_asgs``: ids of the ipConfiguration's application security groups; None = unknown.
    ``vnet_prefixes``: prefixes known to be in the VirtualNetwork tag (VNet and peered address
    spaces, the subnet's UDR prefixes); only used to see whether it covers every address.
    """
    return _outbound_decision(nsg, dest, port, protocol, source_ip, source_asgs, vnet_prefixes, "")


def _outbound_decision(nsg, dest, port, protocol, source_ip, source_asgs, vnet_prefixes, layer) -> RuleDecision:
    if nsg is None:
        return _no_nsg(dest, port, protocol, layer)
    return compile_nsg(nsg).decide(dest, port, protocol, source_ip, source_asgs, vnet_prefixes, layer)


_LAYER = {"nic": "network interface", "subnet": "subnet"}


def evaluate_path(
    nic_nsg: Mapping | CompiledNsg | None,
    subnet_nsg: Mapping | CompiledNsg | None,
    dest: Destination,
    port: int = 443,
    protocol: str = "Tcp",
    source_ip: str | None = None,
    source_asgs: Iterable[str] | None = None,
    vnet_prefixes: Iterable[str] = (),
) -> PathDecision:
    """Outbound through the NIC's NSG, then the subnet's (Azure's order for outbound traffic).

    Both are evaluated even when the NIC denies, so the evidence shows every layer.
    """
    source_asgs = None if source_asgs is None else tuple(source_asgs)
    vnet_prefixes = tuple(vnet_prefixes)
    nic, subnet = (_outbound_decision(doc, dest, port, protocol, source_ip, source_asgs, vnet_prefixes, layer)
                   for doc, layer in ((nic_nsg, "nic"), (subnet_nsg, "subnet")))
    both = (nic, subnet)
    denied = [d for d in both if d.verdict is Verdict.DENIED]
    unsure = [d for d in both if d.verdict is Verdict.UNCERTAIN]
    flow_text = f"Outbound {protocol}/{port} to {dest.label}"
    if denied:
        d = denied[0]
        verdict, text = Verdict.DENIED, (f"{flow_text} is blocked by the {_LAYER[d.layer]} NSG "
                                         f"'{d.nsg_name}', rule '{d.rule_name}' (priority {d.priority}).")
    elif unsure:
        d = unsure[0]
        verdict, text = Verdict.UNCERTAIN, (f"{flow_text} cannot be decided from ARM at the "
                                            f"{_LAYER[d.layer]} NSG '{d.nsg_name}' (rule '{d.rule_name}').")
    else:
        d, verdict, text = None, Verdict.ALLOWED, f"{flow_text} is allowed by both NSGs."
    details = " ".join(f"[{_LAYER[x.layer]}] {x.explanation}" for x in both)
    return PathDecision(dest, nic, subnet, verdict, d, f"{text} {details}")



# --- routes ----------------------------------------------------------------------------------------

_DIVERTING = {
    "virtualappliance": "a virtual appliance{ip}: AMA's traffic goes through that device, whose "
                        "rules ARM does not show",
    "virtualnetworkgateway": "the virtual network gateway (forced tunnelling): AMA's traffic goes "
                             "on-premises, through firewalls/proxies ARM does not show",
    "none": "next hop None: Azure drops this traffic, so AMA cannot reach public endpoints",
}
_MUST_ALLOW = (" Whatever filters that path must allow the AMA endpoints (FQDNs, or the AzureMonitor and "
               "AzureResourceManager service tags) on TCP 443, and must not inspect HTTPS.")


def route_prefixes(route_table: Mapping | None) -> tuple[str, ...]:
    """The address prefixes of a route table's routes (part of the VirtualNetwork tag)."""
    return tuple(r[1] for r in _routes(route_table))


def _routes(route_table: Mapping | None) -> list[tuple[str | None, str, str, str | None]]:
    """(name, addressPrefix, nextHopType, nextHopIpAddress) of each route."""
    out = []
    for r in _props(route_table or {}).get("routes") or []:
        p = _props(r)
        out.append((_name(r), str(p.get("addressprefix") or "").strip(),
                    str(p.get("nexthoptype") or "").strip(), p.get("nexthopipaddress")))
    return out


def forced_tunnel(route_table: Mapping | None, dest: Destination | None = None) -> tuple[RouteFinding, ...]:
    """Routes that send AMA's public traffic somewhere other than the Internet next hop.

    Looks at the default route (``0.0.0.0/0``, or the ``0.0.0.0/1`` + ``128.0.0.0/1`` split, which
    beats it by being longer). With ``dest`` given, a route whose prefix is one of the destination's
    service tags (``AzureMonitor`` -> Internet, the usual bypass) is more specific and governs
    instead; a private-endpoint destination never takes the default route. Routes learned from a
    gateway (BGP) are not in ARM and are not seen here.
    """
    if route_table is None or (dest is not None and dest.private_ip):
        return ()
    rt_id, rt_name = _ci(route_table).get("id"), _name(route_table)
    routes = _routes(route_table)

    def finding(route, scope: str) -> tuple[RouteFinding, ...]:
        name, prefix, hop, ip = route
        text = _DIVERTING.get(hop.lower())
        if text is None:  # Internet (or VnetLocal/unknown): not a diversion this check reports
            return ()
        text = text.format(ip=f" ({ip})" if ip else "")
        must = "" if hop.lower() == "none" else _MUST_ALLOW
        return (RouteFinding(rt_id, rt_name, name, prefix, hop, ip,
                             f"Route table '{rt_name}' route '{name}' sends {scope} to {text}.{must}"),)

    if dest is not None:  # a service-tag route for the destination beats 0.0.0.0/0
        tags = {t.lower() for t in dest.service_tags}
        regional, plain = [], []
        for r in routes:
            tag, _, region = r[1].lower().partition(".")
            if tag in tags and not region:
                plain.append(r)
            elif tag in tags and dest.region and _norm_region(region) == _norm_region(dest.region):
                regional.append(r)
        for r in regional + plain:  # the regional tag is the narrower one
            return finding(r, f"traffic to {r[1]} (which holds {dest.host})")

    by_net = {}
    for r in routes:
        net = _net(r[1])
        if net is not None and net.version == 4 and net.prefixlen <= 1:
            by_net.setdefault(str(net), r)  # Azure forbids two routes with one prefix in a table
    # Each half of IPv4 goes by its /1 route if there is one (longest prefix wins), else by /0.
    governed: dict[tuple, list[str]] = {}
    for half in ("0.0.0.0/1", "128.0.0.0/1"):
        route = by_net.get(half) or by_net.get("0.0.0.0/0")
        if route is not None:
            governed.setdefault(route, []).append(half)
    out: list[RouteFinding] = []
    for route, halves in governed.items():
        if len(halves) == 2:
            scope = f"all Internet-bound traffic ({route[1]})"
        elif str(_net(route[1])) == halves[0]:
            scope = f"traffic to {halves[0]}"
        else:
            scope = f"traffic to {halves[0]} (by its {route[1]} route)"
        out.extend(finding(route, scope))
    return tuple(out)
