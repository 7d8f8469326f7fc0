from ..reference.os_support import DOCS_URL, OsVerdict
from ..text import Text
from .core import HIGH, Finding


def unsupported(vm, verdict: OsVerdict, image_verdict: OsVerdict | None) -> Finding:
    evidence = {"osType": vm.os_type, "imageReference": vm.image or None,
                "guest": {"osName": vm.guest_os[0], "osVersion": vm.guest_os[1]} if vm.guest_os else None,
                "verdict": verdict.detail}
    return Finding(
        "OS_UNSUPPORTED", "os", HIGH, vm.id,
        Text(f"{vm.label.en} runs an operating system Azure Monitor Agent does not support: {verdict.detail}.",
             f"{vm.label.ja} の OS は Azure Monitor エージェントのサポート対象外です: {verdict.text.ja}。"),
        Text("Move the workload to a supported OS version (upgrade or rebuild the VM); the agent's behaviour "
             f"on this OS is not guaranteed and its installer may refuse it (exit code 51). List: {DOCS_URL}",
             "サポート対象の OS バージョンへ移行してください (アップグレードまたは再構築)。対象外 OS では "
             f"エージェントの正常な動作は保証されず、インストーラーが拒否することがあります (終了コード 51)。一覧: {DOCS_URL}"),
        evidence=evidence)
