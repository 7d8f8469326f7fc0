"""Is this operating system one AMA supports?

Two sources, as the troubleshooting guide's first step asks: the marketplace image the VM
was built from (the Azure Policy built-in lists) and the OS the guest agent reports
(``instanceView.osName``/``osVersion``, judged by the extension's own distro gate and the
documented Windows list). The guest's word wins: it is what actually runs. When neither
source can tell, the verdict is *unknown*, never unsupported.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..text import Text

DOCS_URL = "https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-supported-operating-systems"

# Guest-reported names -> the distro ids of the extension's gate (supported_distros.py).
_DISTRO_ALIASES = [
    (r"^ubuntu", "ubuntu"), (r"^(rhel|redhat|red ?hat)", "redhat"), (r"^(ol|oracle)", "oracle"),
    (r"^(sles|suse|sles_sap|sle)", "sles"), (r"^opensuse", "opensuse"), (r"^(alma)", "alma"),
    (r"^rocky", "rocky"), (r"^debian", "debian"), (r"^(azurelinux|azure ?linux)", "azurelinux"),
    (r"^(mariner|cbl-?mariner)", "mariner"), (r"^(amzn|amazon)", "amzn"),
    # Distros the gate does not know: the extension refuses them (exit code 51).
    (r"^centos", "centos"), (r"^fedora", "fedora"), (r"^(arch|gentoo|alpine|freebsd|flatcar|coreos)", "other"),
]

# Documented Windows support (Learn, 2025-03); matched against osName.
_WINDOWS_SUPPORTED = [r"windows server 2025", r"windows server 2022", r"windows server 2019",
                      r"windows server 2016", r"windows server 2012 r2", r"windows 11", r"windows 10",
                      r"azure (stack hci|local)", r"windows (10|11) iot"]
_WINDOWS_UNSUPPORTED = [r"windows server 2008", r"windows server 2012(?! r2)", r"windows (7|8|8\.1|vista|xp)\b",
                        r"windows server 2003"]


@dataclass(frozen=True)
class OsVerdict:
    status: str        # "supported" | "unsupported" | "unknown"
    source: str        # "guest" | "image" | "none"
    detail: str        # English: what the evidence records
    detail_ja: str = ""

    @property
    def text(self) -> Text:
        return Text(self.detail, self.detail_ja or self.detail)


@lru_cache(maxsize=None)
def _data(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _in(value: str, exact: list[str] | None, globs: list[str] | None) -> bool | None:
    """None when the entry has neither key (matches anything)."""
    if exact is None and globs is None:
        return None
    v = value.lower()
    return (any(v == e.lower() for e in exact or ())
            or any(fnmatch.fnmatchcase(v, g.lower()) for g in globs or ()))


def _entry_matches(entry: dict, offer: str, sku: str) -> bool:
    if "any_of" in entry:
        return any(_entry_matches(sub, offer, sku)
                   for sub in entry["any_of"])
    offer_ok = _in(offer, entry.get("offer_in"), entry.get("offer_like"))
    sku_ok = _in(sku, entry.get("sku_in"), entry.get("sku_like"))
    return offer_ok is not False and sku_ok is not False


def image_verdict(os_type: str | None, image: dict[str, str]) -> OsVerdict:
    publisher, offer, sku = (image.get(k, "") for k in ("publisher", "offer", "sku"))
    if not publisher:
        ref = image.get("id") or image.get("sharedGalleryImageId") or image.get("communityGalleryImageId")
        if ref:
            return OsVerdict("unknown", "none", f"custom or gallery image {ref}", f"カスタム イメージまたはギャラリー イメージ {ref}")
        return OsVerdict("unknown", "none", "no image reference", "イメージの参照がありません")
    label = f"{publisher}:{offer}:{sku}"
    lists = _data("supported-images.json")
    families = [os_type.lower()] if os_type and os_type.lower() in lists else ["linux", "windows"]
    for family in families:
        for entry in lists[family]:
            if entry.get("publisher", "").lower() == publisher.lower() and _entry_matches(entry, offer, sku):
                return OsVerdict("supported", "image", f"marketplace image {label} is on the supported-image list",
                                 f"Marketplace イメージ {label} はサポート対象イメージの一覧にあります")
    # The policy lists lag the documentation: an unlisted image is unknown, not unsupported.
    return OsVerdict("unknown", "image", f"marketplace image {label} is not on the supported-image list",
                     f"Marketplace イメージ {label} はサポート対象イメージの一覧にありません")


def _arch(vm_size: str, image: dict[str, str]) -> str:
    sku = image.get("sku", "").lower()
    if "arm64" in sku or re.match(r"standard_[a-z]+\d+[a-z]*p[a-z]*_v\d", vm_size.lower()):
        return "aarch64"
    return "x86_64"


def guest_verdict(os_type: str | None, os_name: str, os_version: str,
                  vm_size: str = "", image: dict[str, str] | None = None) -> OsVerdict:
    name = os_name.strip().lower()
    label = f"{os_name} {os_version}".strip()
    if "windows" in name or (os_type == "Windows" and name):
        if any(re.search(p, name) for p in _WINDOWS_UNSUPPORTED):
            return OsVerdict("unsupported", "guest", f"guest reports {label}, not on the supported Windows list",
                             f"ゲストの報告は {label} で、サポート対象の Windows の一覧にありません")
        if any(re.search(p, name) for p in _WINDOWS_SUPPORTED):
            return OsVerdict("supported", "guest", f"guest reports {label}, a supported Windows version",
                             f"ゲストの報告は {label} で、サポート対象の Windows バージョンです")
        return OsVerdict("unknown", "guest", f"guest reports {label}, not recognised",
                         f"ゲストの報告は {label} で、識別できません")
    distro = next((d for pattern, d in _DISTRO_ALIASES if re.search(pattern, name)), None)
    if distro is None:
        return OsVerdict("unknown", "guest", f"guest reports {label}, not recognised",
                         f"ゲストの報告は {label} で、識別できません")
    arch = _arch(vm_size, image or {})
    gate = _data("supported-distros.json")[arch]
    allowed = gate.get(distro)
    if allowed is None:
        return OsVerdict("unsupported", "guest",
                         f"guest reports {label}; AMA's installer does not support {distro} on {arch}",
                         f"ゲストの報告は {label} です。AMA のインストーラーは {arch} 上の {distro} をサポートしていません")
    version = os_version.strip()
    wanted = ".".join(version.split(".")[:2]) if distro == "ubuntu" else version.split(".")[0]
    if wanted in allowed:
        return OsVerdict("supported", "guest", f"guest reports {label} ({distro} {wanted}, {arch}), supported",
                         f"ゲストの報告は {label} ({distro} {wanted}、{arch}) で、サポート対象です")
    if not re.fullmatch(r"\d+(\.\d+)?", wanted):
        return OsVerdict("unknown", "guest", f"guest reports {os_name} without a version (reported: {os_version!r})",
                         f"ゲストの報告は {os_name} で、バージョンがありません (報告値: {os_version!r})")
    return OsVerdict("unsupported", "guest",
                     f"guest reports {label}; AMA supports {distro} {', '.join(allowed)} on {arch}, not {wanted}",
                     f"ゲストの報告は {label} です。AMA が {arch} でサポートする {distro} は {', '.join(allowed)} で、"
                     f"{wanted} は対象外です")


def verdict(os_type: str | None, image: dict[str, str], guest: tuple[str, str] | None,
            vm_size: str = "") -> tuple[OsVerdict, OsVerdict | None]:
    """The deciding verdict and the image verdict that corroborates (or not) a guest one."""
    by_image = image_verdict(os_type, image)
    if guest:
        by_guest = guest_verdict(os_type, guest[0], guest[1], vm_size, image)
        if by_guest.status != "unknown":
            return by_guest, by_image
    if by_image.status == "supported":
        return by_image, None
    detail, ja = by_image.detail, by_image.text.ja
    if guest:
        detail += f"; guest reports {guest[0]} {guest[1]}".rstrip()
        ja += f"。ゲストの報告は {guest[0]} {guest[1]}".rstrip()
    else:
        detail, ja = detail + "; the guest has not reported its OS", ja + "。ゲストは OS を報告していません"
    return OsVerdict("unknown", "none", detail, ja), None
