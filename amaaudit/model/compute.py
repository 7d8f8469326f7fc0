"""Azure virtual machines (and the instances of Flexible scale sets, which are VMs) and their extensions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .. import arm
from ..text import Text
from .estate import Estate, Unknown
from .machine import (AMA_PUBLISHER, AMA_TYPES, DCRA_TYPE, AgentService, Liveness, Machine, as_list, machine_kind,
                      lower_keys, os_family, props)

LEGACY_PUBLISHER = "microsoft.enterprisecloud.monitoring"
LEGACY_TYPES = {"microsoftmonitoringagent": "MicrosoftMonitoringAgent (MMA)",
                "omsagentforlinux": "OmsAgentForLinux (OMS)"}
VM_TYPE = "Microsoft.Compute/virtualMachines"
EXTENSION_TYPE = "Microsoft.Compute/virtualMachines/extensions"

__all__ = ["VirtualMachine", "Extension", "Status", "AMA_PUBLISHER", "AMA_TYPES", "DCRA_TYPE", "EXTENSION_TYPE"]


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
    def one(cls, item: Any) -> "Status | None":
        if not isinstance(item, dict):
            return None
        return cls(str(item.get("code") or ""), str(item.get("level") or ""),
                   str(item.get("displayStatus") or ""), str(item.get("message") or ""))

    @classmethod
    def many(cls, items: Any) -> list["Status"]:
        return [s for s in (cls.one(i) for i in as_list(items)) if s is not None]


class Extension:
    """An extension as the checks ask about it, whichever kind of machine carries it.

    ``doc`` is the extension's document (or, for a scale set, its entry in the model's extension
    profile); ``view`` is its instance view on the machine where the document lacks one. A VM's
    instance view lists ``statuses``; an Arc machine's has a single ``status``: both are read.
    """

    def __init__(self, estate: Estate, doc: dict[str, Any], view: dict[str, Any] | None = None,
                 applied: bool = True):
        self.estate, self.doc = estate, doc
        self.id: str = str(doc.get("id") or "")
        self.name: str = str(doc.get("name") or arm.parse(self.id).name)
        p = props(doc)
        self.publisher: str = str(p.get("publisher") or "")
        self.type: str = str(p.get("type") or "")
        self.type_handler_version: str = str(p.get("typeHandlerVersion") or "")
        self.auto_upgrade_minor_version = p.get("autoUpgradeMinorVersion")
        self.enable_automatic_upgrade = p.get("enableAutomaticUpgrade")
        self.provisioning_state: str = str(p.get("provisioningState") or "")
        self.settings: dict[str, Any] = p.get("settings") if isinstance(p.get("settings"), dict) else {}
        own = p.get("instanceView") if isinstance(p.get("instanceView"), dict) else None
        view = own or view
        self.instance_view: dict[str, Any] | None = view
        single = Status.one((view or {}).get("status"))
        self.statuses = (Status.many((view or {}).get("statuses")) + Status.many((view or {}).get("substatuses"))
                         + ([single] if single else []))
        self.installed_version: str = str((view or {}).get("typeHandlerVersion") or "")
        self.applied = applied      # False: defined for the machine (a scale set's model) but not on it

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
        auth = lower_keys(self.settings).get("authentication")
        named = lower_keys(auth).get("managedidentity")
        return named if isinstance(named, dict) else None

    def evidence(self) -> dict[str, Any]:
        return {"id": self.id, "publisher": self.publisher, "type": self.type,
                "typeHandlerVersion": self.type_handler_version,
                "provisioningState": self.provisioning_state,
                "enableAutomaticUpgrade": self.enable_automatic_upgrade,
                **({"installedVersion": self.installed_version} if self.installed_version else {}),
                **({"statuses": [s.code + (f": {s.message}" if s.message else "") for s in self.failures]}
                   if self.failures else {})}


class ComputeMachine(Machine):
    """What Azure VMs and uniform scale-set instances share: the instance view's power state, guest
    agent and guest OS, read the same way (a scale set's instance view has the VM's shape)."""

    @cached_property
    def instance_view(self) -> dict[str, Any] | None:
        view = self.props.get("instanceView")
        return view if isinstance(view, dict) else None

    @property
    def guest_os(self) -> tuple[str, str] | None:
        view = self.instance_view or {}
        name, version = view.get("osName"), view.get("osVersion")
        if isinstance(name, str) and name.strip():
            return name.strip(), str(version or "").strip()
        return None

    @cached_property
    def statuses(self) -> list[Status]:
        return Status.many((self.instance_view or {}).get("statuses"))

    @property
    def os_from_guest(self) -> str | None:
        """The OS family the guest agent reports (``osName``), where the model does not say it."""
        name = str((self.instance_view or {}).get("osName") or "").lower()
        return ("Windows" if "windows" in name else "Linux") if name else None

    @cached_property
    def extension_views(self) -> dict[str, dict[str, Any]]:
        """The instance view's entry of each extension, by lower-case name."""
        return {str(v.get("name") or "").lower(): v
                for v in as_list((self.instance_view or {}).get("extensions")) if isinstance(v, dict)}

    @property
    def nic_ids(self) -> list[str]:
        profile = self.props.get("networkProfile")
        nics = profile.get("networkInterfaces") if isinstance(profile, dict) else None
        return [n["id"] for n in as_list(nics) if isinstance(n, dict) and isinstance(n.get("id"), str)]

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

    @cached_property
    def liveness(self) -> Liveness:       # type: ignore[override]
        if self.power_state is None:
            raise Unknown(Text(f"the power state of {self.label.en}", f"{self.label.ja} の電源状態"),
                          self.estate.errors.covering(self.id, f"{self.resource_type}/instanceView/read")
                          or {"operation": f"{self.resource_type}/read ($expand=instanceView)", "scope": self.id,
                              "message": "the snapshot has no instanceView for this machine"})
        return Liveness(self.power_state == "running", self.power_state, self.power_display)

    @property
    def guest_agent(self) -> dict[str, Any] | None:
        agent = (self.instance_view or {}).get("vmAgent")
        return agent if isinstance(agent, dict) else None

    @property
    def guest_agent_status(self) -> Status | None:
        statuses = Status.many((self.guest_agent or {}).get("statuses"))
        return statuses[0] if statuses else None

    @property
    def agent_service(self) -> AgentService:
        status = self.guest_agent_status
        version = str((self.guest_agent or {}).get("vmAgentVersion") or "")
        name = Text("Azure guest agent", "Azure ゲスト エージェント")
        if status is None:
            return AgentService(name, False, "not reported", version)
        return AgentService(name, status.display.lower() == "ready", status.display or status.code, version,
                            status.message)

    def facts(self) -> dict[str, Any]:
        return {**super().facts(), "powerState": self.power_state}


@machine_kind
class VirtualMachine(ComputeMachine):
    """An Azure VM; a Flexible scale set's instances are VMs too (``properties.virtualMachineScaleSet``)."""

    noun = Text("VM", "VM")
    resource_type = VM_TYPE
    managed_as = "virtualMachines"
    inventory = (("Microsoft.Compute/virtualMachines/read", None),)

    @property
    def kind(self) -> str:       # type: ignore[override]
        return "vmss" if self.scale_set_id else "vm"

    @property
    def scale_set_id(self) -> str:
        """The Flexible scale set this VM is an instance of ("" for a standalone VM)."""
        ref = self.props.get("virtualMachineScaleSet")
        return str(ref.get("id") or "") if isinstance(ref, dict) else ""

    # -- what it runs ------------------------------------------------------------------
    @cached_property
    def os_type(self) -> str | None:       # type: ignore[override]
        storage = self.props.get("storageProfile") or {}
        disk = storage.get("osDisk") if isinstance(storage, dict) else None
        found = os_family((disk or {}).get("osType")) if isinstance(disk, dict) else None
        if found:
            return found
        profile = self.props.get("osProfile") or {}
        if isinstance(profile, dict):
            if profile.get("linuxConfiguration"):
                return "Linux"
            if profile.get("windowsConfiguration"):
                return "Windows"
        return self.os_from_guest

    @cached_property
    def image(self) -> dict[str, str]:       # type: ignore[override]
        storage = self.props.get("storageProfile") or {}
        ref = storage.get("imageReference") if isinstance(storage, dict) else None
        return {str(k): str(v) for k, v in ref.items() if v is not None} if isinstance(ref, dict) else {}

    @property
    def size(self) -> str:       # type: ignore[override]
        hw = self.props.get("hardwareProfile") or {}
        return str(hw.get("vmSize") or "") if isinstance(hw, dict) else ""

    # -- extensions --------------------------------------------------------------------
    @cached_property
    def extensions(self) -> list[Extension]:       # type: ignore[override]
        docs = self.estate.children_known(self.id, EXTENSION_TYPE,
                                          Text(f"the extensions of VM {self.name}", f"VM {self.name} の拡張機能"))
        if not docs:
            # A VM GET carries its extensions inline under "resources"; hand-made and
            # exported snapshots sometimes keep only those.
            docs = [r for r in as_list(self.doc.get("resources"))
                    if isinstance(r, dict) and str(r.get("type", "")).lower() == EXTENSION_TYPE.lower()]
        out = []
        for doc in docs:
            name = str(doc.get("name") or arm.parse(doc.get("id", "")).name).lower()
            out.append(Extension(self.estate, doc, self.extension_views.get(name)))
        return out

    # -- network -----------------------------------------------------------------------
    @cached_property
    def network(self):
        from .network import VmNetwork
        return VmNetwork(self)

    def facts(self) -> dict[str, Any]:
        return {**super().facts(), **({"scaleSet": self.scale_set_id} if self.scale_set_id else {})}

