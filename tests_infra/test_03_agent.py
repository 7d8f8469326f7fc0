"""Azure Monitor エージェントの状態の確認 -- exactly one AMA extension, on the machine, provisioned, well configured."""

import pytest

from amaaudit import findings as finding
from amaaudit.verdict import evidence, require, warn

pytestmark = pytest.mark.agent


def test_agent_provisioned(vm):
    """One AMA extension for the OS (matched by publisher + type), on the machine, 'Provisioning succeeded'."""
    amas = vm.ama_extensions
    fitting = [e for e in amas if vm.os_type is None or e.ama_os == vm.os_type]
    require(fitting, finding.agent.not_installed, vm, amas)     # names the machine's own block, where it has one
    require(len(amas) == 1, finding.agent.several, vm, amas)
    ama = fitting[0]
    require(ama.applied, finding.agent.not_on_instance, vm, ama)    # a scale set's model the instance has not taken
    require(ama.provisioning_state.lower() == "succeeded" and not ama.failures,
            finding.agent.not_provisioned, vm, ama)
    require(ama.version_is_major_minor, finding.agent.version_not_major_minor, vm, ama)
    evidence(extension=ama.evidence())
    if ama.enable_automatic_upgrade is not True:
        warn(finding.agent.automatic_upgrade_off, vm, ama)
    if vm.legacy_agents:
        warn(finding.agent.legacy_agent, vm, vm.legacy_agents)
