"""One file row being turned into field values: every bad cell leaves an Issue naming its
column, every converted value (old phone number, old province name) leaves a note."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from crm_data import validation as v
from crm_data.geo import by_code, find_province
from crm_data.imports.errors import Issue
from crm_data.scope import Scope
from crm_data.text import fold
from crm_data.validation import Invalid


@dataclass
class Context:
    """What row conversion needs besides the row: the actor, users by name, a memo of
    parsed values (enumerations and provinces repeat across thousands of rows)."""

    scope: Scope
    users: dict[str, int] = field(default_factory=dict)  # folded username / display name → id
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
        result = self.get(name, v.phone)
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
            official = by_code()[code]
            if fold(raw) not in (fold(official.name), fold(official.short_name)):
                found = find_province(raw)
                if found is not None and self._is_old_name(raw):
                    self.notes.append(Issue("import.note.province_mapped",
                                            {"old": raw, "new": official.name},
                                            self.cells[name][0]))
        return code

    @staticmethod
    def _is_old_name(raw: str) -> bool:
        from crm_data.geo import old_province_names

        olds = _old_names_folded(old_province_names)
        key = fold(raw).removeprefix("tinh ").removeprefix("thanh pho ").strip()
        return key in olds


_OLD: set[str] = set()


def _old_names_folded(source) -> set[str]:
    if not _OLD:
        for old, new in source():
            if fold(old) != fold(new).removeprefix("tinh ").removeprefix("thanh pho "):
                _OLD.add(fold(old))
    return _OLD


@lru_cache(maxsize=64)
def enum_parser(field_name: str):
    """validation.enum for one enumeration, as a one-argument function (memo-friendly)."""
    def parse(value):
        return v.enum(field_name, value)
    parse.__name__ = f"enum_{field_name}"
    return parse
