"""サポート対象 OS の確認 -- the VM's operating system is one AMA supports."""

import pytest

from amaaudit import findings as finding
from amaaudit.reference.os_support import verdict
from amaaudit.text import Text
from amaaudit.verdict import evidence, require, undetermined

pytestmark = pytest.mark.os


def test_os_supported(vm):
    """The guest-reported OS (else the marketplace image) is on AMA's supported list."""
    decided, by_image = verdict(vm.os_type, vm.image, vm.guest_os, vm.size)
    if decided.status == "unknown":
        undetermined(Text(f"OS support unknown: {decided.detail}; check it against the supported list by hand",
                          f"OS のサポート可否を判断できません: {decided.text.ja}。サポート対象の一覧と照合してください"))
    require(decided.status == "supported", finding.os.unsupported, vm, decided, by_image)
    evidence(osType=vm.os_type, source=decided.source, verdict=decided.detail,
             **({"guest": " ".join(vm.guest_os).strip()} if vm.guest_os else {}),
             **({"imageReference": vm.image} if vm.image else {}))
