"""Doanh thu / Revenue per customer.

- by_bucket(): completed orders in the period per time bucket: revenue, profit (orders with
  a known cost; empty when no order of the bucket has one, as everywhere), orders and
  distinct buying customers; every bucket present (zeros). Whole
  days / months from order_rollup (no filter, or regions / owners only), the rest through the
  order_date index range.
- top_customers(): the largest lifetime spenders from customer_stats with orders, first /
  last order, days since last order, R / F / M scores.
- pareto(): share of lifetime revenue from the top x % of buying customers (window sums in
  SQL; at most ~100 points leave the database).
- ranking(): customers ranked by visits (interactions kind='visit'), interactions or
  purchases (completed orders) in the period.
Viewers (no personal data) get codes only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Date, Engine, distinct, func, literal, select, tuple_

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import today
from crm_data.domain.periods import Period, as_date, bucket, buckets, days_between
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports.scoping import visible, visible_per_customer
from crm_data.storage.models import Customer as C
from crm_data.storage.models import CustomerStats as S
from crm_data.storage.models import Interaction, Order
from crm_data.summaries import rollups

RANKINGS = ("purchases", "interactions", "visits")


def by_bucket(engine: Engine, scope: Scope, period: Period, granularity: str = "month",
              flt: CustomerFilter | None = None) -> pd.DataFrame:
    """bucket, revenue, profit, orders, buyers — one row per bucket of the period.

    Whole days / months come from order_rollup when the filter holds at most regions and owners
    (crm_data.summaries.rollups); a month cut by the period's edge, other granularities and
    other filters read the orders."""
    owners = rollups.owner_condition(scope, flt) if granularity in ("day", "month") else None
    with engine.connect() as conn:
        if owners is None:
            found = _raw_buckets(conn, scope, period.start, period.end, granularity, flt)
        else:
            whole, parts = rollups.split(period.start, period.end, granularity)
            found = {}
            if whole is not None:
                grain = "d" if granularity == "day" else "m"
                found = {as_date(r.bucket): r for r in conn.execute(rollups.cells(grain, *whole, owners))}
            for lo, hi in parts:
                found |= _raw_buckets(conn, scope, lo, hi, granularity, flt)
    rows = []
    for b in buckets(period, granularity):
        r = found.get(b)
        rows.append({"bucket": b, "revenue": int(r.revenue) if r else 0,
                     "profit": int(r.profit) if r is not None and r.profit is not None else None,
                     "orders": int(r.orders) if r else 0, "buyers": int(r.buyers) if r else 0})
    df = pd.DataFrame(rows, columns=["bucket", "revenue", "profit", "orders", "buyers"])
    df["profit"] = df["profit"].astype("Int64")  # empty (unknown) where no cost is known
    return df


def _raw_buckets(conn, scope: Scope, start: dt.date, end: dt.date, granularity: str,
                 flt: CustomerFilter | None) -> dict:
    """{bucket: row} from the orders dated start..end: the order_date index range, or under a
    filter over a long period the visible customers' orders one customer at a time."""
    ob = bucket(Order.order_date, granularity)
    # A year of orders checked one by one against the filtered ids costs more than reading only
    # those customers' orders (ix_orders_customer_cover covers cost): S, a region, 12 months:
    # 545,000 rows read and probed → 35,000 index seeks and the 197,000 orders found.
    # SQLite only: PostgreSQL hashes the ids for a semi-join either way (scoping).
    long = conn.dialect.name == "sqlite" and flt is not None and not flt.is_empty() \
        and (end - start).days > PER_CUSTOMER_DAYS
    mine = (visible_per_customer if long else visible)(Order.customer_id, scope, flt)
    inner = (select(ob.label("bucket"), Order.amount, (Order.amount - Order.cost).label("margin"),
                    Order.customer_id.label("cid"))
             .where(mine, Order.status == "completed",
                    Order.order_date >= start, Order.order_date <= end)
             .subquery("o"))
    q = (select(inner.c.bucket, func.coalesce(func.sum(inner.c.amount), 0).label("revenue"),
                func.sum(inner.c.margin).label("profit"), func.count().label("orders"),
                func.count(distinct(inner.c.cid)).label("buyers"))
         .group_by(inner.c.bucket))
    return {as_date(r.bucket): r for r in conn.execute(q)}


PER_CUSTOMER_DAYS = 62  # longer filtered periods read the orders customer by customer


def _identity_columns(engine: Engine, scope: Scope) -> list:
    """Code and name; per-customer rows are refused (and audited) for a role without
    personal data (the executive viewer gets aggregates only)."""
    require_personal_data(engine, scope, "customer_rows")
    return [C.code.label("code"), C.full_name.label("full_name")]


def top_customers(engine: Engine, scope: Scope, period: Period, limit: int = 50,
                  flt: CustomerFilter | None = None) -> pd.DataFrame:
    """The largest lifetime spenders (customer_stats), with their RFM scores."""
    ident = _identity_columns(engine, scope)
    del period  # lifetime figures from the summary table
    ref = today()
    since = days_between(S.last_order_date, literal(ref, Date))
    cols = [*ident,
            S.orders_count.label("orders"), S.first_order_date.label("first_order_date"),
            S.last_order_date.label("last_order_date"), S.total_spend.label("total_spend"),
            S.total_profit.label("total_profit"), since.label("days_since_last_order"),
            S.r_score.label("r_score"), S.f_score.label("f_score"), S.m_score.label("m_score"),
            S.tier.label("tier")]
    q = (customers_from().add_columns(*cols)
         .where(*customer_where(scope, flt, ref), S.orders_count > 0)
         .order_by(S.total_spend.desc(), C.code).limit(limit))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.key for c in cols])
    for col in ("first_order_date", "last_order_date"):
        df[col] = df[col].map(as_date)
    df["total_profit"] = df["total_profit"].map(
        lambda v: None if pd.isna(v) else int(v)).astype("Int64")  # empty: no cost known
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def pareto(engine: Engine, scope: Scope, period: Period,
           flt: CustomerFilter | None = None) -> pd.DataFrame:
    """customer_share (top x of buyers, 0–1), revenue_share (0–1), customers (top n)."""
    del period  # lifetime spend
    order = (S.total_spend.desc(), C.id)
    inner = (customers_from().add_columns(
        func.row_number().over(order_by=order).label("rn"),
        func.count().over().label("n"),
        func.sum(S.total_spend).over(order_by=order, rows=(None, 0)).label("cum"),
        func.sum(S.total_spend).over().label("total"),
    ).where(*customer_where(scope, flt), S.orders_count > 0).subquery("p"))
    # Keep the row where each whole percent of customers is reached (≤ 100 rows).
    q = (select(inner.c.rn, inner.c.n, inner.c.cum, inner.c.total)
         .where((inner.c.rn * 100) // inner.c.n != ((inner.c.rn - 1) * 100) // inner.c.n)
         .order_by(inner.c.rn))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    out = [{"customers": 0, "customer_share": 0.0, "revenue_share": 0.0}]
    for rn, n, cum, total in rows:
        out.append({"customers": int(rn), "customer_share": int(rn) / int(n),
                    "revenue_share": (int(cum) / int(total)) if total else 0.0})
    return pd.DataFrame(out if rows else [], columns=["customers", "customer_share", "revenue_share"])


def ranking(engine: Engine, scope: Scope, period: Period, metric: str = "purchases",
            limit: int = 20, flt: CustomerFilter | None = None) -> pd.DataFrame:
    """rank, code[, full_name], count (and revenue for purchases) in the period; ties by
    the older customer (lower id) first."""
    if metric not in RANKINGS:
        raise ValueError(f"unknown ranking {metric!r}; one of: {', '.join(RANKINGS)}")
    ident = _identity_columns(engine, scope)
    fact, when, measures, bound = _ranking_facts(metric, period)
    # Top-k with a bound (threshold algorithm): a customer's count in the period is at most
    # their lifetime count in customer_stats. Candidates come by lifetime count, largest
    # first (ix_stats_orders / ix_stats_interactions); each batch's counts in the period are
    # read per customer through their (customer_id, date) index. Once the k-th best count
    # exceeds every remaining candidate's lifetime count, nobody left can enter the top k.
    where = [*customer_where(scope, flt), bound > 0]
    best: list[tuple[int, int, object]] = []  # (-count, customer id, revenue)
    last = None
    size = max(RANKING_BATCH, limit)
    with engine.connect() as conn:
        while True:
            page = customers_from().add_columns(S.customer_id, bound).where(*where)
            if last is not None:
                page = page.where(tuple_(bound, S.customer_id) < tuple_(*last))
            batch = conn.execute(page.order_by(bound.desc(), S.customer_id.desc()).limit(size)).all()
            if not batch:
                break
            last = (batch[-1][1], batch[-1][0])  # (lifetime count, customer id)
            counted = select(fact.customer_id, *measures).where(
                fact.customer_id.in_([cid for cid, _ in batch]), *when).group_by(fact.customer_id)
            best += [(-int(r[1]), int(r[0]), r[2] if len(r) > 2 else None) for r in conn.execute(counted)]
            best = sorted(best)[:limit]
            if len(batch) < size or (len(best) == limit and -best[-1][0] > last[0]):
                break
            size *= 2
        names = {}
        if best:
            q = select(C.id, *ident).where(C.id.in_([cid for _, cid, _ in best]))
            names = {r[0]: r[1:] for r in conn.execute(q)}
    cols = [c.key for c in ident]
    rows = []
    for rank, (neg, cid, rev) in enumerate(best, start=1):
        row = {"rank": rank, **dict(zip(cols, names[cid], strict=True)), "count": -neg}
        if metric == "purchases":
            row["revenue"] = int(rev or 0)
        rows.append(row)
    return pd.DataFrame(rows, columns=["rank", *cols, "count", *(["revenue"] if metric == "purchases" else [])])


RANKING_BATCH = 200  # first batch of candidates; doubles while the top is still open


def _ranking_facts(metric: str, period: Period):
    """(fact table, its conditions in the period, [count, revenue?] per customer, the
    customer_stats column bounding the count)."""
    if metric == "purchases":
        when = [Order.status == "completed", Order.order_date >= period.start,
                Order.order_date < period.end_exclusive]
        return Order, when, [func.count(), func.sum(Order.amount)], S.orders_count
    start = dt.datetime.combine(period.start, dt.time())
    end_x = dt.datetime.combine(period.end_exclusive, dt.time())
    when = [Interaction.occurred_at >= start, Interaction.occurred_at < end_x]
    if metric == "visits":
        when.append(Interaction.kind == "visit")
    return Interaction, when, [func.count()], S.interactions_count
