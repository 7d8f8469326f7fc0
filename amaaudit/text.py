"""Text: the bilingual message type, and the two rules every output applies to untrusted text.

Everything a snapshot holds is untrusted: a VM name or tag is whatever its owner typed, and an
extension's status message is written by the guest. ``printable`` makes such text inert on a
terminal (control characters shown, not obeyed); ``clip`` keeps one field from swamping an output
(the snapshot keeps the full value).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

LANGS = ("en", "ja")


@dataclass(frozen=True)
class Text:
    en: str
    ja: str

    @classmethod
    def of(cls, value: "str | Text") -> "Text":
        """``value`` itself, or a plain string as the text of both languages."""
        return value if isinstance(value, Text) else cls(value, value)

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "ja": self.ja}

    def __add__(self, other: "Text") -> "Text":
        return Text(self.en + other.en, self.ja + other.ja)


# -- terminal safety ----------------------------------------------------------------------------
# C0 and C1 controls (ESC starts clear-screen, OSC 8 links and title changes; CR overwrites a line;
# C1 0x9b is a one-byte CSI), DEL, the bidirectional controls that reorder what a reader sees
# ("Trojan Source"), line/paragraph separators, and lone surrogates (not text; they cannot even
# be encoded for the terminal).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return _NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: Any) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\e``, ``\\x9b``,
    ``\\u202e``...), so a name or message from the estate can be printed on one line, as it is."""
    text = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


# -- size -----------------------------------------------------------------------------------------
FIELD_LIMIT = 2000          # characters of one string field that an output shows
LIST_LIMIT = 200            # items of one list in evidence


def clip(text: str, limit: int = FIELD_LIMIT) -> str:
    """At most ``limit`` characters of ``text``, saying how much was cut."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return (f"{text[:limit]}… [cut: {len(text) - limit:,} more characters; "
            "the snapshot keeps the full value]")


def bounded(value: Any, depth: int = 0) -> Any:
    """A JSON-like value with every string clipped and every list capped (evidence, findings)."""
    if isinstance(value, str):
        return clip(value)
    if depth > 32:
        return "… [cut: nested too deeply]"
    if isinstance(value, dict):
        return {clip(str(k), 200): bounded(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        out = [bounded(v, depth + 1) for v in value[:LIST_LIMIT]]
        if len(value) > LIST_LIMIT:
            out.append(f"… [cut: {len(value) - LIST_LIMIT:,} more items]")
        return out
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)           # NaN and infinities are not JSON
    return value
