"""Virtual machines and their extensions, as the checks ask about them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .. import arm
from ..text import Text
from .estate import Estate, Unknown, operation_for

AMA_PUBLISHER = "microsoft.azure.monitor"
AMA_TYPES = {"Linux": "AzureMonitorLinuxAgent", "Windows": "AzureMonitorWindowsAgent"}
LEGACY_PUBLISHER = "microsoft.enterprisecloud.monitoring"
LEGACY_TYPES = {"microsoftmonitoringagent": "MicrosoftMonitoringAgent (MMA)",
                "omsagentforlinux": "OmsAgentForLinux (OMS)"}
EXTENSION_TYPE = "Microsoft.Compute/virtualMachines/extensions"
DCRA_TYPE = "Microsoft.Insights/dataCollectionRuleAssociations"


def _props(doc: dict[str, Any] | None) -> dict[str, Any]:
    value = doc.get("properties") if isinstance(doc, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    """A JSON array as a list; anything else (a snapshot's wrong-typed field) as empty."""
    return value if isinstance(value, list) else []


def _lower_keys(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Status:
    code: str
    level: str
    display: str
    message: str

    @property
    def failed(self) -> bool:
        return self.level.lower() == "error" or "/failed" in self.code.lower()

    @classmethod
    def many(cls, items: Any) -> list["Status"]:
        out = []
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                out.append(cls(str(item.get("code") or ""), str(item.get("level") or ""),
                               str(item.get("displayStatus") or ""), str(item.get("message") or "")))
        return out


@dataclass(frozen=True)
class UserAssignedIdentity:
    resource_id: str
    principal_id: str
    client_id: str


class Extension:
    def __init__(self, estate: Estate, doc: dict[str, Any], vm_instance: dict[str, Any] | None = None):
        self.estate, self.doc = estate, doc
        self.id: str = doc.get("id", "")
        self.name: str = doc.get("name") or arm.parse(self.id).name
        p = _props(doc)
        self.publisher: str = str(p.get("publisher") or "")
        self.type: str = str(p.get("type") or "")
        self.type_handler_version: str = str(p.get("typeHandlerVersion") or "")
        self.auto_upgrade_minor_version = p.get("autoUpgradeMinorVersion")
        self.enable_automatic_upgrade = p.get("enableAutomaticUpgrade")
        self.provisioning_state: str = str(p.get("provisioningState") or "")
        self.settings: dict[str, Any] = p.get("settings") if isinstance(p.get("settings"), dict) else {}
        view = p.get("instanceView") if isinstance(p.get("instanceView"), dict) else vm_instance
        self.instance_view: dict[str, Any] | None = view
        self.statuses = Status.many((view or {}).get("statuses")) + Status.many((view or {}).get("substatuses"))
        self.installed_version: str = str((view or {}).get("typeHandlerVersion") or "")

    @property
    def is_ama(self) -> bool:
        return self.publisher.lower() == AMA_PUBLISHER and self.type.lower() in {
            t.lower() for t in AMA_TYPES.values()}

    @property
    def ama_os(self) -> str | None:
        for os_name, ext_type in AMA_TYPES.items():
            if self.type.lower() == ext_type.lower():
                return os_name
        return None

    @property
    def legacy_name(self) -> str | None:
        if self.publisher.lower() == LEGACY_PUBLISHER:
            return LEGACY_TYPES.get(self.type.lower())
        return None

    @property
    def failures(self) -> list[Status]:
        return [s for s in self.statuses if s.failed]

    @property
    def version_is_major_minor(self) -> bool:
        return bool(re.fullmatch(r"\d+\.\d+", self.type_handler_version.strip()))

    @property
    def managed_identity_setting(self) -> dict[str, Any] | None:
        """``settings.authentication.managedIdentity``: which identity AMA was told to use."""
        auth = _lower_keys(self.settings).get("authentication")
        named = _lower_keys(auth).get("managedidentity")
        return named if isinstance(named, dict) else None

    def evidence(self) -> dict[str, Any]:
        return {"id": self.id, "publisher": self.publisher, "type": self.type,
                "typeHandlerVersion": self.type_handler_version,
                "provisioningState": self.provisioning_state,
                "enableAutomaticUpgrade": self.enable_automatic_upgrade,
                **({"installedVersion": self.installed_version} if self.installed_version else {}),
                **({"statuses": [s.code + (f": {s.message}" if s.message else "") for s in self.failures]}
                   if self.failures else {})}


class VirtualMachine:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        parsed = arm.parse(self.id)
        self.name: str = doc.get("name") or parsed.name
        self.resource_group: str = parsed.resource_group
        self.subscription: str = parsed.subscription
        self.location: str = str(doc.get("location") or "")
        self.tags: dict[str, Any] = doc.get("tags") if isinstance(doc.get("tags"), dict) else {}
        self.props = _props(doc)

    def __repr__(self) -> str:
        return f"<VM {self.resource_group}/{self.name}>"

    # -- what it runs ------------------------------------------------------------------
    @cached_property
    def instance_view(self) -> dict[str, Any] | None:
        view = self.props.get("instanceView")
        return view if isinstance(view, dict) else None

    @cached_property
    def os_type(self) -> str | None:
        storage = self.props.get("storageProfile") or {}
        disk = storage.get("osDisk") if isinstance(storage, dict) else None
        value = str((disk or {}).get("osType") or "") if isinstance(disk, dict) else ""
        if value.lower().startswith("linux"):
            return "Linux"
        if value.lower().startswith("windows"):
            return "Windows"
        profile = self.props.get("osProfile") or {}
        if isinstance(profile, dict):
            if profile.get("linuxConfiguration"):
                return "Linux"
            if profile.get("windowsConfiguration"):
                return "Windows"
        name = str((self.instance_view or {}).get("osName") or "").lower()
        if name:
            return "Windows" if "windows" in name else "Linux"
        return None

    @cached_property
    def image(self) -> dict[str, str]:
        storage = self.props.get("storageProfile") or {}
        ref = storage.get("imageReference") if isinstance(storage, dict) else None
        return {str(k): str(v) for k, v in ref.items() if v is not None} if isinstance(ref, dict) else {}

    @property
    def guest_os(self) -> tuple[str, str] | None:
        view = self.instance_view or {}
        name, version = view.get("osName"), view.get("osVersion")
        if isinstance(name, str) and name.strip():
            return name.strip(), str(version or "").strip()
        return None

    @property
    def size(self) -> str:
        hw = self.props.get("hardwareProfile") or {}
        return str(hw.get("vmSize") or "") if isinstance(hw, dict) else ""

    # -- is it up ----------------------------------------------------------------------
    @cached_property
    def statuses(self) -> list[Status]:
        return Status.many((self.instance_view or {}).get("statuses"))

    @cached_property
    def power_state(self) -> str | None:
        """``running``, ``deallocated``, ``stopped``...; None when no instance view was captured."""
        for status in self.statuses:
            if status.code.lower().startswith("powerstate/"):
                return status.code.split("/", 1)[1].lower()
        return None

    @property
    def power_display(self) -> str:
        for status in self.statuses:
            if status.code.lower().startswith("powerstate/"):
                return status.display or status.code
        return "unknown"

    @property
    def guest_agent(self) -> dict[str, Any] | None:
        agent = (self.instance_view or {}).get("vmAgent")
        return agent if isinstance(agent, dict) else None

    @property
    def guest_agent_status(self) -> Status | None:
        statuses = Status.many((self.guest_agent or {}).get("statuses"))
        return statuses[0] if statuses else None

    # -- extensions --------------------------------------------------------------------
    @cached_property
    def extensions(self) -> list[Extension]:
        docs = self.estate.children_known(self.id, EXTENSION_TYPE,
                                          Text(f"the extensions of VM {self.name}", f"VM {self.name} の拡張機能"))
        if not docs:
            # A VM GET carries its extensions inline under "resources"; hand-made and
            # exported snapshots sometimes keep only those.
            docs = [r for r in _list(self.doc.get("resources"))
                    if isinstance(r, dict) and str(r.get("type", "")).lower() == EXTENSION_TYPE.lower()]
        views = {str(v.get("name", "")).lower(): v
                 for v in _list((self.instance_view or {}).get("extensions")) if isinstance(v, dict)}
        out = []
        for doc in docs:
            name = str(doc.get("name") or arm.parse(doc.get("id", "")).name).lower()
            out.append(Extension(self.estate, doc, views.get(name)))
        return out

    @property
    def ama_extensions(self) -> list[Extension]:
        return [e for e in self.extensions if e.is_ama]

    @property
    def legacy_agents(self) -> list[Extension]:
        return [e for e in self.extensions if e.legacy_name]

    @property
    def expected_ama_type(self) -> str | None:
        return AMA_TYPES.get(self.os_type or "")

    # -- identity ----------------------------------------------------------------------
    @cached_property
    def identity_type(self) -> str:
        ident = self.doc.get("identity")
        return str((ident or {}).get("type") or "None") if isinstance(ident, dict) else "None"

    @property
    def system_assigned(self) -> bool:
        return "systemassigned" in self.identity_type.lower().replace(" ", "")

    @cached_property
    def user_assigned(self) -> list[UserAssignedIdentity]:
        ident = self.doc.get("identity")
        uais = (ident or {}).get("userAssignedIdentities") if isinstance(ident, dict) else None
        out = []
        for rid, value in (uais or {}).items() if isinstance(uais, dict) else ():
            value = value if isinstance(value, dict) else {}
            out.append(UserAssignedIdentity(rid, str(value.get("principalId") or ""),
                                            str(value.get("clientId") or "")))
        return out

    # -- data collection ---------------------------------------------------------------
    @cached_property
    def associations(self) -> list:
        """The VM's associations in the snapshot. Present documents stay authoritative even when
        listing them failed; :attr:`collection_gap` says whether more may exist."""
        from .monitor import Association
        return [self.estate.view(Association, d) for d in self.estate.children(self.id, DCRA_TYPE)]

    @cached_property
    def collection_gap(self) -> Unknown | None:
        """Why the VM's data-collection picture may be incomplete (a failed read of its associations,
        or of a DCR or DCE they name); None when everything it needs was read."""
        failed = self.estate.errors.covering(f"{self.id}/{DCRA_TYPE}", operation_for(DCRA_TYPE))
        if failed is not None:
            return Unknown(Text(f"the DCR associations of VM {self.name}",
                                f"VM {self.name} のデータ収集ルールの関連付け"), failed)
        for association in self.associations:
            try:
                association.endpoint
                if association.rule_id and association.rule is not None:
                    association.rule.endpoint
            except Unknown as exc:
                return exc
        return None

    def _readable(self, association) -> bool:
        try:
            association.rule
            return True
        except Unknown:
            return False

    @cached_property
    def rules(self) -> list:
        """The associated DCRs that exist and could be read."""
        return [a.rule for a in self.rule_associations if self._readable(a) and a.rule is not None]

    @cached_property
    def deleted_rule_associations(self) -> list:
        """Associations whose DCR does not exist (deleted, or never created)."""
        return [a for a in self.rule_associations if self._readable(a) and a.rule is None]

    @property
    def rule_associations(self) -> list:
        return [a for a in self.associations if a.rule_id]

    @property
    def endpoint_associations(self) -> list:
        return [a for a in self.associations if a.endpoint_id and not a.rule_id]

    def log_workspaces(self) -> list:
        """Existing workspaces that the VM's DCRs (those fitting its OS) route logs to."""
        found: dict[str, object] = {}
        for rule in self.rules:
            if not rule.fits_os(self.os_type):
                continue
            for route in rule.log_routes:
                workspace = rule.workspace(route)
                if workspace is not None:
                    found.setdefault(arm.key(workspace.id), workspace)
        return list(found.values())

    # -- network -----------------------------------------------------------------------
    @property
    def nic_ids(self) -> list[str]:
        profile = self.props.get("networkProfile") or {}
        nics = profile.get("networkInterfaces") if isinstance(profile, dict) else None
        return [n["id"] for n in _list(nics) if isinstance(n, dict) and isinstance(n.get("id"), str)]

    @cached_property
    def network(self):
        from .network import VmNetwork
        return VmNetwork(self)

    def data_collection_endpoints(self) -> list:
        """DCEs the agent uses: those of its DCRs and of a configurationAccessEndpoint association."""
        found: dict[str, object] = {}
        candidates = []
        for association in self.associations:
            candidates.append(lambda a=association: a.endpoint)
        for rule in self.rules:
            candidates.append(lambda r=rule: r.endpoint)
        for read in candidates:
            try:
                dce = read()
            except Unknown:        # reported through collection_gap
                continue
            if dce is not None:
                found.setdefault(arm.key(dce.id), dce)
        return list(found.values())

    def facts(self) -> dict[str, Any]:
        """The handful of VM fields most verdicts rest on (kept small for the report)."""
        return {"id": self.id, "location": self.location, "osType": self.os_type,
                "powerState": self.power_state}
