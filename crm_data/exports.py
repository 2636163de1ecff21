"""Export exactly the filtered (or selected) customers as CSV or XLSX.

- Same WHERE as the list (scope + CustomerFilter), so the file holds the rows on screen.
- Streamed: rows come from a server-side cursor in chunks and go straight to the file
  (csv.writer / xlsxwriter in constant_memory mode); no frame of 100,000 rows is built.
- Safe in Excel: text starting with = + - @ tab or CR gets a leading apostrophe
  (crm_data.spreadsheet.neutralise); numbers stay numbers.
- CSV is UTF-8 with a BOM so Excel shows Vietnamese correctly; headers are in the
  user's language (Vietnamese by default).
- Every export is in the audit log with the filter's query string and the row count.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from crm_data import audit, geo
from crm_data.clock import today
from crm_data.db import unit_of_work
from crm_data.filters import CustomerFilter
from crm_data.i18n import choices, label, t
from crm_data.models import Customer, CustomerStats, User
from crm_data.reports.base import customer_where
from crm_data.scope import Scope
from crm_data.spreadsheet import neutralise

FORMATS = ("csv", "xlsx")
CHUNK = 5000
# (column key, header i18n key "col.<key>")
COLUMNS = (
    "code", "full_name", "phone", "email", "gender", "birth_date", "address", "province",
    "region", "kind", "company", "source", "owner", "lifecycle_stage", "pipeline_stage", "tier",
    "groups", "tags", "consent", "created_at", "first_order_date", "last_order_date",
    "orders_count", "total_spend", "debt", "points",
)
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _query(scope: Scope, flt: CustomerFilter | None):
    owner = aliased(User, name="owner_user")
    return (
        select(
            Customer.code, Customer.full_name, Customer.phone, Customer.email, Customer.gender,
            Customer.birth_date, Customer.address, Customer.province_code, Customer.region,
            Customer.kind, Customer.company, Customer.source, owner.display_name,
            Customer.lifecycle_stage, Customer.pipeline_stage, CustomerStats.tier,
            CustomerStats.groups, Customer.tags, Customer.consent, Customer.created_at,
            CustomerStats.first_order_date, CustomerStats.last_order_date,
            CustomerStats.orders_count, CustomerStats.total_spend, CustomerStats.debt,
            CustomerStats.points,
        )
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(*customer_where(scope, flt, today()))
        .order_by(Customer.code, Customer.id)
    )


# Enumeration columns exported as labels in the user's language: index → enum field.
_ENUMS = {4: "gender", 8: "region", 9: "kind", 11: "source", 13: "lifecycle_stage",
          14: "pipeline_stage", 15: "tier"}


def iter_rows(engine: Engine, scope: Scope, flt: CustomerFilter | None,
              chunk: int = CHUNK, lang: str = "vi") -> Iterator[tuple]:
    """The export's rows in order, fetched `chunk` at a time from a server-side cursor."""
    if not (scope.can_export and scope.can_see_personal_data):
        raise PermissionError(f"role {scope.role!r} may not export personal data")
    names = {p.code: p.short_name for p in geo.provinces()}
    labels = {f: {v: label(f, v, lang) for v in choices(f)} for f in _ENUMS.values()}
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(
            _query(scope, flt))
        for part in result.partitions():
            for row in part:
                row = list(row)
                row[2] = _national(row[2])
                row[7] = names.get(row[7]) if row[7] is not None else None  # province name
                for i, field in _ENUMS.items():
                    if row[i] is not None:
                        row[i] = labels[field].get(row[i], row[i])
                row[16] = (row[16] or "").strip(",").replace(",", ", ")  # groups
                row[17] = (row[17] or "").strip(",").replace(",", ", ")  # tags
                yield tuple(neutralise(v) for v in row)


def _national(phone: str | None) -> str | None:
    """+84912345678 → 0912345678: how people write it, and no leading '+' for Excel."""
    if phone and phone.startswith("+84"):
        return "0" + phone[3:]
    return phone


def headers(lang: str = "vi") -> list[str]:
    return [t(f"cust.col.{key}", lang) for key in COLUMNS]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return value


def write_csv(rows, out: BinaryIO, lang: str = "vi") -> int:
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(headers(lang))
        n = 0
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
            n += 1
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller
    return n


def write_xlsx(rows, out: BinaryIO | str, lang: str = "vi") -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": not isinstance(out, str),
                                     "strings_to_formulas": False, "strings_to_numbers": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet(t("cust.export.sheet", lang)[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    money = book.add_format({"num_format": "#,##0"})
    money_cols = {COLUMNS.index(k) for k in ("total_spend", "debt")}
    sheet.write_row(0, 0, headers(lang), bold)
    n = 0
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(n, col, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(n, col, value, stamp)
            elif isinstance(value, dt.date):
                sheet.write_datetime(n, col, value, day)
            elif isinstance(value, int | float):
                sheet.write_number(n, col, value, money if col in money_cols else None)
            else:
                sheet.write_string(n, col, str(value))  # never a formula
    book.close()
    return n


def export_customers(engine: Engine, scope: Scope, flt: CustomerFilter | None, fmt: str,
                     out: BinaryIO | str | Path, lang: str = "vi") -> int:
    """Write the filtered customers to `out` (a path or a binary file); returns the row
    count and records the export in the audit log."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    flt = flt or CustomerFilter()
    rows = iter_rows(engine, scope, flt, lang=lang)
    if isinstance(out, str | Path):
        if fmt == "xlsx":
            n = write_xlsx(rows, str(out), lang)
        else:
            with open(out, "wb") as fh:
                n = write_csv(rows, fh, lang)
    else:
        n = write_xlsx(rows, out, lang) if fmt == "xlsx" else write_csv(rows, out, lang)
    with unit_of_work(engine) as s:
        audit.record(s, scope, "export", "customers", None,
                     detail={"filter": flt.query_string(), "rows": n, "format": fmt},
                     changes_data=False)
    return n


def export_bytes(engine: Engine, scope: Scope, flt: CustomerFilter | None, fmt: str,
                 lang: str = "vi") -> bytes:
    """The export as bytes (the page's download button)."""
    buf = io.BytesIO()
    export_customers(engine, scope, flt, fmt, buf, lang)
    return buf.getvalue()
