"""Overview KPIs for a period, with the previous period and the same period last year,
and the trend by granularity. `crm report overview` prints exactly these numbers.

Definitions (also in the README):
- total_customers: visible customers created on or before the period's last day.
- new_customers: customers created in the period.
- first_time_buyers: customers whose first completed order falls in the period.
- active_buyers: distinct customers with a completed order in the period.
- orders / revenue: completed orders in the period; revenue = Σ amount (after discount).
- profit: Σ (amount − cost) over those orders whose cost is known.
- avg_order_value: revenue / orders.
- repeat_rate: share of the period's buyers who had bought before the period.
- churned: customers whose churn day (last purchase + churn_days, labels.churn_day) falls in the
  period, not after today.
- receivables: unpaid order amounts minus later payments, as of the period's last day.
- consulted / skipped / interactions: interactions logged in the period by outcome.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import Engine, distinct, func, select, true

from crm_data.accounts.scope import Scope
from crm_data.domain import labels
from crm_data.domain.clock import today
from crm_data.domain.periods import Period, as_date, bucket, buckets
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports import overview_facts, period_buyers
from crm_data.reports.scoping import visible, visible_per_customer, within
from crm_data.storage import parallel
from crm_data.storage.models import (
    Customer,
    CustomerRollup,
    CustomerStats,
    Order,
)
from crm_data.summaries import customer_rollup as cr
from crm_data.summaries import rollups

KPI_KEYS = (
    "total_customers", "new_customers", "first_time_buyers", "active_buyers", "orders",
    "revenue", "profit", "avg_order_value", "repeat_rate", "churned", "receivables",
    "interactions", "consulted", "skipped",
)
MONEY_KPIS = ("revenue", "profit", "avg_order_value", "receivables")


@dataclass(frozen=True)
class Kpis:
    total_customers: int
    new_customers: int
    first_time_buyers: int
    active_buyers: int
    orders: int
    revenue: int
    profit: int | None
    avg_order_value: int | None
    repeat_rate: float | None
    churned: int
    receivables: int
    interactions: int
    consulted: int
    skipped: int

    def as_dict(self) -> dict:
        return asdict(self)


def _dt(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time())


def kpis(engine: Engine, scope: Scope, period: Period, flt: CustomerFilter | None = None,
         churn_days: int | None = None) -> Kpis:
    return _kpis_many(engine, scope, [period], flt, churn_days)[0]


def _customer_counts(period: Period, churn_days: int, ref: dt.date, rolled: bool, v=None) -> list:
    """total, new, first-time buyers, churned of one period: aggregates over customers_from
    (or `v`, the visible customers' columns of the same names), or over customer_rollup's
    cells when `rolled` (the same counts by day)."""
    start, end_x = period.start, period.end_exclusive
    # churn day (labels.churn_day) in the period, not after today
    churn_from = labels.churned_last_order_until(period.start, churn_days)
    churn_to_x = labels.churned_last_order_until(min(period.end, ref), churn_days) + dt.timedelta(days=1)
    if rolled:
        return [cr.count(cr.in_days(cr.CREATED, None, end_x)),
                cr.count(cr.in_days(cr.CREATED, start, end_x)),
                cr.count(cr.in_days(cr.FIRST_ORDER, start, end_x)),
                cr.count(cr.in_days(cr.LAST_ORDER, churn_from, churn_to_x))]
    created, first, last = (Customer.created_at, CustomerStats.first_order_date, CustomerStats.last_order_date) \
        if v is None else (v.created_at, v.first_order_date, v.last_order_date)
    return [
        func.count().filter(created < _dt(end_x)),
        func.count().filter(created >= _dt(start), created < _dt(end_x)),
        func.count().filter(first >= start, first < end_x),
        func.count().filter(last >= churn_from, last < churn_to_x),
    ]


def _kpis_many(engine: Engine, scope: Scope, periods: list[Period], flt: CustomerFilter | None,
               churn_days: int | None) -> list[Kpis]:
    """The KPIs of several periods; the customer counts of all of them in one pass over the
    customers (compare() asks for three periods)."""
    ref = today()
    if churn_days is None:  # the configured window (rules_store)
        from crm_data.rules import store as rules_store

        churn_days = rules_store.churn_days(engine)
    # Customer counts and debt: from customer_rollup under no filter or regions / owners only
    # (rollups.owner_condition), else one pass over the visible customers.
    cells = rollups.owner_condition(scope, flt, CustomerRollup)
    # A filter: one statement, see _filtered. On PostgreSQL only for own customers (found
    # through the owner index: L staff, a region, 0.88 s against 1.15 s side by side).
    if cells is None and (engine.dialect.name == "sqlite" or not scope.sees_all_customers):
        with engine.connect() as conn:
            row, facts = _filtered(conn, scope, periods, flt, ref, churn_days)
        return _assemble(row, facts)
    if cells is None:
        # PostgreSQL, every customer under a filter: the statements side by side, each with
        # the visible ids (where.visible_customer_ids); the one statement over a CTE runs on
        # one core and hashes the ids once per fact table (L, a region, admin: 2.3 s → 1.7–2.0 s).
        counts = [c for p in periods for c in _customer_counts(p, churn_days, ref, False)]
        customers_q = customers_from().add_columns(
            *counts, func.coalesce(func.sum(CustomerStats.debt), 0)).where(*customer_where(scope, flt, ref))
        batches = [periods]
    else:
        counts = [c for p in periods for c in _customer_counts(p, churn_days, ref, True)]
        debt = func.coalesce(func.sum(CustomerRollup.debt), 0)  # only "created" cells carry it
        customers_q = select(*counts, debt).where(cells)
        # A period at a time (each an index range), every statement independent: at once on
        # PostgreSQL (crm_data.storage.parallel), where own customers' statements each hash
        # their ids but the periods run side by side (L staff: one read of all three periods
        # ~0.5 s on one core).
        batches = [[p] for p in periods]
    vis = functools.partial(visible, scope=scope, flt=flt, ref=ref)
    stats = rollups.stats_condition(scope, flt) if cells is not None else None
    cells_for = functools.partial(rollups.owner_condition, scope, flt) if cells is not None else None
    per_batch = [overview_facts.statements(vis, batch, cells_for, stats=stats) for batch in batches]
    rows = parallel.one_rows(engine, [customers_q, *[q for stmts in per_batch for q in stmts]])
    facts, at = [], 1
    for batch, stmts in zip(batches, per_batch, strict=True):
        facts += overview_facts.rows(batch, rows[at:at + len(stmts)])
        at += len(stmts)
    return _assemble(rows[0], facts)


def _filtered(conn, scope, periods, flt, ref, churn_days):
    """Under a filter the rollups cannot answer, and finding the filtered customers is a
    scan of customers (no index fits every filter): the customer counts and every fact
    table's figures of all periods in ONE statement over a CTE of the visible customers,
    so that scan happens once instead of once per table (S, a region: 5 scans → 1)."""
    v = customers_from().add_columns(
        Customer.id, Customer.created_at, CustomerStats.first_order_date,
        CustomerStats.last_order_date, CustomerStats.debt).where(*customer_where(scope, flt, ref)) \
        .cte("visible_customers")
    counts = [c for p in periods for c in _customer_counts(p, churn_days, ref, False, v.c)]
    customers_q = select(*counts, func.coalesce(func.sum(v.c.debt), 0))
    # SQLite only (period_facts): PostgreSQL keeps the statements it was measured with
    sqlite = conn.dialect.name == "sqlite"
    # Orders on SQLite: each visible customer's own rows of each period (the customer-first
    # covering index), not every order of the periods checked against the ids (S, a region
    # over this year and last: ~420 → ~220 ms admin, ~260 → ~70 ms staff); the other tables
    # are smaller per customer and read best by date.
    stmts = [customers_q, *overview_facts.statements(lambda col: within(col, select(v.c.id)), periods, None,
                                            by_period=sqlite,
                                            orders_vis=(lambda col: col.in_(select(v.c.id))) if sqlite else None)]
    subs = [q.subquery() for q in stmts]
    joined = functools.reduce(lambda a, b: a.join(b, true()), subs)  # one-row aggregates side by side
    row = conn.execute(select(*[c for sq in subs for c in sq.c]).select_from(joined)).one()
    widths = [len(sq.c) for sq in subs]
    parts, at = [], 0
    for w in widths:
        parts.append(row[at:at + w])
        at += w
    return parts[0], overview_facts.rows(periods, parts[1:])


def _assemble(row, facts: list[dict]) -> list[Kpis]:
    """Kpis per period from the customer counts row (4 per period + today's debt) and the
    periods' fact figures."""
    debt = int(row[-1])
    out = []
    for i, f in enumerate(facts):
        total, new, first_time, churned = (int(v) for v in row[4 * i:4 * i + 4])
        n_orders, revenue, buyers = f["orders"], f["revenue"], f["buyers"]
        # Buyers of the period who had bought before it = buyers minus first-time buyers (a
        # buyer whose first order is not before the period has it inside the period).
        returning = buyers - first_time
        out.append(Kpis(
            total_customers=total, new_customers=new, first_time_buyers=first_time,
            active_buyers=buyers, orders=n_orders, revenue=revenue, profit=f["profit"],
            avg_order_value=round(revenue / n_orders) if n_orders else None,
            repeat_rate=(returning / buyers) if buyers else None,
            churned=churned,
            receivables=debt - f["later_unpaid"] + f["later_paid"],
            interactions=f["interactions"], consulted=f["consulted"], skipped=f["skipped"],
        ))
    return out


@dataclass(frozen=True)
class KpiComparison:
    current: Kpis
    previous: Kpis
    last_year: Kpis
    period: Period

    def table(self) -> pd.DataFrame:
        """One row per KPI: value, previous, change, change %, last year, change, change %."""
        rows = []
        cur, prev, ly = self.current.as_dict(), self.previous.as_dict(), self.last_year.as_dict()
        for key in KPI_KEYS:
            rows.append({
                "kpi": key, "value": cur[key],
                "previous": prev[key], "change_prev": _diff(cur[key], prev[key]),
                "change_prev_pct": _pct(cur[key], prev[key]),
                "last_year": ly[key], "change_ly": _diff(cur[key], ly[key]),
                "change_ly_pct": _pct(cur[key], ly[key]),
            })
        return pd.DataFrame(rows)


def _diff(a, b):
    if a is None or b is None:
        return None
    return a - b


def _pct(a, b):
    if a is None or b is None or b == 0:
        return None
    return (a - b) / abs(b)


def compare(engine: Engine, scope: Scope, period: Period, flt: CustomerFilter | None = None,
            churn_days: int | None = None) -> KpiComparison:
    current, previous, last_year = _kpis_many(
        engine, scope, [period, period.previous(), period.last_year()], flt, churn_days)
    return KpiComparison(current=current, previous=previous, last_year=last_year, period=period)


def trend(engine: Engine, scope: Scope, period: Period, granularity: str,
          flt: CustomerFilter | None = None) -> pd.DataFrame:
    """Per bucket: new customers, orders, revenue, buyers — every bucket present (zeros)."""
    where = customer_where(scope, flt)
    start, end_x = period.start, period.end_exclusive
    ob = bucket(Order.order_date, granularity).label("bucket")
    measures = (ob, func.count().label("orders"), func.sum(Order.amount).label("revenue"),
                func.count(distinct(Order.customer_id)).label("buyers"))
    in_period = (Order.status == "completed", Order.order_date >= start, Order.order_date < end_x)
    if flt is not None and not flt.is_empty():
        # The visible customers' own orders (scoping.visible_per_customer): S, a region over a
        # year ~500 → ~130 ms against joining a year of orders to customers.
        orders_q = (select(*measures).where(visible_per_customer(Order.customer_id, scope, flt), *in_period)
                    .group_by(ob))
    else:
        orders_q = (customers_from().join(Order, Order.customer_id == Customer.id)
                    .add_columns(*measures).where(*where, *in_period).group_by(ob))
    cells = rollups.owner_condition(scope, flt, CustomerRollup)
    if cells is not None:
        cb = bucket(CustomerRollup.day, granularity).label("bucket")
        new_q = (select(cb, func.sum(CustomerRollup.customers).label("new_customers"))
                 .where(cells, cr.in_days(cr.CREATED, start, end_x)).group_by(cb))
    else:
        cb = bucket(Customer.created_at, granularity).label("bucket")
        new_q = (
            customers_from().add_columns(cb, func.count().label("new_customers"))
            .where(*where, Customer.created_at >= _dt(start), Customer.created_at < _dt(end_x))
            .group_by(cb)
        )
    # Days and whole months from the rollup under no filter or regions / owners only
    # (crm_data.summaries.rollups).
    owners = rollups.owner_condition(scope, flt) if granularity in ("day", "month") else None
    whole, parts = rollups.split(start, period.end, granularity) if owners is not None else (None, [])
    with engine.connect() as conn:
        if owners is None:
            orders = {as_date(r.bucket): r for r in conn.execute(orders_q)}
        else:
            orders = {}
            if whole is not None:
                grain = "d" if granularity == "day" else "m"
                orders = {as_date(r.bucket): r for r in conn.execute(rollups.cells(grain, *whole, owners))}
            stats = rollups.stats_condition(scope, flt)
            for lo, hi in parts:  # a month cut by the period: its own bucket
                end_x = hi + dt.timedelta(days=1)
                if period_buyers.reaches_today(end_x, today()):
                    orders[lo.replace(day=1)] = conn.execute(
                        period_buyers.figures(lo, end_x, owners, stats)).one()
                    continue
                part_q = orders_q.where(Order.order_date >= lo, Order.order_date <= hi)
                orders |= {as_date(r.bucket): r for r in conn.execute(part_q)}
        new = {as_date(r.bucket): r.new_customers for r in conn.execute(new_q)}
    rows = []
    for b in buckets(period, granularity):
        o = orders.get(b)
        rows.append({
            "bucket": b,
            "new_customers": int(new.get(b, 0)),
            "orders": int(o.orders) if o else 0,
            "revenue": int(o.revenue) if o else 0,
            "buyers": int(o.buyers) if o else 0,
        })
    return pd.DataFrame(rows, columns=["bucket", "new_customers", "orders", "revenue", "buyers"])
