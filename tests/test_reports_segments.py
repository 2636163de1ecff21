"""Segment counts = pandas over the raw rows; a clicked segment's filter selects exactly the
customers the segment counts (every dimension, every known value)."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import segments
from tests.conftest import FIXED_TODAY
from tests.reports_raw import PAST, PERIOD, load, ts


@pytest.fixture(scope="module")
def raw(seeded):
    return load(seeded)


def _years_ago(n):
    return ts(segments.years_ago(n, FIXED_TODAY))


def _pandas_values(c: pd.DataFrame, dim: str) -> pd.Series:
    cols = {"region": "region", "province": "province_code", "gender": "gender", "source": "source",
            "tier": "tier", "kind": "kind", "channel": "preferred_channel", "owner": "owner_id",
            "rfm_segment": "rfm_segment", "lifecycle_stage": "lifecycle_stage",
            "income_band": "income_band", "occupation": "occupation", "education": "education",
            "marital_status": "marital_status", "industry": "industry",
            "pipeline_stage": "pipeline_stage"}
    if dim in cols:
        return c[cols[dim]]
    if dim == "purchased":
        return c["orders_count"].gt(0).map({True: "yes", False: "no"})
    if dim == "age_band":
        b = c["birth_date"]
        out = pd.Series("55_plus", index=c.index, dtype=object)
        out[b > _years_ago(55)] = "45_54"
        out[b > _years_ago(45)] = "35_44"
        out[b > _years_ago(35)] = "25_34"
        out[b > _years_ago(25)] = "under_25"
        out[b.isna()] = None
        return out
    raise KeyError(dim)


SINGLE = ["region", "province", "gender", "age_band", "tier", "purchased", "source", "owner",
          "rfm_segment", "lifecycle_stage", "kind", "channel", "income_band"]


@pytest.mark.parametrize("dim", SINGLE)
def test_one_dimension_counts_and_revenue(seeded, raw, dim, backend):
    got = segments.segment_counts(seeded, SYSTEM, PERIOD, dim)
    c = raw.customers[raw.customers["created_at"] < ts(PERIOD.end_exclusive)]
    exp = (c.assign(v=_pandas_values(c, dim)).groupby("v", dropna=False)
           .agg(customers=("id", "size"), revenue=("total_spend", "sum")))
    got_map = {(None if v is None or v != v else v): (int(n), int(r))
               for v, n, r in zip(got["value"], got["customers"], got["revenue"], strict=True)}
    exp_map = {(None if v is None or v != v else v): (int(r.customers), int(r.revenue))
               for v, r in exp.iterrows()}
    assert got_map == exp_map
    assert got["share"].sum() == pytest.approx(1.0)
    assert len(exp_map) > 1 or dim in ("kind",)


def test_period_end_limits_customers(seeded, raw, backend):
    got = segments.segment_counts(seeded, SYSTEM, PAST, "region")
    exp = (raw.customers["created_at"] < ts(PAST.end_exclusive)).sum()
    assert int(got["customers"].sum()) == int(exp)
    assert exp < len(raw.customers)


@pytest.mark.parametrize("dim,column", [("tag", "tags"), ("loyal_new", "groups")])
def test_multi_valued_dimension(seeded, raw, dim, column, backend):
    got = segments.segment_counts(seeded, SYSTEM, PERIOD, dim)
    c = raw.customers[raw.customers["created_at"] < ts(PERIOD.end_exclusive)]
    assert not got.empty
    for value, n, rev in zip(got["value"], got["customers"], got["revenue"], strict=True):
        hit = c[c[column].fillna("").str.contains(f",{value},", regex=False)]
        assert (int(n), int(rev)) == (len(hit), int(hit["total_spend"].sum())), value
    if dim == "tag":
        every = {t for tags in c["tags"].fillna("") for t in tags.split(",") if t}
        assert set(got["value"]) == every


@pytest.mark.parametrize("d1,d2", [("region", "tier"), ("age_band", "gender"), ("tag", "region"),
                                   ("source", "loyal_new")])
def test_two_dimensions(seeded, raw, d1, d2, backend):
    got = segments.segment_counts(seeded, SYSTEM, PERIOD, d1, d2)
    c = raw.customers[raw.customers["created_at"] < ts(PERIOD.end_exclusive)]
    multi = {"tag": "tags", "loyal_new": "groups"}
    exp: dict = {}
    for _, r in got.iterrows():
        v1 = None if r["value"] != r["value"] else r["value"]
        v2 = None if r["value2"] != r["value2"] else r["value2"]
        sel = pd.Series(True, index=c.index)
        for dim, v in ((d1, v1), (d2, v2)):
            if dim in multi:
                sel &= c[multi[dim]].fillna("").str.contains(f",{v},", regex=False)
            else:
                vals = _pandas_values(c, dim)
                sel &= vals.isna() if v is None else (vals == v)
        exp[(v1, v2)] = int(sel.sum())
        assert int(r["customers"]) == exp[(v1, v2)], (v1, v2)
    # every non-empty cell is present: the cell counts add up to the multi-valued total
    if d1 not in multi and d2 not in multi:
        assert int(got["customers"].sum()) == len(c)
        assert set(got.groupby("value", dropna=False)["row_share"].sum().round(6)) == {1.0}


def _drill_cases():
    return [d for d in segments.DIMENSIONS]


@pytest.mark.parametrize("period", [PERIOD, PAST], ids=["to_today", "past"])
@pytest.mark.parametrize("dim", _drill_cases())
def test_drill_filter_selects_exactly_the_segment(seeded, dim, period, backend):
    base = CustomerFilter(regions=("north", "south"))
    got = segments.segment_counts(seeded, SYSTEM, period, dim, None, base)
    assert not got.empty
    checked = 0
    for value, n in zip(got["value"], got["customers"], strict=True):
        flt = segments.drill_filter(base, period, dim, value)
        if value is None or value != value:
            assert flt is None
            continue
        total = segments.segment_members(seeded, SYSTEM, flt, limit=1).total
        assert total == int(n), (dim, value)
        # and the filter survives the URL round trip
        assert CustomerFilter.from_query(flt.to_query()) == flt
        checked += 1
    assert checked >= 1


def test_drill_filter_two_dimensions(seeded, backend):
    got = segments.segment_counts(seeded, SYSTEM, PERIOD, "age_band", "tag")
    for _, r in got.head(12).iterrows():
        flt = segments.drill_filter(None, PERIOD, "age_band", r["value"], "tag", r["value2"])
        if flt is None:
            assert r["value"] != r["value"] or r["value"] is None
            continue
        assert segments.segment_members(seeded, SYSTEM, flt, 1).total == int(r["customers"])


def test_staff_sees_only_own_customers(seeded, raw, backend):
    owner = int(raw.customers["owner_id"].dropna().mode().iloc[0])
    staff = Scope(owner, "someone", "staff")
    got = segments.segment_counts(seeded, staff, PERIOD, "region")
    c = raw.customers[(raw.customers["owner_id"] == owner)
                      & (raw.customers["created_at"] < ts(PERIOD.end_exclusive))]
    assert int(got["customers"].sum()) == len(c)
    members = segments.segment_members(seeded, staff, None, 500)
    assert members.total == len(raw.customers[raw.customers["owner_id"] == owner])


def test_members_name_the_customers(seeded, backend):
    """(A viewer is refused the members: tests/test_viewer_aggregates.py.)"""
    rows = segments.members(seeded, SYSTEM, CustomerFilter(tiers=("vip",)), 20).rows
    assert "full_name" in rows.columns


def test_labels_in_both_languages(seeded, backend):
    assert segments.value_labels(seeded, "region", ["north", None], "vi") == ["Miền Bắc", "(chưa rõ)"]
    assert segments.value_labels(seeded, "age_band", ["55_plus"], "en") == ["55 and over"]
    assert segments.value_labels(seeded, "province", [1], "vi")[0] == "Hà Nội"


def test_unknown_dimension_is_refused(seeded, backend):
    with pytest.raises(ValueError):
        segments.segment_counts(seeded, SYSTEM, PERIOD, "full_name")
    with pytest.raises(ValueError):
        segments.segment_counts(seeded, SYSTEM, PERIOD, "region", "region")


def test_empty_database(engine, backend):
    p = PERIOD
    for dim in segments.DIMENSIONS:
        assert segments.segment_counts(engine, SYSTEM, p, dim).empty
    assert segments.segment_counts(engine, SYSTEM, p, "tag", "region").empty
    assert segments.segment_members(engine, SYSTEM, None, 5).total == 0
