"""The Overview's fact-table figures of periods (crm_data.reports.overview): orders, revenue,
profit and buyers; interactions by outcome; and what a period's receivables need — the
payments and the unpaid order amounts after its end. From the raw rows of the visible
customers, or from the rollup cells when they answer the scope and filter."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, distinct, func, or_, select

from crm_data.daily.receivables import open_order_clause
from crm_data.reports import period_buyers, period_facts
from crm_data.storage.models import (
    Interaction,
    InteractionRollup,
    Order,
    OrderRollup,
    Payment,
    PaymentRollup,
)
from crm_data.summaries import rollups


def _dt(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time())


def statements(vis, periods, cells_for=None, by_period: bool = False, orders_vis=None,
               stats=None) -> list:
    """Orders, interactions and receivables adjustments of the periods, each fact table
    read once for all of them (aggregates FILTERed per period; `by_period`: orders and
    interactions a period at a time, crm_data.reports.period_facts); `vis(customer_id column)`
    is the visible-customers condition (`orders_vis`, when given, the one for orders' own
    figures). `cells_for` (rollups.owner_condition of the scope and filter, given when the
    cells answer): the unpaid amounts after each period from order_rollup, the interactions
    and the payments after it from interaction_rollup / payment_rollup, and with `stats`
    (rollups.stats_condition) one long period's orders figures from the cells and
    customer_stats (crm_data.reports.period_buyers). Each statement gives one row (see rows)."""
    owners = cells_for(OrderRollup) if cells_for is not None else None
    orders_vis = orders_vis or vis
    ends = [p.end_exclusive for p in periods]

    def during(col, p, as_dt=False):
        lo, hi = (_dt(p.start), _dt(p.end_exclusive)) if as_dt else (p.start, p.end_exclusive)
        return and_(col >= lo, col < hi)

    long_one = (stats is not None and owners is not None and len(periods) == 1
                and period_buyers.is_long(periods[0].start, periods[0].end_exclusive))
    if by_period and len(periods) > 1:  # each period its own index range (period_facts)
        orders_q = period_facts.one_row(
            periods, Order.order_date, False, [orders_vis(Order.customer_id), Order.status == "completed"],
            [(func.count(), 0), (func.sum(Order.amount), None), (func.sum(Order.amount - Order.cost), None),
             (func.count(distinct(Order.customer_id)), 0)])
        consulted, skipped = (func.count().filter(Interaction.outcome == o) for o in ("consulted", "skipped"))
        inter_q = period_facts.one_row(periods, Interaction.occurred_at, True, [vis(Interaction.customer_id)],
                                       [(func.count(), 0), (consulted, 0), (skipped, 0)])
    else:
        if long_one:
            orders_q = period_buyers.figures(periods[0].start, periods[0].end_exclusive, owners, stats)
        else:
            in_o = [during(Order.order_date, p) for p in periods]
            orders_q = select(*[agg for w in in_o for agg in (
                func.count().filter(w), func.sum(Order.amount).filter(w),
                func.sum(Order.amount - Order.cost).filter(w), func.count(distinct(Order.customer_id)).filter(w))]) \
                .where(orders_vis(Order.customer_id), Order.status == "completed", or_(*in_o))
        if cells_for is not None:
            inter_q = _interaction_cells(periods, cells_for(InteractionRollup))
        else:
            in_i = [during(Interaction.occurred_at, p, as_dt=True) for p in periods]
            inter_q = select(*[agg for w in in_i for agg in (
                func.count().filter(w), func.count().filter(w, Interaction.outcome == "consulted"),
                func.count().filter(w, Interaction.outcome == "skipped"))]) \
                .where(vis(Interaction.customer_id), or_(*in_i))
    # Receivables as of a period's end = today's debt (customer counts query) minus what was
    # added after that day plus what was paid after it: reads only the orders / payments
    # after the period instead of the whole history before it — the unpaid part from the
    # daily rollup when the filter holds at most regions and owners.
    if cells_for is not None:  # the day cells from the earliest end on
        paid = PaymentRollup
        later_paid_q = select(*[func.coalesce(func.sum(paid.amount).filter(paid.start >= e), 0) for e in ends]) \
            .where(paid.grain == "d", paid.start >= min(ends), cells_for(PaymentRollup))
    else:
        later_paid_q = select(*[func.coalesce(func.sum(Payment.amount).filter(Payment.paid_on >= e), 0)
                                for e in ends]) \
            .where(vis(Payment.customer_id), Payment.paid_on >= min(ends))
    if owners is not None:
        later_unpaid_q = select(*[rollups.unpaid_since(e, owners).scalar_subquery() for e in ends])
    else:
        # Only orders not paid in full at checkout add to the debt (paid ≤ amount is checked
        # on every way in), so the partial index ix_orders_open holds every term of the sum:
        # the unpaid ones of a year of orders instead of all of them.
        unpaid = Order.amount - Order.paid_amount
        later_unpaid_q = select(*[
            func.coalesce(func.sum(unpaid).filter(Order.order_date >= e), 0) for e in ends]) \
            .where(vis(Order.customer_id), open_order_clause(), Order.order_date >= min(ends))
    return [orders_q, inter_q, later_paid_q, later_unpaid_q]


def _interaction_cells(periods, cells):
    """The interactions of each period (all, consulted, skipped) summed from its cells: whole
    months from the month cells, cut months from the day cells (rollups.covering)."""
    n = InteractionRollup.interactions
    in_c = [rollups.covering(InteractionRollup, p.start, p.end) for p in periods]
    return select(*[func.coalesce(agg, 0) for w in in_c for agg in (
        func.sum(n).filter(w), func.sum(n).filter(w, InteractionRollup.outcome == "consulted"),
        func.sum(n).filter(w, InteractionRollup.outcome == "skipped"))]) \
        .where(cells, or_(*in_c))


def rows(periods, rows) -> list[dict]:
    """Per period, the figures of statements' rows (orders, interactions, paid, unpaid)."""
    o, it, paid, later_unpaid = rows
    out = []
    for i in range(len(periods)):
        n, revenue, profit, buyers = o[4 * i:4 * i + 4]
        out.append({"orders": int(n), "revenue": int(revenue or 0),
                    "profit": None if profit is None else int(profit), "buyers": int(buyers),
                    "interactions": int(it[3 * i]), "consulted": int(it[3 * i + 1]),
                    "skipped": int(it[3 * i + 2]),
                    "later_unpaid": int(later_unpaid[i]), "later_paid": int(paid[i])})
    return out
