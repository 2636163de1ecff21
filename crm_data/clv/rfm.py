"""Frequency, recency and age per buyer from the completed orders, as the models want them.

- frequency x: the number of repeat purchase DAYS (orders on one day are one purchase; the
  first day is not a repeat); only completed orders; deleted customers left out;
- recency t_x: weeks from the first purchase day to the last one (0 without a repeat);
- age T: weeks from the first purchase day to the end of the observation (`until`);
- mean_spend: mean amount of the repeat purchase days (a day's orders summed), None for x = 0
  (the Gamma-Gamma convention: the first purchase is left out).

The purchase days are read once (one grouped pass over the orders' customer index) and every
cut-off a fit needs (today, the holdout's calibration end, the comparison day) is taken from
them in numpy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Date, Engine, cast, func, literal, select

from crm_data.domain.periods import days_between
from crm_data.storage.models import Customer, Order

DAYS_PER_UNIT = 7.0  # the time unit of the model: weeks
COLUMNS = ("customer_id", "x", "t_x", "T", "mean_spend")
_EPOCH = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class PurchaseDays:
    """One entry per buyer and purchase day, ordered by customer then day."""
    customer_id: np.ndarray
    day: np.ndarray  # days since _EPOCH
    amount: np.ndarray  # the day's completed orders summed (VND)


def purchase_days(engine: Engine, until: dt.date) -> PurchaseDays:
    """The purchase days up to `until` of the customers not deleted."""
    deleted = select(Customer.id).where(Customer.deleted_at.is_not(None))
    day = days_between(literal(_EPOCH, Date), Order.order_date)
    query = (select(Order.customer_id, day, cast(func.sum(Order.amount), BigInteger))
             .where(Order.status == "completed", Order.order_date <= until,
                    Order.customer_id.not_in(deleted))
             .group_by(Order.customer_id, Order.order_date)
             .order_by(Order.customer_id, Order.order_date))
    with engine.connect() as conn:
        # plain integers: the driver's tuples, without a Row object each (~1M of them)
        rows = conn.execute(query).cursor.fetchall()
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return PurchaseDays(arr[:, 0], arr[:, 1], arr[:, 2])


def summarise(days: PurchaseDays, until: dt.date) -> pd.DataFrame:
    """x, t_x, T (weeks) and mean_spend per buyer with a purchase day up to `until`."""
    end = (until - _EPOCH).days
    keep = days.day <= end
    cid, day, amount = days.customer_id[keep], days.day[keep], days.amount[keep]
    if not len(cid):
        return pd.DataFrame(columns=list(COLUMNS))
    starts = np.flatnonzero(np.r_[True, cid[1:] != cid[:-1]])
    ends = np.r_[starts[1:], len(cid)]
    x = ends - starts - 1
    first, last = day[starts], day[ends - 1]
    repeat_total = np.add.reduceat(amount, starts) - amount[starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(x > 0, repeat_total / np.maximum(x, 1), np.nan)
    return pd.DataFrame({
        "customer_id": cid[starts], "x": x, "t_x": (last - first) / DAYS_PER_UNIT,
        "T": (end - first) / DAYS_PER_UNIT, "mean_spend": mean,
    }, columns=list(COLUMNS))


def days_after(days: PurchaseDays, since: dt.date, until: dt.date) -> pd.Series:
    """Purchase days in (since, until] per buyer (the holdout's actual purchases), by id."""
    lo, hi = (since - _EPOCH).days, (until - _EPOCH).days
    keep = (days.day > lo) & (days.day <= hi)
    ids, counts = np.unique(days.customer_id[keep], return_counts=True)
    return pd.Series(counts, index=ids, dtype="int64")


def summary(engine: Engine, until: dt.date) -> pd.DataFrame:
    return summarise(purchase_days(engine, until), until)


def purchase_days_after(engine: Engine, since: dt.date, until: dt.date) -> pd.Series:
    return days_after(purchase_days(engine, until), since, until)
