"""Phễu / Lead funnel from the stage history (stage_changes kind='pipeline'), two views.

Cohort view (`cohort`, the default on the page): the leads created in the period and how far
each has got by now.
- reached: visible customers created in the period (customers.created_at; their first
  pipeline change is their creation) whose furthest stage so far is this stage or a later
  one — the furthest of their pipeline changes and of their current stage, so that a lead
  who went new → won directly, or was imported as won, has passed every earlier step. Each
  step is a subset of the one above: no conversion exceeds 100 %.
- lost: those of them in 'lost' now; conv_top = lost / created; their reasons:
  `cohort_lost_reasons`.
- median_days / durations: time in the stage of these customers' changes into it that have
  ended (left_at), from the same tenths-of-a-day histogram as the flow view.

Flow view (`funnel`): entries into each stage during the period.
- entered: distinct visible customers with a change *to* the stage dated in the period (a
  flow count: a lead contacted this month may have been created last month), counted by
  their first entry into the stage in the period (stage_changes.previous_entry_at).
- conv_prev = entered / entered of the previous stage; conv_top = entered / entered of the
  first stage; drop_off = 1 − conv_prev.
- median_days: median time spent in the stage by the changes into it dated in the period,
  measured to the customer's next pipeline change (stage_changes.left_at); leads still in
  the stage are not counted (they have no exit yet). One SQL pass returns the counts and a
  histogram in tenths of a day per stage; the median is taken from it.
- lost reasons: changes to 'lost' in the period by lost_reason.
Splits: by source, owner, lead grade (customer columns) or by time bucket of the change.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, case, func, literal, or_, select

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period, as_date, bucket
from crm_data.domain.sqltime import tenths_of_days
from crm_data.filters.customer_filter import LOST, CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports.scoping import visible, visible_per_customer
from crm_data.storage.models import Customer as C
from crm_data.storage.models import StageChange as SC
from crm_data.summaries import funnel_rollup
from crm_data.summaries.funnel_rollup import RANK, STAGES, cohort_cells
from crm_data.summaries.stage_exits import first_entry_since

SPLITS = ("source", "owner", "lead_grade", "period")
VIEWS = ("cohort", "flow")
# A median of fewer durations than this is noise (one lead who moved on the next minute):
# the page says "not enough data" instead of drawing it.
MIN_DURATIONS = 5
_SPLIT_COLUMNS = {"source": C.source, "owner": C.owner_id, "lead_grade": C.lead_grade}


def _dt(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time())


def _split_expr(split: str | None, granularity: str):
    if split is None:
        return literal("all")
    if split == "period":
        return bucket(SC.changed_at, granularity)
    if split not in _SPLIT_COLUMNS:
        raise ValueError(f"unknown split {split!r}; one of: {', '.join(SPLITS)}")
    return _SPLIT_COLUMNS[split]


def _changes(scope, period, flt, split, granularity, per_customer: bool = True):
    """Pipeline changes of visible customers, in the period, with the split value; joined
    to customers only when the split is a customer column."""
    q = select(_split_expr(split, granularity).label("split")).select_from(SC)
    if split in _SPLIT_COLUMNS:
        q = q.join(C, C.id == SC.customer_id)
    seen = _seen if per_customer else visible
    return q.where(seen(SC.customer_id, scope, flt), SC.kind == "pipeline",
                   SC.changed_at >= _dt(period.start), SC.changed_at < _dt(period.end_exclusive))


def _seen(customer_id_col, scope: Scope, flt: CustomerFilter | None):
    """Everyone: skip the deleted customers' changes in the period's index range. A subset
    (staff, a filter): probe (kind, customer_id, changed_at) per visible customer, reading
    only their changes, already in customer and time order."""
    if scope.sees_all_customers and (flt is None or flt.is_empty()):
        return visible(customer_id_col, scope, flt)
    return visible_per_customer(customer_id_col, scope, flt)


def _norm(value, split):
    if split == "period":
        return as_date(value)
    return value


def funnel(engine: Engine, scope: Scope, period: Period, split: str | None = None,
           granularity: str = "month", flt: CustomerFilter | None = None) -> pd.DataFrame:
    """Per split value and stage (STAGES then 'lost'): entered, conv_prev, conv_top,
    drop_off, median_days."""
    counts, hists = _stage_cells(engine, scope, period, split, granularity, flt)
    rows = []
    splits = sorted({k[0] for k in counts}, key=lambda v: (v is None, str(v)))
    for sv in splits:
        top = counts.get((sv, STAGES[0]), 0)
        prev = None
        for stage in (*STAGES, LOST):
            n = counts.get((sv, stage), 0)
            if stage == LOST:
                conv_prev, conv_top = None, (n / top if top else None)
            else:
                conv_prev = None if prev is None else (n / prev if prev else None)
                conv_top = n / top if top else None
            hist = hists.get((sv, stage))
            rows.append({
                "split": sv, "stage": stage, "entered": n,
                "conv_prev": conv_prev, "conv_top": conv_top,
                "drop_off": None if conv_prev is None else 1 - conv_prev,
                "median_days": round(_median(sorted(hist)) / 10, 1) if hist else None,
                "durations": sum(c for _v, c in hist) if hist else 0,
            })
            if stage != LOST:
                prev = n
    return pd.DataFrame(rows, columns=["split", "stage", "entered", "conv_prev", "conv_top",
                                       "drop_off", "median_days", "durations"])


def cohort(engine: Engine, scope: Scope, period: Period, split: str | None = None,
           granularity: str = "month", flt: CustomerFilter | None = None) -> pd.DataFrame:
    """The leads created in the period, per split value (a customer column, or the bucket of
    their creation) and stage (STAGES then 'lost'): reached, conv_prev, conv_top, drop_off,
    median_days, durations."""
    furthest, hists = _cohort_cells(engine, scope, period, split, granularity, flt)
    rows = []
    for sv in sorted(furthest, key=lambda v: (v is None, str(v))):
        by_rank, lost = furthest[sv]
        top = sum(by_rank.values())
        prev = None
        for stage in (*STAGES, LOST):
            if stage == LOST:
                n, conv_prev = lost, None
            else:
                n = sum(c for r, c in by_rank.items() if r >= RANK[stage])
                conv_prev = None if prev is None else (n / prev if prev else None)
                prev = n
            hist = hists.get((sv, stage))
            rows.append({
                "split": sv, "stage": stage, "reached": n, "conv_prev": conv_prev,
                "conv_top": n / top if top else None,
                "drop_off": None if conv_prev is None else 1 - conv_prev,
                "median_days": round(_median(sorted(hist)) / 10, 1) if hist else None,
                "durations": sum(c for _v, c in hist) if hist else 0,
            })
    return pd.DataFrame(rows, columns=["split", "stage", "reached", "conv_prev", "conv_top",
                                       "drop_off", "median_days", "durations"])


def _members(scope: Scope, period: Period, flt: CustomerFilter | None):
    """The cohort: visible customers created in the period (ix_customers_created_at); joined
    to customer_stats only when the filter needs it."""
    start = select().select_from(C) if flt is None or flt.is_empty() else customers_from()
    return start.where(*customer_where(scope, flt), C.created_at >= _dt(period.start),
                       C.created_at < _dt(period.end_exclusive))


def _cohort_split(split: str | None, granularity: str):
    if split == "period":
        return bucket(C.created_at, granularity)
    return _split_expr(split, granularity)


def _cohort_cells(engine: Engine, scope: Scope, period: Period, split: str | None,
                  granularity: str, flt: CustomerFilter | None) -> tuple[dict, dict]:
    """({split: ({furthest rank: customers}, lost now)}, {(split, stage): [(tenths, n)]}).

    From the rollup's cells when it can answer; otherwise two passes over the cohort
    (customers by ix_customers_created_at, their pipeline changes by
    ix_stage_kind_customer): the furthest stage per customer, counted by (split, furthest,
    current stage); then the ended stays of their changes in tenths of a day."""
    allowed = funnel_rollup.owners(scope, flt, split)
    if allowed is not None:
        reach = funnel_rollup.read("reach", period, allowed, split, granularity)
        stays = funnel_rollup.read("stay", period, allowed, split, granularity)
    else:
        sv = _cohort_split(split, granularity)
        reach, stays, _lost = cohort_cells(_members(scope, period, flt), [sv])
    furthest: dict = {}
    hists: dict = {}
    with engine.connect() as conn:
        for key, now, far, n in conn.execute(reach):
            key = _norm(key, split)
            by_rank, lost = furthest.get(key, ({}, 0))
            rank = max(far if far is not None else 0, RANK.get(now, 0))
            by_rank[rank] = by_rank.get(rank, 0) + int(n)
            furthest[key] = (by_rank, lost + (int(n) if now == LOST else 0))
        for key, stage, tenths, n in conn.execute(stays):
            hists.setdefault((_norm(key, split), stage), []).append((int(tenths), int(n)))
    return furthest, hists


def _stage_cells(engine: Engine, scope: Scope, period: Period, split: str | None,
                 granularity: str, flt: CustomerFilter | None) -> tuple[dict, dict]:
    """One pass over the period's pipeline changes: ({(split, stage): distinct customers
    entering}, {(split, stage): [(tenths of a day in the stage, changes)]}).

    A customer is counted once per stage: by the change that is their first entry into the
    stage within the period (or within the bucket, split by period) — previous_entry_at
    before it. Time in stage comes from left_at, in tenths of a day: the median of the
    rounded durations is within 0.05 day of the exact one, which is what is shown. From the
    rollup's cells when it can answer."""
    allowed = funnel_rollup.owners(scope, flt, split)
    if allowed is not None:
        return _stage_cells_rolled_up(engine, period, allowed, split, granularity)
    since = _dt(period.start)
    first = first_entry_since(since)
    if split == "period":  # distinct within each bucket: since the later of the two starts
        first = or_(first, SC.previous_entry_at < bucket(SC.changed_at, granularity))
    tenths = tenths_of_days(SC.changed_at, SC.left_at)
    base = (_changes(scope, period, flt, split, granularity)
            .add_columns(SC.to_stage.label("stage"), tenths.label("tenths"),
                         case((first, 1), else_=0).label("first"), SC.left_at.label("left_at"))
            .subquery("t"))
    q = (select(base.c.split, base.c.stage, base.c.tenths, func.sum(base.c.first).label("entered"),
                func.count(base.c.left_at).label("n"))
         .group_by(base.c.split, base.c.stage, base.c.tenths))
    counts: dict = {}
    hists: dict = {}
    with engine.connect() as conn:
        for r in conn.execute(q):
            key = (_norm(r.split, split), r.stage)
            counts[key] = counts.get(key, 0) + int(r.entered)
            if r.tenths is not None and r.n:
                hists.setdefault(key, []).append((int(r.tenths), int(r.n)))
    return counts, hists


def _stage_cells_rolled_up(engine: Engine, period: Period, allowed, split: str | None,
                           granularity: str) -> tuple[dict, dict]:
    entries = funnel_rollup.read_entries(period, allowed, split, granularity)
    stays = funnel_rollup.read("fstay", period, allowed, split, granularity)
    counts: dict = {}
    hists: dict = {}
    with engine.connect() as conn:
        for sv, stage, entered in conn.execute(entries):
            counts[(_norm(sv, split), stage)] = int(entered)
        for sv, stage, tenths, n in conn.execute(stays):
            hists.setdefault((_norm(sv, split), stage), []).append((int(tenths), int(n)))
    return counts, hists


def _median(counts: list[tuple[int, int]]) -> float:
    """Median of a histogram [(value, count)] sorted by value: the mean of the middle one
    or two values."""
    n = sum(c for _v, c in counts)
    lo, hi = (n + 1) // 2, (n + 2) // 2  # 1-based positions of the middle values
    seen, middle = 0, []
    for value, count in counts:
        seen += count
        while len(middle) < 2 and seen >= (lo, hi)[len(middle)]:
            middle.append(value)
        if len(middle) == 2:
            break
    return sum(middle) / 2


def lost_reasons(engine: Engine, scope: Scope, period: Period,
                 flt: CustomerFilter | None = None) -> pd.DataFrame:
    """Changes to 'lost' in the period by reason (None = not recorded), most frequent first."""
    # The few changes to 'lost' through ix_stage_lost_cover, whoever looks.
    base = _changes(scope, period, flt, None, "month", per_customer=False) \
        .add_columns(SC.lost_reason.label("reason")).where(SC.to_stage == LOST).subquery("l")
    return _reason_shares(engine, select(base.c.reason, func.count()).group_by(base.c.reason))


def cohort_lost_reasons(engine: Engine, scope: Scope, period: Period,
                        flt: CustomerFilter | None = None) -> pd.DataFrame:
    """The leads created in the period who are lost now, by the reason of their (last) change
    to 'lost' (None = not recorded); the counts add up to the cohort's 'lost'."""
    allowed = funnel_rollup.owners(scope, flt, None)
    if allowed is not None:
        cells = funnel_rollup.read("lost", period, allowed, None, "month").subquery("l")
        return _reason_shares(engine, select(cells.c.stage, cells.c.n))
    _reach, _stays, lost = cohort_cells(_members(scope, period, flt), [])
    return _reason_shares(engine, lost)


def _reason_shares(engine: Engine, q) -> pd.DataFrame:
    """q: SELECT reason, count (one row per reason)."""
    with engine.connect() as conn:
        df = pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=["reason", "count"])
    total = int(df["count"].sum()) if not df.empty else 0
    df["share"] = df["count"] / total if total else 0.0
    return df.sort_values(["count", "reason"], ascending=[False, True],
                          key=lambda s: s if s.name == "count" else s.astype(str)) \
        .reset_index(drop=True)
