from ..text import Text, clip
from .commands import commands, major_minor
from .core import CRITICAL, HIGH, WARNING, Finding, number


def install_commands(vm, ext_type: str, version: str | None) -> tuple[str, ...]:
    """Install AMA with the commands of the API that manages the machine, at a version ARM accepts."""
    return commands(vm).install(ext_type, version)


def remove_command(vm, ext) -> str:
    return commands(vm).remove(ext)


def _extension(ext) -> str:
    """An extension as the messages name it: its name, and its type when the name does not say it."""
    return ext.name if ext.name.lower() == ext.type.lower() else f"{ext.name} ({ext.type})"


def not_installed(vm, others=()) -> Finding:
    ext_type = vm.expected_ama_type or "AzureMonitorLinuxAgent"
    cmds = commands(vm)
    portal = cmds.portal
    note = Text("", "")
    if others:
        names = ", ".join(_extension(e) for e in others)
        many = len(others) > 1
        note = Text(f" It has the {number(len(others), 'extension', 'extensions')} {names}, which "
                    f"{number(len(others), 'is', 'are')} the agent for the other OS.",
                    f" 拡張機能 {names} がありますが、{'これらは' if many else 'これは'}別 OS 用のエージェントです。")
    blocked = vm.extensions_blocked
    if blocked is not None:
        note += Text(f" The cause is on the machine: {blocked.en}.", f" 原因はマシン側にあります: {blocked.ja}。")
        fix = Text(f"On the server, allow extensions and AMA (the first commands below, `azcmagent config`), then install "
                   f"{ext_type} ({portal.en}, or the last commands).",
                   f"サーバー上で拡張機能と AMA を許可し (以下の最初のコマンド、`azcmagent config`)、{ext_type} をインストール"
                   f"してください ({portal.ja}、または最後のコマンド)。")
        steps = cmds.allow_extensions() + install_commands(vm, ext_type, None)
    else:
        fix = Text(f"Install {ext_type} ({portal.en}, or the commands below; the version takes major.minor only).",
                   f"{ext_type} をインストールしてください ({portal.ja}、または以下のコマンド。バージョンには"
                   "マイナー バージョンまでしか指定できません)。")
        steps = install_commands(vm, ext_type, None)
    return Finding(
        "AGENT_NOT_INSTALLED", "agent", CRITICAL, vm.id,
        Text(f"{vm.label.en} ({vm.os_type or 'OS unknown'}) has no Azure Monitor Agent extension "
             f"(publisher Microsoft.Azure.Monitor, type {ext_type}).",
             f"{vm.label.ja} ({vm.os_type or 'OS 不明'}) に Azure Monitor エージェントの拡張機能 "
             f"(発行元 Microsoft.Azure.Monitor、種類 {ext_type}) がありません。") + note,
        fix, steps,
        {"extensions": [f"{e.publisher}/{e.type}" for e in vm.extensions],
         **({"blockedBy": blocked.en} if blocked is not None else {})})


def not_on_instance(vm, ext) -> Finding:
    """A scale-set instance that has not taken the model in which AMA is (a Manual upgrade policy waits)."""
    scale_set = vm.scale_set
    mode = scale_set.upgrade_mode or "unknown"
    return Finding(
        "AGENT_NOT_ON_INSTANCE", "agent", CRITICAL, vm.id,
        Text(f"{vm.label.en} does not run the extension {ext.name} that the model of {scale_set.label.en} defines: the "
             f"instance has not taken the latest model (latestModelApplied: false; upgrade policy {mode}), so AMA is "
             "not on it.",
             f"{vm.label.ja} では、{scale_set.label.ja} のモデルに定義された拡張機能 {ext.name} が動作していません。"
             f"インスタンスに最新のモデルが適用されていないためです (latestModelApplied: false、アップグレード ポリシー {mode})。"),
        Text("Apply the latest model to the instance (Azure portal > the scale set > Instances > select > Upgrade, or "
             "the commands below); with a Manual upgrade policy every model change waits for this.",
             "インスタンスに最新のモデルを適用してください (Azure portal > スケール セット > [インスタンス] > 選択 > "
             "[アップグレード]、または以下のコマンド)。アップグレード ポリシーが手動の場合、モデルの変更はすべてこの操作を待ちます。"),
        commands(vm).update_instance(),
        {"latestModelApplied": vm.latest_model_applied, "upgradePolicy": mode, "extension": ext.name,
         "scaleSet": scale_set.id})


def several(vm, amas) -> Finding:
    # Keep the one for the VM's OS (the first if none or several fit); the rest block the agent.
    keep = next((e for e in amas if vm.os_type and e.ama_os == vm.os_type), amas[0])
    extra = [e for e in amas if e is not keep]
    names = ", ".join(_extension(e) for e in amas)
    extra_names = ", ".join(e.name for e in extra)
    return Finding(
        "AGENT_DUPLICATED", "agent", HIGH, vm.id,
        Text(f"{vm.label.en} has {len(amas)} Azure Monitor Agent extensions ({names}); exactly one is supported.",
             f"{vm.label.ja} に Azure Monitor エージェントの拡張機能が {len(amas)} 個あります ({names})。"
             "1 つだけにしてください。"),
        Text(f"Keep the extension {keep.name} and uninstall {'the extension' if len(extra) == 1 else 'the extensions'} "
             f"{extra_names} ({commands(vm).portal.en} > select > Uninstall, or the {number(len(extra), 'command', 'commands')} "
             "below).",
             f"拡張機能 {keep.name} を残し、拡張機能 {extra_names} をアンインストールしてください ({commands(vm).portal.ja} > 選択 > "
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
        Text(f"The Azure Monitor Agent extension {ext.name} on {vm.label.en} is not 'Provisioning succeeded' "
             f"(provisioningState: {state})" + (f"; the agent reports: {detail}" if detail else "") + ".",
             f"{vm.label.ja} の Azure Monitor エージェント拡張機能 {ext.name} の状態が \"Provisioning Succeeded\" "
             f"ではありません (provisioningState: {state})" + (f"。エージェントのメッセージ: {detail}" if detail else "") + "。"),
        Text("Restart the VM and wait; if it still is not 'Provisioning succeeded', reinstall the agent: "
             f"{commands(vm).portal.en} > {ext.name} > Uninstall, then install it again (the commands below, in this order).",
             "一度マシン自体を再起動し、しばらく待って \"Provisioning Succeeded\" になるかをご確認ください。"
             f"それでもならない場合は再インストールしてください: {commands(vm).portal.ja} > {ext.name} > [アンインストール] の後、"
             "再度インストールします (以下のコマンドを順に実行)。"),
        (*commands(vm).restart(),
         remove_command(vm, ext),
         install_commands(vm, ext.type, ext.type_handler_version)[0]),
        ext.evidence())


def version_not_major_minor(vm, ext) -> Finding:
    fixed = major_minor(ext.type_handler_version)
    return Finding(
        "AGENT_VERSION_FORMAT", "agent", HIGH, ext.id,
        Text(f"The Azure Monitor Agent extension {ext.name} on {vm.label.en} has typeHandlerVersion "
             f"'{ext.type_handler_version}'; ARM accepts only major.minor"
             + (f" ('{fixed}')" if fixed else "") + " and rejects this with "
             "\"The value of parameter typeHandlerVersion is invalid.\"",
             f"{vm.label.ja} の拡張機能 {ext.name} の typeHandlerVersion が '{ext.type_handler_version}' です。"
             "マイナー バージョン (\"1.xx.y\" の \".y\") は指定できず、\"The value of parameter typeHandlerVersion "
             "is invalid.\" のエラーになります" + (f" ('{fixed}' を指定してください)" if fixed else "") + "。"),
        Text(f"Set the version of the extension {ext.name} as major.minor (drop the '.y' of '1.xx.y'); the newest "
             "patch is picked up automatically. Available versions: see the second command.",
             f"拡張機能 {ext.name} のバージョンはマイナー バージョンまで (\"1.xx\") で指定してください。パッチは自動的に"
             "最新が使用されます。インストール可能なバージョンは 2 つ目のコマンドで確認できます。"),
        tuple(c for c in (install_commands(vm, ext.type, ext.type_handler_version)[0],
                          commands(vm).list_versions(ext.type)) if c),
        ext.evidence())


def automatic_upgrade_off(vm, ext) -> Finding:
    return Finding(
        "AGENT_AUTO_UPGRADE_OFF", "agent", WARNING, ext.id,
        Text(f"Automatic upgrade is off for the extension {ext.name} on {vm.label.en}; only versions from the last "
             "year are supported and fixes ship only in the latest.",
             f"{vm.label.ja} の拡張機能 {ext.name} で自動アップグレードが無効です。サポートされるのは直近 1 年のバージョンのみで、"
             "修正は最新版でのみ提供されます。"),
        Text(f"Enable automatic upgrade on the extension {ext.name} (enableAutomaticUpgrade: true; the command below).",
             f"拡張機能 {ext.name} の自動アップグレードを有効にしてください (enableAutomaticUpgrade: true、以下のコマンド)。"),
        (commands(vm).auto_upgrade(ext),),
        ext.evidence())


def legacy_agent(vm, legacy) -> Finding:
    names = ", ".join(f"{e.name} ({e.legacy_name})" for e in legacy)
    one = len(legacy) == 1
    return Finding(
        "LEGACY_AGENT_PRESENT", "agent", WARNING, vm.id,
        Text(f"{vm.label.en} still has the retired Log Analytics agent: the {number(len(legacy), 'extension', 'extensions')} "
             f"{names}. It is unsupported since 2024-08-31; tables it shares with AMA stop receiving its data once "
             "AMA writes them.",
             f"{vm.label.ja} に廃止済みの Log Analytics エージェントの拡張機能 {names} が残っています。2024-08-31 で"
             "サポートが終了しており、AMA と共有するテーブルでは AMA の書き込み後に旧エージェントのデータが届かなくなります。"),
        Text(f"Once AMA collects what you need, uninstall {'it' if one else 'them'} ({commands(vm).portal.en} > select > Uninstall, "
             f"or the {number(len(legacy), 'command', 'commands')} below).",
             f"AMA で必要なデータが収集できていることを確認したら、旧エージェントをアンインストールしてください ({commands(vm).portal.ja} > "
             "選択 > [アンインストール]、または以下のコマンド)。"),
        tuple(remove_command(vm, e) for e in legacy),
        {"extensions": [f"{e.name}: {e.publisher}/{e.type}" for e in legacy]})
