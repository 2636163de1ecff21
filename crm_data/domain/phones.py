"""Vietnamese phone numbers → E.164, including pre-2018 11-digit mobile numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

# Old 11-digit mobile prefixes (after the leading 0) renumbered in 2018.
OLD_MOBILE_PREFIXES = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37",
    "168": "38", "169": "39", "120": "70", "121": "79", "122": "77", "126": "76",
    "128": "78", "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    "186": "56", "188": "58", "199": "59",
}

_NON_DIGITS = re.compile(r"[^\d+]")


@dataclass(frozen=True)
class PhoneResult:
    e164: str
    converted_from_old: bool = False


class InvalidPhone(ValueError):
    pass


def _national_digits(raw: str) -> str | None:
    s = _NON_DIGITS.sub("", raw)
    if s.startswith("+84"):
        return s[3:]
    if s.startswith("0084"):
        return s[4:]
    if s.startswith("84") and len(s) >= 11:
        return s[2:]
    if s.startswith("0"):
        return s[1:]
    return None


def normalize_phone(raw: str | None) -> PhoneResult:
    """E.164 for any common spelling; old 11-digit mobiles are renumbered (and say so)."""
    if raw is None or not str(raw).strip():
        raise InvalidPhone("empty")
    text = str(raw).strip()
    national = _national_digits(text)
    converted = False
    if national and len(national) == 10 and national[:3] in OLD_MOBILE_PREFIXES:
        national = OLD_MOBILE_PREFIXES[national[:3]] + national[3:]
        converted = True
    candidate = "+84" + national if national else text
    try:
        parsed = phonenumbers.parse(candidate, "VN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from exc
    if parsed.country_code != 84 or not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(text)
    return PhoneResult(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), converted)


def try_normalize_phone(raw: str | None) -> str | None:
    try:
        return normalize_phone(raw).e164
    except InvalidPhone:
        return None


def phone_search_digits(raw: str) -> str | None:
    """National significant digits of something that looks like a phone, for search."""
    e164 = try_normalize_phone(raw)
    return e164[3:] if e164 else None
