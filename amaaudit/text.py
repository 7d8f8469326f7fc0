"""Bilingual text: English, and the Japanese of the troubleshooting guide."""

from __future__ import annotations

from dataclasses import dataclass

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
