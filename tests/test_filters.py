"""CustomerFilter → SQL: for every field, the rows the WHERE selects equal a plain pandas
selection over the raw tables of the seeded database."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from crm_data.accounts.scope import SYSTEM
from crm_data.domain.text import fold
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where
from crm_data.storage.models import Customer, CustomerStats
from tests.conftest import FIXED_TODAY

REF = FIXED_TODAY


@pytest.fixture(scope="module")
def raw(seeded) -> pd.DataFrame:
    c = pd.read_sql("SELECT * FROM customers", seeded)
    s = pd.read_sql("SELECT * FROM customer_stats", seeded)
    df = c.merge(s, left_on="id", right_on="customer_id", how="inner")
    df = df[df["deleted_at"].isna()].copy()
    for col in ("first_order_date", "last_order_date", "birth_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df["created_at"] = pd.to_datetime(df["created_at"])
    # facts for the drill-down fields (EXISTS conditions)
    o = pd.read_sql("SELECT customer_id, order_date FROM orders WHERE status = 'completed'", seeded)
    o["order_date"] = pd.to_datetime(o["order_date"]).dt.date
    sc = pd.read_sql("SELECT id, customer_id, kind, from_stage, to_stage, changed_at, left_at, lost_reason "
                     "FROM stage_changes", seeded)
    sc["changed_at"] = pd.to_datetime(sc["changed_at"])
    fb = pd.read_sql("SELECT customer_id, opened_at FROM feedback WHERE kind = 'complaint'", seeded)
    fb["opened_at"] = pd.to_datetime(fb["opened_at"])
    cr = pd.read_sql("SELECT id, customer_id, reason, recorded_at FROM churn_reasons", seeded)
    df.attrs.update(orders=o, stages=sc, complaints=fb, churn_reasons=cr)
    return df


def _has_fact(table: str, cond):
    """Customers with at least one row of `table` (orders / stages) matching cond(rows, v)."""
    def pred(df, v):
        rows = df.attrs[table]
        return df["id"].isin(set(rows.loc[cond(rows, v), "customer_id"]))
    return pred


def _stage_now(df, stage: str) -> set:
    """Customers whose latest lifecycle change (by time, then id) went to `stage`."""
    sc = df.attrs["stages"]
    sc = sc[sc["kind"] == "lifecycle"].sort_values(["changed_at", "id"])
    last = sc.groupby("customer_id").tail(1)
    return set(last.loc[last["to_stage"] == stage, "customer_id"])


def _churn_reason(df, days: int = 180) -> pd.Series:
    """The latest churn reason recorded for the buyer, else the recorded lost reason, else
    "complaint" for a complaint opened before the end of the churn day (last purchase +
    days), else "not_recorded"."""
    fb = df.attrs["complaints"].merge(df[["id", "last_order_date"]], left_on="customer_id", right_on="id")
    churn_end = pd.to_datetime(fb["last_order_date"]) + pd.Timedelta(days=days + 1)
    complained = set(fb.loc[fb["opened_at"] < churn_end, "customer_id"])
    fallback = df["id"].map(lambda i: "complaint" if i in complained else "not_recorded")
    guess = df["lost_reason"].where(df["lost_reason"].notna(), fallback)
    cr = df.attrs["churn_reasons"].sort_values(["recorded_at", "id"])
    latest = cr.groupby("customer_id")["reason"].last()
    recorded = df["id"].map(latest)
    return recorded.where(recorded.notna(), guess)


def _lost_now(df, v) -> pd.Series:
    sc = df.attrs["stages"]
    open_lost = sc[(sc["kind"] == "pipeline") & (sc["to_stage"] == "lost") & sc["left_at"].isna()]
    with_reason = open_lost[open_lost["lost_reason"].notna()]
    ids = set(with_reason["customer_id"]) if v == "not_recorded" else \
        set(with_reason.loc[with_reason["lost_reason"] == v, "customer_id"])
    hit = df["id"].isin(ids)
    return (df["pipeline_stage"] == "lost") & (~hit if v == "not_recorded" else hit)


def _spend_rank(df) -> tuple[int, int]:
    top = df[df["orders_count"] > 0].sort_values(["total_spend", "id"], ascending=[False, True])
    return int(top["total_spend"].iloc[99]), int(top["id"].iloc[99])


def _common(col):
    def pick(df):
        return (df[col].dropna().value_counts().index[0],)
    return pick


def _isin(col):
    return lambda df, v: df[col].isin(v)


def _date_of(col, q):
    return lambda df: df[col].dropna().quantile(q) if col == "created_at" else \
        sorted(df[col].dropna())[int(len(df[col].dropna()) * q)]


def _folded_tag(text: str) -> str:
    """Independent of crm_data.records.tags: no diacritics, đ → d, "_" as a space, lower case."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "d").replace("_", " ")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def _age(b):
    if b is None or b != b:
        return None
    return REF.year - b.year - ((REF.month, REF.day) < (b.month, b.day))


def _days_since(d):
    return None if d is None or d != d else (REF - d).days


def _ge(series, v):
    return series.map(lambda x: x is not None and x == x and x >= v)


def _le(series, v):
    return series.map(lambda x: x is not None and x == x and x <= v)


IN_FIELDS = {
    "regions": "region", "provinces": "province_code", "genders": "gender", "kinds": "kind",
    "sources": "source", "channels": "preferred_channel", "income_bands": "income_band",
    "occupations": "occupation", "educations": "education", "marital_statuses": "marital_status",
    "industries": "industry", "lifecycle_stages": "lifecycle_stage",
    "pipeline_stages": "pipeline_stage", "lead_grades": "lead_grade", "owners": "owner_id",
    "tiers": "tier", "rfm_segments": "rfm_segment",
}

CASES = {name: (_common(col), _isin(col)) for name, col in IN_FIELDS.items()}
CASES.update({
    # typed in any spelling, matched folded against the tags as shown ("Tết 2026", "Đại lý")
    "tags": (lambda df: ("TET 2026", "dai_ly"),
             lambda df, v: df["tags"].fillna("").map(
                 lambda t: any(_folded_tag(x) in {_folded_tag(y) for y in t.split(",") if y} for x in v))),
    "groups": (lambda df: ("loyal",), lambda df, v: df["groups"].str.contains(",loyal,")),
    "created_from": (lambda df: (REF - dt.timedelta(days=365)),
                     lambda df, v: df["created_at"] >= pd.Timestamp(v)),
    "created_to": (lambda df: (REF - dt.timedelta(days=365)),
                   lambda df, v: df["created_at"] < pd.Timestamp(v + dt.timedelta(days=1))),
    "first_order_from": (_date_of("first_order_date", 0.5), lambda df, v: _ge(df["first_order_date"], v)),
    "first_order_to": (_date_of("first_order_date", 0.5), lambda df, v: _le(df["first_order_date"], v)),
    "last_order_from": (_date_of("last_order_date", 0.5), lambda df, v: _ge(df["last_order_date"], v)),
    "last_order_to": (_date_of("last_order_date", 0.5), lambda df, v: _le(df["last_order_date"], v)),
    "spend_min": (lambda df: 5_000_000, lambda df, v: df["total_spend"] >= v),
    "spend_max": (lambda df: 5_000_000, lambda df, v: df["total_spend"] <= v),
    "orders_min": (lambda df: 5, lambda df, v: df["orders_count"] >= v),
    "orders_max": (lambda df: 5, lambda df, v: df["orders_count"] <= v),
    "consent": (lambda df: True, lambda df, v: df["consent"].fillna(False).astype(bool) == v),
    "age_min": (lambda df: 30, lambda df, v: _ge(df["birth_date"].map(_age), v)),
    "age_max": (lambda df: 30, lambda df, v: _le(df["birth_date"].map(_age), v)),
    "days_since_min": (lambda df: 180, lambda df, v: _ge(df["last_order_date"].map(_days_since), v)),
    "days_since_max": (lambda df: 90, lambda df, v: _le(df["last_order_date"].map(_days_since), v)),
    "has_debt": (lambda df: True, lambda df, v: df["debt"].fillna(0) > 0),
    "has_purchased": (lambda df: True, lambda df, v: df["orders_count"].fillna(0) > 0),
    "search": (lambda df: "tran thi",
               lambda df, v: df["full_name"].map(fold).str.contains("tran")
               & df["search_text"].str.contains("thi")),
    "ids": (lambda df: tuple(df["id"].head(7).tolist()), lambda df, v: df["id"].isin(v)),
    "bought_from": (lambda df: REF - dt.timedelta(days=60),
                    _has_fact("orders", lambda o, v: o["order_date"] >= v)),
    "bought_to": (lambda df: REF - dt.timedelta(days=400),
                  _has_fact("orders", lambda o, v: o["order_date"] <= v)),
    "stage_kind": (lambda df: "pipeline", _has_fact("stages", lambda sc, v: sc["kind"] == v)),
    "stage_prev": (lambda df: "start", _has_fact("stages", lambda sc, v: sc["from_stage"].isna())),
    "stage_next": (lambda df: "won", _has_fact("stages", lambda sc, v: sc["to_stage"] == v)),
    "stage_from": (lambda df: REF - dt.timedelta(days=30),
                   _has_fact("stages", lambda sc, v: sc["changed_at"] >= pd.Timestamp(v))),
    "stage_to": (lambda df: REF - dt.timedelta(days=700),
                 _has_fact("stages", lambda sc, v: sc["changed_at"] < pd.Timestamp(v + dt.timedelta(days=1)))),
    "pipeline_reached": (lambda df: ("quoted", "won"), lambda df, v: df["pipeline_stage"].isin(v) | _has_fact(
        "stages", lambda sc, v: (sc["kind"] == "pipeline") & sc["to_stage"].isin(v))(df, v)),
    "lifecycle_on": (lambda df: REF - dt.timedelta(days=900), _has_fact(
        "stages", lambda sc, v: (sc["kind"] == "lifecycle") & (sc["changed_at"] < pd.Timestamp(v + dt.timedelta(days=1))))),
    "lifecycle_on_stage": (lambda df: "loyal", lambda df, v: df["id"].isin(_stage_now(df, v))),
    "stage_reason": (lambda df: "price", _has_fact("stages", lambda sc, v: sc["lost_reason"] == v)),
    "lost_reason_now": (lambda df: "no_response", _lost_now),
    "churn_reason": (lambda df: "complaint", lambda df, v: _churn_reason(df) == v),
    "churn_reason_days": (lambda df: 30, lambda df, v: df["id"] > 0),  # only the N of churn_reason
    # The sample has no CLV fit: every customer is "not scored" (scored bands and values are
    # checked against pandas in tests/test_clv_data.py).
    "p_alive_bands": (lambda df: ("none",), lambda df, v: df["id"] > 0),
    "value_min": (lambda df: 1, lambda df, v: df["id"] < 0),
    "spend_rank_until": (_spend_rank, lambda df, v: (df["total_spend"] > v[0])
                         | ((df["total_spend"] == v[0]) & (df["id"] <= v[1]))),
})
NEGATIVE = {  # the other value of boolean fields
    "consent": False, "has_debt": False, "has_purchased": False,
}


def test_every_field_has_a_case():
    from dataclasses import fields

    assert {f.name for f in fields(CustomerFilter)} == set(CASES)


def _selected(engine, flt) -> set[int]:
    query = (select(Customer.id).select_from(Customer)
             .join(CustomerStats, CustomerStats.customer_id == Customer.id)
             .where(*customer_where(SYSTEM, flt, REF)))
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def _check(seeded, raw, name, value, pred):
    flt = CustomerFilter(**{name: value})
    expected = set(raw.loc[pred(raw, value).astype(bool), "id"].astype(int))
    got = _selected(seeded, flt)
    assert got == expected
    return expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_filter_field_matches_pandas(seeded, raw, name):
    pick, pred = CASES[name]
    value = pick(raw)
    if isinstance(value, tuple) and value and hasattr(value[0], "item"):
        value = tuple(v.item() for v in value)
    if isinstance(value, pd.Timestamp):
        value = value.date()
    expected = _check(seeded, raw, name, value, pred)
    # every sample customer has a first stage of each kind (its combinations: test_drill.py)
    assert 0 < len(expected) < len(raw) or name in ("consent", "stage_kind", "stage_prev",
                                                    "churn_reason_days", "p_alive_bands",
                                                    "value_min"), \
        (name, len(expected))
    if name in NEGATIVE:
        other = _check(seeded, raw, name, NEGATIVE[name], lambda df, v: ~pred(df, not v))
        assert len(other) + len(expected) == len(raw)


@pytest.mark.parametrize("days", [30, 365])
def test_churn_reason_counts_complaints_up_to_the_churn_day(seeded, raw, days):
    reasons = _churn_reason(raw, days)
    for reason in ("complaint", "not_recorded"):
        flt = CustomerFilter(churn_reason=reason, churn_reason_days=days)
        assert _selected(seeded, flt) == set(raw.loc[reasons == reason, "id"])
    # N moves the complaint's deadline: some complaints fall between 30 and 365 days
    assert (reasons == "complaint").sum() != (_churn_reason(raw, 395 - days) == "complaint").sum()


def test_lost_reason_not_recorded_cases(seeded, raw):
    for name, pred in (("stage_reason", _has_fact("stages", lambda sc, v: sc["lost_reason"].isna())),
                       ("lost_reason_now", _lost_now)):
        _check(seeded, raw, name, "not_recorded", pred)


def test_filters_combine_with_and(seeded, raw):
    flt = CustomerFilter(regions=("south",), tiers=("vip", "regular"), has_debt=True)
    expected = raw[(raw["region"] == "south") & raw["tier"].isin(["vip", "regular"]) & (raw["debt"] > 0)]
    assert _selected(seeded, flt) == set(expected["id"].astype(int))


def test_compiled_sql_has_bound_parameters_only(backend):
    nasty = "x'); DROP TABLE customers; --"
    flt = CustomerFilter(regions=(nasty,), genders=(nasty,), tags=(nasty,), groups=(nasty,),
                         search=nasty, spend_min=123456789, created_from=dt.date(2021, 3, 4),
                         stage_kind=nasty, stage_prev=nasty, bought_to=dt.date(2021, 3, 4),
                         stage_from=dt.date(2021, 3, 4), spend_rank_until=(123456789, 7),
                         stage_reason=nasty, lost_reason_now=nasty, churn_reason=nasty,
                         churn_reason_days=97531)
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite.dialect() if backend == "sqlite" else postgresql.dialect()
    compiled = flt.clause(Customer, CustomerStats, REF).compile(dialect=dialect)
    sql = str(compiled)
    assert "DROP" not in sql and "123456789" not in sql and "2021" not in sql and "97531" not in sql
    values = [str(v) for v in compiled.params.values()]
    assert any("DROP TABLE" in v for v in values)
    assert "123456789" in values


def test_query_string_round_trip():
    flt = CustomerFilter(regions=("north", "south"), provinces=(1, 79), tags=("vip",),
                         created_from=dt.date(2026, 1, 1), spend_min=1000, consent=False,
                         has_debt=True, search="nguyễn văn", ids=(3, 4),
                         bought_from=dt.date(2026, 2, 1), bought_to=dt.date(2026, 2, 28),
                         stage_kind="lifecycle", stage_prev="start", stage_next="awareness",
                         stage_from=dt.date(2026, 1, 1), stage_to=dt.date(2026, 3, 31),
                         spend_rank_until=(15_000_000, 42), stage_reason="not_recorded",
                         lost_reason_now="price", churn_reason="complaint", churn_reason_days=90)
    from urllib.parse import parse_qs

    assert CustomerFilter.from_query(parse_qs(flt.query_string())) == flt
    assert CustomerFilter.from_query(flt.to_query()) == flt
