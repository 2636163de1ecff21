"""Every chart mark that stands for customers leads to a CustomerFilter whose customer list
counts exactly what the mark shows (crm_data.customers.drill vs the report functions), on both
backends, for everyone and for a staff member's own customers; a few also against pandas
over the raw rows. The filters survive the URL round trip the page switch uses."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select, text

from crm_data import summaries
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.customers import drill
from crm_data.customers.listing import count_customers
from crm_data.domain.labels import CHURN_DAYS_DEFAULT
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import funnel, journey, retention, revenue, segments
from crm_data.reports.customer_trend import customers_by_bucket
from crm_data.storage.models import User
from tests.reports_raw import PERIOD, in_period, load, ts

BASE = CustomerFilter(regions=("north", "south"))


@pytest.fixture(scope="module")
def raw(seeded):
    return load(seeded)


@pytest.fixture(scope="module")
def staff(seeded) -> Scope:
    with seeded.connect() as conn:
        uid = conn.execute(select(User.id).where(User.username == "staff")).scalar_one()
    return Scope(uid, "staff", "staff")


def _count(engine, scope, flt: CustomerFilter) -> int:
    # what the customers page shows after the page switch: the filter read back from the URL
    back = CustomerFilter.from_query(flt.to_query())
    assert back == flt
    return count_customers(engine, scope, back)


@pytest.fixture(params=["everyone", "staff"])
def who(request, staff):
    return SYSTEM if request.param == "everyone" else staff


@pytest.mark.parametrize("flt", [None, BASE], ids=["all", "filtered"])
def test_overview_customer_bars(seeded, who, flt, backend):
    got = customers_by_bucket(seeded, who, PERIOD, "month", flt)
    assert len(got) == 18 and got["buyers"].sum() > 0
    for _, r in got.iterrows():
        for measure in ("new_customers", "first_time_buyers", "buyers"):
            mark = drill.trend_bucket(flt, PERIOD, "month", r["bucket"], measure)
            assert _count(seeded, who, mark) == int(r[measure]), (r["bucket"], measure)


def test_overview_customer_bars_match_raw_rows(seeded, raw, backend):
    got = customers_by_bucket(seeded, SYSTEM, PERIOD, "week").set_index("bucket")
    o = raw.orders[in_period(raw.orders["order_date"], PERIOD)]
    monday = (o["order_date"] - pd.to_timedelta(o["order_date"].dt.weekday, unit="D")).dt.date
    buyers = o.groupby(monday)["customer_id"].nunique()
    first = raw.orders.groupby("customer_id")["order_date"].min()
    first = first[in_period(first, PERIOD)]
    first_monday = (first - pd.to_timedelta(first.dt.weekday, unit="D")).dt.date.value_counts()
    assert {b: int(n) for b, n in got["buyers"].items() if n} == {b: int(n) for b, n in buyers.items()}
    assert {b: int(n) for b, n in got["first_time_buyers"].items() if n} == \
        {b: int(n) for b, n in first_monday.items()}
    # a partial first week: the list holds the buyers of its days in the period only
    wk = Period(dt.date(2026, 10, 15), dt.date(2026, 11, 20))  # a Thursday
    bars = customers_by_bucket(seeded, SYSTEM, wk, "week")
    assert bars["bucket"].iloc[0] < wk.start
    mark = drill.trend_bucket(None, wk, "week", bars["bucket"].iloc[0], "buyers")
    assert (mark.bought_from, mark.bought_to) == (wk.start, dt.date(2026, 10, 18))
    assert _count(seeded, SYSTEM, mark) == int(bars["buyers"].iloc[0])


def test_revenue_bar_leads_to_its_buyers(seeded, who, backend):
    got = revenue.by_bucket(seeded, who, PERIOD, "quarter")
    for _, r in got.iterrows():
        mark = drill.trend_bucket(None, PERIOD, "quarter", r["bucket"], "revenue")
        assert _count(seeded, who, mark) == int(r["buyers"])


@pytest.mark.parametrize("split", [None, "source", "period"])
def test_funnel_stage(seeded, who, split, backend):
    got = funnel.funnel(seeded, who, PERIOD, split, "quarter")
    assert got["entered"].sum() > 0
    for _, r in got.iterrows():
        mark = drill.funnel_stage(None, PERIOD, r["stage"], split, r["split"], "quarter")
        if split == "source" and r["split"] is None:
            assert mark is None
            continue
        assert _count(seeded, who, mark) == int(r["entered"]), (r["split"], r["stage"])


def test_funnel_stage_matches_raw_rows(seeded, raw, backend):
    got = funnel.funnel(seeded, SYSTEM, PERIOD).set_index("stage")["entered"]
    sc = raw.stages[(raw.stages["kind"] == "pipeline") & in_period(raw.stages["changed_at"], PERIOD)]
    exp = sc.groupby("to_stage")["customer_id"].nunique()
    for stage, n in got.items():
        mark = drill.funnel_stage(None, PERIOD, stage)
        assert _count(seeded, SYSTEM, mark) == int(n) == int(exp.get(stage, 0)), stage


def test_journey_stage_now(seeded, who, backend):
    got = journey.distribution(seeded, who, PERIOD, BASE)
    assert got["customers"].sum() > 0
    for _, r in got.iterrows():
        assert _count(seeded, who, drill.journey_stage(BASE, r["stage"])) == int(r["customers"])


@pytest.mark.parametrize("gran", ["quarter", "week"])
def test_journey_stage_over_time(seeded, who, gran, backend):
    period = Period(dt.date(2026, 3, 11), dt.date(2026, 11, 20)) if gran == "week" else PERIOD
    got = journey.over_time(seeded, who, period, gran)
    got = got[got["customers"] > 0]
    rows = got if gran == "quarter" else got.tail(14)
    assert len(rows) > 10
    for _, r in rows.iterrows():
        mark = drill.journey_over_time(None, period, gran, r["bucket"], r["stage"])
        assert _count(seeded, who, mark) == int(r["customers"]), (r["bucket"], r["stage"])


@pytest.mark.parametrize("flt", [None, BASE], ids=["all", "filtered"])
def test_sankey_link(seeded, who, flt, backend):
    got = journey.transitions(seeded, who, PERIOD, flt)
    assert not got.empty
    for _, r in got.iterrows():
        mark = drill.journey_link(flt, PERIOD, r["from_stage"], r["to_stage"])
        assert _count(seeded, who, mark) == int(r["count"]), (r["from_stage"], r["to_stage"])


def test_sankey_link_matches_raw_rows(seeded, raw, backend):
    sc = raw.stages[(raw.stages["kind"] == "lifecycle") & in_period(raw.stages["changed_at"], PERIOD)]
    pairs = sc.assign(src=sc["from_stage"].fillna(journey.START))
    people = pairs.groupby(["src", "to_stage"])["customer_id"].nunique()
    for (src, dst), n in people.items():
        assert _count(seeded, SYSTEM, drill.journey_link(None, PERIOD, src, dst)) == int(n)


def test_recency_band(seeded, who, backend):
    got = retention.recency_bands(seeded, who, PERIOD)
    assert got["customers"].sum() > 0
    for _, r in got.iterrows():
        assert _count(seeded, who, drill.recency_band(None, r["band"])) == int(r["customers"]), r["band"]


@pytest.mark.parametrize("gran", ["month", "week"])
def test_churn_bar(seeded, who, gran, backend):
    got = retention.churn_by_bucket(seeded, who, PERIOD, gran, CHURN_DAYS_DEFAULT)
    assert got["churned"].sum() > 0
    for _, r in got.iterrows():
        mark = drill.churn_bucket(None, PERIOD, gran, r["bucket"], CHURN_DAYS_DEFAULT)
        n = 0 if mark is None else _count(seeded, who, mark)
        assert n == int(r["churned"]), r["bucket"]


def test_churn_bar_matches_raw_rows(seeded, raw, backend):
    got = retention.churn_by_bucket(seeded, SYSTEM, PERIOD, "month", 90).set_index("bucket")["churned"]
    last = raw.orders.groupby("customer_id")["order_date"].max()
    churn_day = last + pd.Timedelta(days=90)
    churn_day = churn_day[in_period(churn_day, PERIOD) & (churn_day <= ts(dt.date(2026, 11, 20)))]
    exp = churn_day.dt.to_period("M").dt.start_time.dt.date.value_counts()
    for b, n in got.items():
        mark = drill.churn_bucket(None, PERIOD, "month", b, 90)
        assert _count(seeded, SYSTEM, mark) == int(n) == int(exp.get(b, 0)), b


def test_cohort_cell(seeded, who, backend):
    got = retention.cohort_counts(seeded, who, PERIOD)
    checked = 0
    for _, r in got.iterrows():
        for col in [c for c in got.columns if c.startswith("m")]:
            if pd.isna(r[col]):
                continue
            mark = drill.cohort_cell(None, PERIOD, r["cohort"], int(col[1:]))
            assert _count(seeded, who, mark) == int(r[col]), (r["cohort"], col)
            checked += 1
    assert checked > 100


def test_pareto_point(seeded, who, backend):
    got = revenue.pareto(seeded, who, PERIOD, BASE)
    assert len(got) > 20
    for n in got["customers"].iloc[1::5]:
        mark = drill.pareto_point(seeded, who, BASE, int(n))
        assert _count(seeded, who, mark) == int(n)
    assert drill.pareto_point(seeded, who, BASE, 0) is None


def test_pareto_ties_stay_exact(seeded, backend):
    """Customers with equal spend at the cut: the top n is still n, not all of the tie."""
    with seeded.connect() as conn:
        spends = pd.read_sql("SELECT total_spend FROM customer_stats s JOIN customers c "
                             "ON c.id = s.customer_id WHERE s.orders_count > 0 "
                             "AND c.deleted_at IS NULL ORDER BY total_spend DESC", conn)["total_spend"]
    tied = spends[spends.duplicated(keep=False)]
    assert not tied.empty, "the sample has equal spends"
    n = int(spends.reset_index(drop=True).eq(tied.iloc[0]).idxmax()) + 1  # first of a tie
    assert _count(seeded, SYSTEM, drill.pareto_point(seeded, SYSTEM, None, n)) == n


def test_segment_bar(seeded, who, backend):
    got = segments.segment_counts(seeded, who, PERIOD, "tier", None, BASE)
    for value, n in zip(got["value"], got["customers"], strict=True):
        mark = segments.drill_filter(BASE, PERIOD, "tier", value)
        assert _count(seeded, who, mark) == int(n), value


def test_narrow_keeps_the_page_filter():
    base = CustomerFilter(lifecycle_stages=("loyal", "repeat"), created_from=dt.date(2026, 1, 5))
    assert drill.journey_stage(base, "loyal").lifecycle_stages == ("loyal",)
    assert drill.journey_stage(base, "awareness") is None  # drawn as 0, and () would mean "any"
    mark = drill.trend_bucket(base, Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)), "month",
                              dt.date(2026, 1, 1), "new_customers")
    assert (mark.created_from, mark.created_to) == (dt.date(2026, 1, 5), dt.date(2026, 1, 31))


# --- the "why" bars: churn reasons, lost reasons ------------------------------------------
@pytest.mark.parametrize("days", [CHURN_DAYS_DEFAULT, 90])
def test_churn_reason_bar(seeded, who, days, backend):
    got = retention.churn_reasons(seeded, who, PERIOD, days)
    assert got["customers"].sum() > 0
    for reason, n in zip(got["reason"], got["customers"], strict=True):
        mark = drill.churn_reason(None, PERIOD, reason, days)
        assert _count(seeded, who, mark) == int(n), reason


def test_churn_reason_bar_keeps_the_page_filter(seeded, who, backend):
    got = retention.churn_reasons(seeded, who, PERIOD, CHURN_DAYS_DEFAULT, BASE)
    assert got["customers"].sum() > 0
    for reason, n in zip(got["reason"], got["customers"], strict=True):
        mark = drill.churn_reason(BASE, PERIOD, reason, CHURN_DAYS_DEFAULT)
        assert _count(seeded, who, mark) == int(n), reason


def _churn_reasons_raw(raw, period: Period, days: int, recorded: pd.DataFrame) -> pd.Series:
    """Customers whose churn day (last purchase + days) is in the period and ≤ today, by
    the latest churn reason recorded for them, else lost reason, else a complaint opened
    before the end of the churn day, else none."""
    c = raw.customers
    churn_day = c["last_order_date"] + pd.Timedelta(days=days)
    c = c[in_period(churn_day, period) & (churn_day <= ts(dt.date(2026, 11, 20)))]
    fb = raw.feedback[raw.feedback["kind"] == "complaint"].merge(
        c[["id", "last_order_date"]], left_on="customer_id", right_on="id")
    early = fb["opened_at"] < fb["last_order_date"] + pd.Timedelta(days=days + 1)
    complained = set(fb.loc[early, "customer_id"])
    reason = c["lost_reason"].where(c["lost_reason"].notna(),
                                    c["id"].map(lambda i: "complaint" if i in complained else "not_recorded"))
    latest = recorded.sort_values(["recorded_at", "id"]).groupby("customer_id")["reason"].last()
    reason = c["id"].map(latest).where(c["id"].isin(latest.index), reason)
    return reason.value_counts()


def test_churn_reason_bar_matches_raw_rows(seeded, raw, backend):
    recorded = pd.read_sql("SELECT id, customer_id, reason, recorded_at FROM churn_reasons", seeded)
    exp = _churn_reasons_raw(raw, PERIOD, 120, recorded)
    got = retention.churn_reasons(seeded, SYSTEM, PERIOD, 120).set_index("reason")["customers"]
    # the sample's recorded reasons come first (its only complaint of the window has one)
    assert got.to_dict() == exp.to_dict() and "not_recorded" in got.index and len(got) > 2
    for reason, n in got.items():
        assert _count(seeded, SYSTEM, drill.churn_reason(None, PERIOD, reason, 120)) == int(n), reason


def test_churn_reason_bar_of_a_period_not_begun_has_no_list():
    later = Period(dt.date(2027, 1, 1), dt.date(2027, 3, 31))  # every churn day after today
    assert drill.churn_reason(None, later, "price", CHURN_DAYS_DEFAULT) is None


@pytest.mark.parametrize("flt", [None, BASE], ids=["all", "filtered"])
def test_lost_reason_bar_flow(seeded, who, flt, backend):
    got = funnel.lost_reasons(seeded, who, PERIOD, flt)
    assert len(got) > 3
    for reason, n in zip(got["reason"], got["count"], strict=True):
        mark = drill.funnel_lost_reason(flt, PERIOD, reason)
        assert _count(seeded, who, mark) == int(n), reason


@pytest.mark.parametrize("flt", [None, BASE], ids=["all", "filtered"])
def test_lost_reason_bar_cohort(seeded, who, flt, backend):
    got = funnel.cohort_lost_reasons(seeded, who, PERIOD, flt)
    lost = funnel.cohort(seeded, who, PERIOD, None, "month", flt).set_index("stage")["reached"]["lost"]
    assert len(got) > 3 and got["count"].sum() == lost
    for reason, n in zip(got["reason"], got["count"], strict=True):
        mark = drill.funnel_cohort_lost_reason(flt, PERIOD, reason)
        assert _count(seeded, who, mark) == int(n), reason


def test_lost_reason_bars_match_raw_rows(seeded, raw, backend):
    sc = raw.stages[(raw.stages["kind"] == "pipeline") & (raw.stages["to_stage"] == "lost")]
    flow = sc[in_period(sc["changed_at"], PERIOD)]["lost_reason"].value_counts()
    got = funnel.lost_reasons(seeded, SYSTEM, PERIOD).set_index("reason")["count"]
    assert got.to_dict() == flow.to_dict()
    c = raw.customers
    lost_now = c[in_period(c["created_at"], PERIOD) & (c["pipeline_stage"] == "lost")]
    open_lost = sc[sc["left_at"].isna()][["customer_id", "lost_reason"]]
    cohort = lost_now[["id"]].merge(open_lost, left_on="id", right_on="customer_id", how="left")
    got_cohort = funnel.cohort_lost_reasons(seeded, SYSTEM, PERIOD).set_index("reason")["count"]
    assert got_cohort.to_dict() == cohort["lost_reason"].value_counts().to_dict()
    for reason, n in flow.items():
        assert _count(seeded, SYSTEM, drill.funnel_lost_reason(None, PERIOD, reason)) == int(n)
    for reason, n in got_cohort.items():
        assert _count(seeded, SYSTEM, drill.funnel_cohort_lost_reason(None, PERIOD, reason)) == int(n)


def test_lost_reason_not_recorded(engine, backend):
    """Changes to 'lost' without a reason: the "not recorded" bar of both views has its list."""
    from crm_data import sample
    from tests.conftest import FIXED_TODAY

    sample.generate(engine, customers=300, seed=3, ref=FIXED_TODAY, with_demo_users=False)
    with engine.begin() as conn:  # drop the reason of every third change to 'lost'
        conn.execute(text("UPDATE stage_changes SET lost_reason = NULL "
                          "WHERE to_stage = 'lost' AND id % 3 = 0"))
    summaries.rebuild_all(engine, FIXED_TODAY)  # the rows changed behind the data layer's back
    for report, mark in ((funnel.lost_reasons, drill.funnel_lost_reason),
                         (funnel.cohort_lost_reasons, drill.funnel_cohort_lost_reason)):
        got = report(engine, SYSTEM, PERIOD)
        missing = got[got["reason"].isna()]
        assert len(missing) == 1 and len(got) > 2, report.__name__
        for reason, n in zip(got["reason"], got["count"], strict=True):
            assert _count(engine, SYSTEM, mark(None, PERIOD, reason)) == int(n), (report.__name__, reason)
