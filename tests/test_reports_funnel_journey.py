"""Funnel stage counts, conversions and medians; journey distribution, stage at bucket ends
and transitions — each equal to pandas over the raw stage history."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.reports import funnel, journey
from tests.reports_raw import PERIOD, in_period, load, ts


@pytest.fixture(scope="module")
def raw(seeded):
    return load(seeded)


def _pipeline(raw, period):
    sc = raw.stages[raw.stages["kind"] == "pipeline"]
    return sc[in_period(sc["changed_at"], period)]


def test_funnel_stage_counts_and_conversions(seeded, raw, backend):
    got = funnel.funnel(seeded, SYSTEM, PERIOD).set_index("stage")
    sc = _pipeline(raw, PERIOD)
    entered = sc.groupby("to_stage")["customer_id"].nunique()
    top = int(entered["new"])
    assert top > 50
    prev = None
    for stage in funnel.STAGES:
        n = int(entered.get(stage, 0))
        assert int(got.loc[stage, "entered"]) == n, stage
        assert got.loc[stage, "conv_top"] == pytest.approx(n / top)
        if prev is not None:
            assert got.loc[stage, "conv_prev"] == pytest.approx(n / prev)
            assert got.loc[stage, "drop_off"] == pytest.approx(1 - n / prev)
        prev = n
    assert int(got.loc["lost", "entered"]) == int(entered.get("lost", 0)) > 0


def test_funnel_median_days(seeded, raw, backend):
    got = funnel.funnel(seeded, SYSTEM, PERIOD).set_index("stage")
    sc = raw.stages[raw.stages["kind"] == "pipeline"].sort_values(["customer_id", "changed_at", "id"])
    sc = sc.assign(left_at=sc.groupby("customer_id")["changed_at"].shift(-1))
    sc = sc[in_period(sc["changed_at"], PERIOD) & sc["left_at"].notna()]
    days = (sc["left_at"] - sc["changed_at"]).dt.total_seconds() / 86400
    exp = days.groupby(sc["to_stage"]).median()
    for stage in ("new", "contacted", "qualified", "quoted"):
        assert got.loc[stage, "median_days"] == pytest.approx(round(exp[stage], 1), abs=0.051), stage


@pytest.mark.parametrize("split", ["source", "lead_grade", "owner"])
def test_funnel_split_by_customer_column(seeded, raw, split, backend):
    got = funnel.funnel(seeded, SYSTEM, PERIOD, split)
    sc = _pipeline(raw, PERIOD).merge(raw.customers[["id", split if split != "owner" else "owner_id"]],
                                      left_on="customer_id", right_on="id")
    col = split if split != "owner" else "owner_id"
    exp = sc.groupby([col, "to_stage"])["customer_id"].nunique()
    for (value, stage), n in exp.items():
        row = got[(got["split"] == value) & (got["stage"] == stage)]
        assert int(row["entered"].iloc[0]) == int(n), (value, stage)
    assert int(got["entered"].sum()) == int(exp.sum()) + int(
        sc[sc[col].isna()].groupby("to_stage")["customer_id"].nunique().sum())


def test_funnel_split_by_period(seeded, raw, backend):
    got = funnel.funnel(seeded, SYSTEM, PERIOD, "period", "quarter")
    sc = _pipeline(raw, PERIOD)
    q = sc["changed_at"].dt.to_period("Q").dt.start_time.dt.date
    exp = sc.groupby([q, sc["to_stage"]])["customer_id"].nunique()
    for (bucket, stage), n in exp.items():
        row = got[(got["split"] == bucket) & (got["stage"] == stage)]
        assert int(row["entered"].iloc[0]) == int(n)


def test_lost_reasons(seeded, raw, backend):
    got = funnel.lost_reasons(seeded, SYSTEM, PERIOD)
    sc = _pipeline(raw, PERIOD)
    exp = sc[sc["to_stage"] == "lost"]["lost_reason"].value_counts(dropna=False)
    assert {(None if r != r else r): int(n) for r, n in zip(got["reason"], got["count"], strict=True)} \
        == {(None if r != r else r): int(n) for r, n in exp.items()}
    assert got["share"].sum() == pytest.approx(1.0)


def test_journey_distribution(seeded, raw, backend):
    got = journey.distribution(seeded, SYSTEM, PERIOD)
    exp = raw.customers["lifecycle_stage"].value_counts()
    assert dict(zip(got["stage"], got["customers"].astype(int), strict=True)) == exp.to_dict()
    assert list(got["stage"]) == [s for s in journey.STAGES if s in exp.index]


def test_journey_over_time_is_the_state_at_bucket_end(seeded, raw, backend):
    got = journey.over_time(seeded, SYSTEM, PERIOD, "quarter")
    life = raw.stages[raw.stages["kind"] == "lifecycle"].sort_values(["customer_id", "changed_at", "id"])
    for start, end in journey.bucket_ends(PERIOD, "quarter"):
        cut = ts(end + dt.timedelta(days=1))
        state = life[life["changed_at"] < cut].groupby("customer_id").tail(1)["to_stage"].value_counts()
        part = got[got["bucket"] == start]
        assert dict(zip(part["stage"], part["customers"], strict=True)) == \
            {s: int(state.get(s, 0)) for s in part["stage"]}, start
        assert int(part["customers"].sum()) == int(state.sum())


def test_journey_transitions(seeded, raw, backend):
    got = journey.transitions(seeded, SYSTEM, PERIOD)
    life = raw.stages[(raw.stages["kind"] == "lifecycle") & in_period(raw.stages["changed_at"], PERIOD)]
    exp = life.assign(f=life["from_stage"].fillna("start")).groupby(["f", "to_stage"]).size()
    assert {(f, t): int(n) for f, t, n in zip(got["from_stage"], got["to_stage"], got["count"], strict=True)} \
        == {k: int(v) for k, v in exp.items()}


def test_staff_scope_funnel(seeded, raw, backend):
    owner = int(raw.customers["owner_id"].dropna().mode().iloc[0])
    got = funnel.funnel(seeded, Scope(owner, "s", "staff"), PERIOD).set_index("stage")
    ids = set(raw.customers[raw.customers["owner_id"] == owner]["id"])
    sc = _pipeline(raw, PERIOD)
    sc = sc[sc["customer_id"].isin(ids)]
    assert int(got.loc["new", "entered"]) == sc[sc["to_stage"] == "new"]["customer_id"].nunique()


def test_empty_database(engine, backend):
    assert int(funnel.funnel(engine, SYSTEM, PERIOD)["entered"].sum()) == 0
    assert funnel.lost_reasons(engine, SYSTEM, PERIOD).empty
    assert journey.distribution(engine, SYSTEM, PERIOD).empty
    assert int(journey.over_time(engine, SYSTEM, PERIOD, "month")["customers"].sum()) == 0
    assert journey.transitions(engine, SYSTEM, PERIOD).empty
