"""funnel_rollup: the funnel cohort view (crm_data.reports.funnel.cohort) in cells of
non-deleted customers per creation day ("d") and month ("m") and owner:
- "reach": customers by current pipeline stage and furthest stage of their changes;
- "stay": their ended pipeline stays by stage and length in tenths of a day;
- "lost": those in 'lost' now by the reason of their change to it.
A cohort of a year at a million customers is ~400,000 customers and 1.5 million changes;
its cells are a few thousand rows (whole months from "m", the edges from "d").

The cells are built by the report's own cohort queries (reports.funnel.cohort_cells), so
they hold the same numbers. Maintained inside every write's transaction by
summary.refresh_customers: the creation days of the touched customers (before:
customer_stats.rollup_created_on; after: their row) are recomputed for all owners from the
raw rows — which covers stage changes, owner changes, deletions and merges alike — then
their months from the days. Rebuilt whole by summary.rebuild_all. Read only when the filter
is empty and the scope is everyone or own customers (rollups.owner_condition), split by
nothing, owner or creation bucket.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, and_, cast, delete, func, insert, literal, null, or_, select
from sqlalchemy.orm import Session

from crm_data.filters import CustomerFilter
from crm_data.models import Customer as C
from crm_data.models_funnel import FunnelRollup as FR
from crm_data.periods import Period, bucket
from crm_data.rollups import _midnight, _month, _next_month, lock, owner_condition
from crm_data.scope import Scope

KINDS = ("reach", "stay", "lost")
_CELL = ["kind", "grain", "start", "owner_id", "stage", "value", "n"]
_SPLITS = (None, "owner", "period")
_DAYS_PER_STATEMENT = 200


def _spans(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as [first, last + 1) runs of consecutive days."""
    out: list[list[dt.date]] = []
    for d in days:
        if out and out[-1][1] == d:
            out[-1][1] = d + dt.timedelta(days=1)
        else:
            out.append([d, d + dt.timedelta(days=1)])
    return [(a, b) for a, b in out]


def _day_cells(session: Session, created) -> None:
    """Insert the "d" cells of the customers matching `created` (a condition on them)."""
    from crm_data.reports.funnel import cohort_cells  # the report's own queries

    members = select().select_from(C).where(C.deleted_at.is_(None), created)
    keys = (func.date(C.created_at), C.owner_id)
    for kind, q in zip(KINDS, cohort_cells(members, keys), strict=True):
        cols = list(q.subquery().c)
        if kind == "lost":  # (day, owner, reason, n): no value
            cols.insert(3, cast(null(), Integer))
        session.execute(insert(FR).from_select(_CELL, select(literal(kind), literal("d"), *cols)))


def _month_cells(session: Session, months: list[dt.date] | None) -> None:
    """Replace the "m" cells of these months (all when None) by the sums of their days."""
    start = bucket(FR.start, "month")
    when = [FR.grain == "d"]
    gone = [FR.grain == "m"]
    if months is not None:
        when.append(or_(*(and_(FR.start >= m, FR.start < _next_month(m)) for m in months)))
        gone.append(FR.start.in_(months))
    session.execute(delete(FR).where(*gone))
    q = (select(FR.kind, literal("m"), start, FR.owner_id, FR.stage, FR.value, func.sum(FR.n))
         .where(*when).group_by(FR.kind, start, FR.owner_id, FR.stage, FR.value))
    session.execute(insert(FR).from_select(_CELL, q))


def refresh_days(session: Session, days) -> None:
    """Recompute every cell of these creation days (and of their months) from the raw rows."""
    days = sorted({d for d in days if d is not None})
    if not days:
        return
    lock(session)
    for i in range(0, len(days), _DAYS_PER_STATEMENT):
        part = days[i:i + _DAYS_PER_STATEMENT]
        session.execute(delete(FR).where(FR.grain == "d", FR.start.in_(part)))
        _day_cells(session, or_(*(and_(C.created_at >= _midnight(a), C.created_at < _midnight(b))
                                  for a, b in _spans(part))))
    _month_cells(session, sorted({_month(d) for d in days}))


def rebuild(session: Session) -> None:
    """Every cell from the raw rows."""
    session.execute(delete(FR))
    _day_cells(session, C.created_at.is_not(None))
    _month_cells(session, None)


def owners(scope: Scope, flt: CustomerFilter | None, split: str | None):
    """The cells this actor may read for the cohort under the filter and split, or None when
    the rollup cannot answer (a filter, a split by a customer column)."""
    if split not in _SPLITS:
        return None
    return owner_condition(scope, flt, FR)


def _cells_in(period: Period, days_only: bool):
    """The cells covering creation days in the period: whole months from "m", the rest from "d"."""
    a, b = period.start, period.end_exclusive
    m0 = a if a.day == 1 else _next_month(a)
    m1 = _month(b)
    days = and_(FR.grain == "d", FR.start >= a, FR.start < b)
    if days_only or m0 >= m1:
        return days
    return or_(and_(FR.grain == "m", FR.start >= m0, FR.start < m1),
               and_(FR.grain == "d", or_(and_(FR.start >= a, FR.start < m0),
                                         and_(FR.start >= m1, FR.start < b))))


def read(kind: str, period: Period, allowed, split: str | None, granularity: str):
    """SELECT split, stage, value, n of one kind's cells of the period, summed."""
    # Month cells have no week or day inside them.
    days_only = split == "period" and granularity in ("day", "week")
    where = (FR.kind == kind, _cells_in(period, days_only), allowed)
    if split is None:
        return (select(literal("all").label("split"), FR.stage, FR.value, func.sum(FR.n).label("n"))
                .where(*where).group_by(FR.stage, FR.value))
    sv = FR.owner_id if split == "owner" else bucket(FR.start, granularity)
    return (select(sv.label("split"), FR.stage, FR.value, func.sum(FR.n).label("n"))
            .where(*where).group_by(sv, FR.stage, FR.value))
