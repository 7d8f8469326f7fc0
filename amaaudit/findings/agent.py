import re

from ..text import Text, clip
from .core import CRITICAL, HIGH, WARNING, Finding, Raw, az, number, pwsh

# Newest major.minor per OS at the time of writing (AMA extension versions page, 2025-10);
# used only when the VM's own extension gives no usable version to reinstall.
LATEST = {"AzureMonitorLinuxAgent": "1.38", "AzureMonitorWindowsAgent": "1.39"}

PORTAL = Text("Azure portal > the VM > Settings > Extensions + applications",
              "Azure portal > 対象のマシン > [設定] > [拡張機能とアプリケーション]")


def latest(ext_type: str) -> str:
    """The newest major.minor of an AMA type; types compare case-insensitively, as AMA matching does."""
    return {k.lower(): v for k, v in LATEST.items()}.get(ext_type.lower(), LATEST["AzureMonitorLinuxAgent"])


def major_minor(version: str) -> str | None:
    match = re.match(r"^\s*(\d+)\.(\d+)", version or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def install_commands(vm, ext_type: str, version: str | None) -> tuple[str, ...]:
    """The guide's Set-AzVMExtension line, with a version ARM accepts (major.minor only), and its az twin."""
    handler = major_minor(version or "") or latest(ext_type)
    return (
        pwsh("Set-AzVMExtension", Name=ext_type, ExtensionType=ext_type, Publisher="Microsoft.Azure.Monitor",
             ResourceGroupName=vm.resource_group, VMName=vm.name, Location=vm.location, HandlerVersion=handler,
             DisableAutoUpgradeMinorVersion=True, EnableAutomaticUpgrade=Raw("$true")),
        az("vm", "extension", "set", resource_group=vm.resource_group, vm_name=vm.name,
           subscription=vm.subscription, name=ext_type, publisher="Microsoft.Azure.Monitor", version=handler,
           enable_auto_upgrade="true"),
    )


def list_versions_command(vm, ext_type: str) -> str:
    image = pwsh("Get-AzVMExtensionImage", Location=vm.location, PublisherName="Microsoft.Azure.Monitor",
                 Type=ext_type)
    return f"(({image}).Version | Sort-Object -Property {{ [Version]$_ }})"


def remove_command(vm, ext) -> str:
    return pwsh("Remove-AzVMExtension", ResourceGroupName=vm.resource_group, VMName=vm.name, Name=ext.name)


def _extension(ext) -> str:
    """An extension as the messages name it: its name, and its type when the name does not say it."""
    return ext.name if ext.name.lower() == ext.type.lower() else f"{ext.name} ({ext.type})"


def not_installed(vm, others=()) -> Finding:
    ext_type = vm.expected_ama_type or "AzureMonitorLinuxAgent"
    note = Text("", "")
    if others:
        names = ", ".join(_extension(e) for e in others)
        many = len(others) > 1
        note = Text(f" The VM has the {number(len(others), 'extension', 'extensions')} {names}, which "
                    f"{number(len(others), 'is', 'are')} the agent for the other OS.",
                    f" VM には拡張機能 {names} がありますが、{'これらは' if many else 'これは'}別 OS 用のエージェントです。")
    return Finding(
        "AGENT_NOT_INSTALLED", "agent", CRITICAL, vm.id,
        Text(f"VM {vm.name} ({vm.os_type or 'OS unknown'}) has no Azure Monitor Agent extension "
             f"(publisher Microsoft.Azure.Monitor, type {ext_type}).",
             f"VM {vm.name} ({vm.os_type or 'OS 不明'}) に Azure Monitor エージェントの拡張機能 "
             f"(発行元 Microsoft.Azure.Monitor、種類 {ext_type}) がありません。") + note,
        Text(f"Install {ext_type} ({PORTAL.en}, or the command below; -HandlerVersion takes major.minor only).",
             f"{ext_type} をインストールしてください ({PORTAL.ja}、または以下のコマンド。-HandlerVersion には"
             "マイナー バージョンまでしか指定できません)。"),
        install_commands(vm, ext_type, None),
        {"extensions": [f"{e.publisher}/{e.type}" for e in vm.extensions]})


def several(vm, amas) -> Finding:
    # Keep the one for the VM's OS (the first if none or several fit); the rest block the agent.
    keep = next((e for e in amas if vm.os_type and e.ama_os == vm.os_type), amas[0])
    extra = [e for e in amas if e is not keep]
    names = ", ".join(_extension(e) for e in amas)
    extra_names = ", ".join(e.name for e in extra)
    return Finding(
        "AGENT_DUPLICATED", "agent", HIGH, vm.id,
        Text(f"VM {vm.name} has {len(amas)} Azure Monitor Agent extensions ({names}); exactly one is supported.",
             f"VM {vm.name} に Azure Monitor エージェントの拡張機能が {len(amas)} 個あります ({names})。"
             "1 つだけにしてください。"),
        Text(f"Keep the extension {keep.name} and uninstall {'the extension' if len(extra) == 1 else 'the extensions'} "
             f"{extra_names} ({PORTAL.en} > select > Uninstall, or the {number(len(extra), 'command', 'commands')} "
             "below).",
             f"拡張機能 {keep.name} を残し、拡張機能 {extra_names} をアンインストールしてください ({PORTAL.ja} > 選択 > "
             "[アンインストール]、または以下のコマンド)。"),
        tuple(remove_command(vm, e) for e in extra),
        {"extensions": [e.evidence() for e in amas]})


STATUS_SHOWN = 500      # characters of one guest-written status message a finding quotes


def not_provisioned(vm, ext) -> Finding:
    # The messages are the guest's own words (any length): quoted short, in full in the snapshot.
    detail = "; ".join(f"{s.code}: {clip(s.message, STATUS_SHOWN)}" if s.message else s.code for s in ext.failures)
    state = ext.provisioning_state or "unknown"
    return Finding(
        "AGENT_NOT_PROVISIONED", "agent", CRITICAL, ext.id,
        Text(f"The Azure Monitor Agent extension {ext.name} on VM {vm.name} is not 'Provisioning succeeded' "
             f"(provisioningState: {state})" + (f"; the agent reports: {detail}" if detail else "") + ".",
             f"VM {vm.name} の Azure Monitor エージェント拡張機能 {ext.name} の状態が \"Provisioning Succeeded\" "
             f"ではありません (provisioningState: {state})" + (f"。エージェントのメッセージ: {detail}" if detail else "") + "。"),
        Text("Restart the VM and wait; if it still is not 'Provisioning succeeded', reinstall the agent: "
             f"{PORTAL.en} > {ext.name} > Uninstall, then install it again (the commands below, in this order).",
             "一度マシン自体を再起動し、しばらく待って \"Provisioning Succeeded\" になるかをご確認ください。"
             f"それでもならない場合は再インストールしてください: {PORTAL.ja} > {ext.name} > [アンインストール] の後、"
             "再度インストールします (以下のコマンドを順に実行)。"),
        (az("vm", "restart", resource_group=vm.resource_group, name=vm.name, subscription=vm.subscription),
         remove_command(vm, ext),
         install_commands(vm, ext.type, ext.type_handler_version)[0]),
        ext.evidence())


def version_not_major_minor(vm, ext) -> Finding:
    fixed = major_minor(ext.type_handler_version)
    return Finding(
        "AGENT_VERSION_FORMAT", "agent", HIGH, ext.id,
        Text(f"The Azure Monitor Agent extension {ext.name} on VM {vm.name} has typeHandlerVersion "
             f"'{ext.type_handler_version}'; ARM accepts only major.minor"
             + (f" ('{fixed}')" if fixed else "") + " and rejects this with "
             "\"The value of parameter typeHandlerVersion is invalid.\"",
             f"VM {vm.name} の拡張機能 {ext.name} の typeHandlerVersion が '{ext.type_handler_version}' です。"
             "マイナー バージョン (\"1.xx.y\" の \".y\") は指定できず、\"The value of parameter typeHandlerVersion "
             "is invalid.\" のエラーになります" + (f" ('{fixed}' を指定してください)" if fixed else "") + "。"),
        Text(f"Set the version of the extension {ext.name} as major.minor (drop the '.y' of '1.xx.y'); the newest "
             "patch is picked up automatically. Available versions: see the second command.",
             f"拡張機能 {ext.name} のバージョンはマイナー バージョンまで (\"1.xx\") で指定してください。パッチは自動的に"
             "最新が使用されます。インストール可能なバージョンは 2 つ目のコマンドで確認できます。"),
        (install_commands(vm, ext.type, ext.type_handler_version)[0], list_versions_command(vm, ext.type)),
        ext.evidence())


def automatic_upgrade_off(vm, ext) -> Finding:
    # az's --name is the extension's type; --extension-instance-name keeps this very extension
    # when its name differs (else az would add a second one).
    instance = ext.name if ext.name.lower() != ext.type.lower() else None
    return Finding(
        "AGENT_AUTO_UPGRADE_OFF", "agent", WARNING, ext.id,
        Text(f"Automatic upgrade is off for the extension {ext.name} on VM {vm.name}; only versions from the last "
             "year are supported and fixes ship only in the latest.",
             f"VM {vm.name} の拡張機能 {ext.name} で自動アップグレードが無効です。サポートされるのは直近 1 年のバージョンのみで、"
             "修正は最新版でのみ提供されます。"),
        Text(f"Enable automatic upgrade on the extension {ext.name} (enableAutomaticUpgrade: true; the command below).",
             f"拡張機能 {ext.name} の自動アップグレードを有効にしてください (enableAutomaticUpgrade: true、以下のコマンド)。"),
        (az("vm", "extension", "set", resource_group=vm.resource_group, vm_name=vm.name,
            subscription=vm.subscription, name=ext.type, extension_instance_name=instance,
            publisher="Microsoft.Azure.Monitor",
            version=major_minor(ext.type_handler_version) or latest(ext.type), enable_auto_upgrade="true"),),
        ext.evidence())


def legacy_agent(vm, legacy) -> Finding:
    names = ", ".join(f"{e.name} ({e.legacy_name})" for e in legacy)
    one = len(legacy) == 1
    return Finding(
        "LEGACY_AGENT_PRESENT", "agent", WARNING, vm.id,
        Text(f"VM {vm.name} still has the retired Log Analytics agent: the {number(len(legacy), 'extension', 'extensions')} "
             f"{names}. It is unsupported since 2024-08-31; tables it shares with AMA stop receiving its data once "
             "AMA writes them.",
             f"VM {vm.name} に廃止済みの Log Analytics エージェントの拡張機能 {names} が残っています。2024-08-31 で"
             "サポートが終了しており、AMA と共有するテーブルでは AMA の書き込み後に旧エージェントのデータが届かなくなります。"),
        Text(f"Once AMA collects what you need, uninstall {'it' if one else 'them'} ({PORTAL.en} > select > Uninstall, "
             f"or the {number(len(legacy), 'command', 'commands')} below).",
             f"AMA で必要なデータが収集できていることを確認したら、旧エージェントをアンインストールしてください ({PORTAL.ja} > "
             "選択 > [アンインストール]、または以下のコマンド)。"),
        tuple(remove_command(vm, e) for e in legacy),
        {"extensions": [f"{e.name}: {e.publisher}/{e.type}" for e in legacy]})
