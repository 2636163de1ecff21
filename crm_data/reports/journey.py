"""Hành trình / Customer journey: awareness → consideration → first purchase → repeat →
loyal / advocate, and lapsed.

- distribution(): the stage of every visible customer now (customers.lifecycle_stage).
- over_time(): the stage each customer was in at the end of every bucket of the period,
  from the stage history (stage_changes kind='lifecycle'): the latest change on or before
  the bucket's last day (or the period's last day for the final, partial bucket), counted
  as net flows (see over_time). Customers with no change by then are not counted.
- transitions(): changes from_stage → to_stage dated in the period (the Sankey);
  from_stage NULL (the first recorded stage) is reported as "start".
over_time() and transitions() read stage_flow_rollup (lifecycle changes per day / month,
owner and region, crm_data.summaries.rollups) when the filter holds at most regions and
owners, the stage history otherwise.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, case, func, literal, select

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period, buckets, next_bucket
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports.scoping import visible
from crm_data.storage.models import Customer as C
from crm_data.storage.models import StageChange as SC
from crm_data.storage.models import StageFlowRollup as F
from crm_data.summaries import rollups

STAGES = ("awareness", "consideration", "first_purchase", "repeat", "loyal", "advocate", "lapsed")
START = "start"


def _dt(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time())


def _order(df: pd.DataFrame, col: str = "stage") -> pd.DataFrame:
    rank = {s: i for i, s in enumerate(STAGES)}
    return df.assign(_k=df[col].map(lambda s: rank.get(s, len(rank)))) \
        .sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def distribution(engine: Engine, scope: Scope, period: Period,
                 flt: CustomerFilter | None = None) -> pd.DataFrame:
    """stage, customers, share — now (the period does not apply: it is today's state)."""
    del period  # the current stage; kept for the common report signature
    q = (customers_from().add_columns(C.lifecycle_stage.label("stage"), func.count().label("customers"))
         .where(*customer_where(scope, flt)).group_by(C.lifecycle_stage))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=["stage", "customers"])
    total = int(df["customers"].sum()) if not df.empty else 0
    df["share"] = df["customers"] / total if total else 0.0
    return _order(df)


def bucket_ends(period: Period, granularity: str) -> list[tuple[dt.date, dt.date]]:
    """(bucket start, the day whose end the state is taken at) for every bucket."""
    return [(b, min(next_bucket(b, granularity) - dt.timedelta(days=1), period.end))
            for b in buckets(period, granularity)]


def over_time(engine: Engine, scope: Scope, period: Period, granularity: str = "month",
              flt: CustomerFilter | None = None) -> pd.DataFrame:
    """bucket, stage, customers: the stage at each bucket end (zeros included).

    Counted as net flows, without ordering anyone's history: customers in stage S at time e
    = changes into S before e − changes out of S (from_stage = S) before e. This equals "the
    latest change before e" because every change records the stage it leaves (from_stage),
    as the app, the importer and the sample data do; the tests check both agree. One GROUP
    BY over the changes up to the period's end, bucketed by cut-offs computed here."""
    ends = bucket_ends(period, granularity)
    cut_days = [e + dt.timedelta(days=1) for _b, e in ends]
    owners = rollups.owner_condition(scope, flt, F)
    if owners is not None:
        queries = _flows_from_rollup(cut_days, period.start.replace(day=1), owners)
    else:
        cuts = [_dt(d) for d in cut_days]
        # Index of the first bucket end a change counts for (0 = before the first cut-off).
        idx = case(*[(SC.changed_at < cut, i) for i, cut in enumerate(cuts)], else_=len(cuts))
        moves = (select(idx.label("i"), SC.from_stage.label("src"), SC.to_stage.label("dst"))
                 .where(visible(SC.customer_id, scope, flt), SC.kind == "lifecycle",
                        SC.changed_at < cuts[-1])
                 .subquery("moves"))
        queries = [select(moves.c.i, moves.c.src, moves.c.dst, func.count().label("n"))
                   .group_by(moves.c.i, moves.c.src, moves.c.dst)]
    flow: dict[tuple[int, str], int] = {}
    with engine.connect() as conn:
        for r in (r for q in queries for r in conn.execute(q)):
            i, n = int(r.i), int(r.n)
            flow[(i, r.dst)] = flow.get((i, r.dst), 0) + n
            if r.src is not None:
                flow[(i, r.src)] = flow.get((i, r.src), 0) - n
    stages = list(STAGES) + sorted({s for _i, s in flow} - set(STAGES))
    rows, level = [], dict.fromkeys(stages, 0)
    for i, (b, _e) in enumerate(ends):
        for stage in stages:
            level[stage] += flow.get((i, stage), 0)
            rows.append({"bucket": b, "stage": stage, "customers": level[stage]})
    return pd.DataFrame(rows, columns=["bucket", "stage", "customers"])


def _flows_from_rollup(cut_days: list[dt.date], first_month: dt.date, owners) -> list:
    """The same (i, src, dst, n) from stage_flow_rollup: whole months before the period's
    first month all count from the first bucket on (index 0); days from then on by cut-off."""
    before = (select(literal(0).label("i"), F.from_stage.label("src"), F.to_stage.label("dst"),
                     func.sum(F.changes).label("n"))
              .where(F.grain == "m", F.start < first_month, owners)
              .group_by(F.from_stage, F.to_stage))
    idx = case(*[(F.start < cut, i) for i, cut in enumerate(cut_days)], else_=len(cut_days))
    days = (select(idx.label("i"), F.from_stage.label("src"), F.to_stage.label("dst"),
                   func.sum(F.changes).label("n"))
            .where(F.grain == "d", F.start >= first_month, F.start < cut_days[-1], owners)
            .group_by(idx, F.from_stage, F.to_stage))
    return [before, days]


def transitions(engine: Engine, scope: Scope, period: Period,
                flt: CustomerFilter | None = None) -> pd.DataFrame:
    """from_stage, to_stage, count of lifecycle changes in the period (largest first)."""
    owners = rollups.owner_condition(scope, flt, F)
    if owners is not None:
        # Whole months and the days of cut months from stage_flow_rollup.
        src = func.coalesce(F.from_stage, START)
        q = (select(src.label("from_stage"), F.to_stage.label("to_stage"),
                    func.sum(F.changes).label("count"))
             .where(rollups.covering(F, period.start, period.end), owners).group_by(src, F.to_stage))
    else:
        src = func.coalesce(SC.from_stage, START)
        inner = (select(src.label("from_stage"), SC.to_stage.label("to_stage"))
                 .where(visible(SC.customer_id, scope, flt), SC.kind == "lifecycle",
                        SC.changed_at >= _dt(period.start), SC.changed_at < _dt(period.end_exclusive))
                 .subquery("t"))
        q = (select(inner.c.from_stage, inner.c.to_stage, func.count().label("count"))
             .group_by(inner.c.from_stage, inner.c.to_stage))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=["from_stage", "to_stage", "count"])
    return df.sort_values(["count", "from_stage", "to_stage"], ascending=[False, True, True]) \
        .reset_index(drop=True)
