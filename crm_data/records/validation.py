"""Field validation shared by the forms and the importer.

Each validator takes raw user input and returns the clean value, or raises Invalid with
an i18n key (and values) that explains the problem in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from crm_data.domain.geo import find_province
from crm_data.domain.phones import InvalidPhone, normalize_phone
from crm_data.domain.text import fold
from crm_data.i18n import catalogue, choices
from crm_data.records.derived import tags_column
from crm_data.storage.models import Customer


@dataclass
class Invalid(ValueError):
    key: str  # i18n key, "invalid.<what>"
    values: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.key


# Every control character except tab and newline (a NUL cannot even be stored in a
# PostgreSQL text column), and lone surrogates, which no database encoding accepts.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Notes, bodies, resolutions: Text columns, kept whole up to this many characters.
LONG_TEXT = 100_000
# The largest amount one field may hold: far beyond any SME sale, far below BIGINT, so
# that points (INTEGER) and sums stay in range on PostgreSQL.
MAX_AMOUNT = 10**12
# The dates a report period may span: wide enough for any business's records, narrow
# enough that the previous period and last year stay valid dates.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
# Tags as typed; the stored ",a,b," form adds commas (and lower-casing may lengthen a few
# letters), so the column's own length is checked as well.
TAGS_MAX = 250
TAGS_COLUMN_MAX = Customer.__table__.c.tags.type.length
TAG_MAX = 64  # one tag (crm_data.storage.models.Tag.label)
# The largest id a URL may name: INTEGER primary keys on both engines.
MAX_ID = 2**31 - 1

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


def clean_text(value) -> str:
    """The text as typed minus control characters (CR LF and a lone CR become LF).
    Every text a form or an import stores passes here (required_text / optional_text)."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def url_number(raw, maximum: int = MAX_AMOUNT) -> int | None:
    """A whole number as a URL carries it ("42"), or None when it is anything else
    ("²", "1e400", "-1", more digits than `maximum` has)."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def record_id(raw) -> int | None:
    """A record id as a URL carries it, or None when it cannot name a record (not plain
    ASCII digits, zero, or beyond the id column's range)."""
    number = url_number(raw, MAX_ID)
    return number or None


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


def required_text(value, max_len: int = 200) -> str:
    text = "" if blank(value) else clean_text(value).strip()
    if not text:
        raise Invalid("invalid.required")
    if len(text) > max_len:
        raise Invalid("invalid.too_long", {"max": max_len})
    return text


def optional_text(value, max_len: int = 300) -> str | None:
    text = "" if blank(value) else clean_text(value).strip()
    if not text:
        return None
    if len(text) > max_len:
        raise Invalid("invalid.too_long", {"max": max_len})
    return text


def tags(value) -> str:
    """Tags as typed ("VIP, tết 2026") → ",tết 2026,VIP," ("" when none); the spelling
    first entered in the database replaces these in the write (crm_data.records.tags.canonical)."""
    column = tags_column(optional_text(value, TAGS_MAX) or "")
    if any(len(t) > TAG_MAX for t in column.split(",")):
        raise Invalid("invalid.too_long", {"max": TAG_MAX})
    if len(column) > TAGS_COLUMN_MAX:
        raise Invalid("invalid.too_long", {"max": TAGS_MAX})
    return column


def phone(value) -> tuple[str | None, bool]:
    """(E.164 or None, converted from an old 11-digit number)."""
    if blank(value):
        return None, False
    try:
        result = normalize_phone(str(value))
    except InvalidPhone as exc:
        raise Invalid("invalid.phone", {"value": str(value)}) from exc
    return result.e164, result.converted_from_old


def email(value) -> str | None:
    if blank(value):
        return None
    text = str(value).strip().lower()
    if len(text) > 254 or not _EMAIL.match(text):
        raise Invalid("invalid.email", {"value": str(value)})
    return text


def date(value, *, not_future: bool = False, min_year: int = 1900) -> dt.date | None:
    """dd/mm/yyyy (Vietnamese order first), yyyy-mm-dd, or a date / datetime object."""
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    else:
        text = str(value).strip()
        result = None
        for fmt in _DATE_FORMATS:
            try:
                result = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if result is None:
            raise Invalid("invalid.date", {"value": text})
    if result.year < min_year:
        raise Invalid("invalid.date", {"value": str(value)})
    if not_future:
        from crm_data.domain.clock import today

        if result > today():
            raise Invalid("invalid.future_date", {"value": str(value)})
    return result


def province(value) -> int | None:
    """Province code of the 34 in force; old (pre-2025) names are mapped."""
    if blank(value):
        return None
    if isinstance(value, int):
        from crm_data.domain.geo import by_code

        if value in by_code():
            return value
        raise Invalid("invalid.province", {"value": str(value)})
    found = find_province(str(value))
    if found is None:
        raise Invalid("invalid.province", {"value": str(value)})
    return found.code


def amount(value) -> int:
    """A non-negative whole number of đồng."""
    if blank(value):
        return 0
    if isinstance(value, bool):
        raise Invalid("invalid.amount", {"value": str(value)})
    if isinstance(value, int | float):
        number = value
    else:
        text = str(value).strip().replace("₫", "").replace("đ", "").replace(" ", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
            text = re.sub(r"[.,]", "", text)
        try:
            number = float(text)
        except ValueError as exc:
            raise Invalid("invalid.amount", {"value": str(value)}) from exc
    if number != number:  # NaN
        raise Invalid("invalid.amount", {"value": str(value)})
    if number < 0:
        raise Invalid("invalid.negative", {"value": str(value)})
    if number > MAX_AMOUNT:  # infinity too
        raise Invalid("invalid.amount_too_large", {"value": str(value)})
    if number != int(number):
        raise Invalid("invalid.amount", {"value": str(value)})
    return int(number)


def enum(field_name: str, value, *, required: bool = False) -> str | None:
    """A known enumeration value, given as its key or its label in either language."""
    if blank(value):
        if required:
            raise Invalid("invalid.required")
        return None
    text = str(value).strip()
    known = choices(field_name)
    if text in known:
        return text
    folded = fold(text)
    for key in known:
        vi, en = catalogue()[f"enum.{field_name}.{key}"]
        if folded in (fold(vi), fold(en), fold(key.replace("_", " "))):
            return key
    raise Invalid("invalid.choice", {"value": text, "choices": ", ".join(known)})
