"""Export exactly the filtered (or selected) customers as CSV or XLSX.

- Same WHERE as the list (scope + CustomerFilter), so the file holds the rows on screen.
- Streamed: rows come from a server-side cursor in chunks and go straight to the file
  (csv.writer / crm_data.domain.xlsx_stream); no frame of 100,000 rows is built.
- Safe in Excel: in the XLSX every text is a string cell, which is never evaluated, so
  "=1+2" shows as written; the CSV has no cell types, so there text starting with
  = + - @ tab or CR gets a leading apostrophe (crm_data.domain.spreadsheet.neutralise).
  Numbers stay numbers, dates are dates in the XLSX.
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

from sqlalchemy import Engine, String, cast, select
from sqlalchemy.orm import aliased

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.domain import geo, xlsx_stream
from crm_data.domain.clock import today
from crm_data.domain.labels import GROUPS
from crm_data.domain.spreadsheet import FORMULA_PREFIXES, neutralise
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where
from crm_data.i18n import choices, label, t
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, CustomerStats, User

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


def _iso(col):
    """Dates as ISO text straight from the database ('2026-11-20[ 10:50:02…]' on SQLite and
    PostgreSQL alike): parsing 100,000 of them into objects costs more than the query."""
    return cast(col, String).label(col.key)


def _query(scope: Scope, flt: CustomerFilter | None):
    owner = aliased(User, name="owner_user")
    return (
        select(
            Customer.code, Customer.full_name, Customer.phone, Customer.email, Customer.gender,
            _iso(Customer.birth_date), Customer.address, Customer.province_code, Customer.region,
            Customer.kind, Customer.company, Customer.source, owner.display_name,
            Customer.lifecycle_stage, Customer.pipeline_stage, CustomerStats.tier,
            CustomerStats.groups, Customer.tags, Customer.consent, _iso(Customer.created_at),
            _iso(CustomerStats.first_order_date), _iso(CustomerStats.last_order_date),
            CustomerStats.orders_count, CustomerStats.total_spend, CustomerStats.debt,
            CustomerStats.points,
        )
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(*customer_where(scope, flt, today()))
        .order_by(Customer.code, Customer.id)
    )


# Columns holding text (dates are ISO text, see _iso; consent becomes Có / Không); only these
# can hold a formula.
TEXT_COLUMNS = tuple(i for i, k in enumerate(COLUMNS) if k not in (
    "orders_count", "total_spend", "debt", "points"))
# Column widths of the XLSX (characters); a column not listed gets its header's width.
WIDTHS = {COLUMNS.index(k): w for k, w in (
    ("code", 11), ("full_name", 24), ("phone", 13), ("email", 26), ("birth_date", 11),
    ("address", 36), ("province", 16), ("company", 22), ("owner", 16), ("groups", 24),
    ("tags", 20), ("created_at", 16), ("first_order_date", 12), ("last_order_date", 12),
    ("total_spend", 14), ("debt", 12))}
DATE_COLUMNS = tuple(COLUMNS.index(k) for k in ("birth_date", "first_order_date", "last_order_date"))
STAMP_COLUMN = COLUMNS.index("created_at")
XLSX_FORMATS = {**dict.fromkeys(DATE_COLUMNS, xlsx_stream.DAY), STAMP_COLUMN: xlsx_stream.STAMP,
                COLUMNS.index("total_spend"): xlsx_stream.MONEY, COLUMNS.index("debt"): xlsx_stream.MONEY}


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
    group_names = {g: t(f"cust.group.{g}", lang) for g in GROUPS}
    yes_no = {True: t("common.yes", lang), False: t("common.no", lang)}
    enums = list(_ENUMS.items())
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(
            _query(scope, flt))
        for part in result.partitions():
            for row in part:
                row = list(row)
                row[2] = _national(row[2])
                row[7] = names.get(row[7]) if row[7] is not None else None  # province name
                for i, field in enums:
                    if row[i] is not None:
                        row[i] = labels[field].get(row[i], row[i])
                row[16] = ", ".join(group_names.get(g, g) for g in (row[16] or "").split(",") if g)
                row[18] = None if row[18] is None else yes_no[bool(row[18])]  # consent: Có / Không
                row[17] = (row[17] or "").strip(",").replace(",", ", ")  # tags
                yield row


def _national(phone: str | None) -> str | None:
    """+84912345678 → 0912345678: how people write it, and no leading '+' for Excel."""
    if phone and phone.startswith("+84"):
        return "0" + phone[3:]
    return phone


def headers(lang: str = "vi") -> list[str]:
    return [t(f"cust.col.{key}", lang) for key in COLUMNS]


def _dmy(iso: str | None) -> str | None:
    """'2026-11-20…' → '20/11/2026'."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else iso


def _dmy_hm(iso: str | None) -> str | None:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]} {iso[11:16]}" if iso else iso


def write_csv(rows, out: BinaryIO, lang: str = "vi") -> int:
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(headers(lang))
        n = 0
        for row in rows:
            for i in DATE_COLUMNS:
                row[i] = _dmy(row[i])
            row[STAMP_COLUMN] = _dmy_hm(row[STAMP_COLUMN])
            for i in TEXT_COLUMNS:  # a CSV has no cell types: formula-like text gets a "'"
                v = row[i]
                if v and v[0] in FORMULA_PREFIXES:
                    row[i] = neutralise(v)
            writer.writerow(row)
            n += 1
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller
    return n


def write_xlsx(rows, out: BinaryIO | str, lang: str = "vi") -> int:
    """Streamed into a string-typed sheet (crm_data.domain.xlsx_stream): formula-like text stays
    text without the CSV's apostrophe, dates are dates, money and counts are numbers."""
    return xlsx_stream.write_sheet(_xlsx_typed(rows), out, t("cust.export.sheet", lang),
                                   headers(lang), formats=XLSX_FORMATS, widths=WIDTHS)


def _xlsx_typed(rows):
    """ISO date text (see _iso) → date / datetime objects, which the writer stores as dates."""
    fromdate, fromstamp = dt.date.fromisoformat, dt.datetime.fromisoformat
    for row in rows:
        for i in DATE_COLUMNS:
            if row[i]:
                row[i] = fromdate(row[i][:10])
        if row[STAMP_COLUMN]:
            row[STAMP_COLUMN] = fromstamp(row[STAMP_COLUMN][:19])
        yield row


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
