"""VND, dates and numbers the Vietnamese way, via babel (English switchable)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALES = {"vi": "vi_VN", "en": "en_US"}
# Whole numbers (and dates) are written without babel: a page formats thousands of amounts
# per run (the cash book's entries) and babel's pattern machinery cost ~0.3 ms each. Same
# text as babel's "#,##0" for these locales (tests/test_formatting_fast.py compares them).
_GROUP = {"vi": ".", "en": ","}


# A report table formats thousands of cells per page run: babel's format_* functions parse
# the locale and the pattern again for every value (two thirds of their time), so both are
# parsed once here and the same NumberPattern.apply does the formatting.
@cache
def _loc(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, "vi_VN"))


@cache
def _pattern(fmt: str) -> NumberPattern:
    return parse_pattern(fmt)


# The same values come back on every run of a page (counts, amounts, days of a list): their
# text is remembered. typed: 1, 1.0 and numpy's 1 are kept apart, as babel may tell them apart.
@lru_cache(maxsize=65536, typed=True)
def _apply(fmt: str, value, lang: str) -> str:
    return _pattern(fmt).apply(value, _loc(lang))


def _missing(value) -> bool:
    """None, NaN, and pandas' NA (an unknown profit in an Int64 column)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) \
        or type(value).__name__ == "NAType"


def vnd(amount, lang: str = "vi") -> str:
    """1.234.567 ₫ (vi) / 1,234,567 ₫ (en). VND has no minor unit. The symbol follows the
    number in both languages, as in compact_money, so a page never mixes '₫586,884' with
    '1.83B ₫' (babel's en_US pattern puts it first)."""
    if _missing(amount):
        return "—"
    return f"{_whole(int(round(amount)), lang)}\xa0₫"


def _whole(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", _GROUP.get(lang, "."))


def number(value, lang: str = "vi", digits: int = 0) -> str:
    if _missing(value):
        return "—"
    if not digits and (isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())):
        return _whole(int(value), lang)
    return _apply("#,##0" + ("." + "0" * digits if digits else ""), value, lang)


def percent(fraction, lang: str = "vi", digits: int = 1) -> str:
    if _missing(fraction):
        return "—"
    return _apply("#,##0" + ("." + "0" * digits if digits else "") + "%", fraction, lang)


def date(value: dt.date | dt.datetime | None, lang: str = "vi") -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.date()
    # babel's "dd/MM/yyyy" in both languages (Latin digits), without its per-call locale
    # parsing: the cash book writes thousands of dates per run.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def phone(e164: str | None) -> str:
    """'+84912345678' → '0912 345 678', as Vietnamese people write a mobile number."""
    if not e164:
        return ""
    if not e164.startswith("+84"):
        return e164
    national = "0" + e164[3:]
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national


def signed_delta(value, lang: str = "vi", money: bool = False) -> str:
    """'+1.234' / '-5 ₫' for st.metric deltas."""
    if _missing(value):
        return ""
    text = vnd(abs(value), lang) if money else number(abs(value), lang)
    return ("+" if value >= 0 else "-") + text


def bucket_label(start: dt.date, granularity: str, lang: str = "vi") -> str:
    """Axis label of a time bucket: 24/11/2026, 11/2026, Q4/2026 (Quý 4/2026), 2026."""
    if granularity in ("day", "week"):
        return date(start, lang)
    if granularity == "month":
        return f"{start.month:02d}/{start.year}"
    if granularity == "quarter":
        q = (start.month - 1) // 3 + 1
        return f"Quý {q}/{start.year}" if lang == "vi" else f"Q{q} {start.year}"
    return str(start.year)


def compact_money(amount, lang: str = "vi") -> str:
    """Money for a KPI card: exact below 100 million, else '807,6 triệu ₫' / '3,09 tỷ ₫'
    ('807.6M ₫' / '3.09B ₫' in English)."""
    if _missing(amount):
        return "—"
    if abs(amount) < 100_000_000:
        return vnd(amount, lang)
    if abs(amount) >= 1e9:
        value, unit = amount / 1e9, ("tỷ" if lang == "vi" else "B")
    else:
        value, unit = amount / 1e6, ("triệu" if lang == "vi" else "M")
    sep = " " if lang == "vi" else ""
    return f"{number(value, lang, 2 if abs(value) < 10 else 1)}{sep}{unit} ₫"


def duration_hours(hours, lang: str = "vi") -> str:
    """How long something took: '45 phút', '5 giờ', '2 ngày 3 giờ' ('2 d 3 h' in English)."""
    if _missing(hours):
        return "—"
    minutes = max(0, round(float(hours) * 60))
    days, rest = divmod(minutes, 24 * 60)
    hrs, mins = divmod(rest, 60)
    units = ("ngày", "giờ", "phút") if lang == "vi" else ("d", "h", "min")
    parts = [f"{n} {u}" for n, u in zip((days, hrs, mins), units, strict=True) if n]
    if days:
        parts = parts[:2] if hrs else parts[:1]  # minutes do not matter after days
    return " ".join(parts) or f"0 {units[2]}"
