from datetime import date

from ..reference.arc_agent import NOTES
from ..text import Text, clip
from .commands import commands
from .core import CRITICAL, HIGH, WARNING, Finding

# Learn, "Azure Arc-enabled servers disconnected scenarios": after 45 to 90 days offline the machine's
# Microsoft Entra identity expires, and reconnecting needs a reconnect or a fresh onboarding.
IDENTITY_EXPIRY_DAYS = 45


def not_running(vm, life) -> Finding:
    """The machine is not there to send: a VM (or instance) not running, an Arc server not connected."""
    cmds = commands(vm)
    since = getattr(life, "since", None)
    age = (vm.captured_at - since).days if since else None
    if vm.managed_as == "hybridMachines":
        expired = life.state.lower() == "expired" or (age is not None and age >= IDENTITY_EXPIRY_DAYS)
        details = "; ".join(clip(d, 300) for d in vm.error_details[:3])
        when = f" since {since:%Y-%m-%d} ({age} days before capture)" if since else ""
        when_ja = f" ({since:%Y-%m-%d} から、取得時刻の {age} 日前)" if since else ""
        message = Text(
            f"{vm.label.en} is {life.display}{when}: its Connected Machine agent is not talking to Azure, so AMA "
            "keeps running but sends nothing (logs are cached for minutes only)"
            + (f"; the agent reports: {details}" if details else "") + "."
            + (" After this long, the machine's identity may have expired: it must reconnect or be onboarded again."
               if expired else ""),
            f"{vm.label.ja} の状態は {life.display}{when_ja} です。Connected Machine エージェントが Azure と通信して"
            "いないため、AMA は動作していてもデータを送信しません (ログのキャッシュは数分のみ)"
            + (f"。エージェントの報告: {details}" if details else "") + "。"
            + ("この期間が続いたため、マシンの ID の有効期限が切れている可能性があります。再接続または再オンボードが必要です。"
               if expired else ""))
        fix = (Text("On the server, reconnect the agent: `azcmagent reconnect` (agent 1.70 and later; with "
                    "--reset-identity the identity is replaced and its role assignments are lost), or disconnect and "
                    "connect it again (the commands below); then check its network with `azcmagent check`.",
                    "サーバー上でエージェントを再接続してください: `azcmagent reconnect` (エージェント 1.70 以降。"
                    "--reset-identity を指定すると ID が置き換わり、ロールの割り当ては失われます)、または切断して再接続します "
                    "(以下のコマンド)。その後 `azcmagent check` でネットワークをご確認ください。")
               if expired else
               Text("On the server, check the agent (`azcmagent show`: Agent Status) and its connectivity to the Arc "
                    "endpoints (`azcmagent check`); start the machine or its agent services (himds) if they are stopped.",
                    "サーバー上でエージェントの状態 (`azcmagent show` の Agent Status) と Arc エンドポイントへの接続 "
                    "(`azcmagent check`) をご確認ください。マシンまたはエージェントのサービス (himds) が停止していれば"
                    "起動してください。"))
        return Finding("ARC_NOT_CONNECTED", "power", CRITICAL, vm.id, message, fix,
                       cmds.reconnect() if expired else cmds.start(),
                       {"status": life.state, "lastStatusChange": f"{since:%Y-%m-%dT%H:%M:%SZ}" if since else None,
                        "daysSinceStatusChange": age, "errorDetails": vm.error_details[:5] or None})
    state = life.display
    return Finding(
        "VM_NOT_RUNNING", "power", CRITICAL, vm.id,
        Text(f"{vm.label.en} is not running (power state: {state}); a stopped machine sends no logs.",
             f"{vm.label.ja} が起動していません (状態: {state})。起動していないマシンからはログが収集されません。"),
        Text(f"Start {vm.label.en}: Azure portal > Overview > Start (or a command below), then check that log "
             "collection resumes.",
             "Azure portal で対象のマシンの [概要] ページ内の [開始] ボタンより起動させ、ログ収集が再開するかどうかをご確認ください。"),
        cmds.start(),
        {"powerState": life.state, "statuses": [s.code for s in vm.statuses]})


def guest_agent_not_ready(vm, service) -> Finding:
    """What installs and runs extensions on the machine is not ready (the guest agent; Arc's extension service)."""
    # The status message is the guest's own words (any length): quoted short, in full in the snapshot.
    shown = service.display + (f" ({clip(service.message, 500)})" if service.message else "")
    version = service.version or "unknown"
    if vm.managed_as == "hybridMachines":
        return Finding(
            "ARC_EXTENSION_SERVICE_NOT_RUNNING", "power", HIGH, vm.id,
            Text(f"{vm.label.en} is connected but its {service.name.en} is {shown} (agent {version}); AMA cannot "
                 "be installed, updated or kept running as an extension.",
                 f"{vm.label.ja} は接続されていますが、{service.name.ja} が {shown} です (エージェント {version})。"
                 "AMA を拡張機能としてインストール・更新・稼働できません。"),
            Text("On the server, start the extension service (Linux: extd; Windows: ExtensionService) and check "
                 "`azcmagent show`.",
                 "サーバー上で拡張機能サービス (Linux: extd、Windows: ExtensionService) を起動し、`azcmagent show` を"
                 "ご確認ください。"),
            commands(vm).restart(), {"service": shown, "agentVersion": version})
    return Finding(
        "GUEST_AGENT_NOT_READY", "power", HIGH, vm.id,
        Text(f"{vm.label.en} is running but its Azure guest agent is not Ready (status: {shown}, "
             f"version {version}); extensions such as AMA cannot be installed or updated.",
             f"{vm.label.ja} は起動していますが、Azure ゲスト エージェントが Ready ではありません (状態: {shown}、"
             f"バージョン {version})。AMA などの拡張機能をインストール・更新できません。"),
        Text("Restart the machine and wait for the guest agent (waagent / WindowsAzureGuestAgent) to report Ready; "
             "if it stays Not Ready, repair or reinstall the guest agent inside it.",
             "マシンを再起動し、ゲスト エージェント (waagent / WindowsAzureGuestAgent) が Ready になるまでお待ちください。"
             "Not Ready のままの場合は、マシン内でゲスト エージェントを修復または再インストールしてください。"),
        commands(vm).restart(),
        {"vmAgent": {"vmAgentVersion": version, "status": shown}})


def agent_outdated(vm, version: str, released_by: date, cutoff: date) -> Finding:
    """The machine's own agent (Arc's Connected Machine agent) is older than its one-year support window."""
    return Finding(
        "ARC_AGENT_OUTDATED", "power", WARNING, vm.id,
        Text(f"{vm.label.en} runs Connected Machine agent {version}, released before {released_by:%Y-%m}: more than a "
             f"year before capture (supported: versions released since {cutoff:%Y-%m-%d}). Fixes ship only in recent "
             "versions.",
             f"{vm.label.ja} の Connected Machine エージェントは {version} で、{released_by:%Y-%m} より前にリリースされた"
             f"ものです (取得時刻の 1 年以上前。サポート対象は {cutoff:%Y-%m-%d} 以降のリリース)。"),
        Text(f"Upgrade the agent on the server (`azcmagent upgrade` from agent 1.62, else the package manager or "
             f"the installer), or enable automatic agent upgrades. Release notes: {NOTES}",
             f"サーバー上でエージェントを更新してください (エージェント 1.62 以降は `azcmagent upgrade`、それより前は"
             f"パッケージ マネージャーまたはインストーラー)。自動アップグレードの有効化も可能です。リリース ノート: {NOTES}"),
        commands(vm).upgrade_agent(),
        {"agentVersion": version, "releasedBefore": f"{released_by:%Y-%m-%d}", "supportedSince": f"{cutoff:%Y-%m-%d}"})
