"""A long period's orders figures read from order_rollup's cells and customer_stats
(crm_data.reports.period_buyers) equal plain pandas over the completed orders — orders,
revenue, profit and distinct buyers — for periods of every shape (the year so far, cut
months, whole years before today), for every scope and under region / owner filters; and
the Overview's KPIs of a long period take that way. Both backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import event

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import overview, period_buyers
from crm_data.summaries import rollups
from tests import reports_raw
from tests.reports_raw import in_period

D = dt.date
PERIODS = (Period(D(2026, 1, 1), D(2026, 11, 20)), Period(D(2025, 2, 11), D(2025, 12, 31)),
           Period(D(2025, 1, 1), D(2025, 11, 20)), Period(D(2025, 11, 21), D(2026, 11, 20)),
           Period(D(2024, 3, 15), D(2024, 7, 2)), reports_raw.PAST,
           # just over LONG_DAYS: gaps between a customer's orders this long are common
           Period(D(2025, 6, 1), D(2025, 8, 5)), Period(D(2026, 3, 10), D(2026, 5, 20)))


def _expected(orders: pd.DataFrame) -> tuple:
    margin = (orders["amount"] - orders["cost"]).sum(min_count=1)
    return (len(orders), int(orders["amount"].sum()), None if pd.isna(margin) else int(margin),
            orders["customer_id"].nunique())


def test_long_period_figures_equal_pandas(seeded, backend):
    raw = reports_raw.load(seeded)
    c = raw.customers
    staff = int(c["owner_id"].dropna().mode()[0])
    region = c["region"].dropna().mode()[0]
    spanning_without_order = 0
    for scope in (SYSTEM, Scope(staff, "staff", "staff")):
        for flt in (None, CustomerFilter(regions=(region,)), CustomerFilter(owners=(staff,)),
                    CustomerFilter(regions=(region, "central"), owners=(staff,))):
            owners, stats = rollups.owner_condition(scope, flt), rollups.stats_condition(scope, flt)
            assert owners is not None and stats is not None
            mine = c
            if not scope.sees_all_customers:
                mine = mine[mine["owner_id"] == staff]
            if flt is not None and flt.regions:
                mine = mine[mine["region"].isin(flt.regions)]
            if flt is not None and flt.owners:
                mine = mine[mine["owner_id"].isin(flt.owners)]
            for p in PERIODS:
                assert period_buyers.is_long(p.start, p.end_exclusive)
                with seeded.connect() as conn:
                    n, revenue, profit, buyers = conn.execute(
                        period_buyers.figures(p.start, p.end_exclusive, owners, stats)).one()
                o = raw.orders[raw.orders["customer_id"].isin(mine["id"]) & in_period(raw.orders["order_date"], p)]
                got = (int(n), int(revenue or 0), None if profit is None else int(profit), int(buyers))
                assert got == _expected(o), (scope.role, flt, p)
                # the customers the orders must be probed for: orders before and after, none inside
                first = raw.orders.groupby("customer_id")["order_date"].agg(["min", "max"])
                spans = first[(first["min"] < reports_raw.ts(p.start)) & (first["max"] >= reports_raw.ts(p.end_exclusive))]
                spanning_without_order += len(set(spans.index) & set(mine["id"]) - set(o["customer_id"]))
    assert spanning_without_order > 0  # the EXISTS branch decided some customers


def test_the_overview_reads_a_long_period_from_cells(seeded, backend):
    seen: list[str] = []

    def note(conn, cursor, statement, *_):
        seen.append(statement)

    year, month = PERIODS[0], Period(D(2026, 11, 1), D(2026, 11, 20))
    event.listen(seeded, "before_cursor_execute", note)
    try:
        overview.compare(seeded, SYSTEM, year)
        long_reads = [s for s in seen if "count(DISTINCT orders.customer_id)" in s]
        seen.clear()
        overview.compare(seeded, SYSTEM, month)
        short_reads = [s for s in seen if "count(DISTINCT orders.customer_id)" in s]
    finally:
        event.remove(seeded, "before_cursor_execute", note)
    assert long_reads == [] and short_reads  # a month's orders are still counted from the orders


def test_a_trend_to_today_reads_its_cut_month_from_cells(seeded, backend):
    """The month so far at the end of a trend (a part the cells' months do not cover) comes
    from the day cells and customer_stats, with the numbers the raw orders give (a filter
    every customer meets, not a rollup column, takes the raw path)."""
    ever = D(1990, 1, 1)
    staff = int(reports_raw.load(seeded).customers["owner_id"].dropna().mode()[0])
    periods = (Period(D(2026, 1, 1), D(2026, 11, 20)), Period(D(2026, 9, 8), D(2026, 11, 20)),
               Period(D(2026, 11, 3), D(2026, 11, 20)))
    for scope in (SYSTEM, Scope(staff, "staff", "staff")):
        for flt in (CustomerFilter(), CustomerFilter(regions=("north",))):
            raw = flt.with_(created_from=ever)
            for p in periods:
                got = overview.trend(seeded, scope, p, "month", flt)
                assert int(got["buyers"].iloc[-1]) > 0, (scope.role, flt, p)
                pd.testing.assert_frame_equal(got, overview.trend(seeded, scope, p, "month", raw))
