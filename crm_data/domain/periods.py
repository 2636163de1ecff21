"""Reporting periods and time buckets (day, week from Monday, month, quarter, year).

The SQL bucket expression is compiled per dialect so that SQLite and PostgreSQL put every
date in the same bucket; Python's `bucket_start` is the reference both are tested against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from crm_data.domain.clock import today
from crm_data.domain.sqlfunc import dialect_function

GRANULARITIES = ("day", "week", "month", "quarter", "year")
PRESETS = ("this_week", "this_month", "this_quarter", "this_year", "last_week", "last_month",
           "last_quarter", "last_year", "last_30", "last_12m")
# Dates a report period may span: a URL like from=0001-01-01&to=9999-12-31 is clamped to this
# (and said so) rather than asking the database for eight thousand empty years.
EARLIEST = dt.date(2000, 1, 1)
LATEST_AHEAD_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("period end is before its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def end_exclusive(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before this one (calendar-aligned for
        whole months / quarters / years)."""
        if _is_whole_months(self):
            months = _month_index(self.end) - _month_index(self.start) + 1
            start = _add_months(self.start, -months)
            return Period(start, self.start - dt.timedelta(days=1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def last_year(self) -> Period:
        return Period(_add_months(self.start, -12), _add_months_end(self.end, -12))


def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def _month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _is_whole_months(p: Period) -> bool:
    return p.start.day == 1 and p.end == _month_end(p.end)


def _add_months(d: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later, clamped to the month's last day."""
    year, month0 = divmod(_month_index(d) + months, 12)
    first = dt.date(year, month0 + 1, 1)
    return first.replace(day=min(d.day, _month_end(first).day))


def _add_months_end(d: dt.date, months: int) -> dt.date:
    moved = _add_months(d, months)
    return _month_end(moved) if d == _month_end(d) else moved


def bucket_start(d: dt.date, granularity: str) -> dt.date:
    if isinstance(d, dt.datetime):
        d = d.date()
    if granularity == "day":
        return d
    if granularity == "week":
        return d - dt.timedelta(days=d.weekday())
    if granularity == "month":
        return d.replace(day=1)
    if granularity == "quarter":
        return dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    if granularity == "year":
        return dt.date(d.year, 1, 1)
    raise ValueError(f"unknown granularity {granularity!r}")


def buckets(period: Period, granularity: str) -> list[dt.date]:
    """Every bucket start touching the period, so empty buckets show as zero."""
    out, cur = [], bucket_start(period.start, granularity)
    while cur <= period.end:
        out.append(cur)
        cur = next_bucket(cur, granularity)
    return out


def next_bucket(d: dt.date, granularity: str) -> dt.date:
    if granularity == "day":
        return d + dt.timedelta(days=1)
    if granularity == "week":
        return d + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    return _add_months(d, months)


def preset(name: str, ref: dt.date | None = None) -> Period:
    ref = ref or today()
    if name == "this_week":
        return Period(bucket_start(ref, "week"), ref)
    if name == "this_month":
        return Period(ref.replace(day=1), ref)
    if name == "this_quarter":
        return Period(bucket_start(ref, "quarter"), ref)
    if name == "this_year":
        return Period(dt.date(ref.year, 1, 1), ref)
    if name == "last_week":
        start = bucket_start(ref, "week") - dt.timedelta(days=7)
        return Period(start, start + dt.timedelta(days=6))
    if name in ("last_month", "last_quarter", "last_year"):
        gran = name.removeprefix("last_")
        start = _add_months(bucket_start(ref, gran), -{"month": 1, "quarter": 3, "year": 12}[gran])
        return Period(start, bucket_start(ref, gran) - dt.timedelta(days=1))
    if name == "last_30":
        return Period(ref - dt.timedelta(days=29), ref)
    if name == "last_12m":
        return Period(_add_months(ref.replace(day=1), -11), ref)
    raise ValueError(f"unknown period preset {name!r}")


def sane_period(start: dt.date, end: dt.date, ref: dt.date | None = None) -> tuple[Period, bool]:
    """The period from `start` to `end` (in either order) within [EARLIEST, ref + a year], and
    whether it had to be changed to fit."""
    ref = ref or today()
    lo, hi = EARLIEST, ref + dt.timedelta(days=LATEST_AHEAD_DAYS)
    a, b = sorted((start, end))
    fixed = (min(max(a, lo), hi), min(max(b, lo), hi))
    return Period(*fixed), fixed != (start, end)


def bucket_days(start: dt.date, granularity: str, period: Period) -> tuple[int, int]:
    """(days of the bucket inside the period, days of the whole bucket)."""
    end = next_bucket(start, granularity)
    inside = (min(end, period.end_exclusive) - max(start, period.start)).days
    return max(inside, 0), (end - start).days


def partial_buckets(period: Period, granularity: str) -> list[dt.date]:
    """Buckets only partly inside the period (a week cut by the period's first or last day):
    their totals are exact for the days inside but not comparable with whole buckets."""
    return [b for b in buckets(period, granularity)
            if bucket_days(b, granularity, period)[0] < bucket_days(b, granularity, period)[1]]


def default_granularity(period: Period) -> str:
    if period.days <= 31:
        return "day"
    if period.days <= 190:
        return "week"
    if period.days <= 800:
        return "month"
    return "quarter"


class bucket(FunctionElement):
    """bucket(date_or_datetime_column, granularity) → the bucket's first day (a DATE)."""

    type = Date()
    inherit_cache = True
    name = "bucket"
    # The granularity changes the SQL, so it must be part of the statement cache key.
    _traverse_internals = [
        *FunctionElement._traverse_internals, ("granularity", InternalTraversal.dp_string),
    ]

    def __init__(self, column, granularity: str):
        if granularity not in GRANULARITIES:
            raise ValueError(f"unknown granularity {granularity!r}")
        self.granularity = granularity
        super().__init__(column)


@compiles(bucket, "postgresql")
def _bucket_pg(element, compiler, **kw):
    col = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(date_trunc('{element.granularity}', {col}) AS DATE)"


@compiles(bucket, "sqlite")
def _bucket_sqlite(element, compiler, **kw):
    col = compiler.process(list(element.clauses)[0], **kw)
    g = element.granularity
    if g == "day":
        return f"date({col})"
    if g == "week":
        # strftime('%w') is 0 for Sunday; weeks start on Monday.
        return f"date({col}, '-' || ((CAST(strftime('%w', {col}) AS INTEGER) + 6) % 7) || ' days')"
    if g == "month":
        return f"date({col}, 'start of month')"
    if g == "quarter":
        return (f"printf('%s-%02d-01', strftime('%Y', {col}), "
                f"((CAST(strftime('%m', {col}) AS INTEGER) - 1) / 3) * 3 + 1)")
    return f"date({col}, 'start of year')"


def as_date(value) -> dt.date | None:
    """Bucket values come back as date (PostgreSQL) or ISO text (SQLite)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


days_between = dialect_function(
    "days_between", Integer(),
    "Whole days from `start` to `end` (two DATE columns), the same on both engines.",
    postgresql="({1} - {0})",
    sqlite="CAST(julianday({1}) - julianday({0}) AS INTEGER)")

month_index = dialect_function(
    "month_index", Integer(),
    "year × 12 + month − 1 of a DATE: consecutive months are consecutive integers.",
    postgresql="CAST(EXTRACT(YEAR FROM {0}) * 12 + EXTRACT(MONTH FROM {0}) - 1 AS INTEGER)",
    sqlite="(CAST(strftime('%Y', {0}) AS INTEGER) * 12 + CAST(strftime('%m', {0}) AS INTEGER) - 1)")
