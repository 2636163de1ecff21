"""The complaints desk's list as a person reads it, on screen and in the export (the same
headers and labels; the CSV keeps numbers as numbers), and the export of exactly the
filtered list, every row of it, audited like the customer export."""

from __future__ import annotations

import dataclasses

import pandas as pd
from sqlalchemy import Engine

from crm_data import audit
from crm_data.accounts.auth import user_names
from crm_data.accounts.scope import Scope
from crm_data.daily.complaints import DeskFilter, list_feedback
from crm_data.domain.spreadsheet import csv_bytes
from crm_data.i18n import t
from crm_data.reports.display import present

COLUMNS = ("overdue", "id", "opened_at", "code", "full_name", "kind", "status", "subject",
           "owner_id", "age_days", "reopens", "resolved_at")
ENUMS = {"kind": "feedback_kind", "status": "feedback_status"}


def headers(columns, lang: str) -> dict:
    return {c: t(f"complaints.col.{c}", lang) for c in columns}


def shown(rows: pd.DataFrame, lang: str, owners: dict, csv: bool = False) -> pd.DataFrame:
    """Overdue as a warning mark (a word, not a colour), labels, owner names, dd/mm/yyyy."""
    df = rows[list(COLUMNS)].assign(
        overdue=rows["overdue"].map(lambda v: t("complaints.overdue_icon", lang) if v else ""),
        age_days=rows["age_days"].map(lambda v: round(float(v), 1)),
    )
    return present(df, lang, csv=csv, enums=ENUMS, owners=owners, dates=("opened_at", "resolved_at"),
                   nums=("reopens",), decimals=("age_days",), headers=headers(COLUMNS, lang))


def export_csv(engine: Engine, scope: Scope, flt: DeskFilter, lang: str = "vi") -> bytes:
    """Every row matching `flt` (not only the rows the page shows), as CSV; audited."""
    rows = list_feedback(engine, scope, flt, limit=None).rows
    data = csv_bytes(shown(rows, lang, user_names(engine), csv=True))
    used = {k: str(v) for k, v in dataclasses.asdict(flt).items() if v not in (None, "", (), False)}
    audit.log(engine, scope, "export", "feedback", None,
              detail={"filter": used, "rows": len(rows), "format": "csv"})
    return data
