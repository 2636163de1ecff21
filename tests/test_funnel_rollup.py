"""funnel_rollup (the funnel's cells per day / month, owner and region) equals the raw rows
after writes — a stage move, a loss with a reason, an owner change, a region change, a soft
delete, a new customer — and after a rebuild; the cohort read from it equals a pandas count
over the raw rows, and both views (cohort and flow) equal the raw SQL path, without a
filter and under a region / owner filter, for periods cut inside months. Both backends."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import delete, insert, select, update

from crm_data import summaries
from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import funnel
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, StageChange, User
from crm_data.storage.models.funnel import FunnelRollup
from crm_data.summaries import funnel_rollup
from crm_data.writes.stages import move_stage

TODAY = dt.date(2026, 11, 20)
ADMIN, STAFF = Scope(1, "admin", "admin"), Scope(2, "staff", "staff")
RANK = {s: i for i, s in enumerate(funnel.STAGES)}
T = dt.datetime
# (id, owner, created_at, [(to_stage, changed_at, lost_reason)]); the last change is the
# customer's current stage.
PEOPLE = (
    (1, 2, T(2026, 7, 30, 9), [("new", T(2026, 7, 30, 9), None), ("contacted", T(2026, 8, 2, 10), None),
                               ("quoted", T(2026, 8, 9, 16), None), ("lost", T(2026, 9, 1, 8), "price")]),
    (2, 2, T(2026, 8, 1, 0), [("new", T(2026, 8, 1, 0), None), ("contacted", T(2026, 8, 1, 6), None)]),
    (3, 3, T(2026, 8, 31, 23, 59), [("new", T(2026, 8, 31, 23, 59), None), ("won", T(2026, 9, 4, 12), None)]),
    (4, None, T(2026, 9, 15, 12), [("new", T(2026, 9, 15, 12), None), ("lost", T(2026, 9, 20, 12), None)]),
    (5, 2, T(2026, 9, 30, 8), [("new", T(2026, 9, 30, 8), None), ("qualified", T(2026, 10, 3, 8), None),
                               ("new", T(2026, 10, 5, 8), None)]),
    (6, 3, T(2026, 10, 2, 10), []),  # imported, no pipeline change: counted at its stage now
    (7, 2, T(2026, 11, 19, 9), [("new", T(2026, 11, 19, 9), None)]),
)
REGION_OF = {1: "north", 2: "south", 3: "north", 5: "north", 6: "central", 7: "south"}  # 4: none
PERIODS = (Period(dt.date(2026, 7, 30), dt.date(2026, 11, 19)),  # months cut at both ends
           Period(dt.date(2026, 8, 1), dt.date(2026, 9, 30)),  # whole months
           Period(dt.date(2026, 8, 2), dt.date(2026, 8, 31)),  # inside one month
           Period(dt.date(2026, 10, 4), dt.date(2026, 11, 19)),  # customer 5's second 'new' is a first entry
           Period(dt.date(2026, 9, 30), dt.date(2026, 11, 19)))  # ... and here is not


def _populate(engine) -> None:
    with unit_of_work(engine) as s:
        s.execute(insert(User), [{"id": i, "username": f"u{i}", "display_name": f"U{i}", "role": "staff",
                                  "password_hash": "x"} for i in (1, 2, 3)])
        s.execute(insert(Customer), [
            {"id": cid, "code": f"KH{cid}", "full_name": f"C{cid}", "owner_id": owner, "created_at": at,
             "pipeline_stage": changes[-1][0] if changes else "qualified", "region": REGION_OF.get(cid)}
            for cid, owner, at, changes in PEOPLE])
        s.execute(insert(StageChange), [
            {"customer_id": cid, "kind": "pipeline", "from_stage": None, "to_stage": stage,
             "changed_at": when, "lost_reason": reason}
            for cid, _o, _at, changes in PEOPLE for stage, when, reason in changes])
    summaries.rebuild_all(engine, TODAY)


def _cells(engine) -> pd.DataFrame:
    cols = ["kind", "grain", "start", "owner_id", "region", "stage", "value", "n"]
    with engine.connect() as conn:
        df = pd.DataFrame([tuple(r) for r in conn.execute(select(*(FunnelRollup.__table__.c[c] for c in cols)))],
                          columns=cols)
    df["start"] = pd.to_datetime(df["start"]).dt.date
    return df.fillna(-1).sort_values(cols).reset_index(drop=True)


def _expected(engine, period: Period, scope: Scope) -> tuple[dict, int]:
    """Plain pandas over the raw rows: {stage: reached} and lost now, of the cohort."""
    with engine.connect() as conn:
        c = pd.read_sql("SELECT id, owner_id, created_at, deleted_at, pipeline_stage FROM customers", conn)
        sc = pd.read_sql("SELECT customer_id, kind, to_stage FROM stage_changes", conn)
    c["created_at"] = pd.to_datetime(c["created_at"])
    c = c[c["deleted_at"].isna() & (c["created_at"] >= pd.Timestamp(period.start))
          & (c["created_at"] < pd.Timestamp(period.end_exclusive))]
    if not scope.sees_all_customers:
        c = c[c["owner_id"] == scope.user_id]
    sc = sc[(sc["kind"] == "pipeline") & sc["customer_id"].isin(c["id"])]
    far = sc["to_stage"].map(RANK).groupby(sc["customer_id"]).max()
    furthest = c["id"].map(far).fillna(0).combine(c["pipeline_stage"].map(RANK).fillna(0), max)
    return ({s: int((furthest >= r).sum()) for s, r in RANK.items()},
            int((c["pipeline_stage"] == "lost").sum()))


class _Everyone(CustomerFilter):
    """Not empty for the rollup (so the report takes the raw path) but selects everyone."""

    def is_empty(self):
        return False

    def clause(self, customer, stats, ref=None):
        return customer.id.is_not(None)


class _Raw(CustomerFilter):
    """The same filter, but one the rollups do not answer: the raw path, the same WHERE."""


KEYED = (CustomerFilter(regions=("north",)), CustomerFilter(regions=("south", "central")),
         CustomerFilter(owners=(2,)), CustomerFilter(regions=("north",), owners=(2, 3)))


def _assert_keyed_is_raw(engine) -> None:
    """Under a region / owner filter both views read the cells with the raw path's numbers."""
    period = PERIODS[0]
    for scope in (ADMIN, STAFF):
        for flt in KEYED:
            raw = _Raw(**{f.name: getattr(flt, f.name) for f in dataclasses.fields(flt)})
            assert funnel_rollup.owners(scope, flt, None) is not None
            assert funnel_rollup.owners(scope, raw, None) is None
            for split, gran in ((None, "month"), ("owner", "month"), ("period", "week")):
                for view in (funnel.cohort, funnel.funnel):
                    pd.testing.assert_frame_equal(view(engine, scope, period, split, gran, flt),
                                                  view(engine, scope, period, split, gran, raw))
            pd.testing.assert_frame_equal(funnel.cohort_lost_reasons(engine, scope, period, flt),
                                          funnel.cohort_lost_reasons(engine, scope, period, raw))


def _assert_cohort_is_raw(engine) -> None:
    got = _cells(engine)
    with unit_of_work(engine) as s:
        funnel_rollup.rebuild(s)
    pd.testing.assert_frame_equal(got, _cells(engine))
    for period in PERIODS:
        for scope in (ADMIN, STAFF):
            reached, lost = _expected(engine, period, scope)
            cohort = funnel.cohort(engine, scope, period)
            by_stage = dict(zip(cohort["stage"], cohort["reached"], strict=True))
            assert by_stage == ({**reached, "lost": lost} if reached["new"] else {}), (period, scope)
    everyone, period = _Everyone(), PERIODS[0]  # the raw SQL path: stays, splits, reasons, flow
    for scope in (ADMIN, STAFF):
        for p in PERIODS[1:]:
            pd.testing.assert_frame_equal(funnel.funnel(engine, scope, p), funnel.funnel(engine, scope, p, flt=everyone))
        for split, gran in ((None, "month"), ("owner", "month"), ("period", "week"), ("period", "month")):
            for view in (funnel.cohort, funnel.funnel):
                pd.testing.assert_frame_equal(view(engine, scope, period, split, gran),
                                              view(engine, scope, period, split, gran, everyone))
        reasons = funnel.cohort_lost_reasons(engine, scope, period)
        assert int(reasons["count"].sum()) == _expected(engine, period, scope)[1]
        pd.testing.assert_frame_equal(reasons, funnel.cohort_lost_reasons(engine, scope, period, everyone))
    _assert_keyed_is_raw(engine)


def test_funnel_rollup_follows_every_write(engine, backend):
    _populate(engine)
    assert len(_cells(engine)) > 20
    with unit_of_work(engine) as s:  # the report reads the cells: none, no cohort
        s.execute(delete(FunnelRollup))
    assert funnel.cohort(engine, ADMIN, PERIODS[0]).empty and funnel.funnel(engine, ADMIN, PERIODS[0]).empty
    summaries.rebuild_all(engine, TODAY)
    _assert_cohort_is_raw(engine)

    # the real stage-move write: a won lead, then a loss with a reason
    move_stage(engine, ADMIN, 2, "won")
    move_stage(engine, ADMIN, 5, "lost", lost_reason="competitor")
    _assert_cohort_is_raw(engine)

    # an owner change, a soft delete and a new customer created in a month already counted
    with unit_of_work(engine) as s:
        s.execute(update(Customer).where(Customer.id == 1).values(owner_id=3))
        s.execute(update(Customer).where(Customer.id == 5).values(region="central"))
        s.execute(update(Customer).where(Customer.id == 3).values(deleted_at=T(2026, 11, 20, 9)))
        s.execute(insert(Customer), [{"id": 8, "code": "KH8", "full_name": "C8", "owner_id": 2,
                                      "created_at": T(2026, 8, 2, 11), "pipeline_stage": "contacted"}])
        s.execute(insert(StageChange), [
            {"customer_id": 8, "kind": "pipeline", "to_stage": stage, "changed_at": at}
            for stage, at in (("new", T(2026, 8, 2, 11)), ("contacted", T(2026, 8, 3, 11)))])
        summaries.refresh_customers(s, [1, 3, 5, 8], TODAY)
    _assert_cohort_is_raw(engine)
