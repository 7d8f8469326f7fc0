"""What a check reports when the estate is wrong: a finding, not a traceback."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from ..text import Text

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

    @property
    def fails(self) -> bool:
        return self.severity in FAILING

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "step": self.step, "severity": self.severity,
                "resource_id": self.resource_id, "message": self.message.to_dict(),
                "remediation": self.remediation.to_dict(), "commands": list(self.commands),
                "evidence": self.evidence}

    def render(self, lang: str = "en") -> str:
        """The plain-text form used in the terminal and as the test's failure message."""
        fix = "Fix" if lang != "ja" else "対処"
        lines = [f"[{self.severity.upper()}] {self.code}: {self.message.get(lang)}",
                 f"{fix}: {self.remediation.get(lang)}"]
        lines += [f"    {c}" for c in self.commands]
        return "\n".join(lines)


_SAFE = re.compile(r"^[A-Za-z0-9._/:@+=,-]+$")


def ps(value: str) -> str:
    """A PowerShell argument; quoted only when needed (names come from untrusted snapshots)."""
    return value if _SAFE.match(value or "") else "'" + (value or "").replace("'", "''") + "'"


def sh(value: str) -> str:
    return value if _SAFE.match(value or "") else shlex.quote(value or "")
