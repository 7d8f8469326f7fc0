"""マシンの起動状態の確認 -- the machine is up (a VM running, an Arc server connected) and what installs
extensions on it is ready."""

from datetime import timedelta

import pytest

from amaaudit import findings as finding
from amaaudit.reference.arc_agent import release_window
from amaaudit.verdict import evidence, require, warn

pytestmark = pytest.mark.power

SUPPORTED_FOR = timedelta(days=365)     # agents released within the last year are supported


def test_vm_running(vm):
    """Up (PowerState/running; Arc: Connected), and the guest agent (Arc: the extension service) is ready."""
    life = vm.liveness                   # could not evaluate when the snapshot cannot tell
    require(life.up, finding.power.not_running, vm, life)
    service = vm.agent_service           # None where the machine's documents do not report one
    if service is not None:
        require(service.ready, finding.power.guest_agent_not_ready, vm, service)
    evidence(state=life.state, **({"since": f"{life.since:%Y-%m-%dT%H:%M:%SZ}"} if life.since else {}),
             **({"agentService": service.display, "agentServiceVersion": service.version} if service else {}))
    version = vm.agent_version
    window = release_window(version) if version else None
    if window is not None:
        cutoff = (vm.captured_at - SUPPORTED_FOR).date()
        released_by = window[1]           # a version is old only when it was certainly released before the cutoff
        evidence(agentVersion=version, agentReleasedBy=f"{released_by:%Y-%m-%d}" if released_by else None)
        if released_by is not None and released_by <= cutoff:
            warn(finding.power.agent_outdated, vm, version, released_by, cutoff)
