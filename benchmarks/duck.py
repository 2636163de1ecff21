"""The same questions answered by DuckDB over the same rows, loaded into memory (DuckDB's
SQLite / PostgreSQL scanners are extensions that cannot be downloaded here): the distance
between the app and a columnar engine that scans everything."""

from __future__ import annotations

import datetime as dt
import re
import time
import warnings

import pandas as pd
from sqlalchemy import Engine

from crm_data.domain.periods import Period

TABLES = {
    "customers": "SELECT id, created_at, region, owner_id, deleted_at FROM customers",
    "customer_stats": ("SELECT customer_id, first_order_date, last_order_date, orders_count, "
                       "total_spend, tier, rfm_segment FROM customer_stats"),
    "orders": ("SELECT customer_id, order_date, status, amount, cost, paid_amount FROM orders"),
    "payments": "SELECT customer_id, paid_on, amount FROM payments",
    "interactions": "SELECT customer_id, occurred_at, outcome FROM interactions",
}
# Columns cast on load: SQLite hands dates over as text.
CASTS = {
    "customers": {"created_at": "TIMESTAMP", "deleted_at": "TIMESTAMP"},
    "customer_stats": {"first_order_date": "DATE", "last_order_date": "DATE"},
    "orders": {"order_date": "DATE"},
    "payments": {"paid_on": "DATE"},
    "interactions": {"occurred_at": "TIMESTAMP"},
}
# Every question: visible customers only (not deleted; staff: their own).


def _q(con, sql: str, params: dict):
    """DuckDB wants exactly the parameters a statement names."""
    used = set(re.findall(r"\$(\w+)", sql))
    return con.execute(sql, {k: v for k, v in params.items() if k in used})


def load(engine: Engine):
    """An in-memory DuckDB with the columns the questions need; returns (con, seconds)."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    for name, sql in TABLES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pd.read_sql_query(sql, engine)
        con.register("src", df)
        cols = ", ".join(f"CAST({col} AS {CASTS[name][col]}) AS {col}" if col in CASTS[name]
                         else col for col in df.columns)
        con.execute(f"CREATE TABLE {name} AS SELECT {cols} FROM src")  # noqa: S608 - fixed names
        con.unregister("src")
        del df
    return con, time.perf_counter() - started


def _kpis(con, period: Period, owner, ref: dt.date, churn_days: int = 180):
    start, end_x = period.start, period.end_exclusive
    p = {"start": start, "end_x": end_x, "owner": owner,
         "churn_from": start - dt.timedelta(days=churn_days),
         "churn_to": min(period.end, ref) - dt.timedelta(days=churn_days)}
    out = {}
    out["customers"] = _q(con, """
        SELECT count(*) FILTER (WHERE c.created_at < $end_x),
               count(*) FILTER (WHERE c.created_at >= $start AND c.created_at < $end_x),
               count(*) FILTER (WHERE s.first_order_date >= $start AND s.first_order_date < $end_x),
               count(*) FILTER (WHERE s.last_order_date BETWEEN $churn_from AND $churn_to)
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner)""", p).fetchall()
    out["orders"] = _q(con, """
        SELECT count(*), coalesce(sum(o.amount), 0), sum(o.amount - o.cost),
               count(DISTINCT o.customer_id),
               count(DISTINCT CASE WHEN s.first_order_date < $start THEN o.customer_id END)
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id JOIN orders o ON o.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND o.status = 'completed' AND o.order_date >= $start
          AND o.order_date < $end_x""", p).fetchall()
    out["unpaid"] = _q(con, """
        SELECT coalesce(sum(o.amount - o.paid_amount), 0) FROM customers c JOIN customer_stats s ON s.customer_id = c.id JOIN orders o ON o.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND o.status = 'completed' AND o.order_date < $end_x""", p).fetchall()
    out["paid"] = _q(con, """
        SELECT coalesce(sum(y.amount), 0) FROM customers c JOIN customer_stats s ON s.customer_id = c.id JOIN payments y ON y.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND y.paid_on < $end_x""", p).fetchall()
    out["interactions"] = _q(con, """
        SELECT count(*), count(*) FILTER (WHERE i.outcome = 'consulted'),
               count(*) FILTER (WHERE i.outcome = 'skipped')
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id JOIN interactions i ON i.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND i.occurred_at >= $start AND i.occurred_at < $end_x""", p).fetchall()
    return out


def kpis(con, ctx):
    """Overview KPIs of the period, the previous period and the same period last year."""
    period = ctx.period("this_month")
    return [_kpis(con, p, ctx.owner, ctx.today) for p in (period, period.previous(), period.last_year())]


def trend(con, ctx):
    period = ctx.period("this_month")
    gran = ctx.granularity("this_month")
    p = {"start": period.start, "end_x": period.end_exclusive, "owner": ctx.owner, "g": gran}
    orders = _q(con, """
        SELECT date_trunc($g, o.order_date) AS b, count(*), sum(o.amount), count(DISTINCT o.customer_id)
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id
        JOIN orders o ON o.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND o.status = 'completed' AND o.order_date >= $start AND o.order_date < $end_x
        GROUP BY b ORDER BY b""", p).fetchall()
    new = _q(con, """
        SELECT date_trunc($g, c.created_at) AS b, count(*) FROM customers c
        JOIN customer_stats s ON s.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND c.created_at >= $start AND c.created_at < $end_x GROUP BY b""", p).fetchall()
    return orders, new


def revenue_by_month(con, ctx):
    period = ctx.period("last_12m")
    p = {"start": period.start, "end_x": period.end_exclusive, "owner": ctx.owner}
    return _q(con, """
        SELECT date_trunc('month', o.order_date) AS b, count(*), sum(o.amount),
               sum(o.amount - o.cost), count(DISTINCT o.customer_id)
        FROM customers c JOIN orders o ON o.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) AND o.status = 'completed' AND o.order_date >= $start AND o.order_date < $end_x
        GROUP BY b ORDER BY b""", p).fetchall()


def segments_by_region(con, ctx):
    return _q(con, """
        SELECT c.region, s.tier, count(*), sum(s.total_spend)
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) GROUP BY c.region, s.tier ORDER BY 1, 2""", {"owner": ctx.owner}).fetchall()


def top_customers(con, ctx):
    return _q(con, """
        SELECT c.id, s.total_spend, s.orders_count, s.last_order_date
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id
        WHERE c.deleted_at IS NULL AND ($owner IS NULL OR c.owner_id = $owner) ORDER BY s.total_spend DESC, c.id LIMIT 50""", {"owner": ctx.owner}).fetchall()


QUESTIONS = {
    "kpis": kpis, "trend": trend, "revenue_by_month": revenue_by_month,
    "segments_by_region": segments_by_region, "top_customers": top_customers,
}
