"""The troubleshooting guide's steps, in its order. Marker names are a public interface."""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text


@dataclass(frozen=True)
class Step:
    name: str              # pytest marker
    title: Text
    seed_section: str      # the heading of the guide (Japanese original) this step implements
    blocked_by_power: bool  # a stopped VM makes this step meaningless


STEPS: tuple[Step, ...] = (
    Step("os", Text("Supported operating system", "サポート対象 OS の確認"), "サポート対象 OS の確認", False),
    Step("power", Text("Machine running (Arc: connected), agent ready", "マシンの起動状態の確認"), "マシンの起動状態の確認", False),
    Step("agent", Text("Azure Monitor Agent extension", "Azure Monitor エージェントの状態の確認"),
         "Azure Monitor エージェントの状態の確認", True),
    Step("network", Text("Network egress to AMA endpoints", "通信要件の確認"), "通信要件の確認", True),
    Step("ampls", Text("AMPLS scope (private link)", "通信要件の確認 (AMPLS): 原因 A"),
         "通信要件の確認 (AMPLS を使用している場合) 原因 A", True),
    Step("dns", Text("Private DNS zones (private link)", "通信要件の確認 (AMPLS): 原因 B"),
         "通信要件の確認 (AMPLS を使用している場合) 原因 B", True),
    Step("dcr", Text("Data collection rule to the workspace", "データ収集ルールの設定の確認"),
         "データ収集ルールの設定の確認", True),
    Step("identity", Text("Managed identity", "マネージド ID の設定の確認"), "マネージド ID の設定の確認", True),
    Step("heartbeat", Text("Heartbeat in Log Analytics", "Heartbeat の確認"), "はじめに (Heartbeat)", True),
)

BY_NAME = {s.name: s for s in STEPS}
ORDER = {s.name: i for i, s in enumerate(STEPS)}
