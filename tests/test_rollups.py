"""order_rollup, stage_flow_rollup, customer_rollup, interaction_rollup and payment_rollup
equal the raw computation (pandas over orders / stage changes / customers / interactions /
payments, by owner and region) after writes — an order added, a cancellation, an
interaction and a payment logged, rows moved between customers, an owner change, a region
change, a soft delete — and after a rebuild; reports
read them under no filter and under a region / owner filter like the raw rows; migration
0002 upgrades a populated 0001 database. Both backends."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import insert, select, update

from crm_data import summaries
from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import journey, overview, retention, revenue
from crm_data.storage import schema
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import (
    Customer,
    CustomerStats,
    Interaction,
    Order,
    OrderRollup,
    Payment,
    StageChange,
    User,
)
from crm_data.summaries import changes, rollups

TODAY = dt.date(2026, 11, 20)


def _expected(engine) -> pd.DataFrame:
    orders = pd.read_sql("SELECT customer_id, order_date, status, amount, cost, paid_amount FROM orders", engine)
    cust = pd.read_sql("SELECT id, owner_id, region, deleted_at FROM customers", engine)
    o = orders[orders["status"] == "completed"].merge(cust, left_on="customer_id", right_on="id")
    o = o[o["deleted_at"].isna()].copy()
    o["order_date"] = pd.to_datetime(o["order_date"]).dt.date
    o["margin"] = o["amount"] - o["cost"]
    o["unpaid"] = o["amount"] - o["paid_amount"]
    o["owner_id"] = o["owner_id"].fillna(-1).astype(int)
    o["region"] = o["region"].fillna("-")
    frames = []
    for grain, key in (("d", o["order_date"]), ("m", o["order_date"].map(lambda d: d.replace(day=1)))):
        g = o.assign(start=key).groupby(["start", "owner_id", "region"])
        frames.append(pd.DataFrame({
            "orders": g.size(), "revenue": g["amount"].sum(), "profit": g["margin"].sum(min_count=1),
            "unpaid": g["unpaid"].sum(), "buyers": g["customer_id"].nunique(),
        }).reset_index().assign(grain=grain))
    return _norm(pd.concat(frames))


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["owner_id"] = df["owner_id"].fillna(-1).astype(int)
    df["region"] = df["region"].fillna("-")
    df["profit"] = df["profit"].astype(float)
    for col in ("orders", "revenue", "unpaid", "buyers"):
        df[col] = df[col].astype(int)
    cols = ["grain", "start", "owner_id", "region", "orders", "revenue", "profit", "unpaid", "buyers"]
    return df[cols].sort_values(["grain", "start", "owner_id", "region"]).reset_index(drop=True)


def _expected_flows(engine) -> pd.DataFrame:
    ch = pd.read_sql("SELECT customer_id, kind, from_stage, to_stage, changed_at FROM stage_changes", engine)
    cust = pd.read_sql("SELECT id, owner_id, region, deleted_at FROM customers", engine)
    c = ch[ch["kind"] == "lifecycle"].merge(cust, left_on="customer_id", right_on="id")
    c = c[c["deleted_at"].isna()].copy()
    day = pd.to_datetime(c["changed_at"]).dt.date
    c["owner_id"] = c["owner_id"].fillna(-1).astype(int)
    c["region"] = c["region"].fillna("-")
    c["from_stage"] = c["from_stage"].fillna("(none)")
    frames = [c.assign(grain=g, start=k).groupby(["grain", "start", "owner_id", "region", "from_stage",
                                                   "to_stage"])
              .size().rename("changes").reset_index()
              for g, k in (("d", day), ("m", day.map(lambda d: d.replace(day=1))))]
    return _norm_flows(pd.concat(frames))


def _norm_flows(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["owner_id"] = df["owner_id"].fillna(-1).astype(int)
    df["region"] = df["region"].fillna("-")
    df["from_stage"] = df["from_stage"].fillna("(none)")
    df["changes"] = df["changes"].astype(int)
    cols = ["grain", "start", "owner_id", "region", "from_stage", "to_stage", "changes"]
    return df[cols].sort_values(cols[:6]).reset_index(drop=True)


def _expected_customer_cells(engine) -> pd.DataFrame:
    cust = pd.read_sql("SELECT id, owner_id, region, created_at, deleted_at FROM customers", engine)
    stats = pd.read_sql("SELECT customer_id, first_order_date, last_order_date, debt FROM customer_stats", engine)
    c = cust[cust["deleted_at"].isna()].merge(stats, left_on="id", right_on="customer_id")
    c["owner_id"] = c["owner_id"].fillna(-1).astype(int)
    c["region"] = c["region"].fillna("-")
    frames = []
    for kind, col in (("created", "created_at"), ("first_order", "first_order_date"),
                      ("last_order", "last_order_date")):
        k = c[c[col].notna()].assign(day=pd.to_datetime(c[col]).dt.date)
        g = k.groupby(["day", "owner_id", "region"])
        frames.append(pd.DataFrame({"customers": g.size(),
                                    "debt": g["debt"].sum() if kind == "created" else 0})
                      .reset_index().assign(kind=kind))
    return _norm_customer_cells(pd.concat(frames))


def _norm_customer_cells(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["day"] = pd.to_datetime(df["day"]).dt.date
    df["owner_id"] = df["owner_id"].fillna(-1).astype(int)
    df["region"] = df["region"].fillna("-")
    for col in ("customers", "debt"):
        df[col] = df[col].astype(int)
    cols = ["kind", "day", "owner_id", "region", "customers", "debt"]
    return df[cols].sort_values(cols[:4]).reset_index(drop=True)


def _expected_additive(engine, table: str, when: str, keys: list[str], measures: dict) -> pd.DataFrame:
    """Cells of interaction_rollup / payment_rollup by pandas: the rows of non-deleted
    customers grouped by day or month, owner, region and `keys`; measures: cell column →
    (row column, aggregate)."""
    rows = pd.read_sql(f"SELECT * FROM {table}", engine)  # noqa: S608
    cust = pd.read_sql("SELECT id AS cid, owner_id, region, deleted_at FROM customers", engine)
    r = rows.merge(cust, left_on="customer_id", right_on="cid")
    r = r[r["deleted_at"].isna()].copy()
    r["owner_id"] = r["owner_id"].fillna(-1).astype(int)
    r["region"] = r["region"].fillna("-")
    day = pd.to_datetime(r[when]).dt.date
    frames = [r.assign(grain=g, start=k).groupby(["grain", "start", "owner_id", "region", *keys])
              .agg(**{m: (col, agg) for m, (col, agg) in measures.items()}).reset_index()
              for g, k in (("d", day), ("m", day.map(lambda d: d.replace(day=1))))]
    return _norm_additive(pd.concat(frames), keys, list(measures))


def _norm_additive(df: pd.DataFrame, keys: list[str], measures: list[str]) -> pd.DataFrame:
    df = df.copy()
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["owner_id"] = df["owner_id"].fillna(-1).astype(int)
    df["region"] = df["region"].fillna("-")
    for m in measures:
        df[m] = df[m].astype(int)
    cols = ["grain", "start", "owner_id", "region", *keys]
    return df[cols + measures].sort_values(cols).reset_index(drop=True)


_ADDITIVE = (("interaction_rollup", "interactions", "occurred_at", ["outcome"],
              {"interactions": ("id", "size")}),
             ("payment_rollup", "payments", "paid_on", [], {"payments": ("id", "size"), "amount": ("amount", "sum")}))


def _assert_rollup_is_raw(engine) -> None:
    cells = _norm_customer_cells(pd.read_sql("SELECT * FROM customer_rollup", engine))
    pd.testing.assert_frame_equal(cells, _expected_customer_cells(engine), check_dtype=False)
    got = _norm(pd.read_sql("SELECT * FROM order_rollup", engine))
    pd.testing.assert_frame_equal(got, _expected(engine), check_dtype=False)
    flows = _norm_flows(pd.read_sql("SELECT * FROM stage_flow_rollup", engine))
    expected_flows = _expected_flows(engine)
    assert len(expected_flows) > 0
    pd.testing.assert_frame_equal(flows, expected_flows, check_dtype=False)
    for rollup, table, when, keys, measures in _ADDITIVE:
        expected = _expected_additive(engine, table, when, keys, measures)
        got = _norm_additive(pd.read_sql(f"SELECT * FROM {rollup}", engine), keys, list(measures))  # noqa: S608
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def _order(code, cid, day, amount, cost=None, paid=None, status="completed"):
    return {"code": code, "customer_id": cid, "order_date": day, "status": status,
            "ordered_at": dt.datetime.combine(day, dt.time(10)), "subtotal": amount, "amount": amount,
            "cost": cost, "paid_amount": amount if paid is None else paid}


def _populate(engine) -> None:
    with unit_of_work(engine) as s:
        s.execute(insert(User), [{"id": i, "username": f"u{i}", "display_name": f"U{i}", "role": "staff",
                                  "password_hash": "x"} for i in (1, 2)])
        s.execute(insert(Customer), [
            {"id": 1, "code": "KH1", "full_name": "A", "owner_id": 1, "region": "north"},
            {"id": 2, "code": "KH2", "full_name": "B", "owner_id": 2, "region": "south"},
            {"id": 3, "code": "KH3", "full_name": "C", "owner_id": None, "region": None},
        ])
        d = dt.date
        s.execute(insert(Order), [
            _order("DH1", 1, d(2026, 8, 3), 100_000, 60_000),
            _order("DH2", 1, d(2026, 8, 3), 50_000, None, paid=20_000),
            _order("DH3", 1, d(2026, 10, 15), 70_000, 30_000),
            _order("DH4", 2, d(2026, 8, 3), 200_000, None),
            _order("DH5", 2, d(2026, 11, 2), 90_000, 10_000, status="cancelled"),
            _order("DH6", 3, d(2026, 9, 30), 40_000, 5_000, paid=0),
            _order("DH7", 2, d(2026, 9, 1), 10_000, 1_000),
        ])
        t = dt.datetime
        s.execute(insert(StageChange), [
            {"customer_id": cid, "kind": kind, "from_stage": a, "to_stage": b, "changed_at": at}
            for cid, kind, a, b, at in (
                (1, "lifecycle", None, "awareness", t(2026, 7, 30, 9)),
                (1, "lifecycle", "awareness", "first_purchase", t(2026, 8, 3, 10)),
                (2, "lifecycle", None, "awareness", t(2026, 8, 3, 23, 59)),
                (2, "lifecycle", "awareness", "first_purchase", t(2026, 8, 3, 23, 59)),
                (3, "lifecycle", None, "consideration", t(2026, 9, 30, 8)),
                (1, "lifecycle", "first_purchase", "repeat", t(2026, 10, 15, 12)),
                (3, "pipeline", "new", "contacted", t(2026, 9, 1, 8)),
            )])
        s.execute(insert(Interaction), [_interaction(*a) for a in (
            (1, t(2026, 8, 3, 9), "consulted"), (1, t(2026, 8, 3, 23, 59), "skipped"),
            (2, t(2026, 8, 3, 10), "consulted"), (2, t(2026, 10, 1, 0, 0), "no_answer"),
            (3, t(2026, 9, 30, 8), "follow_up"), (1, t(2026, 11, 2, 14), "consulted"))])
        s.execute(insert(Payment), [{"customer_id": cid, "paid_on": day, "amount": amount}
                                    for cid, day, amount in ((1, d(2026, 8, 10), 10_000), (1, d(2026, 9, 1), 5_000),
                                                             (3, d(2026, 10, 1), 20_000), (2, d(2026, 8, 10), 1_000))])


def _interaction(cid, at, outcome):
    return {"customer_id": cid, "kind": "call", "outcome": outcome, "occurred_at": at}


@pytest.mark.parametrize("few", [20, 0], ids=["moves", "recompute"])
def test_rollup_follows_every_write(engine, backend, few, monkeypatch):
    monkeypatch.setattr(changes, "_FEW", few)  # 0: an owner change recomputes the days
    _populate(engine)
    summaries.rebuild_all(engine, TODAY)
    _assert_rollup_is_raw(engine)
    with engine.connect() as conn:  # the helper is shared with tests that have none
        assert all(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()  # noqa: S608
                   for t in ("interaction_rollup", "payment_rollup"))

    # an order added in a month the customer had none, and a cancellation
    with unit_of_work(engine) as s:
        s.execute(insert(Order), [_order("DH8", 3, dt.date(2026, 11, 19), 55_000, 20_000, paid=5_000)])
        s.execute(update(Order).where(Order.code == "DH3").values(status="cancelled"))
        summaries.refresh_customers(s, [3, 1], TODAY)
    _assert_rollup_is_raw(engine)

    # an order added between a customer's earlier orders (only its day and month change)
    with unit_of_work(engine) as s:
        s.execute(insert(Order), [_order("DH9", 2, dt.date(2026, 8, 20), 30_000, 12_000, paid=0)])
        summaries.refresh_customers(s, [2], TODAY)
    _assert_rollup_is_raw(engine)

    # a customer's owner changed: the old owner's cells lose the orders, the new owner's gain
    with unit_of_work(engine) as s:
        s.execute(update(Customer).where(Customer.id == 1).values(owner_id=2))
        summaries.refresh_customers(s, [1], TODAY)
    _assert_rollup_is_raw(engine)

    # regions changed (a province edited): into a region, between regions, out of any
    for cid, region in ((3, "central"), (1, "south"), (2, None)):
        with unit_of_work(engine) as s:
            s.execute(update(Customer).where(Customer.id == cid).values(region=region))
            summaries.refresh_customers(s, [cid], TODAY)
        _assert_rollup_is_raw(engine)

    # owner and region at once, with a new order the same day
    with unit_of_work(engine) as s:
        s.execute(update(Customer).where(Customer.id == 3).values(owner_id=1, region="north"))
        s.execute(insert(Order), [_order("DH10", 3, dt.date(2026, 11, 19), 12_000, 2_000)])
        summaries.refresh_customers(s, [3], TODAY)
    _assert_rollup_is_raw(engine)

    # an interaction and a payment logged (a day and a month with none before), and one
    # interaction moved to another customer as a merge does (both refreshed together)
    with unit_of_work(engine) as s:
        s.execute(insert(Interaction), [_interaction(3, dt.datetime(2026, 11, 19, 16), "consulted")])
        s.execute(insert(Payment), [{"customer_id": 1, "paid_on": dt.date(2026, 11, 18), "amount": 7_000}])
        summaries.refresh_customers(s, [3, 1], TODAY)
    _assert_rollup_is_raw(engine)
    with unit_of_work(engine) as s:
        s.execute(update(Interaction).where(Interaction.customer_id == 2).values(customer_id=1))
        s.execute(update(Payment).where(Payment.customer_id == 2).values(customer_id=3))
        summaries.refresh_customers(s, [1, 2, 3], TODAY)
    _assert_rollup_is_raw(engine)

    # a customer soft-deleted: their orders leave the rollup
    with unit_of_work(engine) as s:
        s.execute(update(Customer).where(Customer.id == 2).values(deleted_at=dt.datetime(2026, 11, 20, 9)))
        summaries.refresh_customers(s, [2], TODAY)
    _assert_rollup_is_raw(engine)


def test_reports_read_the_rollup_like_the_raw_orders(engine, backend):
    """by_bucket and the overview with the rollup (no filter) equal the raw path (a filter
    that keeps everyone forces it), for a period with months cut at both ends."""
    _populate(engine)
    summaries.rebuild_all(engine, TODAY)
    everyone = _Everyone()
    assert rollups.owner_condition(Scope(1, "admin", "admin"), CustomerFilter()) is not None
    assert rollups.owner_condition(Scope(1, "admin", "admin"), everyone) is None
    for period in (Period(dt.date(2026, 8, 3), dt.date(2026, 11, 19)),
                   Period(dt.date(2026, 8, 1), dt.date(2026, 10, 31)),
                   Period(dt.date(2026, 9, 2), dt.date(2026, 9, 30))):
        for scope in (Scope(1, "admin", "admin"), Scope(2, "staff", "staff")):
            for gran in ("day", "month"):
                pd.testing.assert_frame_equal(revenue.by_bucket(engine, scope, period, gran),
                                              revenue.by_bucket(engine, scope, period, gran, everyone))
                pd.testing.assert_frame_equal(overview.trend(engine, scope, period, gran),
                                              overview.trend(engine, scope, period, gran, everyone))
            pd.testing.assert_frame_equal(overview.compare(engine, scope, period).table(),
                                          overview.compare(engine, scope, period, everyone).table())
            for days in (30, 60, 180):  # customer_rollup's last-order cells vs the summary rows
                a = overview.compare(engine, scope, period, churn_days=days).table()
                assert a.equals(overview.compare(engine, scope, period, everyone, churn_days=days).table())
                pd.testing.assert_frame_equal(
                    retention.churn_by_bucket(engine, scope, period, "month", days),
                    retention.churn_by_bucket(engine, scope, period, "month", days, everyone))
            pd.testing.assert_frame_equal(retention.recency_bands(engine, scope, period),
                                          retention.recency_bands(engine, scope, period, everyone))
            for gran in ("week", "quarter"):
                pd.testing.assert_frame_equal(overview.trend(engine, scope, period, gran),
                                              overview.trend(engine, scope, period, gran, everyone))
            for gran in ("week", "month"):
                pd.testing.assert_frame_equal(journey.over_time(engine, scope, period, gran),
                                              journey.over_time(engine, scope, period, gran, everyone))
            pd.testing.assert_frame_equal(journey.transitions(engine, scope, period),
                                          journey.transitions(engine, scope, period, everyone))


_KEYED = (CustomerFilter(regions=("north",)), CustomerFilter(regions=("south", "north")),
          CustomerFilter(regions=("central",)), CustomerFilter(owners=(2,)),
          CustomerFilter(regions=("north",), owners=(1, 2)))


class _Raw(CustomerFilter):
    """The same filter, but not one the rollups answer (another class: owner_condition gives
    None), so reports take the raw path with the same WHERE clause."""


def _raw(flt: CustomerFilter) -> _Raw:
    return _Raw(**{f.name: getattr(flt, f.name) for f in dataclasses.fields(flt)})


def test_reports_read_region_and_owner_cells_like_the_raw_rows(engine, backend):
    """A region or owner filter is answered from the cells, with the numbers of the raw path
    under the same filter — after writes moved customers between regions and owners."""
    from crm_data.customers.listing import count_customers
    from crm_data.daily import receivables
    from crm_data.reports import customer_trend
    from crm_data.reports.labels import label_counts
    from crm_data.storage.models import CustomerRollup, FunnelRollup, StageFlowRollup

    _populate(engine)
    summaries.rebuild_all(engine, TODAY)
    with unit_of_work(engine) as s:  # moved after the rebuild: the cells follow the writes
        s.execute(update(Customer).where(Customer.id == 3).values(region="north", owner_id=2))
        s.execute(update(Customer).where(Customer.id == 2).values(region="north"))
        summaries.refresh_customers(s, [2, 3], TODAY)
    admin, staff = Scope(1, "admin", "admin"), Scope(2, "staff", "staff")
    for model in (OrderRollup, CustomerRollup, StageFlowRollup, FunnelRollup):
        assert rollups.owner_condition(admin, _KEYED[0], model) is not None
        assert rollups.owner_condition(admin, CustomerFilter(regions=("north",), tiers=("vip",)), model) is None
    seen = set()
    for period in (Period(dt.date(2026, 8, 3), dt.date(2026, 11, 19)),
                   Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))):
        for scope in (admin, staff):
            for flt in _KEYED:
                raw = _raw(flt)
                assert rollups.owner_condition(scope, raw) is None
                for gran in ("day", "month"):
                    got = revenue.by_bucket(engine, scope, period, gran, flt)
                    pd.testing.assert_frame_equal(got, revenue.by_bucket(engine, scope, period, gran, raw))
                    seen.add(int(got["revenue"].sum()))
                    pd.testing.assert_frame_equal(overview.trend(engine, scope, period, gran, flt),
                                                  overview.trend(engine, scope, period, gran, raw))
                    assert (customer_trend.first_time_by_bucket(engine, scope, period, gran, flt)
                            == customer_trend.first_time_by_bucket(engine, scope, period, gran, raw))
                assert overview.compare(engine, scope, period, flt).table().equals(
                    overview.compare(engine, scope, period, raw).table())
                pd.testing.assert_frame_equal(retention.churn_by_bucket(engine, scope, period, "month", 60, flt),
                                              retention.churn_by_bucket(engine, scope, period, "month", 60, raw))
                pd.testing.assert_frame_equal(retention.recency_bands(engine, scope, period, flt),
                                              retention.recency_bands(engine, scope, period, raw))
                pd.testing.assert_frame_equal(journey.over_time(engine, scope, period, "month", flt),
                                              journey.over_time(engine, scope, period, "month", raw))
                pd.testing.assert_frame_equal(journey.transitions(engine, scope, period, flt),
                                              journey.transitions(engine, scope, period, raw))
                pd.testing.assert_frame_equal(receivables.trend(engine, scope, period, "month", flt),
                                              receivables.trend(engine, scope, period, "month", raw))
                assert label_counts(engine, scope, flt) == label_counts(engine, scope, raw)
                assert count_customers(engine, scope, flt) == count_customers(engine, scope, raw)
    assert len(seen) > 3  # the filters select different customers, some none


class _Everyone(CustomerFilter):
    """Not empty for the rollup (so reports take the raw path) but selects every customer."""

    def is_empty(self):
        return False

    def clause(self, customer, stats, ref=None):
        return customer.id.is_not(None)


def test_upgrade_from_0001_with_data(engine, backend):
    cfg = schema.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    _populate(engine)
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    summaries.ensure_fresh(engine, TODAY)  # the migration forgot the rebuild day: fills the rollup
    with engine.connect() as conn:
        assert conn.execute(select(OrderRollup.id)).first() is not None
    _assert_rollup_is_raw(engine)


def test_concurrent_writers_on_the_same_day(engine, backend):
    """Two transactions adding orders on the same day: the second refreshes the day's cells
    after the first commits (lock), so no cell is counted twice."""
    import threading
    import time

    _populate(engine)
    summaries.rebuild_all(engine, TODAY)
    day = dt.date(2026, 8, 3)  # cells exist for this day already
    first_refreshed = threading.Event()
    errors: list[BaseException] = []

    def first():
        try:
            with unit_of_work(engine) as s:
                s.execute(insert(Order), [_order("DHA", 1, day, 11_000, 1_000)])
                summaries.refresh_customers(s, [1], TODAY)
                first_refreshed.set()
                time.sleep(0.5)  # still uncommitted while the second writer refreshes
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            first_refreshed.set()

    def second():
        try:
            first_refreshed.wait(10)
            with unit_of_work(engine) as s:
                s.execute(insert(Order), [_order("DHB", 2, day, 22_000, 2_000)])
                summaries.refresh_customers(s, [2], TODAY)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    _assert_rollup_is_raw(engine)


def test_a_summary_row_from_before_customer_rollup(engine, backend):
    """Right after the upgrade to 0006 and before the rebuild it asks for, summary rows have
    no rollup_created_on: they were counted in no customer cell, and a write (an import from
    the CLI) must not fail on them; the rebuild then makes the rollup whole."""
    _populate(engine)
    summaries.rebuild_all(engine, TODAY)
    with engine.begin() as conn:
        conn.execute(update(CustomerStats).values(rollup_created_on=None))
    with unit_of_work(engine) as s:
        s.execute(insert(Order), [_order("DHX", 1, dt.date(2026, 11, 18), 12_000, 2_000)])
        summaries.refresh_customers(s, [1], TODAY)
    summaries.rebuild_all(engine, TODAY)
    _assert_rollup_is_raw(engine)


def test_rebuild_leaves_the_rollups_vacuumed_on_postgresql(engine, backend):
    """The daily rebuild rewrites every rollup row; on PostgreSQL it vacuums afterwards, so the
    rollups' pages are all-visible again (index-only reads) instead of waiting for autovacuum."""
    if backend != "postgresql":
        pytest.skip("VACUUM and the visibility map are PostgreSQL's")
    _populate(engine)
    summaries.rebuild_all(engine, TODAY)
    summaries.rebuild_all(engine, TODAY)  # the first one's rows are now dead
    with engine.connect() as conn:
        pages = dict(conn.exec_driver_sql(
            "SELECT relname, relallvisible FROM pg_class WHERE relname IN "
            "('order_rollup', 'customer_rollup', 'stage_flow_rollup', 'funnel_rollup', 'customer_stats')").all())
    assert len(pages) == 5 and all(n > 0 for n in pages.values()), pages
