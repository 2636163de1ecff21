"""A long period's orders figures without reading its orders: orders, revenue and profit
summed from order_rollup's cells, and the distinct buyers counted from customer_stats.

A customer bought in [a, b) exactly when its first or last completed order falls in it, or
when it spans the period (first before a, last on or after b) and has an order inside — the
only case that probes the orders, one index range per such customer (ix_orders_customer_cover).
At 1,000,000 customers a year's distinct buyers from ~2 million orders took 1.3–2.3 s; this
reads the customers active since a (L, this year against last year: 0.1–0.35 s per period).
For a short period the orders are fewer than the customers active since its start, so the
caller keeps the raw count there (LONG_DAYS).

Only where the rollups answer (rollups.owner_condition): the same customers, counted under
customer_stats' rollup_owner_id / rollup_region / rollup_alive, which every write keeps equal
to the customer's own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, exists, func, or_, select

from crm_data.storage.models import CustomerStats as S
from crm_data.storage.models import Order, OrderRollup
from crm_data.summaries import rollups

# The Overview's KPIs (three periods) both ways, admin: the cells and customer_stats win from
# ~45 days on at S on SQLite, ~63–92 at L on PostgreSQL (63 days: 157 against 231 ms at S,
# 601 against 554 ms at L; 92 days: 172 / 304 and 645 / 749; this year 246 / 733 and 741 /
# 2,267 ms).
LONG_DAYS = 62


def is_long(start: dt.date, end_x: dt.date) -> bool:
    return (end_x - start).days > LONG_DAYS


def reaches_today(end_x: dt.date, ref: dt.date) -> bool:
    """A period that runs to today: no customer's last order can be after it, so none spans
    it and nothing is probed — the count is one range of customer_stats, whatever the
    length (the month so far at the end of a year's trend: L ~0.5 s of orders → cells)."""
    return end_x > ref


def figures(start: dt.date, end_x: dt.date, owners, stats) -> Select:
    """SELECT orders, revenue, profit, buyers of completed orders dated in [start, end_x):
    the same row as the raw orders' aggregates. `owners`: the order_rollup cells
    (rollups.owner_condition); `stats`: the customer_stats rows (rollups.stats_condition)."""
    cells = rollups.covering(OrderRollup, start, end_x - dt.timedelta(days=1))
    sums = select(func.coalesce(func.sum(OrderRollup.orders), 0).label("orders"),
                  func.coalesce(func.sum(OrderRollup.revenue), 0).label("revenue"),
                  func.sum(OrderRollup.profit).label("profit")).where(cells, owners).subquery("sums")
    inside = exists().where(Order.customer_id == S.customer_id, Order.status == "completed",
                            Order.order_date >= start, Order.order_date < end_x)
    buyers = (select(func.count()).select_from(S)
              .where(stats, S.last_order_date >= start, S.first_order_date < end_x,
                     or_(S.first_order_date >= start, S.last_order_date < end_x, inside))
              .scalar_subquery())
    return select(*sums.c, buyers.label("buyers"))
