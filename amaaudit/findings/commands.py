"""The commands that change a machine, in the vocabulary of the API that manages it.

An Azure VM is changed with ``az vm`` / ``Set-AzVMExtension``, a Uniform scale set through its model
(``az vmss`` / ``Update-AzVmss``, then the instances take it), an Arc-enabled server with
``az connectedmachine`` / ``New-AzConnectedMachineExtension`` and, for what only the machine can do, with
``azcmagent`` on the machine itself. One class per management API, chosen by what the machine says
manages it (``managed_as``), so the finding builders never ask what kind a machine is.
Every value is quoted by :mod:`amaaudit.findings.quoting` (bash for ``az``, PowerShell for the cmdlets).
"""

from __future__ import annotations

import re

from ..text import Text
from .quoting import Raw, az, ps, pwsh, sh

PUBLISHER = "Microsoft.Azure.Monitor"
LATEST = {"AzureMonitorLinuxAgent": "1.38", "AzureMonitorWindowsAgent": "1.39"}


def latest(ext_type: str) -> str:
    """The newest major.minor of an AMA type (AMA extension versions page, 2025-10); types compare
    case-insensitively, as AMA matching does."""
    return {k.lower(): v for k, v in LATEST.items()}.get(ext_type.lower(), LATEST["AzureMonitorLinuxAgent"])


def major_minor(version: str) -> str | None:
    match = re.match(r"^\s*(\d+)\.(\d+)", version or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def handler(ext_type: str, version: str | None) -> str:
    """A version ARM accepts for an extension (major.minor only)."""
    return major_minor(version or "") or latest(ext_type)


def _instance(ext) -> str | None:
    """az's --name is an extension's type; --extension-instance-name keeps this very extension when its
    name differs (else az would add a second one)."""
    return ext.name if ext.name.lower() != ext.type.lower() else None


class VmCommands:
    """Azure VMs, and Flexible scale-set instances (which are VMs)."""

    portal = Text("Azure portal > the VM > Settings > Extensions + applications",
                  "Azure portal > 対象のマシン > [設定] > [拡張機能とアプリケーション]")
    identity_portal = Text("Azure portal > the VM > Security > Identity", "Azure portal > 対象のマシン > [セキュリティ] > [ID]")

    group = "vm"          # the az command group of the resource that carries extensions and identity

    def __init__(self, vm):
        self.vm = vm

    def _resource_name(self) -> str:
        return self.vm.name

    def _extension_parent(self) -> dict[str, str]:
        return {"vm_name": self.vm.name}

    def start(self) -> tuple[str, ...]:
        vm = self.vm
        return (az("vm", "start", resource_group=vm.resource_group, name=vm.name, subscription=vm.subscription),
                pwsh("Start-AzVM", ResourceGroupName=vm.resource_group, Name=vm.name))

    def restart(self) -> tuple[str, ...]:
        vm = self.vm
        return (az("vm", "restart", resource_group=vm.resource_group, name=vm.name, subscription=vm.subscription),)

    def install(self, ext_type: str, version: str | None = None) -> tuple[str, ...]:
        """The guide's Set-AzVMExtension line, with a version ARM accepts, and its az twin."""
        vm, v = self.vm, handler(ext_type, version)
        return (pwsh("Set-AzVMExtension", Name=ext_type, ExtensionType=ext_type, Publisher=PUBLISHER,
                     ResourceGroupName=vm.resource_group, VMName=vm.name, Location=vm.location, HandlerVersion=v,
                     DisableAutoUpgradeMinorVersion=True, EnableAutomaticUpgrade=Raw("$true")),
                az("vm", "extension", "set", resource_group=vm.resource_group, vm_name=vm.name,
                   subscription=vm.subscription, name=ext_type, publisher=PUBLISHER, version=v,
                   enable_auto_upgrade="true"))

    def remove(self, ext) -> str:
        vm = self.vm
        return pwsh("Remove-AzVMExtension", ResourceGroupName=vm.resource_group, VMName=vm.name, Name=ext.name)

    def auto_upgrade(self, ext) -> str:
        vm = self.vm
        return az(self.group, "extension", "set", resource_group=vm.resource_group, **self._extension_parent(),
                  subscription=vm.subscription, name=ext.type, extension_instance_name=_instance(ext),
                  publisher=PUBLISHER, version=handler(ext.type, ext.type_handler_version), enable_auto_upgrade="true")

    def list_versions(self, ext_type: str) -> str | None:
        image = pwsh("Get-AzVMExtensionImage", Location=self.vm.location, PublisherName=PUBLISHER, Type=ext_type)
        return f"(({image}).Version | Sort-Object -Property {{ [Version]$_ }})"

    def assign_system_identity(self) -> tuple[str, ...]:
        vm = self.vm
        current = pwsh("Get-AzVM", ResourceGroupName=vm.resource_group, Name=vm.name)
        return (az("vm", "identity", "assign", resource_group=vm.resource_group, name=vm.name,
                   subscription=vm.subscription),
                pwsh("Update-AzVM", ResourceGroupName=vm.resource_group, VM=Raw(f"({current})"),
                     IdentityType="SystemAssigned"))

    def attach_identity(self, identity_id: str) -> tuple[str, ...]:
        vm = self.vm
        return (az(self.group, "identity", "assign", resource_group=vm.resource_group, name=self._resource_name(),
                   subscription=vm.subscription, identities=identity_id),)


class ScaleSetCommands(VmCommands):
    """A Uniform scale set's instances run its model: extensions and identity are changed on the
    scale set, then each instance takes the model (at once under an Automatic upgrade policy)."""

    portal = Text("Azure portal > the scale set > Settings > Extensions + applications",
                  "Azure portal > 対象のスケール セット > [設定] > [拡張機能とアプリケーション]")
    identity_portal = Text("Azure portal > the scale set > Security > Identity",
                           "Azure portal > 対象のスケール セット > [セキュリティ] > [ID]")

    group = "vmss"

    @property
    def _set(self) -> str:
        return self.vm.scale_set.name

    def _resource_name(self) -> str:
        return self._set

    def _extension_parent(self) -> dict[str, str]:
        return {"vmss_name": self._set}

    def start(self) -> tuple[str, ...]:
        vm = self.vm
        return (az("vmss", "start", resource_group=vm.resource_group, name=self._set, instance_ids=vm.instance_id,
                   subscription=vm.subscription),
                pwsh("Start-AzVmss", ResourceGroupName=vm.resource_group, VMScaleSetName=self._set,
                     InstanceId=vm.instance_id))

    def restart(self) -> tuple[str, ...]:
        vm = self.vm
        return (az("vmss", "restart", resource_group=vm.resource_group, name=self._set, instance_ids=vm.instance_id,
                   subscription=vm.subscription),)

    def update_instance(self) -> tuple[str, ...]:
        """Make this instance take the scale set's latest model (a Manual upgrade policy waits for it)."""
        vm = self.vm
        return (az("vmss", "update-instances", resource_group=vm.resource_group, name=self._set,
                   instance_ids=vm.instance_id, subscription=vm.subscription),
                pwsh("Update-AzVmssInstance", ResourceGroupName=vm.resource_group, VMScaleSetName=self._set,
                     InstanceId=vm.instance_id))

    def install(self, ext_type: str, version: str | None = None) -> tuple[str, ...]:
        vm, v = self.vm, handler(ext_type, version)
        return (az("vmss", "extension", "set", resource_group=vm.resource_group, vmss_name=self._set,
                   subscription=vm.subscription, name=ext_type, publisher=PUBLISHER, version=v,
                   enable_auto_upgrade="true"),
                *self.update_instance())

    def remove(self, ext) -> str:
        vm = self.vm
        return az("vmss", "extension", "delete", resource_group=vm.resource_group, vmss_name=self._set,
                  subscription=vm.subscription, name=ext.name)

    def assign_system_identity(self) -> tuple[str, ...]:
        vm = self.vm
        return (az("vmss", "identity", "assign", resource_group=vm.resource_group, name=self._set,
                   subscription=vm.subscription),)


class ArcCommands(VmCommands):
    """Arc-enabled servers: extensions through ``az connectedmachine``; the machine's own state
    (connection, services, configuration) only with ``azcmagent`` on the machine."""

    portal = Text("Azure portal > Azure Arc > Machines > the server > Settings > Extensions",
                  "Azure portal > Azure Arc > [マシン] > 対象のサーバー > [設定] > [拡張機能]")
    identity_portal = Text("the Connected Machine agent (azcmagent) on the server",
                           "サーバー上の Connected Machine エージェント (azcmagent)")

    def __init__(self, vm):
        super().__init__(vm)
        # azcmagent runs on the server: in bash on Linux, in PowerShell on Windows; quote for that shell.
        self.windows = vm.os_type == "Windows"
        self.q = ps if self.windows else sh

    def _on_server(self, command: str) -> str:
        return command if self.windows else f"sudo {command}"

    def start(self) -> tuple[str, ...]:
        """What reconnects it: the agent's own view, then its connectivity to the Arc endpoints."""
        return ("azcmagent show", self.network_check())

    def network_check(self) -> str:
        """The agent's own connectivity test of every endpoint it needs (``--enable-pls-check``: that the
        private ones resolve to private addresses)."""
        vm = self.vm
        return (f"azcmagent check --location {self.q(vm.location)}"
                + (" --enable-pls-check" if vm.host_private_link is not None else ""))

    def reconnect(self) -> tuple[str, ...]:
        """After a long disconnection the identity expires: reconnect (agent 1.70 and later), or disconnect
        and onboard again."""
        vm, q = self.vm, self.q
        return (self._on_server("azcmagent reconnect"), self._on_server("azcmagent disconnect"),
                self._on_server(f"azcmagent connect --resource-group {q(vm.resource_group)} --subscription-id "
                                f"{q(vm.subscription)} --location {q(vm.location)} --resource-name {q(vm.name)}"))

    def restart(self) -> tuple[str, ...]:
        """The extension service (the part that installs AMA), on the server."""
        return ("Restart-Service extensionservice",) if self.windows else ("sudo systemctl restart extd",)

    def upgrade_agent(self) -> tuple[str, ...]:
        """The Connected Machine agent itself (azcmagent upgrade from agent 1.62)."""
        return (self._on_server("azcmagent upgrade"),)

    def install(self, ext_type: str, version: str | None = None) -> tuple[str, ...]:
        vm, v = self.vm, handler(ext_type, version)
        return (az("connectedmachine", "extension", "create", name=ext_type, publisher=PUBLISHER, type=ext_type,
                   machine_name=vm.name, resource_group=vm.resource_group, location=vm.location,
                   subscription=vm.subscription, type_handler_version=v, enable_auto_upgrade="true"),
                pwsh("New-AzConnectedMachineExtension", Name=ext_type, ResourceGroupName=vm.resource_group,
                     MachineName=vm.name, Location=vm.location, Publisher=PUBLISHER, ExtensionType=ext_type,
                     TypeHandlerVersion=v, EnableAutomaticUpgrade=True))

    def remove(self, ext) -> str:
        vm = self.vm
        return pwsh("Remove-AzConnectedMachineExtension", ResourceGroupName=vm.resource_group, MachineName=vm.name,
                    Name=ext.name)

    def auto_upgrade(self, ext) -> str:
        vm = self.vm
        return az("connectedmachine", "extension", "update", name=ext.name, machine_name=vm.name,
                  resource_group=vm.resource_group, subscription=vm.subscription, enable_auto_upgrade="true")

    def list_versions(self, ext_type: str) -> str | None:
        return az("connectedmachine", "extension", "image", "list", location=self.vm.location,
                  publisher=PUBLISHER, extension_type=ext_type)

    def allow_extensions(self) -> tuple[str, ...]:
        """On the server: let the extension manager install AMA (lists are written whole, comma-separated,
        as ``azcmagent config set`` takes them)."""
        wanted = f"{PUBLISHER}/{self.vm.expected_ama_type or 'AzureMonitorLinuxAgent'}"
        config = self.vm.agent_configuration
        out, q = [], self.q
        if str(config.get("extensionsEnabled")).strip().lower() == "false":
            out.append("azcmagent config set extensions.enabled true")
        allow, block = self.vm.extension_lists
        if allow and wanted.lower() not in {a.lower() for a in allow}:
            out.append(f"azcmagent config set extensions.allowlist {q(','.join(allow + [wanted]))}")
        kept = [b for b in block if b.lower() != wanted.lower()]
        if len(kept) < len(block):
            out.append(f"azcmagent config set extensions.blocklist {q(','.join(kept))}" if kept
                       else "azcmagent config clear extensions.blocklist")
        return tuple(self._on_server(c) for c in out)

    def bypass_proxy(self, services: list[str]) -> tuple[str, ...]:
        """On the server: send these services' traffic (Arc, AMA) around the proxy, to the private endpoints."""
        current = list(self.vm.proxy.bypass) if self.vm.proxy else []
        return (self._on_server(f"azcmagent config set proxy.bypass {self.q(','.join(current + services))}"),)

    def assign_system_identity(self) -> tuple[str, ...]:
        return self.reconnect()

    def attach_identity(self, identity_id: str) -> tuple[str, ...]:
        return ()


FAMILIES = {"virtualMachines": VmCommands, "scaleSet": ScaleSetCommands, "hybridMachines": ArcCommands}


def commands(machine) -> VmCommands:
    """The commands of the API that manages ``machine``."""
    return FAMILIES[machine.managed_as](machine)


__all__ = ["commands", "latest", "major_minor", "handler"]
