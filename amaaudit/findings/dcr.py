from .. import arm
from ..text import Text
from .core import CRITICAL, HIGH, WARNING, Finding, sh

PORTAL_RESOURCES = Text("Azure portal > the data collection rule > Configuration > Resources > Add",
                        "Azure portal > データ収集ルール > [構成] > [リソース] > [追加]")
PORTAL_TARGET = Text("Azure portal > the data collection rule > Configuration > Data sources > (source) > Destination",
                     "Azure portal > データ収集ルール > [構成] > [データ ソース] > (データ ソース) > [ターゲット]")


def associate_command(vm, rule_id: str = "<data collection rule id>") -> str:
    return (f"az monitor data-collection rule association create --name {sh('dcra-' + vm.name)} "
            f"--rule-id {sh(rule_id)} --resource {sh(vm.id)}")


def not_associated(vm, endpoint_only=()) -> Finding:
    note = Text("", "")
    if endpoint_only:
        note = Text(f" Its only association ({', '.join(a.name for a in endpoint_only)}) links a data collection "
                    "endpoint, which configures where the agent connects but collects nothing.",
                    f" 関連付け ({', '.join(a.name for a in endpoint_only)}) はデータ収集エンドポイントのものだけで、"
                    "接続先を指定するのみでデータは収集されません。")
    return Finding(
        "DCR_NOT_ASSOCIATED", "dcr", CRITICAL, vm.id,
        Text(f"VM {vm.name} is not associated with any data collection rule, so AMA has nothing to collect "
             "and no workspace to send to.",
             f"VM {vm.name} はどのデータ収集ルールにも関連付けられていないため、AMA は何も収集せず送信先もありません。") + note,
        Text(f"Associate the VM with the DCR that sends to your workspace: {PORTAL_RESOURCES.en} > select the VM > Apply.",
             f"ワークスペースへ送信するデータ収集ルールに VM を関連付けてください: {PORTAL_RESOURCES.ja} > マシンを選択 > [適用]。"),
        (associate_command(vm),),
        {"associations": [a.id for a in vm.associations]})


def rule_missing(vm, assocs, severity=CRITICAL) -> Finding:
    names = ", ".join(f"{a.name} -> {arm.parse(a.rule_id).name}" for a in assocs)
    return Finding(
        "DCR_DELETED", "dcr", severity, assocs[0].id,
        Text(f"VM {vm.name} is associated with data collection rules that do not exist (deleted?): {names}.",
             f"VM {vm.name} が存在しないデータ収集ルールに関連付けられています (削除済み?): {names}。"),
        Text(f"Remove the dangling association and associate an existing DCR ({PORTAL_RESOURCES.en}).",
             f"存在しないルールへの関連付けを削除し、既存のデータ収集ルールに関連付けてください ({PORTAL_RESOURCES.ja})。"),
        tuple(f"az monitor data-collection rule association delete --name {sh(a.name)} --resource {sh(vm.id)} --yes"
              for a in assocs) + (associate_command(vm),),
        {"associations": [{"id": a.id, "dataCollectionRuleId": a.rule_id} for a in assocs]})


def kind_mismatch(vm, rules, severity=CRITICAL) -> Finding:
    names = ", ".join(f"{r.name} (kind {r.kind})" for r in rules)
    return Finding(
        "DCR_KIND_MISMATCH", "dcr", severity, rules[0].id,
        Text(f"VM {vm.name} runs {vm.os_type}, but its data collection rules are for another OS: {names}; "
             "they collect nothing on this VM.",
             f"VM {vm.name} の OS は {vm.os_type} ですが、関連付けられたデータ収集ルールは別 OS 用です: {names}。"
             "この VM では何も収集されません。"),
        Text(f"Associate a DCR of kind {vm.os_type} (or without kind) ({PORTAL_RESOURCES.en}).",
             f"種類 (kind) が {vm.os_type} (または指定なし) のデータ収集ルールに関連付けてください ({PORTAL_RESOURCES.ja})。"),
        (associate_command(vm),),
        {"rules": [{"id": r.id, "kind": r.kind} for r in rules], "osType": vm.os_type})


def no_log_destination(vm, rules) -> Finding:
    return Finding(
        "DCR_NO_LOG_ANALYTICS", "dcr", CRITICAL, rules[0].id,
        Text(f"None of the data collection rules of VM {vm.name} ({', '.join(r.name for r in rules)}) has a data "
             "flow to a Log Analytics workspace, so no Heartbeat or log reaches one.",
             f"VM {vm.name} のデータ収集ルール ({', '.join(r.name for r in rules)}) のいずれにも Log Analytics "
             "ワークスペースへのデータ フローがないため、Heartbeat もログも届きません。"),
        Text(f"Add your workspace as a destination of a data source: {PORTAL_TARGET.en} > Add destination > Save.",
             f"データ ソースのターゲットにワークスペースを追加してください: {PORTAL_TARGET.ja} > [ターゲットの追加] > [保存]。"),
        (), {"rules": [r.evidence() for r in rules]})


def workspace_missing(vm, routes, severity=CRITICAL) -> Finding:
    names = ", ".join(f"{r.name} -> {arm.parse(route.workspace_id).name}" for r, route in routes)
    return Finding(
        "DCR_WORKSPACE_MISSING", "dcr", severity, routes[0][0].id,
        Text(f"The data collection rules of VM {vm.name} send to Log Analytics workspaces that do not exist: {names}.",
             f"VM {vm.name} のデータ収集ルールの送信先 Log Analytics ワークスペースが存在しません: {names}。"),
        Text(f"Point the rule at an existing workspace: {PORTAL_TARGET.en} > remove the old target > Add destination.",
             f"既存のワークスペースを送信先にしてください: {PORTAL_TARGET.ja} > 既存のターゲットを削除 > [ターゲットの追加]。"),
        (), {"destinations": [{"rule": r.id, "workspaceResourceId": route.workspace_id} for r, route in routes]})


def wrong_workspace(vm, found, expected) -> Finding:
    return Finding(
        "DCR_WRONG_WORKSPACE", "dcr", CRITICAL, found[0][0].id,
        Text(f"VM {vm.name} sends its logs to {', '.join(sorted({ws.name for _, _, ws in found}))}, not to the "
             f"workspace you are looking at ({', '.join(expected)}).",
             f"VM {vm.name} のログの送信先は {', '.join(sorted({ws.name for _, _, ws in found}))} であり、確認対象の"
             f"ワークスペース ({', '.join(expected)}) ではありません。"),
        Text(f"Change the rule's destination, or associate the VM with a rule that targets the expected workspace "
             f"({PORTAL_TARGET.en}).",
             f"ルールのターゲットを変更するか、確認対象のワークスペースへ送信するルールに VM を関連付けてください ({PORTAL_TARGET.ja})。"),
        (associate_command(vm),),
        {"sendsTo": sorted({ws.id for _, _, ws in found}), "expected": list(expected)})


def ingestion_stopped(vm, found) -> Finding:
    ws = found[0][2]
    return Finding(
        "WORKSPACE_INGESTION_STOPPED", "dcr", HIGH, ws.id,
        Text(f"Workspace {ws.name}, where VM {vm.name} sends its logs, is not ingesting data "
             f"(dataIngestionStatus: {ws.ingestion_status}).",
             f"VM {vm.name} の送信先ワークスペース {ws.name} はデータを取り込んでいません "
             f"(dataIngestionStatus: {ws.ingestion_status})。"),
        Text("Raise or remove the daily cap (workspace > Usage and estimated costs > Daily cap), or resolve the "
             "subscription state; ingestion resumes automatically.",
             "日次上限を引き上げるか解除してください (ワークスペース > [使用量と推定コスト] > [日次上限])。"
             "サブスクリプションの状態に問題がある場合はその解消が必要です。"),
        (), ws.evidence())


def partial(vm, code: str, message: Text, evidence) -> Finding:
    """A broken association or rule beside a working one: worth fixing, not blocking."""
    return Finding(code, "dcr", WARNING, vm.id, message,
                   Text("Remove or repair it so the VM's configuration says what it does.",
                        "実際の構成と一致するよう、削除または修正してください。"), (), evidence)
