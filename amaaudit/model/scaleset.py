"""Virtual machine scale sets: the scale set itself, and the instances of a Uniform one as machines.

A Flexible scale set's instances are ordinary VMs (``compute.VirtualMachine``). A Uniform one keeps
what a VM keeps on itself on the scale set instead: AMA is an entry of the model's extension profile,
the network is the model's NIC configurations (no NIC resources), the DCR associations and the identity
are the scale set's, and Log Analytics records the scale set's id in ``_ResourceId`` and tells the
instances apart by ``Computer``. Each instance is a row of its own: it runs, takes the model (or not,
under a Manual upgrade policy) and sends its Heartbeat on its own.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .. import arm
from ..text import Text
from .compute import ComputeMachine, Extension, Status
from .estate import Estate, Malformed
from .machine import as_list, machine_kind, os_family, props
from .network import NetworkInterface, VmNetwork

SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
INSTANCE_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"


class ScaleSet:
    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        self.name: str = doc.get("name") or arm.parse(self.id).name
        self.location: str = str(doc.get("location") or "")
        self.props = props(doc)
        profile = self.props.get("virtualMachineProfile")
        self.profile: dict[str, Any] = profile if isinstance(profile, dict) else {}

    @property
    def label(self) -> Text:
        return Text(f"scale set {self.name}", f"スケール セット {self.name}")

    @property
    def upgrade_mode(self) -> str:
        policy = self.props.get("upgradePolicy")
        return str(policy.get("mode") or "") if isinstance(policy, dict) else ""

    def _section(self, name: str) -> dict[str, Any]:
        value = self.profile.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def extension_definitions(self) -> list[dict[str, Any]]:
        return [e for e in as_list(self._section("extensionProfile").get("extensions")) if isinstance(e, dict)]

    @property
    def nic_configurations(self) -> list[dict[str, Any]]:
        return [c for c in as_list(self._section("networkProfile").get("networkInterfaceConfigurations"))
                if isinstance(c, dict)]

    @property
    def os_type(self) -> str | None:
        disk = self._section("storageProfile").get("osDisk")
        found = os_family(disk.get("osType")) if isinstance(disk, dict) else None
        if found:
            return found
        profile = self._section("osProfile")
        if profile.get("linuxConfiguration"):
            return "Linux"
        if profile.get("windowsConfiguration"):
            return "Windows"
        return None

    @property
    def image(self) -> dict[str, str]:
        ref = self._section("storageProfile").get("imageReference")
        return {str(k): str(v) for k, v in ref.items() if v is not None} if isinstance(ref, dict) else {}

    @property
    def size(self) -> str:
        sku = self.doc.get("sku")
        return str(sku.get("name") or "") if isinstance(sku, dict) else ""


@machine_kind
class ScaleSetInstance(ComputeMachine):
    """An instance of a Uniform scale set."""

    kind = "vmss"
    noun = Text("scale-set instance", "スケール セット インスタンス")
    resource_type = INSTANCE_TYPE
    managed_as = "scaleSet"
    inventory = (("Microsoft.Compute/virtualMachineScaleSets/read", None),
                 ("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read", SCALE_SET_TYPE))

    @cached_property
    def scale_set_id(self) -> str:
        return arm.parent(self.id)

    @cached_property
    def scale_set(self) -> ScaleSet:
        """The scale set; a snapshot holding an instance without it is partial (could not evaluate)."""
        name = arm.parse(self.scale_set_id).name
        doc = self.estate.present(self.scale_set_id, SCALE_SET_TYPE,
                                  Text(f"scale set {name}", f"スケール セット {name}"), self.label)
        return self.estate.view(ScaleSet, doc)

    @property
    def instance_id(self) -> str:
        return str(self.doc.get("instanceId") or self.props.get("instanceId") or arm.parse(self.id).name)

    @property
    def latest_model_applied(self) -> bool | None:
        value = self.props.get("latestModelApplied")
        return value if isinstance(value, bool) else None

    # -- what it runs --------------------------------------------------------------------
    @cached_property
    def os_type(self) -> str | None:       # type: ignore[override]
        return self.scale_set.os_type or self.os_from_guest

    @cached_property
    def image(self) -> dict[str, str]:       # type: ignore[override]
        storage = self.props.get("storageProfile")
        ref = storage.get("imageReference") if isinstance(storage, dict) else None
        if isinstance(ref, dict) and ref:
            return {str(k): str(v) for k, v in ref.items() if v is not None and k != "exactVersion"}
        return self.scale_set.image

    @property
    def size(self) -> str:       # type: ignore[override]
        sku = self.doc.get("sku")
        return str(sku.get("name") or "") if isinstance(sku, dict) and sku.get("name") else self.scale_set.size

    # -- extensions: the model's, as this instance runs them -------------------------------
    @cached_property
    def extensions(self) -> list[Extension]:       # type: ignore[override]
        on_instance = {str(r.get("name") or arm.parse(str(r.get("id") or "")).name).lower(): r
                       for r in as_list(self.doc.get("resources")) if isinstance(r, dict)}
        views = self.extension_views
        out = []
        for definition in self.scale_set.extension_definitions:
            name = str(definition.get("name") or "")
            key = name.lower()
            present = key in on_instance or key in views
            doc = {**definition, "id": f"{self.scale_set_id}/extensions/{name}",
                   "properties": {**props(definition), "provisioningState":
                                  self._provisioning(on_instance.get(key), views.get(key))}}
            # Not on the instance and the instance is behind the model: it has not taken it yet.
            applied = present or self.latest_model_applied is not False
            out.append(Extension(self.estate, doc, views.get(key), applied=applied))
        return out

    @staticmethod
    def _provisioning(resource: dict[str, Any] | None, view: dict[str, Any] | None) -> str:
        """The extension's state on this instance: its own resource's, else its instance view's."""
        if resource is not None and props(resource).get("provisioningState"):
            return str(props(resource)["provisioningState"])
        for status in Status.many((view or {}).get("statuses")):
            if status.code.lower().startswith("provisioningstate/"):
                return status.code.split("/")[1].capitalize()
        return ""

    # -- network: the model's NIC configurations ------------------------------------------
    @cached_property
    def network(self) -> "ScaleSetNetwork":
        return ScaleSetNetwork(self)

    # -- what lives on the scale set -----------------------------------------------------
    @property
    def identity_doc(self) -> dict[str, Any]:       # type: ignore[override]
        ident = self.scale_set.doc.get("identity")
        return ident if isinstance(ident, dict) else {}

    @property
    def association_owner(self) -> str:       # type: ignore[override]
        return self.scale_set_id

    @property
    def association_owner_label(self) -> Text:       # type: ignore[override]
        return self.scale_set.label

    @property
    def heartbeat_resource_id(self) -> str:       # type: ignore[override]
        return self.scale_set_id

    @property
    def heartbeat_computer(self) -> str | None:       # type: ignore[override]
        profile = self.props.get("osProfile")
        name = profile.get("computerName") if isinstance(profile, dict) else None
        return str(name or (self.instance_view or {}).get("computerName") or "") or None

    def facts(self) -> dict[str, Any]:
        return {**super().facts(), "scaleSet": self.scale_set_id, "instanceId": self.instance_id,
                "latestModelApplied": self.latest_model_applied}


class ScaleSetNetwork(VmNetwork):
    """A Uniform instance's network is its scale set's model: each NIC configuration names its subnet
    and NSG. The instance's NICs are not standalone resources, so the configurations stand for them."""

    @cached_property
    def nics(self) -> list[NetworkInterface]:       # type: ignore[override]
        scale_set = self.vm.scale_set
        configs = scale_set.nic_configurations
        if not configs:
            raise Malformed(Text(f"the network profile of {scale_set.label.en}", f"{scale_set.label.ja} のネットワーク プロファイル"),
                            "the model lists no network interface configuration "
                            "(virtualMachineProfile.networkProfile.networkInterfaceConfigurations)", scale_set.id)
        own = {arm.parse(i).name.lower(): i for i in self.vm.nic_ids}
        out = []
        for config in configs:
            name = str(config.get("name") or "")
            # The instance's own NIC id when it lists one; else the scale set, which holds the configuration.
            nic_id = own.get(name.lower()) or scale_set.id
            out.append(NetworkInterface(self.estate, {"id": nic_id, "name": name, "properties": props(config)}))
        return out
