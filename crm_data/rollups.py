"""order_rollup: completed orders of non-deleted customers per day ("d") and per month ("m")
and owner — orders, revenue, profit (known costs), unpaid, distinct buyers.

Maintained inside every write's transaction by crm_data.summary.refresh_customers, which
says what the touched customers' write can have changed (`Touched`): the days of their new
completed orders; a customer that changed owner or deleted state has its share moved
between the owners' cells (`move`); when the count of completed orders does not add up
(or for many customers at once), every day between the first and last completed order
before and after. Touched days and their months are recomputed for all owners from the raw
orders. customer_stats keeps what each customer was counted under (rollup_owner_id,
rollup_alive, max_order_id). Rebuilt whole by summary.rebuild_all (also daily).

Reports read it only when the filter is empty and the scope is "everyone" or "own
customers" (owner_id = the user): see `owner_condition`. Buyers add up over owners because
a customer has exactly one owner; they never add up over days or months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, delete, distinct, func, insert, literal, select, true
from sqlalchemy.orm import Session

from crm_data.filters import CustomerFilter
from crm_data.models import Customer, Order, OrderRollup
from crm_data.periods import bucket
from crm_data.scope import Scope

GRAINS = {"d": "day", "m": "month"}
_COLUMNS = ["grain", "start", "owner_id", "orders", "revenue", "profit", "costed", "unpaid", "buyers"]


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
                   func.sum(Order.amount), func.sum(Order.amount - Order.cost), func.count(Order.cost),
                   func.sum(Order.amount - Order.paid_amount), func.count(distinct(Order.customer_id)))
            .join(Customer, Customer.id == Order.customer_id)
            .where(*when)
            .group_by(start, Customer.owner_id))


def rebuild(session: Session) -> None:
    session.execute(delete(OrderRollup))
    for grain in GRAINS:
        session.execute(insert(OrderRollup).from_select(_COLUMNS, _cells(grain, None, None)))


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass
class Touched:
    """Order dates whose cells a write may have changed: single days, and whole spans."""

    days: set[dt.date] = field(default_factory=set)
    spans: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    # (customer, old owner, old alive, new owner, new alive): whole shares moved by `move`
    moves: list[tuple] = field(default_factory=list)


def refresh(session: Session, touched: Touched) -> None:
    """Move the moved customers' shares, then recompute every cell (all owners) of the
    touched days and of their months."""
    for move_args in touched.moves:
        move(session, *move_args)
    months: set[dt.date] = set()
    if touched.spans:
        lo = min(a for a, _b in touched.spans)
        hi = max(b for _a, b in touched.spans)
        _recompute(session, "d", lo, hi + dt.timedelta(days=1))
        _recompute(session, "m", _month(lo), _next_month(hi))
        days = {d for d in touched.days if not lo <= d <= hi}
        months = {_month(d) for d in days if not _month(lo) <= d < _next_month(hi)}
    else:
        days = touched.days
        months = {_month(d) for d in days}
    for d in sorted(days):
        _recompute(session, "d", d, d + dt.timedelta(days=1))
    for m in sorted(months):
        _recompute(session, "m", m, _next_month(m))


def move(session: Session, customer_id: int, old_owner: int | None, old_alive: bool,
         new_owner: int | None, new_alive: bool) -> None:
    """A customer changed owner or deleted state, its orders unchanged: move its share of
    every cell it is in (its sums, and 1 buyer) from the old owner's cell to the new one's."""
    for grain, name in GRAINS.items():
        start = bucket(Order.order_date, name)
        mine = session.execute(
            select(start.label("start"), func.count().label("orders"), func.sum(Order.amount).label("revenue"),
                   func.sum(Order.amount - Order.cost).label("profit"), func.count(Order.cost).label("costed"),
                   func.sum(Order.amount - Order.paid_amount).label("unpaid"))
            .where(Order.customer_id == customer_id, Order.status == "completed")
            .group_by(start)).all()
        for r in mine:
            if old_alive:
                _add(session, grain, as_date(r.start), old_owner, r, -1)
            if new_alive:
                _add(session, grain, as_date(r.start), new_owner, r, 1)


def _add(session: Session, grain: str, start: dt.date, owner: int | None, r, sign: int) -> None:
    owner_is = OrderRollup.owner_id.is_(None) if owner is None else OrderRollup.owner_id == owner
    cell = session.execute(select(OrderRollup).where(
        OrderRollup.grain == grain, OrderRollup.start == start, owner_is)).scalar_one_or_none()
    if cell is None:
        cell = OrderRollup(grain=grain, start=start, owner_id=owner, orders=0, revenue=0, profit=None,
                           costed=0, unpaid=0, buyers=0)
        session.add(cell)
    cell.orders += sign * r.orders
    cell.revenue += sign * int(r.revenue)
    cell.costed += sign * r.costed
    cell.profit = (int(cell.profit or 0) + sign * int(r.profit or 0)) if cell.costed else None
    cell.unpaid += sign * int(r.unpaid)
    cell.buyers += sign
    session.flush()
    if cell.orders == 0:
        session.delete(cell)
        session.flush()


def _recompute(session: Session, grain: str, start: dt.date, end_x: dt.date) -> None:
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
