"""Filtered report statements reshaped for speed (issue 16), for a region, a tier and a tag, as
everyone and as staff: the Revenue trend under a filter over a long period reads the visible
customers' orders one customer at a time (its numbers equal pandas over the raw orders of the
filter's own customers, over a long and a short period); the Overview's three periods under a
filter are read a period at a time (crm_data.reports.period_facts) and equal each period's
KPIs asked alone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import visible_customer_ids
from crm_data.reports import overview, revenue
from tests.reports_raw import PERIOD, in_period, load

SHORT = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def raw(seeded):
    return load(seeded)


def _filters(raw) -> list[CustomerFilter]:
    c = raw.customers
    tag = next(t for keys in c["tag_keys"] for t in keys.split(",") if t)
    return [CustomerFilter(regions=(c["region"].mode()[0],)),
            CustomerFilter(tiers=(c["tier"].dropna().mode()[0],)), CustomerFilter(tags=(tag,))]


def test_revenue_trend_under_filters(seeded, raw, backend):
    staff = int(raw.customers["owner_id"].dropna().mode()[0])
    for scope in (SYSTEM, Scope(staff, "staff", "staff")):
        for flt in _filters(raw):
            with seeded.connect() as conn:
                ids = set(conn.execute(visible_customer_ids(scope, flt)).scalars())
            assert ids
            for period in (PERIOD, SHORT):
                got = revenue.by_bucket(seeded, scope, period, "month", flt)
                o = raw.orders[raw.orders["customer_id"].isin(ids) & in_period(raw.orders["order_date"], period)]
                m = o["order_date"].dt.to_period("M").dt.start_time.dt.date
                g = o.assign(margin=o["amount"] - o["cost"]).groupby(m)
                exp = {b: (int(r), int(n), int(u), None if p != p else int(p)) for b, r, n, u, p in zip(
                    g.groups, g["amount"].sum(), g.size(), g["customer_id"].nunique(),
                    g["margin"].sum(min_count=1), strict=True)}
                found = {r.bucket: (r.revenue, r.orders, r.buyers, None if r.profit is None or r.profit != r.profit
                                    else int(r.profit)) for r in got.itertuples() if r.orders}
                assert found == exp, (scope.role, flt, period)


def test_long_filtered_trend_reads_the_customers_orders(seeded, raw, backend):
    """SQLite: the year's trend under a region and a customer kind (a filter the rollups do not
    answer) probes the customers' covering index instead of reading every order of the period
    and testing it against the filtered ids."""
    if backend != "sqlite":
        pytest.skip("SQLite's plan")
    seen = []

    def grab(conn, cursor, statement, params, context, executemany):
        if "count(DISTINCT" in statement:
            seen.append((statement, params))

    event.listen(seeded, "before_cursor_execute", grab)
    try:
        kind = raw.customers["kind"].mode()[0]
        revenue.by_bucket(seeded, SYSTEM, PERIOD, "month", _filters(raw)[0].with_(kinds=(kind,)))
    finally:
        event.remove(seeded, "before_cursor_execute", grab)
    assert seen
    with seeded.connect() as conn:
        plan = " ".join(r[-1] for s, p in seen for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
    assert "COVERING INDEX ix_orders_customer_cover" in plan, plan


def test_overview_periods_at_once_equal_each_alone(seeded, raw, backend):
    staff = int(raw.customers["owner_id"].dropna().mode()[0])
    for scope in (SYSTEM, Scope(staff, "staff", "staff")):
        orders = 0
        for flt in _filters(raw):
            cmp = overview.compare(seeded, scope, SHORT, flt)
            for got, period in ((cmp.current, SHORT), (cmp.previous, SHORT.previous()),
                                (cmp.last_year, SHORT.last_year())):
                assert got == overview.kpis(seeded, scope, period, flt), (scope.role, flt, period)
                orders += got.orders
        assert orders > 0  # not only empty periods
