"""order_rollup: completed orders of non-deleted customers per day ("d") and per month ("m")
and owner — orders, revenue, profit (known costs), unpaid, distinct buyers.

Maintained inside every write's transaction by crm_data.summary.refresh_customers, which
hands over the date range the touched customers' completed orders spanned before and after
the write (their customer_stats first / last order dates): every cell of that range is
recomputed for all owners, so owner changes, deletions, cancellations and moved dates are
all covered. Rebuilt whole by summary.rebuild_all.

Reports read it only when the filter is empty and the scope is "everyone" or "own
customers" (owner_id = the user): see `owner_condition`. Buyers add up over owners because
a customer has exactly one owner; they never add up over days or months.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, distinct, func, insert, literal, select, true
from sqlalchemy.orm import Session

from crm_data.filters import CustomerFilter
from crm_data.models import Customer, Order, OrderRollup
from crm_data.periods import bucket
from crm_data.scope import Scope

GRAINS = {"d": "day", "m": "month"}
_COLUMNS = ["grain", "start", "owner_id", "orders", "revenue", "profit", "unpaid", "buyers"]


def _month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _cells(grain: str, lo: dt.date | None, hi_x: dt.date | None):
    """The cells of one grain from the raw orders, for order dates in [lo, hi_x)."""
    start = bucket(Order.order_date, GRAINS[grain])
    when = [Order.status == "completed", Customer.deleted_at.is_(None)]
    if lo is not None:
        when += [Order.order_date >= lo, Order.order_date < hi_x]
    return (select(literal(grain), start, Customer.owner_id, func.count(),
                   func.sum(Order.amount), func.sum(Order.amount - Order.cost),
                   func.sum(Order.amount - Order.paid_amount), func.count(distinct(Order.customer_id)))
            .join(Customer, Customer.id == Order.customer_id)
            .where(*when)
            .group_by(start, Customer.owner_id))


def rebuild(session: Session) -> None:
    session.execute(delete(OrderRollup))
    for grain in GRAINS:
        session.execute(insert(OrderRollup).from_select(_COLUMNS, _cells(grain, None, None)))


def refresh_range(session: Session, lo: dt.date, hi: dt.date) -> None:
    """Recompute every cell (all owners) of the days lo..hi and of their months."""
    spans = {"d": (lo, hi + dt.timedelta(days=1)), "m": (_month(lo), _next_month(hi))}
    for grain, (start, end_x) in spans.items():
        session.execute(delete(OrderRollup).where(
            OrderRollup.grain == grain, OrderRollup.start >= start, OrderRollup.start < end_x))
        session.execute(insert(OrderRollup).from_select(_COLUMNS, _cells(grain, start, end_x)))


def owner_condition(scope: Scope, flt: CustomerFilter | None) -> ColumnElement[bool] | None:
    """The rollup rows this actor may see under the filter, or None when the rollup cannot
    answer (a non-empty filter): the caller then runs the raw query."""
    if flt is not None and not flt.is_empty():
        return None
    if scope.sees_all_customers:
        return true()
    return OrderRollup.owner_id == scope.user_id


def cells(grain: str, start: dt.date, end_x: dt.date, owners: ColumnElement[bool]):
    """SELECT start, orders, revenue, profit, buyers per cell start in [start, end_x)."""
    return (select(OrderRollup.start.label("bucket"),
                   func.sum(OrderRollup.orders).label("orders"),
                   func.coalesce(func.sum(OrderRollup.revenue), 0).label("revenue"),
                   func.sum(OrderRollup.profit).label("profit"),
                   func.sum(OrderRollup.buyers).label("buyers"))
            .where(OrderRollup.grain == grain, OrderRollup.start >= start,
                   OrderRollup.start < end_x, owners)
            .group_by(OrderRollup.start))


def unpaid_since(day: dt.date, owners: ColumnElement[bool]):
    """SELECT Σ unpaid of completed orders dated on or after `day`."""
    return select(func.coalesce(func.sum(OrderRollup.unpaid), 0)).where(
        and_(OrderRollup.grain == "d", OrderRollup.start >= day, owners))


def split(start: dt.date, end: dt.date, granularity: str):
    """The rollup part of [start, end] for buckets of `granularity` ("day" / "month"):
    (whole-bucket range as (lo, hi_exclusive) or None, [(lo, hi) partial ranges for the raw
    query]). A month cut by the period's start or end is partial."""
    if granularity == "day":
        return (start, end + dt.timedelta(days=1)), []
    lo = start if start.day == 1 else _next_month(start)
    hi_x = end + dt.timedelta(days=1)
    if hi_x.day != 1:
        hi_x = _month(end)
    if lo >= hi_x:
        return None, [(start, end)]
    parts = []
    if start < lo:
        parts.append((start, lo - dt.timedelta(days=1)))
    if hi_x <= end:
        parts.append((hi_x, end))
    return (lo, hi_x), parts
