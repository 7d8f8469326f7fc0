from ..text import Text, clip
from .core import CRITICAL, HIGH, Finding, az, pwsh


def not_running(vm) -> Finding:
    state = vm.power_display
    return Finding(
        "VM_NOT_RUNNING", "power", CRITICAL, vm.id,
        Text(f"VM {vm.name} is not running (power state: {state}); a stopped machine sends no logs.",
             f"VM {vm.name} が起動していません (状態: {state})。起動していないマシンからはログが収集されません。"),
        Text(f"Start VM {vm.name}: Azure portal > the VM > Overview > Start (or a command below), then check that log "
             "collection resumes.",
             "Azure portal で対象のマシンの [概要] ページ内の [開始] ボタンより起動させ、ログ収集が再開するかどうかをご確認ください。"),
        (az("vm", "start", resource_group=vm.resource_group, name=vm.name, subscription=vm.subscription),
         pwsh("Start-AzVM", ResourceGroupName=vm.resource_group, Name=vm.name)),
        {"powerState": vm.power_state, "statuses": [s.code for s in vm.statuses]})


def guest_agent_not_ready(vm) -> Finding:
    status = vm.guest_agent_status
    # The status message is the guest's own words (any length): quoted short, in full in the snapshot.
    shown = f"{status.display or status.code}" + (f" ({clip(status.message, 500)})" if status.message else "") \
        if status else "not reported"
    version = (vm.guest_agent or {}).get("vmAgentVersion") or "unknown"
    return Finding(
        "GUEST_AGENT_NOT_READY", "power", HIGH, vm.id,
        Text(f"VM {vm.name} is running but its Azure guest agent is not Ready (status: {shown}, "
             f"version {version}); extensions such as AMA cannot be installed or updated.",
             f"VM {vm.name} は起動していますが、Azure ゲスト エージェントが Ready ではありません (状態: {shown}、"
             f"バージョン {version})。AMA などの拡張機能をインストール・更新できません。"),
        Text("Restart the VM and wait for the guest agent (waagent / WindowsAzureGuestAgent) to report Ready; "
             "if it stays Not Ready, repair or reinstall the guest agent inside the VM.",
             "マシンを再起動し、ゲスト エージェント (waagent / WindowsAzureGuestAgent) が Ready になるまでお待ちください。"
             "Not Ready のままの場合は、VM 内でゲスト エージェントを修復または再インストールしてください。"),
        (az("vm", "restart", resource_group=vm.resource_group, name=vm.name, subscription=vm.subscription),),
        {"vmAgent": {"vmAgentVersion": version, "status": shown}})
