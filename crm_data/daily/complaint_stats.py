"""Resolution time of complaints: median and 90th percentile by period and by owner.

Resolution time = from the first opening to the final resolution (resolved_at − opened_at):
a complaint that was resolved, reopened and resolved again counts the whole time the customer
waited, reopened spans and the time it was wrongly believed settled included, so closing a
complaint too early never makes the figures look better. A complaint counts in the period
(bucket) in which it was finally resolved; open ones have no resolution time yet.

Percentiles are computed like pandas' default (`Series.quantile(q)`, linear interpolation
between the closest ranks: h = (n − 1)·q). The database numbers each group's durations
(whole seconds, the same integers on SQLite and PostgreSQL) with window functions and returns
only the two ranks around h of each quantile; the interpolation between them is exact
integer arithmetic here. Aggregates only: the viewer may read them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import BigInteger, Engine, and_, case, func, literal_column, or_, select

from crm_data.accounts.scope import Scope
from crm_data.daily.complaints import desk_clause, owner_of
from crm_data.domain.periods import Period, as_date, bucket, buckets
from crm_data.domain.sqlfunc import dialect_function
from crm_data.storage.models import Customer, Feedback

# Quantiles as exact fractions (numerator, denominator).
QUANTILES = {"median": (1, 2), "p90": (9, 10)}
STAT_COLUMNS = ("resolved", "median_hours", "p90_hours")

seconds_between = dialect_function(
    "seconds_between", BigInteger(), "Whole seconds from `start` to `end` (DATETIME columns).",
    postgresql="CAST(EXTRACT(EPOCH FROM (CAST({1} AS TIMESTAMP) - CAST({0} AS TIMESTAMP))) AS BIGINT)",
    sqlite="(CAST(strftime('%s', {1}) AS INTEGER) - CAST(strftime('%s', {0}) AS INTEGER))")


def _resolved_in(period: Period):
    return and_(Feedback.status == "resolved",
                Feedback.resolved_at >= dt.datetime.combine(period.start, dt.time()),
                Feedback.resolved_at < dt.datetime.combine(period.end_exclusive, dt.time()))


def _quantile_rows(engine: Engine, scope: Scope, period: Period, group, kind: str) -> pd.DataFrame:
    """(grp, n, i, secs) for the ranks i each quantile needs, per group."""
    secs = seconds_between(Feedback.opened_at, Feedback.resolved_at)
    part = None if group is None else group  # None: one group, the whole period
    ranked = (
        select((literal_column("0") if group is None else group).label("grp"), secs.label("secs"),
               (func.row_number().over(partition_by=part, order_by=(secs, Feedback.id)) - 1).label("i"),
               func.count().over(partition_by=part).label("n"))
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(Feedback.kind == kind, _resolved_in(period), desk_clause(scope))
        .subquery()
    )
    wanted = []
    for num, den in QUANTILES.values():
        lo = (ranked.c.n - 1) * num // den  # integer (floor) division on both engines
        wanted += [ranked.c.i == lo, ranked.c.i == lo + 1]
    query = select(ranked.c.grp, ranked.c.n, ranked.c.i, ranked.c.secs).where(or_(*wanted))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["grp", "n", "i", "secs"])


def _interpolate(values: dict[int, int], n: int, num: int, den: int) -> float:
    """pandas' linear quantile from the ranks around h = (n − 1)·num/den, in hours."""
    lo, rest = divmod((n - 1) * num, den)
    low = values[lo]
    high = values.get(lo + 1, low)
    return (low + (high - low) * rest / den) / 3600


def _stats(raw: pd.DataFrame) -> dict:
    """group → (resolved, median_hours, p90_hours)."""
    out = {}
    for grp, part in raw.groupby("grp", sort=False, dropna=False):
        n = int(part["n"].iloc[0])
        values = {int(i): int(s) for i, s in zip(part["i"], part["secs"], strict=True)}
        out[grp] = (n, *(_interpolate(values, n, *q) for q in QUANTILES.values()))
    return out


def by_period(engine: Engine, scope: Scope, period: Period, granularity: str,
              kind: str = "complaint") -> pd.DataFrame:
    """Per bucket of the period (every bucket, empty ones with resolved = 0): complaints
    resolved in it, median and p90 resolution time in hours."""
    raw = _quantile_rows(engine, scope, period, bucket(Feedback.resolved_at, granularity), kind)
    stats = {as_date(k): v for k, v in _stats(raw).items()}
    rows = [(b, *stats.get(b, (0, None, None))) for b in buckets(period, granularity)]
    return pd.DataFrame(rows, columns=["bucket", *STAT_COLUMNS])


def by_owner(engine: Engine, scope: Scope, period: Period, kind: str = "complaint") -> pd.DataFrame:
    """Per owner (assigned user, else the customer's owner; None: nobody), most resolved first."""
    raw = _quantile_rows(engine, scope, period, owner_of(), kind)
    rows = [(None if k is None or k != k else int(k), *v) for k, v in _stats(raw).items()]
    rows.sort(key=lambda r: (-r[1], r[0] is None, r[0] or 0))
    df = pd.DataFrame(rows, columns=["owner_id", *STAT_COLUMNS])
    df["owner_id"] = pd.Series([r[0] for r in rows], dtype=object)
    return df


def _figures(values) -> dict:
    n, median, p90 = values
    return {"resolved": n, "median_hours": median, "p90_hours": p90}


def overall(engine: Engine, scope: Scope, period: Period, kind: str = "complaint") -> dict:
    """{resolved, median_hours, p90_hours} over the whole period (None when none resolved)."""
    raw = _quantile_rows(engine, scope, period, None, kind)
    return _figures(next(iter(_stats(raw).values()), (0, None, None)))


def compare(engine: Engine, scope: Scope, period: Period, kind: str = "complaint") -> dict:
    """{"now": overall(period), "previous": overall(period.previous())} in one query (the
    Overview's cards)."""
    before = period.previous()
    group = case((Feedback.resolved_at >= dt.datetime.combine(period.start, dt.time()), "now"),
                 else_="previous")
    stats = _stats(_quantile_rows(engine, scope, Period(before.start, period.end), group, kind))
    return {k: _figures(stats.get(k, (0, None, None))) for k in ("now", "previous")}
