"""What a check reports when the estate is wrong: a finding, not a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .. import arm
from ..text import Text, bounded, clip, printable
from .quoting import Raw, az, kql, ps, pwsh, sh  # noqa: F401  (the builders' quoting, one import)

CRITICAL, HIGH, WARNING = "critical", "high", "warning"
FAILING = (CRITICAL, HIGH)


@dataclass(frozen=True)
class Finding:
    code: str                      # stable identifier, e.g. AGENT_NOT_INSTALLED
    step: str
    severity: str                  # critical | high (the gate fails) | warning (recorded, passes)
    resource_id: str               # the resource that must change
    message: Text
    remediation: Text              # what to do, with the guide's portal path
    commands: tuple[str, ...] = ()  # copy-paste commands, filled in with real names
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        # One field of the estate (a guest-written status message of 20 MB) must not swamp every
        # output: each output reads the finding, so capping it here caps them all, once, and only
        # for results that have a finding. The snapshot keeps the full value.
        cap = object.__setattr__
        cap(self, "resource_id", clip(self.resource_id))
        cap(self, "message", Text(clip(self.message.en), clip(self.message.ja)))
        cap(self, "remediation", Text(clip(self.remediation.en), clip(self.remediation.ja)))
        cap(self, "commands", tuple(clip(c) for c in self.commands))
        cap(self, "evidence", bounded(self.evidence))

    @property
    def fails(self) -> bool:
        return self.severity in FAILING

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "step": self.step, "severity": self.severity,
                "resource_id": self.resource_id, "message": self.message.to_dict(),
                "remediation": self.remediation.to_dict(), "commands": list(self.commands),
                "evidence": self.evidence}

    def render(self, lang: str = "en") -> str:
        """The plain-text form used in the terminal and as the test's failure message (pytest prints
        it), so every line is made inert for a terminal (:func:`amaaudit.text.printable`)."""
        fix = "Fix" if lang != "ja" else "対処"
        lines = [f"[{self.severity.upper()}] {self.code}: {self.message.get(lang)}",
                 f"{fix}: {self.remediation.get(lang)}"]
        lines += [f"    {c}" for c in self.commands]
        return "\n".join(printable(line) for line in lines)


# -- naming resources ---------------------------------------------------------------------------
# What a finding calls a resource: its kind, then its name ("data collection endpoint endpoint1"),
# so that a reader knows what to open, whatever the name says. Keyed by ARM type, lower case.
KINDS: dict[str, Text] = {
    "microsoft.compute/virtualmachines": Text("VM", "VM"),
    "microsoft.compute/virtualmachines/extensions": Text("extension", "拡張機能"),
    "microsoft.compute/virtualmachinescalesets": Text("scale set", "スケール セット"),
    "microsoft.compute/virtualmachinescalesets/virtualmachines": Text("scale-set instance", "スケール セット インスタンス"),
    "microsoft.compute/virtualmachinescalesets/extensions": Text("extension", "拡張機能"),
    "microsoft.hybridcompute/machines": Text("Arc-enabled server", "Arc 対応サーバー"),
    "microsoft.hybridcompute/machines/extensions": Text("extension", "拡張機能"),
    "microsoft.hybridcompute/privatelinkscopes": Text("Azure Arc private link scope", "Azure Arc プライベート リンク スコープ"),
    "microsoft.operationalinsights/workspaces": Text("Log Analytics workspace", "Log Analytics ワークスペース"),
    "microsoft.insights/datacollectionendpoints": Text("data collection endpoint", "データ収集エンドポイント"),
    "microsoft.insights/datacollectionrules": Text("data collection rule", "データ収集ルール"),
    "microsoft.insights/datacollectionruleassociations": Text("data collection rule association",
                                                              "データ収集ルールの関連付け"),
    "microsoft.insights/privatelinkscopes": Text("AMPLS", "AMPLS"),
    "microsoft.network/privateendpoints": Text("private endpoint", "プライベート エンドポイント"),
    "microsoft.network/privatednszones": Text("private DNS zone", "プライベート DNS ゾーン"),
    "microsoft.network/privatednszones/virtualnetworklinks": Text("virtual network link", "仮想ネットワーク リンク"),
    "microsoft.network/networksecuritygroups": Text("NSG", "NSG"),
    "microsoft.network/routetables": Text("route table", "ルート テーブル"),
    "microsoft.network/networkinterfaces": Text("network interface", "ネットワーク インターフェイス"),
    "microsoft.network/virtualnetworks": Text("VNet", "VNet"),
    "microsoft.managedidentity/userassignedidentities": Text("user-assigned managed identity",
                                                             "ユーザー割り当てマネージド ID"),
}


def kind(resource_id: str) -> Text:
    """The kind of resource an ARM id names ("data collection endpoint"); its type's last segment
    for a type this table does not know."""
    parsed = arm.parse(resource_id)
    return KINDS.get(parsed.type.lower()) or Text.of(parsed.types[-1] if parsed.types else "resource")


def named(resource: Any, name: str | None = None) -> Text:
    """"<kind> <name>" of a model object (anything with ``id`` and ``name``) or of an ARM id."""
    rid = resource if isinstance(resource, str) else getattr(resource, "id", "")
    name = name if name is not None else (arm.parse(rid).name if isinstance(resource, str) else resource.name)
    what = kind(rid)
    return Text(f"{what.en} {name}", f"{what.ja} {name}")


def listing(items: Iterable[Text]) -> Text:
    """Texts joined as a reader lists them: "a", "a and b", "a, b and c" (ja: "a、b、c")."""
    items = list(items)
    if len(items) <= 1:
        return items[0] if items else Text("", "")
    en = ", ".join(t.en for t in items[:-1]) + " and " + items[-1].en
    return Text(en, "、".join(t.ja for t in items))


def each_named(resources: Iterable[Any]) -> Text:
    """Every resource by kind and name, listed: "Log Analytics workspace law-main and data collection
    endpoint endpoint1"."""
    return listing(named(r) for r in resources)


def number(count: int, one: str, many: str) -> str:
    """The English word that agrees with ``count`` ("refuses" / "refuse")."""
    return one if count == 1 else many
