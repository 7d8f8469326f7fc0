from .. import arm
from ..text import Text
from .core import CRITICAL, HIGH, WARNING, Finding, az, each_named, named, number

PORTAL_RESOURCES = Text("Azure portal > the data collection rule > Configuration > Resources > Add",
                        "Azure portal > データ収集ルール > [構成] > [リソース] > [追加]")
PORTAL_TARGET = Text("Azure portal > the data collection rule > Configuration > Data sources > (source) > Destination",
                     "Azure portal > データ収集ルール > [構成] > [データ ソース] > (データ ソース) > [ターゲット]")


def associate_command(vm, rule_id: str | None = None) -> str:
    """Associate the resource whose associations apply to the machine (a Uniform instance's scale set)."""
    owner = vm.association_owner
    return az("monitor", "data-collection", "rule", "association", "create",
              name=f"dcra-{arm.parse(owner).name}", rule_id=rule_id or "<data collection rule id>", resource=owner)


def _owner_note(vm) -> Text:
    """Where a machine's associations live when that is not the machine itself."""
    if vm.association_owner.lower() == vm.id.lower():
        return Text("", "")
    owner = vm.association_owner_label
    return Text(f" (a Uniform instance takes the associations of its {owner.en})",
                f" (Uniform インスタンスには {owner.ja} の関連付けが適用されます)")


def _rules(count: int) -> str:
    return number(count, "data collection rule", "data collection rules")


def not_associated(vm, endpoint_only=()) -> Finding:
    note = Text("", "")
    if endpoint_only:
        count = len(endpoint_only)
        names = ", ".join(a.name for a in endpoint_only)
        note = Text(f" Its only {number(count, 'association', 'associations')} ({names}) "
                    f"{number(count, 'links', 'link')} a data collection endpoint, which configures where the agent "
                    "connects but collects nothing.",
                    f" 関連付け ({names}) はデータ収集エンドポイントのものだけで、接続先を指定するのみでデータは収集されません。")
    return Finding(
        "DCR_NOT_ASSOCIATED", "dcr", CRITICAL, vm.id,
        Text(f"{vm.label.en} is not associated with any data collection rule{_owner_note(vm).en}, so AMA has nothing "
             "to collect and no workspace to send to.",
             f"{vm.label.ja} はどのデータ収集ルールにも関連付けられていない{_owner_note(vm).ja}ため、AMA は何も収集せず"
             "送信先もありません。") + note,
        Text(f"Associate {vm.label.en} with the data collection rule that sends to your workspace: "
             f"{PORTAL_RESOURCES.en} > select the VM > Apply (or the command below, with the rule's id).",
             f"ワークスペースへ送信するデータ収集ルールに {vm.label.ja} を関連付けてください: {PORTAL_RESOURCES.ja} > "
             "マシンを選択 > [適用] (または以下のコマンドにルールの ID を指定)。"),
        (associate_command(vm),),
        {"associations": [a.id for a in vm.associations]})


def rule_missing(vm, assocs, severity=CRITICAL) -> Finding:
    count = len(assocs)
    names = ", ".join(f"{a.name} -> {arm.parse(a.rule_id).name}" for a in assocs)
    return Finding(
        "DCR_DELETED", "dcr", severity, assocs[0].id,
        Text(f"{vm.label.en} is associated with {number(count, 'a data collection rule that does', 'data collection rules that do')}"
             f" not exist (deleted?): {names}.",
             f"{vm.label.ja} が存在しないデータ収集ルールに関連付けられています (削除済み?): {names}。"),
        Text(f"Remove the dangling {number(count, 'association', 'associations')} "
             f"{', '.join(a.name for a in assocs)} of {vm.label.en} and associate an existing data collection rule "
             f"({PORTAL_RESOURCES.en}; the commands below).",
             f"{vm.label.ja} の存在しないルールへの関連付け {', '.join(a.name for a in assocs)} を削除し、既存のデータ収集ルールに"
             f"関連付けてください ({PORTAL_RESOURCES.ja}、以下のコマンド)。"),
        tuple(az("monitor", "data-collection", "rule", "association", "delete", name=a.name, resource=vm.association_owner, yes=True)
              for a in assocs) + (associate_command(vm),),
        {"associations": [{"id": a.id, "dataCollectionRuleId": a.rule_id} for a in assocs]})


def kind_mismatch(vm, rules, severity=CRITICAL) -> Finding:
    count = len(rules)
    names = ", ".join(f"{r.name} (kind {r.kind})" for r in rules)
    return Finding(
        "DCR_KIND_MISMATCH", "dcr", severity, rules[0].id,
        Text(f"{vm.label.en} runs {vm.os_type}, but its {_rules(count)} {number(count, 'is', 'are')} for another OS: "
             f"{names}; {number(count, 'it collects', 'they collect')} nothing on this VM.",
             f"{vm.label.ja} の OS は {vm.os_type} ですが、関連付けられたデータ収集ルールは別 OS 用です: {names}。"
             "この VM では何も収集されません。"),
        Text(f"Associate {vm.label.en} with a data collection rule of kind {vm.os_type} (or without kind) "
             f"({PORTAL_RESOURCES.en}; the command below, with the rule's id).",
             f"{vm.label.ja} を種類 (kind) が {vm.os_type} (または指定なし) のデータ収集ルールに関連付けてください "
             f"({PORTAL_RESOURCES.ja}、以下のコマンドにルールの ID を指定)。"),
        (associate_command(vm),),
        {"rules": [{"id": r.id, "kind": r.kind} for r in rules], "osType": vm.os_type})


def no_log_destination(vm, rules) -> Finding:
    count = len(rules)
    names = ", ".join(r.name for r in rules)
    return Finding(
        "DCR_NO_LOG_ANALYTICS", "dcr", CRITICAL, rules[0].id,
        Text(f"{'The' if count == 1 else 'None of the'} {_rules(count)} of {vm.label.en} ({names}) "
             f"{'has no' if count == 1 else 'has a'} data flow to a Log Analytics workspace, so no Heartbeat or log "
             "reaches one.",
             f"{vm.label.ja} のデータ収集ルール ({names}) のいずれにも Log Analytics "
             "ワークスペースへのデータ フローがないため、Heartbeat もログも届きません。"),
        Text(f"Add your workspace as a destination of a data source of the {_rules(count)} {names}: "
             f"{PORTAL_TARGET.en} > Add destination > Save.",
             f"データ収集ルール {names} のデータ ソースのターゲットにワークスペースを追加してください: {PORTAL_TARGET.ja} > "
             "[ターゲットの追加] > [保存]。"),
        (), {"rules": [r.evidence() for r in rules]})


def workspace_missing(vm, routes, severity=CRITICAL) -> Finding:
    count = len(routes)
    names = ", ".join(f"{r.name} -> {arm.parse(route.workspace_id).name}" for r, route in routes)
    rules = ", ".join(dict.fromkeys(r.name for r, _ in routes))
    return Finding(
        "DCR_WORKSPACE_MISSING", "dcr", severity, routes[0][0].id,
        Text(f"The {_rules(len({r.id for r, _ in routes}))} of {vm.label.en} "
             f"{number(count, 'sends to a Log Analytics workspace that does', 'send to Log Analytics workspaces that do')}"
             f" not exist: {names}.",
             f"{vm.label.ja} のデータ収集ルールの送信先 Log Analytics ワークスペースが存在しません: {names}。"),
        Text(f"Point the {_rules(len({r.id for r, _ in routes}))} {rules} at an existing workspace: {PORTAL_TARGET.en} > "
             "remove the old target > Add destination.",
             f"データ収集ルール {rules} の送信先を既存のワークスペースにしてください: {PORTAL_TARGET.ja} > 既存のターゲットを削除 > "
             "[ターゲットの追加]。"),
        (), {"destinations": [{"rule": r.id, "workspaceResourceId": route.workspace_id} for r, route in routes]})


def wrong_workspace(vm, found, expected) -> Finding:
    workspaces = list({ws.id.lower(): ws for _, _, ws in sorted(found, key=lambda x: x[2].name.lower())}.values())
    rules = ", ".join(dict.fromkeys(r.name for r, _, _ in found))
    return Finding(
        "DCR_WRONG_WORKSPACE", "dcr", CRITICAL, found[0][0].id,
        Text(f"{vm.label.en} sends its logs to {each_named(workspaces).en}, not to the workspace you are looking at "
             f"({', '.join(expected)}).",
             f"{vm.label.ja} のログの送信先は {each_named(workspaces).ja} であり、確認対象のワークスペース "
             f"({', '.join(expected)}) ではありません。"),
        Text(f"Change the destination of the {_rules(len({r.id for r, _, _ in found}))} {rules}, or associate VM "
             f"{vm.name} with a rule that targets the expected workspace ({PORTAL_TARGET.en}; the command below, with "
             "that rule's id).",
             f"データ収集ルール {rules} のターゲットを変更するか、確認対象のワークスペースへ送信するルールに {vm.label.ja} を"
             f"関連付けてください ({PORTAL_TARGET.ja}、以下のコマンドにそのルールの ID を指定)。"),
        (associate_command(vm),),
        {"sendsTo": sorted({ws.id for _, _, ws in found}), "expected": list(expected)})


def ingestion_stopped(vm, found) -> Finding:
    ws = found[0][2]
    return Finding(
        "WORKSPACE_INGESTION_STOPPED", "dcr", HIGH, ws.id,
        Text(f"{named(ws).en}, where {vm.label.en} sends its logs, is not ingesting data "
             f"(dataIngestionStatus: {ws.ingestion_status}).",
             f"{vm.label.ja} の送信先 {named(ws).ja} はデータを取り込んでいません "
             f"(dataIngestionStatus: {ws.ingestion_status})。"),
        Text(f"On {named(ws).en}, raise or remove the daily cap (Usage and estimated costs > Daily cap), or resolve "
             "the subscription state; ingestion resumes automatically.",
             f"{named(ws).ja} の日次上限を引き上げるか解除してください ([使用量と推定コスト] > [日次上限])。"
             "サブスクリプションの状態に問題がある場合はその解消が必要です。"),
        (), ws.evidence())


def partial(vm, code: str, message: Text, evidence) -> Finding:
    """A broken association or rule beside a working one: worth fixing, not blocking."""
    return Finding(code, "dcr", WARNING, vm.id, message,
                   Text("Remove or repair it so the VM's configuration says what it does.",
                        "実際の構成と一致するよう、削除または修正してください。"), (), evidence)
