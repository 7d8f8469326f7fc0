"""通信要件の確認 (AMPLS) 原因 B -- the private DNS zones exist, are linked to the machine's VNets, hold the records."""

import pytest

from amaaudit import arm
from amaaudit import findings as finding
from amaaudit.endpoints import OPINSIGHTS, AUTOMATION, MONITOR, host_of, private_dns_zones
from amaaudit.model.network import endpoints_by_zone, zones_by_name
from amaaudit.text import Text
from amaaudit.verdict import evidence, not_applicable, require_each, warn

pytestmark = pytest.mark.dns


def test_private_dns(vm):
    """Each zone the machine's private endpoints need (AMPLS's; Arc's scope's) exists, is linked (Completed) to
    every VNet the machine resolves from, and holds A records pointing at the endpoints' IPs."""
    estate, cloud = vm.estate, vm.estate.cloud
    paths = [p for p in vm.network.private_link_paths if p.scope is not None]
    host = vm.host_private_link                  # a machine kind's own private link (Arc), beside AMPLS
    host_endpoints = host.endpoints if host is not None and host.scope is not None else []
    if not paths and not host_endpoints:
        not_applicable(Text("no AMPLS private endpoint is reachable from the machine (public path, or see step 'ampls')",
                            "マシンから到達できる AMPLS のプライベート エンドポイントがありません (パブリック経路、または"
                            "手順 'ampls' を参照)"))
    if vm.network.custom_dns_servers:
        warn(finding.dns.custom_dns, vm, vm.network.custom_dns_servers)
    if vm.network.dns_outside_arm is not None:
        warn(finding.dns.dns_unseen, vm, vm.network.dns_outside_arm)

    # The zones each private link needs, with the endpoint whose zone groups write them.
    needed = {}
    if paths:
        needed.update(dict.fromkeys(private_dns_zones(cloud), paths[0].endpoint))
    for pe in host_endpoints:
        for name in host.dns_zones(cloud):
            needed.setdefault(name, pe)

    # Every zone, link and record at fault is reported (require_each): one run lists all the fixes.
    zones = {}
    for name, endpoint in needed.items():
        referenced = [z for z in (vm.network.zone(zid) for zid in endpoint.zone_ids) if z and z.name == name]
        candidates = referenced or zones_by_name(estate).get(name, [])
        linked = [z for z in candidates if any(z.links.get(arm.key(v.id)) for v in vm.network.vnets)]
        zones[name] = (linked or candidates or [None])[0]
    require_each(finding.dns.zone_missing, [(vm, name, needed[name]) for name, zone in zones.items() if zone is None])
    evidence(zones={n: z.id for n, z in zones.items()}, vnets=[v.id for v in vm.network.vnets])

    links = [(vm, zone, vnet, zone.links.get(arm.key(vnet.id), "")) for zone in zones.values()
             for vnet in vm.network.vnets]
    require_each(finding.dns.not_linked, [link for link in links if link[3].lower() != "completed"])

    writers = {name: [pe for pe in endpoints_by_zone(estate).get(arm.key(zone.id), []) if pe.ampls_connections]
               for name, zone in zones.items()}
    require_each(finding.dns.zone_shared,
                 [(vm, zones[name], pes) for name, pes in writers.items()
                  if len({arm.key(c.target_id) for pe in pes for c in pe.ampls_connections}) > 1])

    wanted = {name: [] for name in zones}        # zone -> [(record, the IPs it must point at, endpoint)]
    if paths:
        endpoint = paths[0].endpoint
        amplsed = {f"privatelink.ods.{OPINSIGHTS[cloud]}", f"privatelink.oms.{OPINSIGHTS[cloud]}",
                   f"privatelink.agentsvc.{AUTOMATION[cloud]}"}
        for ws in vm.log_workspaces():
            for name in amplsed:
                wanted[name].append((ws.customer_id.lower(), endpoint.ips, endpoint))
        for dce in vm.data_collection_endpoints():
            for url in (dce.logs_ingestion, dce.configuration_access):
                host_name = host_of(url).lower()
                suffix = "." + MONITOR[cloud]
                if host_name.endswith(suffix):
                    wanted[f"privatelink.{MONITOR[cloud]}"].append((host_name[: -len(suffix)], endpoint.ips, endpoint))
    for pe in host_endpoints:                    # the names the machine's own endpoints answer for
        for fqdn, ips in pe.dns_configs.items():
            zone_name = next((n for n in host.dns_zones(cloud) if fqdn.endswith("." + n.removeprefix("privatelink."))),
                             None)
            if zone_name is not None:
                record = fqdn[: -len(zone_name.removeprefix("privatelink.")) - 1]
                wanted[zone_name].append((record, set(ips), pe))
    faulty = []
    for name, records in wanted.items():
        zone = zones[name]
        problems = []
        for record, ips, _ in records:
            found = zone.a_records.get(record)
            if not found:
                problems.append(Text(f"no A record '{record}'", f"A レコード '{record}' がありません"))
            elif ips and not set(found) & ips:
                problems.append(Text(f"'{record}' points at {', '.join(found)}, not the endpoint's {', '.join(sorted(ips))}",
                                     f"'{record}' の指す先が {', '.join(found)} で、エンドポイントの "
                                     f"{', '.join(sorted(ips))} ではありません"))
        if problems:
            faulty.append((vm, zone, problems, records[0][2]))
    require_each(finding.dns.record_missing, faulty)
    if vm.collection_gap:                          # an unread DCR may need records not checked here
        raise vm.collection_gap
