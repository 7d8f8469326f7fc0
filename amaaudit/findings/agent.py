import re

from ..text import Text
from .core import CRITICAL, HIGH, WARNING, Finding, ps, sh

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
    """The guide's Set-AzVMExtension line, with a version ARM accepts (major.minor only)."""
    handler = major_minor(version or "") or latest(ext_type)
    return (
        f"Set-AzVMExtension -Name {ext_type} -ExtensionType {ext_type} -Publisher Microsoft.Azure.Monitor "
        f"-ResourceGroupName {ps(vm.resource_group)} -VMName {ps(vm.name)} -Location {ps(vm.location)} "
        f"-HandlerVersion {handler} -DisableAutoUpgradeMinorVersion -EnableAutomaticUpgrade $true",
        f"az vm extension set --resource-group {sh(vm.resource_group)} --vm-name {sh(vm.name)} "
        f"--subscription {vm.subscription} --name {ext_type} --publisher Microsoft.Azure.Monitor "
        f"--version {handler} --enable-auto-upgrade true",
    )


def list_versions_command(vm, ext_type: str) -> str:
    return (f'((Get-AzVMExtensionImage -Location "{vm.location}" -PublisherName "Microsoft.Azure.Monitor" '
            f'-Type "{ext_type}").Version | Sort-Object -Property {{ [Version]$_ }})')


def not_installed(vm, others=()) -> Finding:
    ext_type = vm.expected_ama_type or "AzureMonitorLinuxAgent"
    note = Text("", "")
    if others:
        names = ", ".join(f"{e.name} ({e.type})" for e in others)
        note = Text(f" The VM has {names}, which is the agent for the other OS.",
                    f" VM には {names} がありますが、これは別 OS 用のエージェントです。")
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
    return Finding(
        "AGENT_DUPLICATED", "agent", HIGH, vm.id,
        Text(f"VM {vm.name} has {len(amas)} Azure Monitor Agent extensions "
             f"({', '.join(e.name for e in amas)}); exactly one is supported.",
             f"VM {vm.name} に Azure Monitor エージェントの拡張機能が {len(amas)} 個あります "
             f"({', '.join(e.name for e in amas)})。1 つだけにしてください。"),
        Text(f"Uninstall the extra extensions ({PORTAL.en} > select > Uninstall), keeping the one matching the OS.",
             f"{PORTAL.ja} で余分な拡張機能を選択して [アンインストール] し、OS に合ったものを 1 つだけ残してください。"),
        tuple(f"Remove-AzVMExtension -ResourceGroupName {ps(vm.resource_group)} -VMName {ps(vm.name)} -Name {ps(e.name)}"
              for e in amas[1:]),
        {"extensions": [e.evidence() for e in amas]})


def not_provisioned(vm, ext) -> Finding:
    detail = "; ".join(f"{s.code}: {s.message}" if s.message else s.code for s in ext.failures)
    state = ext.provisioning_state or "unknown"
    return Finding(
        "AGENT_NOT_PROVISIONED", "agent", CRITICAL, ext.id,
        Text(f"The Azure Monitor Agent extension {ext.name} on VM {vm.name} is not 'Provisioning succeeded' "
             f"(provisioningState: {state})" + (f"; the agent reports: {detail}" if detail else "") + ".",
             f"VM {vm.name} の Azure Monitor エージェント拡張機能 {ext.name} の状態が \"Provisioning Succeeded\" "
             f"ではありません (provisioningState: {state})" + (f"。エージェントのメッセージ: {detail}" if detail else "") + "。"),
        Text("Restart the VM and wait; if it still is not 'Provisioning succeeded', reinstall the agent: "
             f"{PORTAL.en} > {ext.name} > Uninstall, then run the command below.",
             "一度マシン自体を再起動し、しばらく待って \"Provisioning Succeeded\" になるかをご確認ください。"
             f"それでもならない場合は再インストールしてください: {PORTAL.ja} > {ext.name} > [アンインストール] の後、以下のコマンドを実行します。"),
        (f"az vm restart --resource-group {sh(vm.resource_group)} --name {sh(vm.name)} --subscription {vm.subscription}",
         f"Remove-AzVMExtension -ResourceGroupName {ps(vm.resource_group)} -VMName {ps(vm.name)} -Name {ps(ext.name)}",
         *install_commands(vm, ext.type, ext.type_handler_version)[:1]),
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
        Text("Specify the version as major.minor (drop the '.y' of '1.xx.y'); the newest patch is picked up "
             "automatically. Available versions: see the second command.",
             "バージョンはマイナー バージョンまで (\"1.xx\") で指定してください。パッチは自動的に最新が使用されます。"
             "インストール可能なバージョンは 2 つ目のコマンドで確認できます。"),
        (install_commands(vm, ext.type, ext.type_handler_version)[0], list_versions_command(vm, ext.type)),
        ext.evidence())


def automatic_upgrade_off(vm, ext) -> Finding:
    return Finding(
        "AGENT_AUTO_UPGRADE_OFF", "agent", WARNING, ext.id,
        Text(f"Automatic upgrade is off for {ext.name} on VM {vm.name}; only versions from the last year "
             "are supported and fixes ship only in the latest.",
             f"VM {vm.name} の {ext.name} で自動アップグレードが無効です。サポートされるのは直近 1 年のバージョンのみで、"
             "修正は最新版でのみ提供されます。"),
        Text("Enable automatic upgrade (-EnableAutomaticUpgrade $true).",
             "自動アップグレードを有効にしてください (-EnableAutomaticUpgrade $true)。"),
        (f"az vm extension set --resource-group {sh(vm.resource_group)} --vm-name {sh(vm.name)} "
         f"--subscription {vm.subscription} --name {ext.type} --publisher Microsoft.Azure.Monitor "
         f"--version {major_minor(ext.type_handler_version) or latest(ext.type)} --enable-auto-upgrade true",),
        ext.evidence())


def legacy_agent(vm, legacy) -> Finding:
    names = ", ".join(f"{e.name} ({e.legacy_name})" for e in legacy)
    return Finding(
        "LEGACY_AGENT_PRESENT", "agent", WARNING, vm.id,
        Text(f"VM {vm.name} still has the retired Log Analytics agent: {names}. It is unsupported since "
             "2024-08-31; tables it shares with AMA stop receiving its data once AMA writes them.",
             f"VM {vm.name} に廃止済みの Log Analytics エージェントが残っています: {names}。2024-08-31 で"
             "サポートが終了しており、AMA と共有するテーブルでは AMA の書き込み後に旧エージェントのデータが届かなくなります。"),
        Text(f"Once AMA collects what you need, uninstall the legacy agent ({PORTAL.en}).",
             f"AMA で必要なデータが収集できていることを確認したら、旧エージェントをアンインストールしてください ({PORTAL.ja})。"),
        tuple(f"Remove-AzVMExtension -ResourceGroupName {ps(vm.resource_group)} -VMName {ps(vm.name)} -Name {ps(e.name)}"
              for e in legacy),
        {"extensions": [f"{e.name}: {e.publisher}/{e.type}" for e in legacy]})
