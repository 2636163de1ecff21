"""How the Receivables and Cash book pages show their frames: the money columns, dates,
labels and headers (money.col.* in the catalogue) for crm_data.reports.display.present."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_data.domain.spreadsheet import csv_bytes
from crm_data.reports.display import present
from crm_ui import widgets
from crm_ui.i18n import t
from crm_ui.state import lang

MONEY = ("amount", "billed", "paid", "open", "overdue", "not_due", "d1_30", "d31_60", "d61_90",
         "d90_plus", "credit", "collected", "outstanding", "receipt", "payment", "receipts",
         "payments", "balance")
DATES = ("order_date", "due_on", "end", "entry_date")
ENUMS = {"kind": "cash_kind", "category": "cash_category", "method": "payment_method"}
HIDDEN = ("customer_id", "order_id", "owner_id", "id")


def _fmt(df: pd.DataFrame, granularity: str | None = None) -> dict:
    return {"headers": {c: t(f"money.col.{c}") for c in df.columns}, "money": MONEY,
            "dates": DATES, "enums": ENUMS, "keys": {"age": "money.age."},
            "nums": ("days_past_due", "entries", "orders", "customers"), "granularity": granularity}


def shown(df: pd.DataFrame, granularity: str | None = None, csv: bool = False) -> pd.DataFrame:
    df = df.drop(columns=[c for c in HIDDEN if c in df.columns])
    return present(df, lang(), csv=csv, **_fmt(df, granularity))


def table(df: pd.DataFrame, granularity: str | None = None, **kwargs):
    return st.dataframe(shown(df, granularity), hide_index=True, width="stretch", **kwargs)


def download(make, name: str, rows: int, key: str, granularity: str | None = None) -> None:
    """A CSV of the frame `make()` returns, made (and audited) only when clicked: the
    whole filtered list, not only the rows on screen."""
    st.download_button(t("common.download_csv"),
                       widgets.audited(lambda: csv_bytes(shown(make(), granularity, csv=True)),
                                       f"{name}.csv", rows),
                       file_name=f"{name}.csv", mime="text/csv", key=key,
                       icon=":material/download:", on_click="ignore")
