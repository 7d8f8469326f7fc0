"""マシンの起動状態の確認 -- the VM is running and its guest agent is Ready."""

import pytest

from amaaudit import findings as finding
from amaaudit.model import Unknown
from amaaudit.text import Text
from amaaudit.verdict import evidence, require

pytestmark = pytest.mark.power


def test_vm_running(vm):
    """PowerState/running, and the guest agent that installs extensions reports Ready."""
    estate = vm.estate
    if vm.power_state is None:
        raise Unknown(Text(f"the power state of VM {vm.name}", f"VM {vm.name} の電源状態"),
                      estate.errors.covering(vm.id, "Microsoft.Compute/virtualMachines/instanceView/read")
                      or {"operation": "Microsoft.Compute/virtualMachines/read ($expand=instanceView)",
                          "scope": vm.id, "message": "the snapshot has no instanceView for this VM"})
    require(vm.power_state == "running", finding.power.not_running, vm)
    status = vm.guest_agent_status
    require(status is not None and status.display.lower() == "ready", finding.power.guest_agent_not_ready, vm)
    evidence(powerState=vm.power_state, guestAgent=status.display,
             vmAgentVersion=(vm.guest_agent or {}).get("vmAgentVersion"))
