"""The report's own words (its chrome) in English and Japanese.

Findings carry their messages in both languages already; this is everything around them:
headings, labels, legends, what each step checks. The Japanese follows the wording of the
troubleshooting guide (the seed) where it has one.
"""

from __future__ import annotations

from ..steps import STEPS

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Azure Monitor Agent audit", "Azure Monitor エージェント監査レポート"),
    "subtitle": ("Why is this machine not sending Heartbeat to Log Analytics? Each machine (Azure VM, Arc-enabled server, scale-set instance) checked along the troubleshooting "
                 "guide, step by step.",
                 "Heartbeat が Log Analytics に届かないのはなぜか。トラブルシューティング ガイドの手順に沿って マシンごとに確認しました。"),
    "estate": ("Estate", "対象"),
    "kind_demo": ("DEMO estate (bundled, fictional)", "デモ環境 (同梱・架空)"),
    "kind_file": ("Snapshot file", "スナップショット ファイル"),
    "kind_live": ("Live Azure", "Azure (ライブ)"),
    "captured_at": ("Captured at", "取得時刻"),
    "captured_note": ("verdicts are judged at this instant", "判定はこの時刻を基準としています"),
    "cloud": ("Cloud", "クラウド"),
    "sources": ("Sources", "取得元"),
    "sources_note": ("{n} snapshots combined; each machine is judged at the capture time of the snapshot that "
                     "holds it, the estate as a whole at the latest one",
                     "{n} 個のスナップショットを結合。各マシンはそれを含むスナップショットの取得時刻で、全体は最も新しい取得時刻で判定しています"),
    "source_machines": ("machines: {n}", "マシン {n} 台"),
    "captured_note_combined": ("the latest of the sources below; each machine is judged at its own source's",
                               "下記の取得元のうち最新の時刻。各マシンはそれぞれの取得元の時刻で判定しています"),
    "replaced": ("{n} resource(s) differed between the snapshots (changed between captures); the one captured "
                 "last was kept", "{n} 件のリソースがスナップショット間で異なっていました (取得の間に変更); 最後に取得したものを使用しています"),
    "run_by": ("Run by", "実行者"),
    "suite": ("Suite", "スイート"),
    "options": ("Options that change verdicts", "判定に影響するオプション"),
    "workspace_any": ("any workspace (no --workspace)", "任意のワークスペース (--workspace 指定なし)"),
    "expected_ws": ("Expected workspace", "想定ワークスペース"),
    "hb_max_age": ("Heartbeat max age", "Heartbeat の許容経過時間"),
    "minutes": ("min", "分"),
    "fail_on_warning": ("Warnings fail the run", "警告も失敗扱い"),
    "yes": ("yes", "はい"),
    "no": ("no", "いいえ"),
    "waiver_file": ("Waivers", "例外 (waiver)"),
    "none": ("none", "なし"),
    "vms_checked": ("machines checked", "確認したマシン"),
    "vms_broken": ("machines with a broken link", "問題のあるマシン"),
    "vms_ok": ("machines without failures", "問題のないマシン"),
    "results": ("Results", "結果"),
    "verdict_fail": ("Action needed: {n} machine(s) have a broken link in the chain to Log Analytics.",
                     "対応が必要です: {n} 台のマシン で Log Analytics までの経路に問題があります。"),
    "verdict_error": ("{n} result(s) could not be evaluated: an input was unreadable (see errors).",
                      "{n} 件は入力を読み取れず判定できませんでした (エラーを参照)。"),
    "verdict_pass": ("Every checked machine passes every step that applies to it.",
                     "確認したすべてのマシン が、該当するすべての手順を満たしています。"),
    "verdict_incomplete": ("Incomplete: the machine list of {scopes} could not be read, so machines there are not in this "
                           "report at all; fix the read (permissions, throttling) and run again.",
                           "不完全: {scopes} のマシン 一覧を読み取れなかったため、そこにある マシンはこのレポートに含まれていません。"
                           "読み取りの問題 (権限、スロットリング) を解消して再実行してください。"),
    "verdict_none": ("No machine was checked in this run (nothing selected, or the estate has no machine).",
                     "今回の実行では マシンを確認していません (選択なし、または対象に マシンがありません)。"),
    "o_pass": ("pass", "合格"), "o_fail": ("fail", "不合格"), "o_warn": ("warn", "警告"),
    "o_skip": ("skip", "対象外"), "o_error": ("error", "判定不能"), "o_waived": ("waived", "例外承認"),
    "o_none": ("not checked", "未確認"),
    "legend_pass": ("passed", "問題なし"),
    "legend_fail": ("failed: a finding breaks the chain", "不合格: 経路を断つ問題"),
    "legend_warn": ("warning: recorded, does not fail", "警告: 記録のみ (失敗にはしない)"),
    "legend_skip": ("skipped: not applicable or blocked", "対象外: 該当しない、または前の手順が原因"),
    "legend_error": ("could not evaluate: input unreadable", "判定不能: 入力を読み取れない"),
    "legend_waived": ("waived: accepted exception", "例外承認済み"),
    "legend_none": ("not checked in this run", "今回は未確認"),
    "legend_first": ("first broken link of the machine", "そのマシン で最初に問題がある手順"),
    "matrix": ("Machine × step", "マシン × 手順"),
    "matrix_hint": ("One row per machine, the guide's steps left to right. Click a cell for what was checked, the "
                    "evidence and the fix.",
                    "マシンごとに 1 行、ガイドの手順を左から順に並べています。セルを押すと確認内容・根拠・対処を表示します。"),
    "vm": ("Machine", "マシン"),
    "machine_kind": ("Kind", "種類"),
    "all_kinds": ("All kinds", "すべての種類"),
    "mk_vm": ("VM", "VM"),
    "mk_vmss": ("VMSS", "VMSS"),
    "mk_arc": ("Arc", "Arc"),
    "kind_note_arc": ("Arc-enabled servers: ARM shows no network path (the network step lists the endpoints and "
                      "the commands to test on each server), and their DNS is on premises.",
                      "Arc 対応サーバー: ネットワーク経路は ARM にありません (通信要件の手順で、各サーバー上で確認する"
                      "エンドポイントとコマンドを示します)。DNS もオンプレミスにあります。"),
    "kind_note_vmss": ("Scale-set instances: a Uniform instance runs its scale set's model (extensions, NIC "
                       "configurations, identity, DCR associations); a Flexible instance is a VM of its own.",
                       "スケール セット インスタンス: Uniform のインスタンスはスケール セットのモデル (拡張機能、NIC 構成、ID、"
                       "DCR の関連付け) で動作し、Flexible のインスタンスは独立した VM です。"),
    "subscription": ("Subscription", "サブスクリプション"),
    "resource_group": ("Resource group", "リソース グループ"),
    "first_broken": ("First broken link", "最初の問題"),
    "all_subs": ("All subscriptions", "すべてのサブスクリプション"),
    "all_rgs": ("All resource groups", "すべてのリソース グループ"),
    "filter_vm": ("Filter machines by name", "マシン名で絞り込み"),
    "show_all": ("All machines", "すべてのマシン"),
    "show_broken": ("Failing or not evaluable", "不合格・判定不能"),
    "show_findings": ("Any finding (incl. warnings, waived)", "何らかの指摘あり (警告・例外含む)"),
    "show_healthy": ("Without failures", "問題なし"),
    "shown": ("{shown} of {total} machines", "{total} 台中 {shown} 台を表示"),
    "no_match": ("No machine matches these filters.", "条件に一致する マシンはありません。"),
    "details": ("Details", "詳細"),
    "details_empty": ("Select a machine or a cell in the matrix.", "マトリックスのマシン またはセルを選択してください。"),
    "resource_id": ("Resource ID", "リソース ID"),
    "location": ("Location", "場所"),
    "tags": ("Tags", "タグ"),
    "what_checked": ("What was checked", "確認内容"),
    "found": ("Finding", "確認結果"),
    "fix": ("How to fix", "対処方法"),
    "commands": ("Commands (filled in for this resource)", "コマンド (このリソース用)"),
    "evidence": ("Evidence (the ARM fields the verdict rests on)", "根拠 (判定に使った ARM のフィールド)"),
    "reason": ("Reason", "理由"),
    "test": ("Test", "テスト"),
    "severity": ("Severity", "重大度"),
    "step": ("Step", "手順"),
    "waiver": ("Waiver", "例外 (waiver)"),
    "waiver_applied": ("Waived by {id}: {justification} (owner {owner}, ticket {ticket}, expires {expires})",
                       "{id} により例外承認: {justification} (担当 {owner}、チケット {ticket}、期限 {expires})"),
    "waiver_expired": ("Waiver {id} expired on {expires} and no longer applies ({justification}; owner {owner}, "
                       "ticket {ticket}).",
                       "例外 {id} は {expires} に期限切れのため適用されていません ({justification}、担当 {owner}、"
                       "チケット {ticket})。"),
    "waiver_error": ("Waiver {id} matches, but waivers never apply to a result that could not be evaluated.",
                     "例外 {id} が該当しますが、判定不能の結果には例外を適用しません。"),
    "waivers": ("Waivers", "例外 (waiver)"),
    "w_id": ("Waiver", "ID"), "w_selector": ("Covers", "対象"), "w_justification": ("Justification", "理由"),
    "w_owner": ("Owner", "担当"), "w_ticket": ("Ticket", "チケット"), "w_expires": ("Expires", "期限"),
    "w_status": ("Status", "状態"),
    "w_applied": ("applied to {n} result(s)", "{n} 件に適用"),
    "w_expired": ("EXPIRED: not applied ({n} result(s) would have matched)", "期限切れ: 適用なし (該当 {n} 件)"),
    "w_unused": ("unused: matched no failing result", "未使用: 該当する不合格なし"),
    "w_error_hits": ("matches {n} result(s) that could not be evaluated: never waived",
                     "判定不能の {n} 件に該当 (判定不能には適用しません)"),
    "support": ("Support request draft", "サポート リクエストの下書き"),
    "support_hint": ("If the fixes above do not help: Azure portal > Help + support > Create a support request. "
                     "Paste this into \"Description\".",
                     "上記の対処で解決しない場合: Azure portal > [ヘルプとサポート] > [サポート リクエストの作成]。"
                     "\"説明\" 欄に貼り付けてご利用ください。"),
    "copy": ("Copy", "コピー"),
    "copied": ("Copied", "コピーしました"),
    "passed_step": ("passed", "問題なし"),
    "blocked": ("skipped: blocked by an earlier step", "前の手順が原因のためスキップ"),
    "all_results": ("All results that need attention", "要確認の結果一覧"),
    "table_note": ("Failures and errors first. Passed results are not listed here (the matrix shows every one); "
                   "click a row for its finding, evidence and fix.",
                   "不合格・判定不能を先頭に表示します。合格の結果はここには載せていません (マトリックスにすべて表示)。"
                   "行を押すと確認結果・根拠・対処を表示します。"),
    "table_capped": ("This table lists {listed} of {total} results that need attention (the worst first); the "
                     "matrix above and findings.json have every one.",
                     "この表には要確認の結果 {total} 件のうち {listed} 件 (重大なものから) を表示しています。"
                     "すべての結果は上のマトリックスと findings.json にあります。"),
    "counts_note": ("Counts are of every result of the run, listed or not.",
                    "件数は表示の有無にかかわらず、すべての結果の件数です。"),
    "passed_label": ("Passed (not listed)", "合格 (一覧には非表示)"),
    "xfailed_label": ("Waived", "例外承認"),
    "back": ("Back to the matrix", "マトリックスへ戻る"),
    "environment": ("Environment", "実行環境"),
    "draft_lang": ("Language", "言語"),
    # Matrix column heads: short, the full title is in the tooltip and the details.
    "short_os": ("OS", "OS"), "short_power": ("Power", "起動"), "short_agent": ("Agent", "AMA"),
    "short_network": ("Network", "通信"), "short_ampls": ("AMPLS", "AMPLS"), "short_dns": ("DNS", "DNS"),
    "short_dcr": ("DCR", "DCR"), "short_identity": ("Identity", "ID"), "short_heartbeat": ("Heartbeat", "Heartbeat"),
    "not_run_step": ("not checked in this run", "今回は未確認"),
    "first_tag": ("first broken link", "最初の問題"),
    "all_passed": ("Every step that was checked passed.", "確認したすべての手順で問題ありません。"),
    "form": ("Support request form", "サポート リクエストの入力内容"),
    "f_service": ("Service", "サービス"), "f_type": ("Problem type", "問題の種類"),
    "f_subtype": ("Problem subtype", "問題のサブタイプ"), "f_description": ("Description", "説明"),
    "sort_by": ("Sort by", "並べ替え"),
    "verdict": ("Verdict", "判定"),
    # --baseline / --what-if
    "changes": ("Changes since the baseline", "ベースラインからの変化"),
    "changes_whatif": ("What the planned deployment would change", "予定のデプロイによる変化"),
    "against_file": ("Compared with {file} (captured {captured_at}).", "{file} (取得時刻 {captured_at}) と比較しています。"),
    "against_whatif": ("The estate as {file} would leave it, compared with the same checks on the estate as it is.",
                       "{file} の適用後の状態を、現在の状態に対する同じ確認の結果と比較しています。"),
    "n_new": ("new", "新規"), "n_unchanged": ("unchanged", "変化なし"), "n_resolved": ("resolved", "解消"),
    "n_unseen": ("no longer checked", "今回は未確認"),
    "fail_on_new": ("--fail-on new: the exit status depends on the {n} new failing result(s) only; unchanged "
                    "failures are still listed below and in the matrix.",
                    "--fail-on new: 終了コードは新規の不合格・判定不能 {n} 件だけで決まります。変化のない不合格も"
                    "下の一覧とマトリックスに表示しています。"),
    "new_results": ("New", "新規"),
    "resolved_results": ("Resolved", "解消"),
    "planned_changes": ("Planned changes applied to the estate", "適用した変更"),
    "c_type": ("Change", "変更"), "c_resource": ("Resource", "リソース"), "c_effect": ("In the snapshot", "スナップショット上"),
    "c_breaks": ("Breaks", "影響"),
    "caused_by": ("Caused by", "原因となる変更"),
    "no_change_cited": ("no single change is cited", "特定の変更は見当たりません"),
    "breaks_nothing": ("breaks nothing this run checks", "今回の確認項目への影響なし"),
    "nothing_new": ("Nothing new: every finding of this run was already there.", "新規の指摘はありません。"),
    "r_fixed": ("no longer reported", "解消"),
    "r_now": ("now reports {codes}", "現在は {codes} を報告"),
    "r_unseen": ("not checked in this run (machine gone, or not selected)",
                 "今回は未確認 (マシンが存在しないか、選択されていません)"),
    "list_capped": ("{shown} of {total} shown; findings.json lists every one.",
                    "{total} 件中 {shown} 件を表示しています。すべて findings.json にあります。"),
    "legend_new": ("new since the baseline", "ベースラインからの新規"),
    "show_new": ("New since the baseline", "新規の指摘あり"),
    "new_tag": ("new", "新規"),
}

_STEP_CHECKS: dict[str, tuple[str, str]] = {
    "os": ("The machine's operating system is one Azure Monitor Agent supports.",
           "マシンの OS が Azure Monitor エージェントのサポート対象であること。"),
    "power": ("The machine is up (a VM running; an Arc server connected) and what installs extensions on it (the "
              "Azure guest agent; Arc's extension service) is ready.",
              "マシンが稼働しており (VM は起動、Arc サーバーは接続)、拡張機能をインストールするもの (Azure ゲスト エージェント、"
              "Arc の拡張機能サービス) が準備完了であること。"),
    "agent": ("Exactly one Azure Monitor Agent extension for the OS, provisioned successfully, version pinned to "
              "major.minor, automatic upgrade on.",
              "OS に合った Azure Monitor エージェント拡張機能が 1 つだけあり、プロビジョニングに成功していること "
              "(バージョンは major.minor 指定、自動アップグレード有効)。"),
    "network": ("Outbound HTTPS (443) from the machine's subnet to the AMA endpoints is allowed (NSG, routes); "
                "an Arc server's network is not in ARM: what to test on it is listed.",
                "マシンのサブネットから AMA のエンドポイントへの送信 HTTPS (443) が NSG・ルートで許可されていること "
                "(Arc サーバーのネットワークは ARM にないため、マシン上で確認する内容を示します)。"),
    "ampls": ("With a private link scope (AMPLS), it holds the workspace and the DCE, and its access mode lets "
              "the machine in.",
              "AMPLS を使用している場合、ワークスペースとデータ収集エンドポイントが AMPLS に含まれ、アクセス モードで "
              "マシンからの接続が許可されていること (原因 A)。"),
    "dns": ("With a private link, the private DNS zones exist, are linked to the machine's VNet and resolve to the "
            "private endpoint.",
            "プライベート リンクを使用している場合、プライベート DNS ゾーンが存在し マシンの VNet にリンクされ、"
            "プライベート エンドポイントに解決されること (原因 B)。"),
    "dcr": ("The machine is associated with a data collection rule that sends to the (expected) Log Analytics "
            "workspace, and that workspace ingests.",
            "マシンがデータ収集ルールに関連付けられ、そのルールが (想定の) Log Analytics ワークスペースへ送信し、"
            "ワークスペースが取り込みを行っていること。"),
    "identity": ("The machine has the managed identity the agent is configured to use.",
                 "エージェントが使用するマネージド ID が マシンに割り当てられていること。"),
    "heartbeat": ("Heartbeat rows from the machine reached Log Analytics recently (the outcome of every step above).",
                  "マシンからの Heartbeat が最近 Log Analytics に届いていること (上記すべての手順の結果)。"),
}


def words(lang: str) -> dict[str, str]:
    """Every chrome string in one language."""
    index = 1 if lang == "ja" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


def word(key: str, lang: str, **values: object) -> str:
    text = _WORDS[key][1 if lang == "ja" else 0]
    return text.format(**values) if values else text


def machine_kind(kind: str, lang: str) -> str:
    """The short label of a machine kind ("VM", "Arc", "Scale set"); a kind without one shows its code."""
    pair = _WORDS.get("mk_" + kind)
    return pair[1 if lang == "ja" else 0] if pair else kind


def step_checks(step: str, lang: str) -> str:
    pair = _STEP_CHECKS.get(step)
    return pair[1 if lang == "ja" else 0] if pair else ""


def steps(lang: str) -> list[dict[str, str]]:
    """The guide's steps in order, with their titles and what each checks, in one language."""
    return [{"name": s.name, "title": s.title.get(lang), "checks": step_checks(s.name, lang)} for s in STEPS]
