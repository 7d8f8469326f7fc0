from ..text import Text
from .core import CRITICAL, Finding, each_named, kql, named

QUERY = ('Heartbeat | where Category == "Azure Monitor Agent" and _ResourceId =~ {resource}{computer} '
         "| summarize LastHeartbeat = max(TimeGenerated)")


def query(vm) -> str:
    """The Heartbeat query for this machine: its ``_ResourceId`` (a Uniform instance's is its scale set's)
    and, where that is shared, its ``Computer``; values written as KQL string literals (quoting.kql)."""
    computer = vm.heartbeat_computer
    return QUERY.format(resource=kql(vm.heartbeat_resource_id),
                        computer=f" and Computer =~ {kql(computer)}" if computer else "")


def _fix(vm) -> Text:
    return Text("No Heartbeat is the symptom. If an earlier step of this machine failed, fix that first: it explains "
                "the silence. If every earlier step passed, the cause is on the machine or on a path ARM cannot see "
                "(proxy, firewall, on-premises DNS): run the AMA troubleshooter on the machine and, if that does not "
                "explain it, open a support request (Help + support; service 'Azure Monitor Agent (AMA) on "
                "Linux/Windows machine', problem type 'I created a DCR but the data is not in the Log Analytics "
                "Workspace', subtype 'No Heartbeat events in Log Analytics Workspace').",
                "Heartbeat が届かないのは結果です。このマシンの前の手順で失敗があれば、まずそれを解消してください。"
                "前の手順がすべて問題ない場合、原因はマシン上、または ARM から見えない経路 (プロキシ、ファイアウォール、"
                "オンプレミス DNS) にあります。マシン上で AMA トラブルシューティング ツールを実行し、解決しない場合は "
                "Azure portal からサポート リクエストをご起票ください (サービス \"Azure Monitor Agent (AMA) on "
                "Linux/Windows machine\"、問題の種類 \"I created a DCR but the data is not in the Log Analytics "
                "Workspace\"、サブタイプ \"No Heartbeat events in Log Analytics Workspace\")。")


def missing(vm, workspaces, since_minutes: int | None) -> Finding:
    names = each_named(workspaces)
    return Finding(
        "HEARTBEAT_MISSING", "heartbeat", CRITICAL, vm.id,
        Text(f"No Azure Monitor Agent Heartbeat from {vm.label.en} in {names.en}"
             + (f" during the last {since_minutes} minutes before capture." if since_minutes else " in the look-back window."),
             f"{vm.label.ja} の Azure Monitor エージェントの Heartbeat が {names.ja} にありません"
             + (f" (取得時刻までの {since_minutes} 分間)。" if since_minutes else " (検索期間内)。")),
        _fix(vm), (query(vm),),
        {"workspaces": [ws.customer_id for ws in workspaces]})


def stale(vm, last, age_minutes: float, max_age: int, workspace) -> Finding:
    return Finding(
        "HEARTBEAT_STALE", "heartbeat", CRITICAL, vm.id,
        Text(f"The last Heartbeat from {vm.label.en} in {named(workspace).en} was at {last:%Y-%m-%d %H:%M:%S}Z, "
             f"{age_minutes:.0f} minutes before capture (allowed: {max_age}); the agent stopped sending.",
             f"{vm.label.ja} の最後の Heartbeat は {named(workspace).ja} に {last:%Y-%m-%d %H:%M:%S}Z (取得時刻の "
             f"{age_minutes:.0f} 分前、許容 {max_age} 分) で、送信が止まっています。"),
        _fix(vm), (query(vm),),
        {"workspace": workspace.customer_id, "lastHeartbeat": f"{last:%Y-%m-%dT%H:%M:%SZ}",
         "ageMinutes": round(age_minutes, 1)})
