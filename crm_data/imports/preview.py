"""What the import page shows before anything is written: the file's sheets and columns, the
detected mapping, the first rows as they will be stored, and a dry run of the whole file.
Each function takes the engine first so the page can cache it (crm_ui.cache.query)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from crm_data.imports.mapping import Mapping, apply_saved, detect
from crm_data.imports.reading import read_table
from crm_data.imports.run import ImportResult, context, convert_rows, import_file
from crm_data.scope import Scope

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
            n: int = PREVIEW_ROWS) -> tuple[pd.DataFrame, list]:
    """(first n rows as stored: row number + field columns, [(row, issues)] for them)."""
    table = read_table(data, name, sheet)
    used: Mapping = dict(mapping)
    rows = convert_rows(table, kind, used, context(engine, scope), limit=n)
    fields = [f for f in used.values() if f]
    records = []
    for r in rows:
        values = r.values
        records.append({"_row": r.number, **{f: _shown(values, f) for f in fields}})
    issues = [(r.number, r.issues) for r in rows if r.issues]
    return pd.DataFrame.from_records(records, columns=["_row", *fields]), issues


def _shown(values: dict, field: str):
    """The stored value of a field (province → its code, owner → user id, …)."""
    stored = {"province": "province_code", "owner": "owner_id", "user": "user_id",
              "order_date": "ordered_at", "customer_code": "customer_code"}.get(field, field)
    value = values.get(stored)
    return None if value is None else str(value)


def validate(engine: Engine, scope: Scope, data: bytes, name: str, kind: str, sheet: str | None,
             mapping: tuple[tuple[str, str | None], ...], duplicates: str,
             create_missing: bool) -> ImportResult:
    """The whole file checked against the database, nothing written (a dry run)."""
    return import_file(engine, scope, data, kind, name=name, sheet=sheet,
                       mapping={"columns": dict(mapping)}, on_error="skip",
                       duplicates=duplicates, create_missing_customers=create_missing,
                       dry_run=True)
