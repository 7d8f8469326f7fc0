"""通信要件の確認 -- outbound TCP 443 from the machine to every endpoint AMA needs."""

import pytest

from amaaudit import findings as finding
from amaaudit.endpoints import ama_endpoints
from amaaudit.netpath import Destination, Verdict, evaluate_path, forced_tunnel, route_prefixes
from amaaudit.model import Malformed
from amaaudit.text import Text
from amaaudit.verdict import evidence, not_visible, require, warn

pytestmark = pytest.mark.network


def test_network_egress(vm):
    """Both the NIC's and the subnet's NSG allow each AMA endpoint; routes through an appliance are flagged."""
    # Endpoints of what was read; an unread DCR may add more (collection_gap, below).
    endpoints = ama_endpoints(vm.estate.cloud, vm.location, vm.log_workspaces(), vm.data_collection_endpoints())
    outside = vm.network.egress_outside_arm
    if outside is not None:             # the machine's network is not in ARM (an Arc server): say what to run
        outside_arm(vm, outside, endpoints)
    egress = vm.network.egress      # never empty: a NIC, subnet or NSG the snapshot lacks is "could not evaluate"
    private_ips = {host: ips[0] for path in vm.network.private_link_paths
                   for host, ips in path.endpoint.dns_configs.items() if ips}
    # The hosts and the paths are the evidence; the probe commands are in the finding when one is raised.
    evidence(endpoints=[e.host for e in endpoints],
             paths=[{"nic": out.nic.id, "ip": out.ip.private_ip, "subnet": out.subnet.id,
                     "nsgs": [d["id"] for d in (out.nic_nsg, out.subnet_nsg) if d],
                     "routeTable": out.route_table["id"] if out.route_table else None} for out in egress])

    try:
        decisions = [(out, endpoint, decide(vm, out, endpoint, private_ips))
                     for out in egress for endpoint in endpoints]
    except ValueError as exc:            # a rule or address no evaluation can use: say so, never guess
        raise Malformed(Text(f"the network path of {vm.label.en}", f"{vm.label.ja} のネットワーク経路"), str(exc),
                        vm.id) from None
    denied = [d for d in decisions if d[2].verdict is Verdict.DENIED]
    require(not denied, finding.network.blocked, vm, endpoints, denied)   # a denial seen is certain
    if vm.collection_gap:
        raise vm.collection_gap
    uncertain = [d for d in decisions if d[2].verdict is Verdict.UNCERTAIN]
    if uncertain:
        warn(finding.network.undecidable, vm, endpoints, uncertain)
    tunnels = [r for out in egress for r in forced_tunnel(out.route_table)]
    if tunnels:
        warn(finding.network.forced_tunnel, vm, endpoints, tunnels)


def outside_arm(vm, why, endpoints):
    """Never a pass on ARM evidence: the endpoints the machine needs (AMA's and its own agent's) and the
    commands to test them on it, as the reason; warnings for what ARM does show (its agent's proxy)."""
    link = vm.host_private_link
    needed = endpoints + vm.own_endpoints()
    proxy = vm.proxy
    private = link is not None or bool(vm.network.private_link_paths)
    if proxy is not None and private:
        missing = [s for s in ("Arc", "AMA") if s.lower() not in {b.lower() for b in proxy.bypass}]
        if missing:
            warn(finding.network.proxy_without_bypass, vm, proxy, missing)
    evidence(endpoints=[e.host for e in needed], proxy=proxy.url if proxy else None)
    not_visible(finding.network.outside_arm(vm, why, needed))


def decide(vm, out, endpoint, private_ips):
    """Azure's verdict for one NIC IP configuration and one endpoint: NIC NSG, then subnet NSG."""
    known = out.subnet.vnet.prefixes + list(route_prefixes(out.route_table))
    target = Destination(endpoint.host, endpoint.service_tags, region=vm.location,
                         private_ip=private_ips.get(endpoint.host))
    return evaluate_path(out.nic_rules, out.subnet_rules, target, source_ip=out.ip.private_ip or None,
                         source_asgs=out.ip.asg_ids, vnet_prefixes=known)
