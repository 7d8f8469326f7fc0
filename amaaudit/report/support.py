"""A support request draft per failing VM, in the shape the guide's last section asks for.

The guide (トラブルシューティングをしても問題が解決しない場合) asks for 問題内容・実施いただいた
アクション・対象のリソース名・お問合せのゴールやお客様のご状況, the DCR's name and whether a DCE is
used, and says which service / problem type / subtype to pick. The draft fills in what the
run knows (from its records) and what the snapshot says about the VM (DCR and DCE names:
facts, not verdicts), and leaves clearly marked blanks for what only the customer knows.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import arm
from ..model import Unknown
from ..steps import STEPS
from . import results

SERVICE = "Azure Monitor Agent (AMA) on {os} machine"
PROBLEM_TYPE = "I created a DCR but the data is not in the Log Analytics Workspace"
PROBLEM_SUBTYPE = "No Heartbeat events in Log Analytics Workspace"


def _known(read: Callable[[], Any]) -> Any:
    """A fact the snapshot may not be able to give (a failed read, a partial snapshot): None then."""
    try:
        return read()
    except Unknown:
        return None


def vm_facts(vm) -> dict[str, Any]:
    """What the draft says about the machine's data collection setup; None where the snapshot cannot tell."""
    return {"os": _known(lambda: vm.os_type), "location": vm.location, "kind": vm.kind,
            "dcrs": _known(lambda: sorted({arm.parse(a.rule_id).name for a in vm.rule_associations}, key=str.lower)),
            "dces": _known(lambda: sorted({d.name for d in vm.data_collection_endpoints()}, key=str.lower))}


_OUTCOME = {"en": {"pass": "OK", "fail": "FAILED", "warn": "warning", "skip": "not applicable", "error":
                   "could not evaluate", "waived": "waived (accepted exception)"},
            "ja": {"pass": "問題なし", "fail": "問題あり", "warn": "警告", "skip": "対象外", "error": "判定不能",
                   "waived": "例外承認済み"}}


def _step_lines(by_step: dict[str, dict[str, Any]], lang: str) -> list[str]:
    lines = []
    for step in STEPS:
        record = by_step.get(step.name)
        if record is None:
            continue
        detail = results.message(record, lang)
        if record["outcome"] == "pass":
            detail = ""
        outcome = _OUTCOME[lang][record["outcome"]]
        lines.append(f"- {step.title.get(lang)}: {outcome}" + (f" — {detail}" if detail else ""))
    return lines


def draft(by_step: dict[str, dict[str, Any]], facts: dict[str, Any], header: dict[str, Any], lang: str) -> dict[str, str]:
    """{"service", "problem_type", "problem_subtype", "description"} in ``lang`` ("en" or "ja")."""
    any_record = next(iter(by_step.values()))
    name, rid = any_record["vm"], any_record["resource_id"]
    os_name = facts.get("os") or ("Linux/Windows")
    captured = header["estate"].get("captured_at") or "?"
    version = header.get("version", "")
    dcrs, dces = facts.get("dcrs"), facts.get("dces")
    broken = [r for r in results.ordered(by_step.values()) if r["outcome"] in ("fail", "error")]
    first = next((s.title.get(lang) for s in STEPS for r in broken if r["step"] == s.name), None)
    if lang == "ja":
        if dcrs is None:
            dcr_line = "データ収集ルールの関連付けは読み取れませんでした (権限不足の可能性があります)。"
        elif dcrs:
            dcr_line = f"使用しているデータ収集ルールのリソース名は {', '.join(dcrs)} です。"
        else:
            dcr_line = "データ収集ルールは関連付けられていません。"
        if dces is None:
            dce_line = "データ収集エンドポイントの使用有無は読み取れませんでした。"
        elif dces:
            dce_line = f"データ収集エンドポイント {', '.join(dces)} を使用しています。"
        else:
            dce_line = "データ収集エンドポイントは使用していません。"
        text = [
            f"{name} という名称の Azure VM リソース ({os_name}、{facts.get('location') or '-'}) で、Azure Monitor "
            "エージェント (AMA) を使用したログ収集が行われず、Log Analytics ワークスペースに Heartbeat ログが"
            "収集されません。",
            "",
            "■ 対象のリソース",
            f"リソース名: {name}",
            f"リソース ID: {rid}",
            f"サブスクリプション: {any_record['subscription']} / リソース グループ: {any_record['resource_group']}",
            "",
            "■ 実施したアクション",
            "公開ブログ「Azure Monitor エージェントを使用したログ収集が行われない場合のトラブルシューティングについて」"
            f"の手順に沿って、amaaudit {version} で構成を確認しました (構成の取得時刻 {captured})。",
            *_step_lines(by_step, "ja"),
            *( [f"最初に問題が見つかった手順は「{first}」です。"] if first else []),
            "<<< 上記以外に実施した対処があればご記入ください (例: AMA の再インストール、参照した公開情報の URL) >>>",
            "",
            dcr_line,
            dce_line,
            "",
            "■ お問い合わせのゴールやご状況",
            "<<< 例: MM 月 DD 日までにエンドユーザー様へ環境を引き渡す必要があり、問題解消を急いでおります。"
            "まずは復旧を優先したいと考えておりますので、復旧のためのサポートをお願いします。 >>>",
        ]
    else:
        if dcrs is None:
            dcr_line = "The VM's data collection rule associations could not be read (possibly missing permissions)."
        elif dcrs:
            dcr_line = f"The data collection rule(s) in use: {', '.join(dcrs)}."
        else:
            dcr_line = "No data collection rule is associated with the VM."
        if dces is None:
            dce_line = "Whether a data collection endpoint is used could not be read."
        elif dces:
            dce_line = f"Data collection endpoint(s) in use: {', '.join(dces)}."
        else:
            dce_line = "No data collection endpoint is used."
        text = [
            f"Azure VM {name} ({os_name}, {facts.get('location') or '-'}) does not send logs through the Azure "
            "Monitor Agent (AMA): no Heartbeat reaches the Log Analytics workspace.",
            "",
            "== Affected resource",
            f"Resource name: {name}",
            f"Resource ID: {rid}",
            f"Subscription: {any_record['subscription']} / Resource group: {any_record['resource_group']}",
            "",
            "== Actions taken",
            "Checked the configuration along the steps of the Azure Monitoring team's troubleshooting guide for AMA "
            f"log collection, with amaaudit {version} (configuration captured at {captured}):",
            *_step_lines(by_step, "en"),
            *( [f"The first step with a problem is \"{first}\"."] if first else []),
            "<<< Add anything else you tried (e.g. reinstalled AMA; the public docs you followed) >>>",
            "",
            dcr_line,
            dce_line,
            "",
            "== Goal and situation",
            "<<< e.g. The environment must be handed over by MM/DD; we need logs flowing again first, root cause "
            "second. >>>",
        ]
    return {"service": SERVICE.format(os=facts.get("os") or "Linux/Windows"), "problem_type": PROBLEM_TYPE,
            "problem_subtype": PROBLEM_SUBTYPE, "description": "\n".join(text)}
