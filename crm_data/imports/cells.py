"""One file row being turned into field values: every bad cell leaves an Issue naming its
column, every converted value (old phone number, old province name) leaves a note."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers

from crm_data.accounts.scope import Scope
from crm_data.domain.geo import by_code, find_province
from crm_data.domain.text import fold
from crm_data.imports.errors import Issue
from crm_data.records import validation as v
from crm_data.records.validation import Invalid


@dataclass
class Context:
    """What row conversion needs besides the row: the actor, users by name, a memo of
    parsed values (enumerations and provinces repeat across thousands of rows)."""

    scope: Scope
    users: dict[str, int] = field(default_factory=dict)  # folded username / display name → id
    questions: list = field(default_factory=list)  # the lead-scoring questionnaire (active)
    memo: dict = field(default_factory=dict)

    def user_id(self, name) -> int:
        found = self.users.get(fold(str(name)))
        if found is None:
            raise Invalid("import.invalid.user", {"value": str(name)})
        return found


class Row:
    def __init__(self, number: int, cells: dict[str, tuple[str, object]], ctx: Context):
        self.number = number
        self.cells = cells  # field → (file header, raw cell)
        self.ctx = ctx
        self.issues: list[Issue] = []
        self.notes: list[Issue] = []

    def has(self, name: str) -> bool:
        return name in self.cells and not v.blank(self.cells[name][1])

    def get(self, name: str, fn, *args, memo: bool = False, **kwargs):
        """fn(raw cell) or None (absent column or bad cell; the latter is recorded)."""
        if name not in self.cells:
            return None
        header, raw = self.cells[name]
        try:
            if memo:
                key = (name, fn, raw if not isinstance(raw, str) else raw.strip())
                hit = self.ctx.memo.get(key)
                if hit is None:
                    try:
                        hit = (fn(raw, *args, **kwargs), None)
                    except Invalid as exc:
                        hit = (None, exc)
                    self.ctx.memo[key] = hit
                if hit[1] is not None:
                    raise hit[1]
                return hit[0]
            return fn(raw, *args, **kwargs)
        except Invalid as exc:
            self.issues.append(Issue(exc.key, dict(exc.values), header))
            return None

    def require(self, name: str, fn, *args, **kwargs):
        if not self.has(name):
            header = self.cells[name][0] if name in self.cells else None
            self.issues.append(Issue("invalid.required", {}, header))
            return None
        return self.get(name, fn, *args, **kwargs)

    def phone(self, name: str = "phone") -> str | None:
        result = self.get(name, _phone)
        if result is None:
            return None
        e164, converted = result
        if converted:
            self.notes.append(Issue("import.note.phone_converted",
                                    {"old": str(self.cells[name][1]).strip(), "new": e164},
                                    self.cells[name][0]))
        return e164

    def province(self, name: str = "province") -> int | None:
        code = self.get(name, v.province, memo=True)
        if code is not None:
            raw = str(self.cells[name][1]).strip()
            key = ("province_note", raw)
            if key not in self.ctx.memo:
                self.ctx.memo[key] = _old_province_note(raw, code)
            note = self.ctx.memo[key]
            if note is not None:
                self.notes.append(Issue(note.key, note.values, self.cells[name][0]))
        return code


def _old_province_note(raw: str, code: int) -> Issue | None:
    """A note when the cell names a province merged away on 1 July 2025."""
    official = by_code()[code]
    if fold(raw) in (fold(official.name), fold(official.short_name)):
        return None
    key = fold(raw).removeprefix("tinh ").removeprefix("thanh pho ").strip()
    if find_province(raw) is None or key not in _old_names():
        return None
    return Issue("import.note.province_mapped", {"old": raw, "new": official.name})


@lru_cache(maxsize=1)
def _old_names() -> frozenset[str]:
    from crm_data.domain.geo import old_province_names

    return frozenset(fold(old) for old, new in old_province_names()
                     if fold(old) != fold(new).removeprefix("tinh ").removeprefix("thanh pho "))


_LOCAL_MOBILE = re.compile(r"^0([1-9]\d{8})$")


def _phone(value) -> tuple[str | None, bool]:
    """validation.phone, with a shortcut for the common '0xxxxxxxxx' spelling that skips
    re-parsing the text (the same validity check of the same number; 3× faster)."""
    if isinstance(value, str):
        m = _LOCAL_MOBILE.match(value.strip())
        if m:
            number = phonenumbers.PhoneNumber(country_code=84, national_number=int(m.group(1)))
            if phonenumbers.is_valid_number(number):
                return "+84" + m.group(1), False
    return v.phone(value)


@lru_cache(maxsize=64)
def enum_parser(field_name: str):
    """validation.enum for one enumeration, as a one-argument function (memo-friendly)."""
    def parse(value):
        return v.enum(field_name, value)
    parse.__name__ = f"enum_{field_name}"
    return parse
