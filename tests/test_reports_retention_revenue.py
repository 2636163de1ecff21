"""Recency bands, churn, cohorts, at-risk, revenue per month, new customers per week, top
customers, Pareto and rankings — each equal to pandas over the raw rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.domain.labels import CHURN_DAYS_DEFAULT
from crm_data.domain.periods import Period
from crm_data.reports import overview, retention, revenue
from tests.conftest import FIXED_TODAY
from tests.reports_raw import PERIOD, in_period, load, ts

TODAY = ts(FIXED_TODAY)


@pytest.fixture(scope="module")
def raw(seeded):
    return load(seeded)


def _last_first(raw):
    g = raw.orders.groupby("customer_id")["order_date"]
    return g.max(), g.min()


def test_recency_bands(seeded, raw, backend):
    got = retention.recency_bands(seeded, SYSTEM, PERIOD).set_index("band")["customers"]
    last, _ = _last_first(raw)
    days = (TODAY - raw.customers["id"].map(last)).dt.days
    # lower edges inclusive, at the labels' boundaries N // 2 = 90 and N = 180 (rules.status)
    exp = {
        "0_29": days.between(0, 29).sum(), "30_89": days.between(30, 89).sum(),
        "90_179": days.between(90, 179).sum(), "180_364": days.between(180, 364).sum(),
        "365_plus": (days >= 365).sum(), "never": days.isna().sum(),
    }
    assert {k: int(v) for k, v in got.items()} == {k: int(v) for k, v in exp.items()}


@pytest.mark.parametrize("churn_days", [CHURN_DAYS_DEFAULT, 90])
def test_churn_by_month(seeded, raw, churn_days, backend):
    got = retention.churn_by_bucket(seeded, SYSTEM, PERIOD, "month", churn_days)
    last, _ = _last_first(raw)
    churn_day = raw.customers["id"].map(last) + pd.Timedelta(days=churn_days)
    ok = in_period(churn_day, PERIOD) & (churn_day <= TODAY)
    exp = churn_day[ok].dt.to_period("M").dt.start_time.dt.date.value_counts()
    assert {b: int(n) for b, n in zip(got["bucket"], got["churned"], strict=True) if n} == \
        {b: int(n) for b, n in exp.items()}
    assert len(got) == 18  # every month of the period, zeros included
    # the Overview's churned KPI over the same period is the same number
    assert overview.kpis(seeded, SYSTEM, PERIOD, churn_days=churn_days).churned == int(got["churned"].sum())


def test_churn_reasons(seeded, raw, backend):
    got = retention.churn_reasons(seeded, SYSTEM, PERIOD)
    last, _ = _last_first(raw)
    c = raw.customers.assign(last=raw.customers["id"].map(last))
    churn_day = c["last"] + pd.Timedelta(days=CHURN_DAYS_DEFAULT)
    c = c[in_period(churn_day, PERIOD) & (churn_day <= TODAY)].assign(churn_day=churn_day)
    complaints = raw.feedback[raw.feedback["kind"] == "complaint"].merge(
        c[["id", "churn_day"]], left_on="customer_id", right_on="id")
    complained = set(complaints[complaints["opened_at"] < complaints["churn_day"] + pd.Timedelta(days=1)]
                     ["customer_id"])
    reason = c["lost_reason"].where(c["lost_reason"].notna(),
                                    c["id"].map(lambda i: "complaint" if i in complained else "not_recorded"))
    # a reason recorded for the buyer comes first: the latest one
    recorded = pd.read_sql("SELECT id, customer_id, reason, recorded_at FROM churn_reasons", seeded)
    latest = recorded.sort_values(["recorded_at", "id"]).groupby("customer_id")["reason"].last()
    reason = c["id"].map(latest).where(c["id"].isin(latest.index), reason)
    assert c["id"].isin(latest.index).any()  # the sample records some
    exp = reason.value_counts()
    assert dict(zip(got["reason"], got["customers"], strict=True)) == {k: int(v) for k, v in exp.items()}
    assert got["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("mask_months", [63, 0], ids=["summary", "orders"])
def test_cohort_cells(seeded, raw, backend, mask_months, monkeypatch):
    # 63: from customer_stats.active_months; 0: the orders path of horizons over 63 months
    monkeypatch.setattr(retention, "MASK_MONTHS", mask_months)
    period = Period(dt.date(2025, 12, 1), FIXED_TODAY)
    got = retention.cohorts(seeded, SYSTEM, period).set_index("cohort")
    _, first = _last_first(raw)
    o = raw.orders.assign(cohort=raw.orders["customer_id"].map(first).dt.to_period("M"),
                          month=raw.orders["order_date"].dt.to_period("M"))
    o = o[o["cohort"] >= pd.Period("2025-12", "M")]
    sizes = o.groupby("cohort")["customer_id"].nunique()
    active = o.groupby(["cohort", "month"])["customer_id"].nunique()
    assert len(got) == 12
    for cohort, size in sizes.items():
        row = got.loc[cohort.start_time.date()]
        assert int(row["size"]) == int(size)
        for (c2, month), n in active.items():
            if c2 != cohort:
                continue
            k = (month - cohort).n
            assert row[f"m{k}"] == pytest.approx(n / size), (cohort, k)
        assert row["m0"] == pytest.approx(1.0)
    # months not reached yet are empty, reached months without buyers are 0
    last = got.loc[dt.date(2026, 11, 1)]
    assert last["m0"] == pytest.approx(1.0) and pd.isna(last["m1"])


def test_at_risk(seeded, raw, backend):
    got = retention.at_risk(seeded, SYSTEM, PERIOD, limit=5000)
    c = raw.customers
    days = (TODAY - c["last_order_date"]).dt.days
    # the label "at risk" (rules.status): N // 2 <= days since < N, whatever the rhythm
    exp = c[(days >= CHURN_DAYS_DEFAULT // 2) & (days < CHURN_DAYS_DEFAULT)]
    assert got.total == len(exp) > 0
    assert set(got.rows["code"]) == set(exp["code"])
    assert (got.rows["days_since"] >= 90).all() and (got.rows["days_since"] < 180).all()


def test_revenue_by_month(seeded, raw, backend):
    got = revenue.by_bucket(seeded, SYSTEM, PERIOD, "month")
    o = raw.orders[in_period(raw.orders["order_date"], PERIOD)]
    m = o["order_date"].dt.to_period("M").dt.start_time.dt.date
    exp = o.groupby(m).agg(revenue=("amount", "sum"), orders=("id", "size"),
                           buyers=("customer_id", "nunique"))
    profit = (o["amount"] - o["cost"]).groupby(m).sum(min_count=1)
    assert len(got) == 18
    for _, r in got.iterrows():
        e = exp.loc[r["bucket"]] if r["bucket"] in exp.index else None
        assert int(r["revenue"]) == (int(e["revenue"]) if e is not None else 0)
        assert int(r["orders"]) == (int(e["orders"]) if e is not None else 0)
        assert int(r["buyers"]) == (int(e["buyers"]) if e is not None else 0)
        assert int(r["profit"]) == int(profit.get(r["bucket"], 0) or 0)


def test_new_customers_per_week(seeded, raw, backend):
    got = overview.trend(seeded, SYSTEM, PERIOD, "week")
    c = raw.customers[in_period(raw.customers["created_at"], PERIOD)]
    monday = (c["created_at"].dt.normalize() - pd.to_timedelta(c["created_at"].dt.weekday, unit="D")).dt.date
    exp = monday.value_counts()
    assert {b: int(n) for b, n in zip(got["bucket"], got["new_customers"], strict=True) if n} == \
        {b: int(n) for b, n in exp.items()}
    assert all(b.weekday() == 0 for b in got["bucket"])


def test_top_customers(seeded, raw, backend):
    got = revenue.top_customers(seeded, SYSTEM, PERIOD, 25)
    o = raw.orders
    per = o.groupby("customer_id").agg(orders=("id", "size"), first=("order_date", "min"),
                                       last=("order_date", "max"), spend=("amount", "sum"))
    per = per.join(raw.customers.set_index("id")[["code", "r_score", "f_score", "m_score"]])
    per = per.sort_values(["spend", "code"], ascending=[False, True]).head(25)
    assert list(got["code"]) == list(per["code"])
    for (_, g), (_, e) in zip(got.iterrows(), per.iterrows(), strict=True):
        assert (int(g["orders"]), int(g["total_spend"])) == (int(e["orders"]), int(e["spend"]))
        assert g["first_order_date"] == e["first"].date() and g["last_order_date"] == e["last"].date()
        assert int(g["days_since_last_order"]) == (TODAY - e["last"]).days
        assert (g["r_score"], g["f_score"], g["m_score"]) == (e["r_score"], e["f_score"], e["m_score"])


def test_pareto(seeded, raw, backend):
    got = revenue.pareto(seeded, SYSTEM, PERIOD)
    spend = raw.customers[raw.customers["orders_count"] > 0]["total_spend"].sort_values(ascending=False)
    cum = spend.cumsum().reset_index(drop=True) / spend.sum()
    assert got["customer_share"].iloc[-1] == pytest.approx(1.0)
    assert got["revenue_share"].iloc[-1] == pytest.approx(1.0)
    assert 95 <= len(got) <= 101
    for _, r in got.iloc[1:].iterrows():
        assert r["revenue_share"] == pytest.approx(cum.iloc[int(r["customers"]) - 1])
    assert got["revenue_share"].is_monotonic_increasing


@pytest.mark.parametrize("batch", [200, 3], ids=["one-batch", "many-batches"])
def test_ranking_purchases(seeded, raw, backend, batch, monkeypatch):
    monkeypatch.setattr(revenue, "RANKING_BATCH", batch)  # 3: the bound has to stop the search
    got = revenue.ranking(seeded, SYSTEM, PERIOD, "purchases", 10)
    o = raw.orders[in_period(raw.orders["order_date"], PERIOD)]
    g = o.groupby("customer_id")
    exp = pd.DataFrame({"count": g.size(), "revenue": g["amount"].sum()}).reset_index() \
        .sort_values(["count", "customer_id"], ascending=[False, True]).head(10)
    codes = raw.customers.set_index("id")["code"]
    assert list(got["code"]) == [codes[c] for c in exp["customer_id"]]
    assert list(got["count"]) == list(exp["count"]) and list(got["revenue"]) == list(exp["revenue"])
    assert list(got["rank"]) == list(range(1, 11))


@pytest.mark.parametrize("metric", ["interactions", "visits"])
def test_ranking_interactions(seeded, raw, backend, metric, monkeypatch):
    monkeypatch.setattr(revenue, "RANKING_BATCH", 5)
    got = revenue.ranking(seeded, SYSTEM, PERIOD, metric, 15)
    i = raw.interactions[in_period(raw.interactions["occurred_at"], PERIOD)]
    if metric == "visits":
        i = i[i["kind"] == "visit"]
    exp = i.groupby("customer_id").size().rename("count").reset_index() \
        .sort_values(["count", "customer_id"], ascending=[False, True]).head(15)
    codes = raw.customers.set_index("id")["code"]
    assert len(exp) == 15
    assert list(got["code"]) == [codes[c] for c in exp["customer_id"]]
    assert list(got["count"]) == list(exp["count"])


def test_per_customer_reports_name_the_customers(seeded, backend):
    """(A viewer is refused these: tests/test_viewer_aggregates.py.)"""
    for metric in revenue.RANKINGS:
        df = revenue.ranking(seeded, SYSTEM, PERIOD, metric, 5)
        assert {"code", "full_name"} <= set(df.columns)
    assert "full_name" in revenue.top_customers(seeded, SYSTEM, PERIOD, 5).columns
    assert {"full_name", "phone"} <= set(retention.at_risk(seeded, SYSTEM, PERIOD).rows.columns)


def test_staff_sees_only_own_customers(seeded, raw, backend):
    owner = int(raw.customers["owner_id"].dropna().mode().iloc[0])
    staff = Scope(owner, "s", "staff")
    mine = set(raw.customers[raw.customers["owner_id"] == owner]["code"])
    top = revenue.top_customers(seeded, staff, PERIOD, 500)
    assert set(top["code"]) <= mine and len(top) > 0
    for metric in revenue.RANKINGS:
        assert set(revenue.ranking(seeded, staff, PERIOD, metric, 50)["code"]) <= mine
    assert set(retention.at_risk(seeded, staff, PERIOD).rows["code"]) <= mine


def test_empty_database(engine, backend):
    assert int(revenue.by_bucket(engine, SYSTEM, PERIOD, "month")["orders"].sum()) == 0
    assert revenue.top_customers(engine, SYSTEM, PERIOD).empty
    assert revenue.pareto(engine, SYSTEM, PERIOD).empty
    assert revenue.ranking(engine, SYSTEM, PERIOD, "visits").empty
    assert int(retention.recency_bands(engine, SYSTEM, PERIOD)["customers"].sum()) == 0
    assert int(retention.churn_by_bucket(engine, SYSTEM, PERIOD)["churned"].sum()) == 0
    assert retention.churn_reasons(engine, SYSTEM, PERIOD).empty
    assert int(retention.cohorts(engine, SYSTEM, PERIOD)["size"].sum()) == 0
    assert retention.at_risk(engine, SYSTEM, PERIOD).total == 0


@pytest.mark.parametrize("period", [PERIOD, Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))],
                         ids=["to_today", "past_month"])
def test_overview_receivables_and_repeat_rate(seeded, raw, period, backend):
    got = overview.kpis(seeded, SYSTEM, period)
    with seeded.connect() as conn:
        orders = pd.read_sql("SELECT customer_id, order_date, status, amount, paid_amount FROM orders", conn)
        payments = pd.read_sql("SELECT customer_id, paid_on, amount FROM payments", conn)
    ids = set(raw.customers["id"])
    orders = orders[orders["customer_id"].isin(ids) & (orders["status"] == "completed")]
    payments = payments[payments["customer_id"].isin(ids)]
    end_x = ts(period.end_exclusive)
    unpaid = orders[pd.to_datetime(orders["order_date"]) < end_x]
    paid = payments[pd.to_datetime(payments["paid_on"]) < end_x]
    assert got.receivables == int((unpaid["amount"] - unpaid["paid_amount"]).sum() - paid["amount"].sum())
    o = raw.orders[in_period(raw.orders["order_date"], period)]
    _, first = _last_first(raw)
    buyers = o["customer_id"].unique()
    returning = sum(1 for c in buyers if first[c] < ts(period.start))
    assert got.active_buyers == len(buyers)
    assert got.repeat_rate == pytest.approx(returning / len(buyers))
