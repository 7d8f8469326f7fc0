"""No pass without evidence, under fuzzing: links of a VM's chain are broken at random (documents
dropped, references bent to other resources or to nothing, lists emptied, reads failed) and every
pass that remains is checked against the raw documents by an oracle that knows nothing of the model:
a pass of step X needs the documents step X rests on, and every resource id a pass cites as its
evidence must be in the snapshot.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amaaudit import arm
from amaaudit.model import Estate
from amaaudit.snapshot import SnapshotError, load
from scenarios import judge, vm_ids
from test_fuzz_snapshot import CORPUS_TEXT, encode, fuzz_settings, mutated_documents, time_limit, write_bytes

VM = "microsoft.compute/virtualmachines"
STATS: Counter = Counter()


# -- the oracle: what each step's pass needs, read from the raw documents -------------------------
def _props(doc) -> dict:
    value = doc.get("properties") if isinstance(doc, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _ref(value) -> str:
    return value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else ""


class Documents:
    def __init__(self, doc: dict):
        self.doc = doc
        self.by_id = {arm.key(r["id"]): r for r in doc["resources"]}
        self.subnets = {}
        for r in doc["resources"]:
            if r["type"].lower() == "microsoft.network/virtualnetworks":
                for sn in _list(_props(r).get("subnets")):
                    if isinstance(sn, dict) and isinstance(sn.get("id"), str):
                        self.subnets[arm.key(sn["id"])] = sn

    def typed(self, resource_id: str, resource_type: str):
        found = self.by_id.get(arm.key(resource_id))
        return found if found is not None and found["type"].lower() == resource_type.lower() else None

    def children(self, parent: str, resource_type: str) -> list:
        return [r for r in self.doc["resources"] if r["type"].lower() == resource_type.lower()
                and arm.key(arm.parent(r["id"])) == arm.key(parent)]

    @property
    def inline(self) -> set[str]:
        """Ids of what documents keep inline: a scale set's model extensions, a uniform instance's NICs."""
        found = set()
        for r in self.doc["resources"]:
            p = _props(r)
            if r["type"].lower() == "microsoft.compute/virtualmachinescalesets":
                profile = p.get("virtualMachineProfile") if isinstance(p.get("virtualMachineProfile"), dict) else {}
                ext = profile.get("extensionProfile") if isinstance(profile.get("extensionProfile"), dict) else {}
                found |= {arm.key(f"{r['id']}/extensions/{e.get('name')}") for e in _list(ext.get("extensions"))
                          if isinstance(e, dict)}
            if "/virtualmachinescalesets/" in r["id"].lower():
                net = p.get("networkProfile") if isinstance(p.get("networkProfile"), dict) else {}
                found |= {arm.key(_ref(n)) for n in _list(net.get("networkInterfaces"))}
        return found

    def has(self, resource_id: str) -> bool:
        key = arm.key(resource_id)
        return key in self.by_id or key in self.subnets or key in self.inline


def _network_chain(d: Documents, vm: dict) -> str | None:
    """None when the VM's network chain is whole in the documents, else what is missing."""
    nics = _list(_props(vm).get("networkProfile", {}).get("networkInterfaces")
                 if isinstance(_props(vm).get("networkProfile"), dict) else None)
    if not nics:
        return "no NIC listed"
    for ref in nics:
        nic = d.typed(_ref(ref), "Microsoft.Network/networkInterfaces")
        if nic is None:
            return f"NIC {_ref(ref)} is not a NIC document"
        configs = [c for c in _list(_props(nic).get("ipConfigurations")) if isinstance(c, dict)]
        if not configs:
            return "NIC without IP configurations"
        if _ref(_props(nic).get("networkSecurityGroup")) and not d.typed(
                _ref(_props(nic).get("networkSecurityGroup")), "Microsoft.Network/networkSecurityGroups"):
            return "NIC NSG absent"
        for config in configs:
            subnet_id = _ref(_props(config).get("subnet"))
            if not subnet_id or not d.typed(arm.parent(subnet_id), "Microsoft.Network/virtualNetworks"):
                return "subnet's VNet absent"
            subnet = d.subnets.get(arm.key(subnet_id))
            if subnet is None:
                return "subnet absent from its VNet"
            for key, rtype in (("networkSecurityGroup", "Microsoft.Network/networkSecurityGroups"),
                               ("routeTable", "Microsoft.Network/routeTables")):
                if _ref(_props(subnet).get(key)) and not d.typed(_ref(_props(subnet).get(key)), rtype):
                    return f"subnet {key} absent"
    return None


def _ama_ok(exts) -> bool:
    return any(str(_props(e).get("publisher", "")).lower() == "microsoft.azure.monitor"
               and str(_props(e).get("provisioningState", "")).lower() == "succeeded" for e in exts)


def _dcr_chain(d: Documents, owner: str) -> str | None:
    for assoc in d.children(owner, "Microsoft.Insights/dataCollectionRuleAssociations"):
        rule = d.typed(str(_props(assoc).get("dataCollectionRuleId") or ""), "Microsoft.Insights/dataCollectionRules")
        dests = _props(rule).get("destinations") if rule else None
        for dest in _list(dests.get("logAnalytics") if isinstance(dests, dict) else None):
            if isinstance(dest, dict) and d.typed(str(dest.get("workspaceResourceId") or ""),
                                                  "Microsoft.OperationalInsights/workspaces"):
                return None
    return "no association -> DCR -> workspace chain"


def _private_docs(d: Documents, step: str) -> str | None:
    kinds = ("Microsoft.Network/privateEndpoints",) if step == "ampls" \
        else ("Microsoft.Network/privateDnsZones", "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
    return None if all(any(r["type"].lower() == k.lower() for r in d.doc["resources"]) for k in kinds) \
        else f"no {' / '.join(kinds)} documents"


def _heartbeat_row(d: Documents, resource_id: str, computer: str | None = None) -> str | None:
    rows = [h for h in _list(d.doc.get("heartbeats")) if isinstance(h, dict)
            and arm.key(h.get("resource_id")) == arm.key(resource_id)
            and (computer is None or str(h.get("computer") or "").lower() == computer.lower())]
    return None if rows else "no Heartbeat row"


def _identity(ident, user_ok: bool = True) -> str | None:
    ident = ident if isinstance(ident, dict) else {}
    system = "systemassigned" in str(ident.get("type", "")).lower().replace(" ", "")
    if user_ok:
        return None if system or ident.get("userAssignedIdentities") else "no identity"
    return None if system and ident.get("principalId") else "no system-assigned identity with a principal"


def _needs(d: Documents, vm: dict, step: str) -> str | None:
    """None when the documents hold what a pass of ``step`` rests on; else what is lacking (by kind)."""
    rtype = vm["type"].lower()
    if rtype == "microsoft.hybridcompute/machines":
        return _needs_arc(d, vm, step)
    if "/virtualmachinescalesets/" in vm["id"].lower():
        return _needs_instance(d, vm, step)
    p, vm_id = _props(vm), vm["id"]
    view = p.get("instanceView") if isinstance(p.get("instanceView"), dict) else {}
    if step == "os":
        return None if view.get("osName") or (isinstance(p.get("storageProfile"), dict)
                                               and p["storageProfile"].get("imageReference")) else "no OS source"
    if step == "power":
        codes = [str(s.get("code", "")).lower() for s in _list(view.get("statuses")) if isinstance(s, dict)]
        return None if "powerstate/running" in codes else "not running per the documents"
    if step == "agent":
        exts = d.children(vm_id, "Microsoft.Compute/virtualMachines/extensions") + [
            r for r in _list(vm.get("resources")) if isinstance(r, dict)]
        return None if _ama_ok(exts) else "no provisioned AMA extension document"
    if step == "network":
        return _network_chain(d, vm)
    if step in ("ampls", "dns"):
        return _network_chain(d, vm) or _private_docs(d, step)
    if step == "dcr":
        return _dcr_chain(d, vm_id)
    if step == "identity":
        return _identity(vm.get("identity"))
    if step == "heartbeat":
        return _heartbeat_row(d, vm_id)
    return None


def _needs_arc(d: Documents, machine: dict, step: str) -> str | None:
    p, mid = _props(machine), machine["id"]
    if step == "os":
        return None if p.get("osSku") or p.get("osName") else "no OS source"
    if step == "power":
        return None if str(p.get("status", "")).lower() == "connected" else "not connected per the document"
    if step == "agent":
        exts = d.children(mid, "Microsoft.HybridCompute/machines/extensions") + [
            r for r in _list(machine.get("resources")) if isinstance(r, dict)]
        return None if _ama_ok(exts) else "no provisioned AMA extension document"
    if step == "network":
        return "an Arc-enabled server's network is not in ARM: it never passes"
    if step in ("ampls", "dns"):
        scope = str(p.get("privateLinkScopeResourceId") or "")
        if scope and not d.typed(scope, "Microsoft.HybridCompute/privateLinkScopes"):
            return "its Arc private link scope is not in the snapshot"
        return _private_docs(d, step)
    if step == "dcr":
        return _dcr_chain(d, mid)
    if step == "identity":
        return _identity(machine.get("identity"), user_ok=False)
    if step == "heartbeat":
        return _heartbeat_row(d, mid)
    return None


def _needs_instance(d: Documents, instance: dict, step: str) -> str | None:
    p, set_id = _props(instance), arm.parent(instance["id"])
    scale_set = d.typed(set_id, "Microsoft.Compute/virtualMachineScaleSets")
    if scale_set is None and step not in ("power",):
        return "its scale set is not in the snapshot"
    view = p.get("instanceView") if isinstance(p.get("instanceView"), dict) else {}
    profile = _props(scale_set).get("virtualMachineProfile") if scale_set else None
    profile = profile if isinstance(profile, dict) else {}
    if step == "os":
        return None if view.get("osName") or profile.get("storageProfile") or profile.get("osProfile") \
            else "no OS source"
    if step == "power":
        codes = [str(s.get("code", "")).lower() for s in _list(view.get("statuses")) if isinstance(s, dict)]
        return None if "powerstate/running" in codes else "not running per the documents"
    if step == "agent":
        model = _list((profile.get("extensionProfile") or {}).get("extensions")
                      if isinstance(profile.get("extensionProfile"), dict) else None)
        return None if any(str(_props(e).get("publisher", "")).lower() == "microsoft.azure.monitor"
                           for e in model if isinstance(e, dict)) else "no AMA in the scale set's model"
    if step in ("network", "ampls", "dns"):
        configs = _list((profile.get("networkProfile") or {}).get("networkInterfaceConfigurations")
                        if isinstance(profile.get("networkProfile"), dict) else None)
        if not configs:
            return "no NIC configuration in the scale set's model"
        return None if step == "network" else _private_docs(d, step)
    if step == "dcr":
        return _dcr_chain(d, set_id)
    if step == "identity":
        return _identity(scale_set.get("identity"))
    if step == "heartbeat":
        computer = (p.get("osProfile") or {}).get("computerName") if isinstance(p.get("osProfile"), dict) else None
        return _heartbeat_row(d, set_id, computer or view.get("computerName"))
    return None


# Evidence keys that legitimately name what the snapshot need not hold (an identity's own document,
# a custom image) -- everything else a pass cites must be there.
_OUTSIDE = {"userassigned", "imagereference", "setting"}


def _cited_ids(value, key: str = ""):
    if key.lower() in _OUTSIDE:
        return
    if isinstance(value, str) and value.lower().startswith("/subscriptions/"):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _cited_ids(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _cited_ids(v, key)


def check_passes(path) -> str:
    """Load and judge the file; every pass must rest on evidence the documents hold."""
    STATS["cases"] += 1
    with time_limit(10):
        try:
            snap = load(path)
        except SnapshotError:
            STATS["refused"] += 1
            return "refused"
        estate = Estate(snap)
        evidence: dict = {}
        outcomes = judge(estate, evidence=evidence)
    docs = Documents(snap.document)
    vms = {vm_id: vm.doc for vm, vm_id in zip(estate.vms, vm_ids(estate.vms))}
    for (vm_id, step), outcome in outcomes.items():
        if outcome not in ("pass", "warn"):
            continue
        STATS["passes"] += 1
        seen = evidence[(vm_id, step)]
        assert seen, f"{vm_id} {step}: pass without evidence"
        lacking = _needs(docs, vms[vm_id], step)
        assert lacking is None, f"{vm_id} {step} passed, but the documents lack it: {lacking}; evidence {seen}"
        absent = [i for i in _cited_ids(seen) if not docs.has(i)]
        assert not absent, f"{vm_id} {step} passed citing what the snapshot does not hold: {absent}"
    STATS["loaded"] += 1
    return "loaded"


# -- breaking the chain ----------------------------------------------------------------------------
BREAKS = ("drop", "drop", "drop", "retarget", "empty", "unset", "fail-read")


@st.composite
def broken_chains(draw):
    """A real snapshot with 1-4 links of the VMs' chains broken."""
    doc = json.loads(CORPUS_TEXT[draw(st.sampled_from(sorted(CORPUS_TEXT)))])
    done = []
    for _ in range(draw(st.integers(1, 4))):
        resources = doc["resources"]
        how = draw(st.sampled_from(BREAKS))
        target = draw(st.sampled_from(resources))
        if how == "drop":
            resources.remove(target)
        elif how == "retarget":
            # a reference in the target now names another resource (of any type), or nothing at all
            refs = [(node, key) for node, key in _references(target)]
            if refs:
                node, key = draw(st.sampled_from(refs))
                other = draw(st.sampled_from(resources))["id"]
                node[key] = draw(st.sampled_from([other, other + "-gone", ""]))
        elif how in ("empty", "unset"):
            lists = [(node, key) for node, key in _fields(target) if key.lower() in (
                "ipconfigurations", "networkinterfaces", "subnets", "securityrules", "statuses", "destinations",
                "logAnalytics".lower(), "dataflows", "privatelinkserviceconnections", "arecords", "subnet",
                "networksecuritygroup", "routetable", "instanceview", "identity", "virtualnetwork")]
            if lists:
                node, key = draw(st.sampled_from(lists))
                if how == "empty":
                    node[key] = [] if isinstance(node[key], list) else {}
                else:
                    del node[key]
        else:
            doc.setdefault("errors", []).append({"scope": target["id"], "operation": target["type"] + "/read",
                                                 "status": 403, "code": "AuthorizationFailed", "message": "fuzz"})
            if draw(st.booleans()):
                resources.remove(target)
        done.append(f"{how}:{target['type'].split('/')[-1]}")
    return doc, done


def _fields(node):
    if isinstance(node, dict):
        for key, value in list(node.items()):
            yield node, key
            yield from _fields(value)
    elif isinstance(node, list):
        for value in node:
            yield from _fields(value)


def _references(node):
    for parent, key in _fields(node):
        value = parent[key]
        if key != "id" and isinstance(value, str) and value.lower().startswith("/subscriptions/"):
            yield parent, key
        elif key == "id" and parent is not node and isinstance(value, str):
            yield parent, key


@pytest.fixture(scope="module", autouse=True)
def print_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and STATS:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(f"evidence fuzzing: {STATS['cases']} cases, {STATS['loaded']} judged, "
                                f"{STATS['refused']} refused; {STATS['passes']} passes, each checked against "
                                "the documents it rests on")


@fuzz_settings(80)
@given(case=broken_chains())
def test_broken_chains_never_pass_without_their_documents(case, tmp_path_factory):
    doc, _ = case
    check_passes(write_bytes(tmp_path_factory, encode(doc)))


@fuzz_settings(60)
@given(case=mutated_documents())
def test_mutated_snapshots_never_pass_without_their_documents(case, tmp_path_factory):
    doc, _ = case
    check_passes(write_bytes(tmp_path_factory, encode(doc)))
