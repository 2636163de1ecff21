"""Raw tables read with pandas, for independent recomputation of the report numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from crm_data.domain.periods import Period

PERIOD = Period(dt.date(2025, 6, 1), dt.date(2026, 11, 20))  # ends on FIXED_TODAY
PAST = Period(dt.date(2024, 3, 1), dt.date(2025, 8, 31))  # ends before today


@dataclass
class Raw:
    customers: pd.DataFrame  # visible (not deleted, with a summary row), stats columns merged
    orders: pd.DataFrame  # completed orders of visible customers
    stages: pd.DataFrame  # stage changes of visible customers
    feedback: pd.DataFrame
    interactions: pd.DataFrame  # of visible customers


def _dates(df: pd.DataFrame, *cols: str) -> None:
    for col in cols:
        df[col] = pd.to_datetime(df[col])


def load(engine) -> Raw:
    with engine.connect() as conn:
        c = pd.read_sql("SELECT * FROM customers", conn)
        s = pd.read_sql("SELECT * FROM customer_stats", conn)
        o = pd.read_sql("SELECT id, customer_id, order_date, status, amount, cost FROM orders", conn)
        sc = pd.read_sql("SELECT * FROM stage_changes", conn)
        fb = pd.read_sql("SELECT customer_id, kind, opened_at FROM feedback", conn)
        it = pd.read_sql("SELECT customer_id, kind, occurred_at FROM interactions", conn)
    _dates(c, "created_at", "birth_date", "deleted_at")
    _dates(s, "first_order_date", "last_order_date")
    _dates(o, "order_date")
    _dates(sc, "changed_at")
    _dates(fb, "opened_at")
    _dates(it, "occurred_at")
    c = c[c["deleted_at"].isna()].merge(s, left_on="id", right_on="customer_id", how="inner")
    ids = set(c["id"])
    o = o[(o["status"] == "completed") & o["customer_id"].isin(ids)]
    sc = sc[sc["customer_id"].isin(ids)]
    return Raw(c, o, sc, fb[fb["customer_id"].isin(ids)], it[it["customer_id"].isin(ids)])


def ts(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)


def in_period(series: pd.Series, period: Period) -> pd.Series:
    return (series >= ts(period.start)) & (series < ts(period.end_exclusive))
