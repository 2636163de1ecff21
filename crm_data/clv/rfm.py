"""Frequency, recency and age per buyer from the completed orders, as the models want them.

- frequency x: the number of repeat purchase DAYS (orders on one day are one purchase; the
  first day is not a repeat); only completed orders; deleted customers left out;
- recency t_x: weeks from the first purchase day to the last one (0 without a repeat);
- age T: weeks from the first purchase day to the end of the observation (`until`);
- mean_spend: mean amount of the repeat purchase days (a day's orders summed), None for x = 0
  (the Gamma-Gamma convention: the first purchase is left out).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, case, func, select

from crm_data.models import Customer, Order

DAYS_PER_UNIT = 7.0  # the time unit of the model: weeks
COLUMNS = ("customer_id", "x", "t_x", "T", "mean_spend")


def _purchase_days(until: dt.date, since: dt.date | None = None):
    """One row per buyer and purchase day up to `until` (and after `since`)."""
    when = [Order.status == "completed", Order.order_date <= until, Customer.deleted_at.is_(None)]
    if since is not None:
        when.append(Order.order_date > since)
    return (select(Order.customer_id.label("cid"), Order.order_date.label("day"),
                   func.sum(Order.amount).label("amount"),
                   func.min(Order.order_date).over(partition_by=Order.customer_id).label("first"))
            .join(Customer, Customer.id == Order.customer_id)
            .where(*when).group_by(Order.customer_id, Order.order_date).subquery("pd"))


def summary(engine: Engine, until: dt.date) -> pd.DataFrame:
    """x, t_x, T (weeks) and mean_spend of every buyer with a purchase up to `until`, by id."""
    d = _purchase_days(until)
    query = (select(d.c.cid, func.min(d.c.first).label("first"), func.max(d.c.day).label("last"),
                    (func.count() - 1).label("x"), func.sum(d.c.amount).label("total"),
                    func.sum(case((d.c.day == d.c.first, d.c.amount), else_=0)).label("first_amount"))
             .group_by(d.c.cid).order_by(d.c.cid))
    with engine.connect() as conn:
        raw = pd.DataFrame(conn.execute(query).all(),
                           columns=["customer_id", "first", "last", "x", "total", "first_amount"])
    return _shape(raw, until)


def _shape(raw: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    first = pd.to_datetime(raw["first"])
    last = pd.to_datetime(raw["last"])
    end = pd.Timestamp(until)
    x = raw["x"].astype(int)
    repeat_total = (raw["total"].astype("int64") - raw["first_amount"].astype("int64")).astype(float)
    mean = np.where(x > 0, repeat_total / x.clip(lower=1), np.nan)
    return pd.DataFrame({
        "customer_id": raw["customer_id"].astype(int),
        "x": x,
        "t_x": (last - first).dt.days / DAYS_PER_UNIT,
        "T": (end - first).dt.days / DAYS_PER_UNIT,
        "mean_spend": mean,
    }, columns=list(COLUMNS))


def purchase_days_after(engine: Engine, since: dt.date, until: dt.date) -> pd.Series:
    """Purchase days in (since, until] per buyer (the holdout's actual purchases), by id."""
    d = _purchase_days(until, since)
    query = select(d.c.cid, func.count()).group_by(d.c.cid)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.Series({int(c): int(n) for c, n in rows}, dtype="int64")
