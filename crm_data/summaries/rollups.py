"""order_rollup: completed orders of non-deleted customers per day ("d") and per month ("m"),
owner and region — orders, revenue, profit (known costs), unpaid, distinct buyers.
stage_flow_rollup: lifecycle stage changes of non-deleted customers per day / month, owner,
region and from → to stage (the journey's flows). interaction_rollup: interactions per day /
month, owner, region and outcome; payment_rollup: payments (count, amount) per day / month,
owner and region (the Overview over long periods). The last three are `Additive`.

Maintained inside every write's transaction by crm_data.summaries.refresh_customers, which
says what the touched customers' write can have changed (`Touched`): the days of their new
completed orders; a customer that changed owner, region or deleted state has its share
moved between the cells (`move`); when the count of completed orders does not add up
(or for many customers at once), every day between the first and last completed order
before and after. Touched days and their months are recomputed for all owners and regions from the raw
rows. Stage changes, interactions and payments alike (only ever added; interactions and
payments can change customer in a merge, which refreshes both customers). customer_stats
keeps what each customer was counted under (rollup_owner_id, rollup_region, rollup_alive,
max_order_id, max_stage_change_id, max_interaction_id, max_payment_id). Rebuilt whole by summaries.rebuild_all (also daily).

Cells are keyed by day / month, owner and region. Reports read them when the scope is
"everyone" or "own customers" (owner_id = the user) and the filter holds nothing but
regions and owners: see `owner_condition`. Buyers add up over owners and regions because a
customer has exactly one of each; they never add up over days or months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    and_,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import bucket
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.storage.models import (
    Customer,
    CustomerStats,
    Interaction,
    InteractionRollup,
    Order,
    OrderRollup,
    Payment,
    PaymentRollup,
    StageChange,
    StageFlowRollup,
)

GRAINS = {"d": "day", "m": "month"}
_ORDER_COLUMNS = ["grain", "start", "owner_id", "region", "orders", "revenue", "profit", "costed", "unpaid", "buyers"]


def _month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _midnight(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time())


def _order_cells(grain: str, lo: dt.date | None, hi_x: dt.date | None):
    """The cells of one grain from the raw orders, for order dates in [lo, hi_x)."""
    start = bucket(Order.order_date, GRAINS[grain])
    when = [Order.status == "completed", Customer.deleted_at.is_(None)]
    if lo is not None:
        when += [Order.order_date >= lo, Order.order_date < hi_x]
    return (select(literal(grain), start, Customer.owner_id, Customer.region, func.count(),
                   func.sum(Order.amount), func.sum(Order.amount - Order.cost), func.count(Order.cost),
                   func.sum(Order.amount - Order.paid_amount), func.count(distinct(Order.customer_id)))
            .join(Customer, Customer.id == Order.customer_id)
            .where(*when)
            .group_by(start, Customer.owner_id, Customer.region))


@dataclass(frozen=True)
class Additive:
    """A rollup whose measures all add up over customers (counts and sums, no distinct
    count): its cells and one customer's share of them are the same grouped select."""

    model: type
    when: Any  # the fact's date or datetime column, whose day keys the cell
    keys: tuple = ()  # the fact's own columns the cells are keyed by too
    measures: tuple = ()  # (cell column, aggregate over the fact's rows)
    where: tuple = ()  # which of the fact's rows count

    @property
    def columns(self) -> list[str]:
        return ["grain", "start", "owner_id", "region", *[k.key for k in self.keys], *[m for m, _ in self.measures]]

    def _during(self, lo: dt.date, hi_x: dt.date) -> list:
        if isinstance(self.when.type, DateTime):
            lo, hi_x = _midnight(lo), _midnight(hi_x)
        return [self.when >= lo, self.when < hi_x]

    def cells(self, grain: str, lo: dt.date | None, hi_x: dt.date | None):
        """The cells of one grain from the raw rows dated in [lo, hi_x) (None: all)."""
        start = bucket(self.when, GRAINS[grain])
        fact = self.when.class_
        when = [*self.where, Customer.deleted_at.is_(None)] + (self._during(lo, hi_x) if lo is not None else [])
        return (select(literal(grain), start, Customer.owner_id, Customer.region, *self.keys,
                       *[agg for _m, agg in self.measures])
                .join(Customer, Customer.id == fact.customer_id)
                .where(*when)
                .group_by(start, Customer.owner_id, Customer.region, *self.keys))

    def move(self, session: Session, customer_id: int, old_place: dict, old_alive: bool,
             new_place: dict, new_alive: bool) -> None:
        """A customer changed owner, region or deleted state, its rows unchanged: move its
        share of every cell from the old place's cell to the new one's."""
        fact = self.when.class_
        for grain, name in GRAINS.items():
            start = bucket(self.when, name)
            mine = session.execute(
                select(start.label("start"), *self.keys, *[agg.label(m) for m, agg in self.measures])
                .where(fact.customer_id == customer_id, *self.where)
                .group_by(start, *self.keys)).all()
            for r in mine:
                for where, alive, sign in ((old_place, old_alive, -1), (new_place, new_alive, 1)):
                    if alive:
                        self._add(session, {"grain": grain, "start": as_date(r.start),
                                            **{k.key: getattr(r, k.key) for k in self.keys}, **where}, r, sign)

    def _add(self, session: Session, key: dict, r, sign: int) -> None:
        cell = _cell(session, self.model, **key)
        if cell is None:
            cell = self.model(**key, **{m: 0 for m, _ in self.measures})
            session.add(cell)
        for m, _agg in self.measures:
            setattr(cell, m, getattr(cell, m) + sign * int(getattr(r, m) or 0))
        session.flush()
        if getattr(cell, self.measures[0][0]) == 0:  # the first measure counts rows
            session.delete(cell)
            session.flush()


FLOWS = Additive(StageFlowRollup, StageChange.changed_at, (StageChange.from_stage, StageChange.to_stage),
                 (("changes", func.count()),), (StageChange.kind == "lifecycle",))
INTERACTIONS = Additive(InteractionRollup, Interaction.occurred_at, (Interaction.outcome,),
                        (("interactions", func.count()),))
PAYMENTS = Additive(PaymentRollup, Payment.paid_on, (),
                    (("payments", func.count()), ("amount", func.sum(Payment.amount))))


_FACTS = {"orders": (OrderRollup, _ORDER_COLUMNS, _order_cells),
          **{name: (a.model, a.columns, a.cells) for name, a in (("flows", FLOWS), ("interactions", INTERACTIONS),
                                                                 ("payments", PAYMENTS))}}
FACTS = tuple(_FACTS)


def rebuild(session: Session, facts=None) -> None:
    """Every cell of these rollups (default: all) from the raw rows."""
    for model, columns, cells_of in (_FACTS[f] for f in (facts or _FACTS)):
        session.execute(delete(model))
        for grain in GRAINS:
            session.execute(insert(model).from_select(columns, cells_of(grain, None, None)))


def as_date(value) -> dt.date:
    """A DATE / DATETIME value (or its SQLite text) as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass
class Touched:
    """What a write may have changed in one rollup: single days, whole spans of days, and
    customers whose whole share moves (customer, old place, old alive, new place, new alive;
    a place is the (owner_id, region) its cells are keyed by)."""

    days: set[dt.date] = field(default_factory=set)
    spans: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    moves: list[tuple] = field(default_factory=list)


def refresh(session: Session, touched: dict[str, Touched]) -> None:
    """Per rollup (a key of _FACTS): move the moved customers' shares, then recompute
    every cell (all owners) of the touched days and of their months."""
    if not any(t.days or t.spans or t.moves for t in touched.values()):
        return
    lock(session)
    for fact, t in touched.items():
        for move_args in t.moves:
            _MOVES[fact](session, *move_args)
        months: set[dt.date] = set()
        if t.spans:
            lo = min(a for a, _b in t.spans)
            hi = max(b for _a, b in t.spans)
            _recompute(session, fact, "d", lo, hi + dt.timedelta(days=1))
            _recompute(session, fact, "m", _month(lo), _next_month(hi))
            days = {d for d in t.days if not lo <= d <= hi}
            months = {_month(d) for d in days if not _month(lo) <= d < _next_month(hi)}
        else:
            days = t.days
            months = {_month(d) for d in days}
        for d in sorted(days):
            _recompute(session, fact, "d", d, d + dt.timedelta(days=1))
        for m in sorted(months):
            _recompute(session, fact, "m", m, _next_month(m))


_LOCK_KEY = 740_301  # any constant: one lock for the rollups


def lock(session: Session) -> None:
    """Writers refresh rollup cells one at a time: two transactions recomputing the same
    day would each delete the other's uncommitted rows and both insert (double counts).
    SQLite writers are already serialised (BEGIN IMMEDIATE); PostgreSQL takes a
    transaction-scoped advisory lock, released at commit / rollback."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _recompute(session: Session, fact: str, grain: str, start: dt.date, end_x: dt.date) -> None:
    model, columns, cells_of = _FACTS[fact]
    session.execute(delete(model).where(model.grain == grain, model.start >= start, model.start < end_x))
    session.execute(insert(model).from_select(columns, cells_of(grain, start, end_x)))


def place(owner_id: int | None, region: str | None) -> dict:
    """The customer columns a rollup cell is keyed by besides its day / month."""
    return {"owner_id": owner_id, "region": region}


def _cell(session: Session, model, **key):
    conds = [(getattr(model, k).is_(None) if v is None else getattr(model, k) == v)
             for k, v in key.items()]
    return session.execute(select(model).where(*conds)).scalar_one_or_none()


def move_orders(session: Session, customer_id: int, old_place: dict, old_alive: bool,
                new_place: dict, new_alive: bool) -> None:
    """A customer changed owner, region or deleted state, its orders unchanged: move its share
    of every cell it is in (its sums, and 1 buyer) from the old place's cell to the new one's."""
    for grain, name in GRAINS.items():
        start = bucket(Order.order_date, name)
        mine = session.execute(
            select(start.label("start"), func.count().label("orders"), func.sum(Order.amount).label("revenue"),
                   func.sum(Order.amount - Order.cost).label("profit"), func.count(Order.cost).label("costed"),
                   func.sum(Order.amount - Order.paid_amount).label("unpaid"))
            .where(Order.customer_id == customer_id, Order.status == "completed")
            .group_by(start)).all()
        for r in mine:
            for where, alive, sign in ((old_place, old_alive, -1), (new_place, new_alive, 1)):
                if alive:
                    _add_orders(session, grain, as_date(r.start), where, r, sign)


def _add_orders(session: Session, grain: str, start: dt.date, where: dict, r, sign: int) -> None:
    cell = _cell(session, OrderRollup, grain=grain, start=start, **where)
    if cell is None:
        cell = OrderRollup(grain=grain, start=start, orders=0, revenue=0, profit=None,
                           costed=0, unpaid=0, buyers=0, **where)
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


_MOVES = {"orders": move_orders, "flows": FLOWS.move, "interactions": INTERACTIONS.move,
          "payments": PAYMENTS.move}


# Filter fields the cells answer from their own columns (CustomerFilter.SPECS: region,
# owner_id): a region chosen in the sidebar reads cells, not every customer of the region.
_CELL_FIELDS = ("regions", "owners")


def owner_condition(scope: Scope, flt: CustomerFilter | None,
                    model=OrderRollup) -> ColumnElement[bool] | None:
    """The rollup rows this actor may see under the filter, or None when the rollup cannot
    answer (a filter on anything but the cells' own columns; a region on a rollup without
    one): the caller then runs the raw query."""
    seen = true() if scope.sees_all_customers else model.owner_id == scope.user_id
    if flt is None or flt.is_empty():
        return seen
    keyed = CustomerFilter(**{name: getattr(flt, name) for name in _CELL_FIELDS})
    if keyed != flt or (flt.regions and not hasattr(model, "region")):
        return None
    # The filter's own clause over the cell columns: the same values, cleaned the same way.
    return and_(seen, keyed.clause(c=model, s=None))


def stats_condition(scope: Scope, flt: CustomerFilter | None) -> ColumnElement[bool] | None:
    """The customer_stats rows of the customers owner_condition's cells count (alive, under
    the owner and region they were counted with), or None where the cells cannot answer."""
    placed = SimpleNamespace(owner_id=CustomerStats.rollup_owner_id, region=CustomerStats.rollup_region)
    cond = owner_condition(scope, flt, placed)
    return None if cond is None else and_(CustomerStats.rollup_alive.is_(True), cond)


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


def covering(model, start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """The cells of `model` (order_rollup, stage_flow_rollup) that make up the days [start,
    end]: whole months from the "m" cells, the days of cut months from the "d" cells."""
    whole, parts = split(start, end, "month")
    cells = [and_(model.grain == "d", model.start >= lo, model.start <= hi) for lo, hi in parts]
    if whole is not None:
        cells.append(and_(model.grain == "m", model.start >= whole[0], model.start < whole[1]))
    return or_(*cells)


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
