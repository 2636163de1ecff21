"""The summary table equals a plain pandas computation over the raw rows, and journey
stages follow purchases."""

import datetime as dt

import pandas as pd
from sqlalchemy import insert, select

from crm_data import summaries
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, CustomerStats, Order, StageChange
from tests.conftest import FIXED_TODAY


def test_stats_equal_pandas(seeded, backend):
    orders = pd.read_sql("select customer_id, order_date, amount, paid_amount, cost, status from orders", seeded)
    payments = pd.read_sql("select customer_id, amount from payments", seeded)
    stats = pd.read_sql("select * from customer_stats", seeded).set_index("customer_id")
    done = orders[orders.status == "completed"].copy()
    done["order_date"] = pd.to_datetime(done["order_date"])
    g = done.groupby("customer_id")
    expected = pd.DataFrame({
        "orders_count": g.size(), "total_spend": g["amount"].sum(),
        "unpaid": g.apply(lambda x: (x.amount - x.paid_amount).sum(), include_groups=False),
        "last": g["order_date"].max().dt.date, "first": g["order_date"].min().dt.date,
    })
    paid = payments.groupby("customer_id")["amount"].sum()
    expected["debt"] = expected["unpaid"].sub(paid, fill_value=0).reindex(expected.index)
    got = stats.loc[expected.index]
    assert (got["orders_count"] == expected["orders_count"]).all()
    assert (got["total_spend"] == expected["total_spend"]).all()
    assert (got["debt"] == expected["debt"]).all()
    assert (pd.to_datetime(got["last_order_date"]).dt.date == expected["last"]).all()
    assert (pd.to_datetime(got["first_order_date"]).dt.date == expected["first"]).all()
    no_orders = stats.index.difference(expected.index)
    assert (stats.loc[no_orders, "orders_count"] == 0).all()
    assert (stats.loc[no_orders, "tier"] == "none").all()


def test_orders_move_the_journey_stage(engine, backend):
    with unit_of_work(engine) as s:
        s.add(Customer(id=1, code="KH1", full_name="Lê Văn Tám", lifecycle_stage="consideration"))
        s.flush()
        summaries.refresh_customers(s, [1], FIXED_TODAY)
    for i, days_ago in enumerate((100, 80, 60, 40, 10)):
        day = FIXED_TODAY - dt.timedelta(days=days_ago)
        with unit_of_work(engine) as s:
            s.execute(insert(Order), [{"code": f"DH{i}", "customer_id": 1, "order_date": day,
                                       "ordered_at": dt.datetime.combine(day, dt.time(9)),
                                       "subtotal": 100_000, "amount": 100_000, "paid_amount": 100_000}])
            summaries.refresh_customers(s, [1], FIXED_TODAY)
    with engine.connect() as conn:
        stage = conn.execute(select(Customer.lifecycle_stage)).scalar_one()
        moves = conn.execute(select(StageChange.from_stage, StageChange.to_stage)
                             .order_by(StageChange.id)).all()
        tier = conn.execute(select(CustomerStats.tier)).scalar_one()
    assert stage == "loyal" and tier == "regular"
    assert [tuple(m) for m in moves] == [("consideration", "first_purchase"), ("first_purchase", "repeat"),
                                         ("repeat", "loyal")]
    # time passes: a year without purchases makes the customer lapsed at the next rebuild
    later = FIXED_TODAY + dt.timedelta(days=365)
    summaries.rebuild_all(engine, later)
    with engine.connect() as conn:
        assert conn.execute(select(Customer.lifecycle_stage)).scalar_one() == "lapsed"
        assert "churned" in conn.execute(select(CustomerStats.groups)).scalar_one()


def test_deleted_customers_keep_their_stage(engine, backend):
    with unit_of_work(engine) as s:
        s.add(Customer(id=1, code="KH1", full_name="A", lifecycle_stage="loyal",
                       deleted_at=dt.datetime(2026, 1, 1)))
    summaries.rebuild_all(engine, FIXED_TODAY)
    with engine.connect() as conn:
        assert conn.execute(select(Customer.lifecycle_stage)).scalar_one() == "loyal"
