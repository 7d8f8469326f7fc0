"""Is this OS one AMA supports? The marketplace image, the guest's own report, and which one wins."""

from __future__ import annotations

import pytest

from amaaudit.reference.os_support import guest_verdict, image_verdict, verdict

UBUNTU = {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
          "version": "latest"}
UBUNTU_ARM = {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-arm64"}
CENTOS = {"publisher": "OpenLogic", "offer": "CentOS", "sku": "7_9"}
WINDOWS = {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition"}
GALLERY = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/base/versions/1.0"}


# -- the image -----------------------------------------------------------------------------------
@pytest.mark.parametrize("os_type, image, status, words", [
    ("Linux", UBUNTU, "supported", "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2 is on the supported"),
    ("Linux", {k: v.lower() for k, v in UBUNTU.items()}, "supported", "on the supported-image list"),
    ("Windows", WINDOWS, "supported", "MicrosoftWindowsServer:WindowsServer"),
    (None, WINDOWS, "supported", "on the supported-image list"),                    # OS type unknown: both lists
    ("Linux", CENTOS, "supported", "OpenLogic:CentOS:7_9"),                          # the policy list lags
    ("Linux", {"publisher": "kinvolk", "offer": "flatcar-container-linux", "sku": "stable"}, "unknown",
     "is not on the supported-image list"),                                         # unlisted: unknown, not unsupported
    ("Linux", GALLERY, "unknown", "custom or gallery image /subscriptions/s/"),
    ("Linux", {}, "unknown", "no image reference"),
])
def test_image_verdict(os_type, image, status, words):
    decided = image_verdict(os_type, image)
    assert decided.status == status and words in decided.detail
    assert decided.source == ("image" if image.get("publisher") else "none")


# -- the guest -----------------------------------------------------------------------------------
@pytest.mark.parametrize("os_type, name, version, status, words", [
    ("Linux", "ubuntu", "22.04", "supported", "ubuntu 22.04, x86_64"),
    ("Linux", "Ubuntu", "24.04.1", "supported", "(ubuntu 24.04, x86_64)"),
    ("Linux", "ubuntu", "14.04", "unsupported", "AMA supports ubuntu 16.04"),
    ("Linux", "centos", "7.9.2009", "unsupported", "does not support centos on x86_64"),
    ("Linux", "redhat", "8.10", "supported", "(redhat 8, x86_64)"),
    ("Linux", "RHEL", "6.10", "unsupported", "not 6"),
    ("Linux", "sles", "15.5", "supported", "sles 15"),
    ("Linux", "AlmaLinux", "9.4", "supported", "alma 9"),
    ("Linux", "debian", "8", "unsupported", "not 8"),
    ("Linux", "plan9", "4", "unknown", "not recognised"),
    ("Linux", "ubuntu", "", "unknown", "without a version"),
    ("Windows", "Windows Server 2022 Datacenter Azure Edition", "10.0.20348", "supported", "supported Windows"),
    ("Windows", "Windows Server 2016 Datacenter", "Microsoft Windows NT 10.0.14393.0", "supported", ""),
    ("Windows", "Windows Server 2012 R2 Datacenter", "6.3.9600", "supported", ""),
    ("Windows", "Windows Server 2012 Datacenter", "6.2.9200", "unsupported", "not on the supported Windows list"),
    ("Windows", "Windows Server 2008 R2 Datacenter", "6.1.7601", "unsupported", ""),
    ("Windows", "Windows Server 2003", "5.2", "unsupported", ""),
    ("Windows", "Windows 11 Enterprise multi-session", "10.0.22631", "supported", ""),
    ("Windows", "Windows 10 Pro", "10.0.19045", "supported", ""),
    ("Windows", "Windows 7 Professional", "6.1", "unsupported", ""),
    ("Windows", "Windows Server vNext Preview", "10.0.99999", "unknown", "not recognised"),
    ("Windows", "Microsoft Hyper-V Server", "6.3", "unknown", "not recognised"),     # os type says Windows
    (None, "windows server 2019 datacenter", "10.0.17763", "supported", ""),          # name says Windows
])
def test_guest_verdict(os_type, name, version, status, words):
    decided = guest_verdict(os_type, name, version)
    assert (decided.status, decided.source) == (status, "guest")
    assert words in decided.detail


@pytest.mark.parametrize("size, image, name, version, status, arch", [
    ("Standard_D2s_v5", UBUNTU, "ubuntu", "16.04", "supported", "x86_64"),
    ("Standard_D2ps_v5", UBUNTU, "ubuntu", "16.04", "unsupported", "aarch64"),        # Ampere size
    ("Standard_D2s_v5", UBUNTU_ARM, "ubuntu", "16.04", "unsupported", "aarch64"),     # arm64 image sku
    ("Standard_E4pds_v5", {}, "ubuntu", "22.04", "supported", "aarch64"),
    ("Standard_D2ps_v5", {}, "amzn", "2", "unsupported", "does not support amzn on aarch64"),
    ("Standard_D2s_v5", {}, "amzn", "2", "supported", "x86_64"),
    ("Standard_D2ps_v5", {}, "oracle", "8", "unsupported", "AMA supports oracle 10 on aarch64"),
])
def test_arm64_uses_the_aarch64_gate(size, image, name, version, status, arch):
    decided = guest_verdict("Linux", name, version, size, image)
    assert decided.status == status and arch in decided.detail


# -- which source wins ---------------------------------------------------------------------------
def test_the_guest_wins_over_the_image():
    decided, by_image = verdict("Linux", CENTOS, ("centos", "7.9.2009"))
    assert (decided.status, decided.source) == ("unsupported", "guest")
    assert by_image.status == "supported"                 # kept as the (contradicting) corroboration
    decided, by_image = verdict("Linux", GALLERY, ("ubuntu", "22.04"))
    assert (decided.status, decided.source, by_image.status) == ("supported", "guest", "unknown")


def test_the_image_decides_when_the_guest_cannot():
    decided, by_image = verdict("Linux", UBUNTU, None)
    assert (decided.status, decided.source, by_image) == ("supported", "image", None)
    decided, _ = verdict("Linux", UBUNTU, ("plan9", "4"))
    assert (decided.status, decided.source) == ("supported", "image")


def test_neither_source_can_tell_is_unknown_never_unsupported():
    decided, by_image = verdict("Linux", GALLERY, None)
    assert (decided.status, decided.source, by_image) == ("unknown", "none", None)
    assert "custom or gallery image" in decided.detail and "the guest has not reported its OS" in decided.detail
    decided, _ = verdict("Linux", {}, ("plan9", "4"))
    assert decided.status == "unknown" and "guest reports plan9 4" in decided.detail
    decided, _ = verdict(None, {"publisher": "kinvolk", "offer": "flatcar", "sku": "stable"}, None)
    assert decided.status == "unknown"
