"""Cells as spreadsheets and other systems write them, beyond crm_data.records.validation: amounts
with thousands separators, currency signs and "1,2tr" shorthand; Excel serial dates;
dates with a time; quantities; yes / no.

Anything that could be read two ways is rejected with a reason rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from crm_data.domain.clock import today
from crm_data.records import validation as v
from crm_data.records.validation import Invalid

# Excel's day 0 is 30/12/1899 (the 1900 leap-year bug folded in for serials after Feb 1900).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 61, 2958465  # 01/03/1900 … 31/12/9999

_CURRENCY = re.compile(r"(₫|vnđ|vnd|đồng|dong|đ|d)$", re.IGNORECASE)
_LEADING_CURRENCY = re.compile(r"^(₫|vnd)\s*", re.IGNORECASE)
_UNITS = {  # shorthand for a multiple of đồng
    "k": 1_000, "nghìn": 1_000, "nghin": 1_000, "ngàn": 1_000, "ngan": 1_000,
    "tr": 1_000_000, "triệu": 1_000_000, "trieu": 1_000_000, "m": 1_000_000,
    "tỷ": 1_000_000_000, "tỉ": 1_000_000_000, "ty": 1_000_000_000, "ti": 1_000_000_000,
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_SHORTHAND = re.compile(rf"^(\d+(?:[.,]\d+)?)\s*({_UNIT_RE})(\d*)$", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}([.,\s])\d{3}(\1\d{3})*$")
_DATE_TIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
)


def text(value) -> str | None:
    """A cell as text, as typed ('=1+2' stays '=1+2'); whole floats lose their '.0'."""
    if v.blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def amount(value) -> int:
    """Whole đồng ≥ 0: 1234567, '1.234.567', '1,234,567 ₫', '1 234 567đ', '1,2tr',
    '1.5 triệu', '2tr5' (2,5 triệu), '500k'. Fractions of a đồng and ambiguous forms
    ('1,5', '12.50') are rejected."""
    if v.blank(value):
        return 0
    if isinstance(value, bool):
        raise Invalid("invalid.amount", {"value": str(value)})
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)  # most cells of a file: plain digits (400,000 per 100,000 orders)
    if isinstance(value, int | float):
        return _whole(Decimal(str(value)), value)
    raw = str(value)
    s = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    negative = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("()").lstrip("-+").strip()
    s = _CURRENCY.sub("", s).strip()
    s = _LEADING_CURRENCY.sub("", s).strip()
    if not s:
        raise Invalid("invalid.amount", {"value": raw})
    m = _SHORTHAND.match(s)
    if m:
        number, unit, tail = m.groups()
        if tail and re.search(r"[.,]", number):
            raise Invalid("invalid.amount", {"value": raw})
        digits = number.replace(",", ".") + ("." + tail if tail else "")
        try:
            result = Decimal(digits) * _UNITS[unit.lower()]
        except InvalidOperation as exc:
            raise Invalid("invalid.amount", {"value": raw}) from exc
    elif s.isdigit():
        result = Decimal(s)
    elif _GROUPED.match(s):
        result = Decimal(re.sub(r"[.,\s]", "", s))
    else:
        # '1,5' / '12.50' / '1.234,5': a fraction of a đồng, or a typo: never guess.
        raise Invalid("invalid.amount", {"value": raw})
    if negative and result != 0:
        raise Invalid("invalid.negative", {"value": raw})
    return _whole(result, raw)


def _whole(number: Decimal, raw) -> int:
    if number < 0:
        raise Invalid("invalid.negative", {"value": str(raw)})
    if number != number.to_integral_value():
        raise Invalid("invalid.amount", {"value": str(raw)})
    return int(number)


def quantity(value) -> int:
    """A whole number ≥ 1 (blank: 1)."""
    if v.blank(value):
        return 1
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise Invalid("import.invalid.quantity", {"value": str(value)}) from exc
    if number < 1 or number != number.to_integral_value() or number > 1_000_000:
        raise Invalid("import.invalid.quantity", {"value": str(value)})
    return int(number)


def excel_serial(value) -> dt.datetime | None:
    """A spreadsheet date serial (days since 30/12/1899) when `value` looks like one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{5}(\.\d+)?", value.strip()):
        number = float(value.strip())
    else:
        return None
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        return None
    return (EXCEL_EPOCH + dt.timedelta(days=number)).replace(microsecond=0)


def timestamp(value, *, not_future: bool = False) -> dt.datetime | None:
    """A date with an optional time: dd/mm/yyyy [HH:MM[:SS]], yyyy-mm-dd [HH:MM[:SS]],
    Excel serials (fraction = time of day), date / datetime cells."""
    if v.blank(value):
        return None
    if isinstance(value, dt.datetime):
        result = value.replace(microsecond=0)
    elif isinstance(value, dt.date):
        result = dt.datetime.combine(value, dt.time(0))
    else:
        result = excel_serial(value)
        if result is None and isinstance(value, int | float):
            raise Invalid("invalid.date", {"value": str(value)})
        if result is None:
            s = " ".join(str(value).split())
            result = _fast_date(s)
        if result is None:
            for fmt in _DATE_TIME_FORMATS:
                try:
                    result = dt.datetime.strptime(s, fmt)
                    break
                except ValueError:
                    continue
            if result is None:
                day = v.date(s)  # dd/mm/yyyy first; raises Invalid with the value
                result = dt.datetime.combine(day, dt.time(0))
    if result.year < 1900:
        raise Invalid("invalid.date", {"value": str(value)})
    if not_future:
        if result.date() > today():
            raise Invalid("invalid.future_date", {"value": text(value)})
    return result


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _fast_date(s: str) -> dt.datetime | None:
    """The two common spellings without strptime (which is slow when tried in turn)."""
    m = _DMY.match(s)
    if m:
        d, mo, y = m.group(1, 2, 3)
    else:
        m = _YMD.match(s)
        if not m:
            return None
        y, mo, d = m.group(1, 2, 3)
    hh, mm, ss = (int(x) if x else 0 for x in m.group(4, 5, 6))
    try:
        return dt.datetime(int(y), int(mo), int(d), hh, mm, ss)
    except ValueError as exc:
        raise Invalid("invalid.date", {"value": s}) from exc


def date(value, *, not_future: bool = False) -> dt.date | None:
    result = timestamp(value, not_future=not_future)
    return result.date() if result is not None else None


_YES = {"1", "x", "co", "có", "yes", "y", "true", "dong y", "đồng ý", "ok"}
_NO = {"0", "khong", "không", "no", "n", "false", "tu choi", "từ chối"}


def yes_no(value) -> bool | None:
    if v.blank(value):
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if isinstance(value, int | float):
        s = str(int(value)) if float(value).is_integer() else s
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise Invalid("import.invalid.yes_no", {"value": str(value)})
