"""Message catalogue: Vietnamese first, English switchable.

Each module here holds MESSAGES = {key: (vi, en)}, one module per area of the app, so that
both languages of a message sit on one line and a missing translation is a test failure.
Enumeration labels are keyed "enum.<field>.<value>".
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
_MODULES = ("core", "enums", "validation", "reports", "customers", "imports", "admin",
            "accounts", "audit", "privacy", "safety", "files", "first_use", "periods_ui", "drilldown",
            "words", "today", "money", "loyalty", "complaints", "rules", "leadscore", "clv", "dupes",
            "lookalike", "replica")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for name in _MODULES:
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            continue
        for key, pair in module.MESSAGES.items():
            if key in merged:
                raise ValueError(f"duplicate message key {key!r} in i18n.{name}")
            merged[key] = pair
    return merged


def t(key: str, lang: str = DEFAULT_LANG, /, **kwargs) -> str:
    pair = catalogue().get(key)
    if pair is None:
        return key  # visible in the UI and caught by the catalogue test
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**kwargs) if kwargs else text


def label(field: str, value, lang: str = DEFAULT_LANG) -> str:
    """Display label of an enumeration value; unknown values are shown as they are."""
    if value is None or value == "":
        return t("common.unknown", lang)
    pair = catalogue().get(f"enum.{field}.{value}")
    if pair is None:
        return str(value)
    return pair[1] if lang == "en" else pair[0]


def choices(field: str) -> list[str]:
    """The known values of an enumeration, in catalogue order."""
    prefix = f"enum.{field}."
    return [k[len(prefix):] for k in catalogue() if k.startswith(prefix)]
