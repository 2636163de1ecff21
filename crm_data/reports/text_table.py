"""A report table as text for `crm report --format table`: the numbers read as on the pages
(`1.827.556.000 ₫`, `1.200`, `45,6%`, `20/11/2026`, "—" for unknown), never `1.8e+09`.

Which column is money, a share or a count follows the report columns' names; the
Overview's KPI table (one KPI per row) is formatted row by row.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from crm_data.domain import formatting

MONEY = {"revenue", "profit", "total_spend", "total_profit", "spend_12m", "debt", "receivables",
         "avg_order_value", "amount", "paid_amount", "unpaid"}
_MONEY_SUFFIX = ("_revenue", "_spend", "_profit", "_amount")
_SHARE = re.compile(r"^(share|.*_pct|.*_rate|.*_share|conv_.*|conversion|drop_off|m\d+)$")
MISSING = "—"
SEPARATOR = "  "  # two spaces: a money cell has one inside ("1.234 ₫")


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def is_money(column: str) -> bool:
    return column in MONEY or column.endswith(_MONEY_SUFFIX)


def is_share(column: str) -> bool:
    return bool(_SHARE.match(column))


def cell(value, kind: str, lang: str = "vi") -> str:
    """One value as text; kind: money | share | auto (dates, integers, other numbers)."""
    if _missing(value):
        return MISSING
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return formatting.date(value.to_pydatetime() if isinstance(value, pd.Timestamp) else value, lang)
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, int | float):
        if kind == "money":
            return formatting.vnd(value, lang)
        if kind == "share":
            return formatting.percent(value, lang)
        if float(value).is_integer():
            return formatting.number(value, lang)
        return formatting.number(value, lang, 1)
    return str(value)


def _column_kind(column: str) -> str:
    if is_money(column):
        return "money"
    return "share" if is_share(column) else "auto"


def _kpi_kind(kpi: str, column: str, money_kpis, share_kpis) -> str:
    if column.endswith("_pct"):
        return "share"
    if kpi in money_kpis:
        return "money"
    return "share" if kpi in share_kpis else "auto"


def render(df: pd.DataFrame, lang: str = "vi", money_kpis=(), share_kpis=()) -> str:
    """The table as aligned text (no index). A frame with a "kpi" column is formatted per
    row: money KPIs as money, share KPIs as percentages, change-% columns as percentages."""
    if df.empty:
        return " ".join(df.columns) if len(df.columns) else ""
    per_row = "kpi" in df.columns
    columns = []  # (header, cells, right-aligned)
    for column in df.columns:
        if per_row and column != "kpi":
            values = [cell(v, _kpi_kind(k, column, money_kpis, share_kpis), lang)
                      for k, v in zip(df["kpi"], df[column], strict=True)]
        else:
            kind = _column_kind(str(column))
            values = [cell(v, kind, lang) for v in df[column]]
        numeric = not all(isinstance(v, str) for v in df[column] if not _missing(v))
        columns.append((str(column), [v.replace("\xa0", " ") for v in values], numeric))
    widths = [max(len(h), *(len(v) for v in cells)) for h, cells, _r in columns]

    def line(items) -> str:
        return SEPARATOR.join(item.rjust(w) if right else item.ljust(w)
                              for item, w, (_h, _c, right) in zip(items, widths, columns, strict=True)).rstrip()

    out = [line([h for h, _c, _r in columns])]
    out += [line([cells[i] for _h, cells, _r in columns]) for i in range(len(df))]
    return "\n".join(out)
