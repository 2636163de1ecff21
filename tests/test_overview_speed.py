"""The Overview's speed work (issue 16) keeps every number: a region filter is read from the
rollups' region cells, a filter they cannot answer reads the filtered customers once
(SQLite), both give the same KPIs, and those add up to the unfiltered ones; the independent counts of Today's cards run at once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import event, func, select

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.daily import today
from crm_data.domain.geo import REGIONS
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import customer_trend, overview
from crm_data.storage.models import Customer, User

ADDITIVE = ("total_customers", "new_customers", "first_time_buyers", "active_buyers", "orders",
            "revenue", "churned", "receivables", "interactions", "consulted", "skipped")
PERIOD = Period(dt.date(2026, 9, 8), dt.date(2026, 11, 20))  # months cut at both ends
EVER = dt.date(1990, 1, 1)  # created_from: every customer was created later


def _statements(engine, fn):
    seen: list[str] = []

    def note(conn, cursor, statement, *_):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        return fn(), seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_filtered_kpis_read_the_customers_once_and_add_up_to_everyone(seeded, backend):
    with seeded.connect() as conn:  # every customer has one region: the filters partition them
        assert conn.execute(select(func.count()).where(Customer.region.is_(None))).scalar_one() == 0
    with seeded.connect() as conn:
        staff = conn.execute(select(User.id).where(User.username == "staff")).scalar_one()
    for scope in (SYSTEM, Scope(staff, "staff", "staff")):
        whole = overview.compare(seeded, scope, PERIOD)
        parts = []
        for region in REGIONS:
            # The region alone is read from the rollups' region cells; with a condition every
            # customer meets (not a rollup column) the same customers take the raw path.
            cells, seen = _statements(seeded, lambda r=region, who=scope: overview.compare(
                seeded, who, PERIOD, CustomerFilter(regions=(r,))))
            assert any("customer_rollup" in s for s in seen) and any("order_rollup" in s for s in seen)
            cmp, seen = _statements(seeded, lambda r=region, who=scope: overview.compare(
                seeded, who, PERIOD, CustomerFilter(regions=(r,), created_from=EVER)))
            # SQLite: one scan of the filtered customers for the counts and every fact table
            # (was 5); PostgreSQL runs them side by side instead
            if backend == "sqlite":
                assert sum(re.search(r"\bFROM customers\b", s) is not None for s in seen) == 1, seen
            assert cells.table().equals(cmp.table()), (scope.role, region)
            parts.append(cmp)
        for which in ("current", "previous", "last_year"):
            got = [getattr(p, which).as_dict() for p in parts]
            want = getattr(whole, which).as_dict()
            for key in ADDITIVE:
                assert sum(g[key] for g in got) == want[key], (scope.role, which, key)
        # the filtered trend (the visible customers' own orders) adds up to everyone's too
        cols = ["new_customers", "orders", "revenue", "buyers"]
        by_region = sum(overview.trend(seeded, scope, PERIOD, "week", CustomerFilter(regions=(r,)))[cols]
                        for r in REGIONS)
        assert by_region.equals(overview.trend(seeded, scope, PERIOD, "week")[cols]), scope.role
        # the customer bars from the cached trend + first-time buyers = the bars in one call
        flt = CustomerFilter(regions=(REGIONS[0],))
        trend = overview.trend(seeded, scope, PERIOD, "week", flt)
        first = customer_trend.first_time_by_bucket(seeded, scope, PERIOD, "week", flt)
        assert customer_trend.combine(trend, first).equals(
            customer_trend.customers_by_bucket(seeded, scope, PERIOD, "week", flt))


def test_today_counts_at_once_on_postgresql_one_connection_on_sqlite(seeded, backend):
    used: set[int] = set()

    def checkout(dbapi_conn, *_):
        used.add(id(dbapi_conn))

    event.listen(seeded.pool, "checkout", checkout)
    try:
        got = today.counts(seeded, SYSTEM)
    finally:
        event.remove(seeded.pool, "checkout", checkout)
    listed = today.items(seeded, SYSTEM, limit=None).groupby("kind").size()
    assert got == {k: int(listed.get(k, 0)) for k in today.KINDS}
    if backend == "postgresql":
        assert len(used) >= 2  # the kinds' counts in parallel, each on a connection of its own
