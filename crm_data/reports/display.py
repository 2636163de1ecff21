"""A report frame in the form a person reads it: headers in the session language, labels
instead of stored keys, names instead of ids, national phone numbers, dd/mm/yyyy dates.

One function, `present`, serves both the table on screen (VND, % and numbers formatted as
text) and the CSV download (`csv=True`: the same headers and labels, numbers left as numbers
so a spreadsheet can sum them). Column kinds are known by column name; a page states only
what a name cannot say (which enumeration a "stage" column holds, a value's label list)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

import pandas as pd

from crm_data.domain import formatting, geo
from crm_data.i18n import catalogue, label, t

MONEY = frozenset({"revenue", "profit", "total_spend", "total_profit", "debt", "amount",
                   "paid_amount", "discount", "avg_order_value", "receivables", "spend_12m",
                   "unit_price", "line_total", "subtotal"})
PERCENT = frozenset({"share", "revenue_share", "row_share", "conv_prev", "conv_top", "drop_off",
                     "customer_share", "change_prev_pct", "change_ly_pct", "repeat_rate"})
COUNTS = frozenset({"customers", "orders", "buyers", "entered", "count", "new_customers",
                    "churned", "size", "orders_count", "points", "days_since", "overdue_days",
                    "days_since_last_order", "rank", "r_score", "f_score", "m_score", "quantity",
                    "first_time_buyers", "active_buyers", "interactions"})
DECIMALS = frozenset({"median_days", "avg_interval_days", "avg_days_since"})
DATES = frozenset({"first_order_date", "last_order_date", "birth_date", "order_date", "created_at",
                   "paid_on", "resolved_at", "opened_at", "bucket"})
# Columns whose name says which enumeration they hold.
ENUMS = {"region": "region", "tier": "tier", "lifecycle_stage": "lifecycle_stage",
         "pipeline_stage": "pipeline_stage", "gender": "gender", "kind": "kind", "source": "source",
         "channel": "channel", "preferred_channel": "channel", "income_band": "income_band",
         "occupation": "occupation", "education": "education", "marital_status": "marital_status",
         "industry": "industry", "rfm_segment": "rfm_segment", "lost_reason": "lost_reason",
         "payment_method": "payment_method", "outcome": "outcome"}
# Columns labelled by a message-key prefix.
KEYED = {"kpi": "kpi."}
_COHORT_MONTH = re.compile(r"m(\d+)")


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT


def header(column: str, lang: str = "vi") -> str:
    """The header of a column: rcol.<c>, col.<c> or cust.col.<c> in the catalogue, in
    that order; a cohort month column m<k> reads "Tháng k"."""
    if m := _COHORT_MONTH.fullmatch(str(column)):
        return t("retention.month_k", lang, k=m.group(1))
    cat = catalogue()
    for key in (f"rcol.{column}", f"col.{column}", f"cust.col.{column}"):
        if key in cat:
            return t(key, lang)
    return str(column)


def _as_date(v):
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, str):
        try:
            return dt.datetime.fromisoformat(v)
        except ValueError:
            return v
    return v


def _int_or_none(v):
    return None if _missing(v) else int(round(float(v)))


def _day(v, lang: str, csv: bool, granularity: str | None) -> str:
    if _missing(v):
        return "" if csv else "—"
    v = _as_date(v)
    if granularity:
        return formatting.bucket_label(v.date() if isinstance(v, dt.datetime) else v, granularity, lang)
    return formatting.date(v, lang)


def _whole(v):
    if isinstance(v, float):
        return None if math.isnan(v) else int(v) if v.is_integer() else v
    return v


def present(df: pd.DataFrame, lang: str = "vi", *, csv: bool = False,
            enums: Mapping[str, str] | None = None, keys: Mapping[str, str] | None = None,
            headers: Mapping[str, str] | None = None, owners: Mapping[int, str] | None = None,
            granularity: str | None = None, money=(), pct=(), nums=(), decimals=(),
            dates=()) -> pd.DataFrame:
    """`df` with every column turned into what a person reads (see the module doc).

    enums: column → enumeration field (for names that do not say it, e.g. "stage");
    keys: column → message-key prefix; headers: column → shown header; owners: user id →
    name (for an owner_id column); granularity: how a "bucket" date is written;
    money / pct / nums / decimals / dates: extra columns of those kinds."""
    enum_of = {**ENUMS, **(enums or {})}
    key_of = {**KEYED, **(keys or {})}
    money, pct, nums = MONEY | set(money), PERCENT | set(pct), COUNTS | set(nums)
    decimals, dates = DECIMALS | set(decimals), DATES | set(dates)
    provinces = {p.code: p.short_name for p in geo.provinces()}
    columns: dict[str, pd.Series] = {}  # one frame made at the end: inserting column by
    names: dict[str, str] = {}  # column into an empty frame cost more than the formatting
    for col in df.columns:
        series, name = df[col], (headers or {}).get(col) or header(col, lang)
        if col in key_of:
            values = series.map(lambda v, p=key_of[col]: "" if _missing(v) else t(f"{p}{v}", lang))
        elif col == "band":  # recency bands: their edges follow the churn window
            from crm_data.reports.retention import band_label

            values = series.map(lambda v: "" if _missing(v) else band_label(v, lang))
        elif col in enum_of:
            values = series.map(lambda v, f=enum_of[col]: label(f, None if _missing(v) else v, lang))
        elif col == "owner_id":
            values = series.map(lambda v: "" if _missing(v) else (owners or {}).get(int(v), str(int(v))))
            name = (headers or {}).get(col) or t("cust.col.owner", lang)
        elif col in ("province_code", "province") and pd.api.types.is_numeric_dtype(series):
            values = series.map(lambda v: "" if _missing(v) else provinces.get(int(v), str(int(v))))
            name = (headers or {}).get(col) or t("cust.col.province", lang)
        elif col == "phone":
            values = series.map(lambda v: "" if _missing(v) else formatting.phone(v))
        elif col in ("tags", "groups"):
            values = series.map(lambda v: "" if _missing(v) else ", ".join(
                x for x in str(v).replace(", ", ",").split(",") if x))
        elif col == "cohort":
            values = series.map(lambda v: "" if _missing(v) else formatting.bucket_label(
                _as_date(v), "month", lang))
        elif col in dates:
            values = series.map(lambda v, bucket=(col == "bucket" and granularity): _day(
                v, lang, csv, granularity if bucket else None))
        elif col in money:
            values = series.map(_int_or_none) if csv else series.map(lambda v: formatting.vnd(v, lang))
            if csv and "₫" not in name:
                name += " (₫)"
        elif col in pct or _COHORT_MONTH.fullmatch(str(col)):
            if csv:
                values = series.map(lambda v: None if _missing(v) else round(float(v) * 100, 1))
                name += " (%)"
            else:
                values = series.map(lambda v: formatting.percent(v, lang))
        elif col in nums:
            values = series.map(_int_or_none) if csv else series.map(
                lambda v: formatting.number(v, lang))
        elif col in decimals:
            # A page may have put words in place of a figure ("not enough data"): kept.
            values = series.map(lambda v: v if isinstance(v, str) else None if _missing(v)
                                else round(float(v), 1)) if csv \
                else series.map(lambda v: v if isinstance(v, str)
                                else formatting.number(None if _missing(v) else v, lang, 1))
        else:
            values = series
        if not csv and not pd.api.types.is_numeric_dtype(values):
            # A blank, not the grid's grey "None" (English, and not what the user typed).
            values = values.map(lambda v: "" if _missing(v) else v)
        if csv and (pd.api.types.is_float_dtype(values) or values.dtype == object):
            # 3.0 → 3 (ids and counts that went through pandas); object keeps them ints.
            values = pd.Series([_whole(v) for v in values], index=values.index, dtype=object)
        columns[col] = values
        names[col] = name
    return pd.DataFrame(columns, index=df.index).rename(columns=names)
