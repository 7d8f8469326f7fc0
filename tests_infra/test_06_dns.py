"""通信要件の確認 (AMPLS) 原因 B -- AMPLS's private DNS zones exist, are linked to the VM's VNet, hold the records."""

import pytest

from amaaudit import arm
from amaaudit import findings as finding
from amaaudit.endpoints import OPINSIGHTS, AUTOMATION, MONITOR, host_of, private_dns_zones
from amaaudit.model.network import endpoints_by_zone, zones_by_name
from amaaudit.text import Text
from amaaudit.verdict import evidence, not_applicable, require_each, warn

pytestmark = pytest.mark.dns


def test_private_dns(vm):
    """Each zone AMPLS needs is linked (Completed) to every VNet of the VM, with A records to the endpoint's IPs."""
    estate = vm.estate
    paths = [p for p in vm.network.private_link_paths if p.scope is not None]
    if not paths:
        not_applicable(Text("no AMPLS private endpoint is reachable from the VM (public path, or see step 'ampls')",
                            "VM から到達できる AMPLS のプライベート エンドポイントがありません (パブリック経路、または手順 'ampls' を参照)"))
    endpoint = paths[0].endpoint
    if vm.network.custom_dns_servers:
        warn(finding.dns.custom_dns, vm, vm.network.custom_dns_servers)

    # Every zone, link and record at fault is reported (require_each): one run lists all the fixes.
    zones = {}
    for name in private_dns_zones(estate.cloud):
        referenced = [z for z in (vm.network.zone(zid) for zid in endpoint.zone_ids) if z and z.name == name]
        candidates = referenced or zones_by_name(estate).get(name, [])
        linked = [z for z in candidates if any(z.links.get(arm.key(v.id)) for v in vm.network.vnets)]
        zones[name] = (linked or candidates or [None])[0]
    require_each(finding.dns.zone_missing, [(vm, name, endpoint) for name, zone in zones.items() if zone is None])
    evidence(zones={n: z.id for n, z in zones.items()}, vnets=[v.id for v in vm.network.vnets])

    links = [(vm, zone, vnet, zone.links.get(arm.key(vnet.id), "")) for zone in zones.values()
             for vnet in vm.network.vnets]
    require_each(finding.dns.not_linked, [link for link in links if link[3].lower() != "completed"])

    writers = {name: [pe for pe in endpoints_by_zone(estate).get(arm.key(zone.id), []) if pe.ampls_connections]
               for name, zone in zones.items()}
    require_each(finding.dns.zone_shared,
                 [(vm, zones[name], pes) for name, pes in writers.items()
                  if len({arm.key(c.target_id) for pe in pes for c in pe.ampls_connections}) > 1])

    cloud = estate.cloud
    wanted = {f"privatelink.ods.{OPINSIGHTS[cloud]}": [], f"privatelink.oms.{OPINSIGHTS[cloud]}": [],
              f"privatelink.agentsvc.{AUTOMATION[cloud]}": [], f"privatelink.{MONITOR[cloud]}": []}
    for ws in vm.log_workspaces():
        for name in list(wanted)[:3]:
            wanted[name].append(ws.customer_id.lower())
    for dce in vm.data_collection_endpoints():
        for url in (dce.logs_ingestion, dce.configuration_access):
            host = host_of(url).lower()
            suffix = "." + MONITOR[cloud]
            if host.endswith(suffix):
                wanted[f"privatelink.{MONITOR[cloud]}"].append(host[: -len(suffix)])
    ips = endpoint.ips
    faulty = []
    for name, records in wanted.items():
        zone = zones[name]
        problems = []
        for record in records:
            found = zone.a_records.get(record)
            if not found:
                problems.append(Text(f"no A record '{record}'", f"A レコード '{record}' がありません"))
            elif ips and not set(found) & ips:
                problems.append(Text(f"'{record}' points at {', '.join(found)}, not the endpoint's {', '.join(sorted(ips))}",
                                     f"'{record}' の指す先が {', '.join(found)} で、エンドポイントの "
                                     f"{', '.join(sorted(ips))} ではありません"))
        if problems:
            faulty.append((vm, zone, problems, endpoint))
    require_each(finding.dns.record_missing, faulty)
    if vm.collection_gap:                          # an unread DCR may need records not checked here
        raise vm.collection_gap
