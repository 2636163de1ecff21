"""What the import page shows before anything is written: the file's sheets and columns, the
detected mapping, the first rows as they will be stored, and a dry run of the whole file.
Each function takes the engine first so the page can cache it (crm_ui.cache.query)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from crm_data.accounts.auth import user_names
from crm_data.accounts.scope import Scope
from crm_data.domain import formatting
from crm_data.domain.geo import by_code
from crm_data.i18n import label, t
from crm_data.imports.mapping import Mapping, apply_saved, detect
from crm_data.imports.reading import read_table
from crm_data.imports.run import ImportResult, context, convert_rows, import_file

PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Upload:
    headers: tuple[str, ...]
    sheets: tuple[str, ...]
    sheet: str | None
    rows: int
    detected: tuple[tuple[str, str | None], ...]


def inspect(engine: Engine, data: bytes, name: str, kind: str, sheet: str | None = None,
            saved: dict | None = None) -> Upload:
    del engine
    table = read_table(data, name, sheet)
    mapping = detect(table.headers, kind) if saved is None else apply_saved(
        table.headers, kind, saved)
    return Upload(tuple(table.headers), tuple(table.sheets), table.sheet, len(table.rows),
                  tuple(mapping.items()))


def preview(engine: Engine, scope: Scope, data: bytes, name: str, kind: str,
            sheet: str | None, mapping: tuple[tuple[str, str | None], ...],
            n: int = PREVIEW_ROWS, lang: str = "vi") -> tuple[pd.DataFrame, list]:
    """(first n rows as they will be stored, written for a person: row number + field
    columns, [(row, issues)] for them)."""
    table = read_table(data, name, sheet)
    used: Mapping = dict(mapping)
    rows = convert_rows(table, kind, used, context(engine, scope), limit=n)
    fields = [f for f in used.values() if f]
    users = user_names(engine) if {"owner", "user"} & set(fields) else {}
    records = []
    for r in rows:
        values = r.values
        records.append({"_row": r.number,
                        **{f: _shown(values, f, kind, lang, users) for f in fields}})
    issues = [(r.number, r.issues) for r in rows if r.issues]
    return pd.DataFrame.from_records(records, columns=["_row", *fields]), issues


# Field → the stored column it becomes, where the names differ.
_STORED = {"province": "province_code", "owner": "owner_id", "user": "user_id",
           "order_date": "ordered_at"}
# Field → enumeration of its stored value, per kind of file ("kind" / "channel" differ).
_ENUMS = {"gender": "gender", "source": "source", "preferred_channel": "channel",
          "occupation": "occupation", "income_band": "income_band", "education": "education",
          "marital_status": "marital_status", "industry": "industry",
          "payment_method": "payment_method", "status": "order_status", "outcome": "outcome"}
_KIND_ENUMS = {("customers", "kind"): "kind", ("interactions", "kind"): "interaction_kind",
               ("orders", "channel"): "order_channel"}
_MONEY = {"unit_price", "discount", "amount", "paid_amount", "cost"}


def _shown(values: dict, field: str, kind: str, lang: str, users: dict):
    """The stored value of a field as the user reads it: labels, province and user names,
    dd/mm/yyyy, 0912 345 678, VND; blank when nothing will be stored."""
    value = values.get(_STORED.get(field, field))
    if value is None or value == "":
        return ""
    enum = _KIND_ENUMS.get((kind, field)) or _ENUMS.get(field)
    if enum:
        return label(enum, value, lang)
    if field == "province":
        prov = by_code().get(int(value))
        return prov.short_name if prov else str(value)
    if field in ("owner", "user"):
        return users.get(int(value), str(value))
    if field == "phone":
        return formatting.phone(value)
    if field == "consent":
        return t("common.yes" if value else "common.no", lang)
    if field in _MONEY:
        return formatting.vnd(value, lang)
    if isinstance(value, dt.datetime):
        stamp = formatting.date(value, lang)
        return stamp if value.time() == dt.time() else f"{stamp} {value:%H:%M}"
    if isinstance(value, dt.date):
        return formatting.date(value, lang)
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    if isinstance(value, int | float):
        return formatting.number(value, lang)
    return str(value)


def validate(engine: Engine, scope: Scope, data: bytes, name: str, kind: str, sheet: str | None,
             mapping: tuple[tuple[str, str | None], ...], duplicates: str,
             create_missing: bool) -> ImportResult:
    """The whole file checked against the database, nothing written (a dry run)."""
    return import_file(engine, scope, data, kind, name=name, sheet=sheet,
                       mapping={"columns": dict(mapping)}, on_error="skip",
                       duplicates=duplicates, create_missing_customers=create_missing,
                       dry_run=True)
