"""The reasons of a pair (score.compare) as sentences of the message catalogue."""

from __future__ import annotations

from crm_data.i18n import t


def parse(reasons: str | list[str]) -> list[str]:
    items = reasons.split(",") if isinstance(reasons, str) else list(reasons)
    return [r for r in items if r]


def sentence(reason: str, lang: str) -> str:
    key, _, pct = reason.partition(":")
    return t(f"dupes.reason.{key}", lang, pct=pct) if pct else t(f"dupes.reason.{key}", lang)


def describe(reasons: str | list[str], lang: str) -> str:
    """One line: "Cùng số điện thoại; tên giống nhau (91 %)"."""
    return "; ".join(sentence(r, lang) for r in parse(reasons))
