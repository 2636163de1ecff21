"""Phễu / Lead funnel from the stage history (stage_changes kind='pipeline').

Definitions:
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

from crm_data.filters import CustomerFilter
from crm_data.models import Customer as C
from crm_data.models import StageChange as SC
from crm_data.periods import Period, as_date, bucket
from crm_data.reports.scoping import visible, visible_per_customer
from crm_data.reports.sqltime import tenths_of_days
from crm_data.scope import Scope
from crm_data.stage_exits import first_entry_since

STAGES = ("new", "contacted", "qualified", "quoted", "won")
LOST = "lost"
SPLITS = ("source", "owner", "lead_grade", "period")
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
            })
            if stage != LOST:
                prev = n
    return pd.DataFrame(rows, columns=["split", "stage", "entered", "conv_prev", "conv_top",
                                       "drop_off", "median_days"])


def _stage_cells(engine: Engine, scope: Scope, period: Period, split: str | None,
                 granularity: str, flt: CustomerFilter | None) -> tuple[dict, dict]:
    """One pass over the period's pipeline changes: ({(split, stage): distinct customers
    entering}, {(split, stage): [(tenths of a day in the stage, changes)]}).

    A customer is counted once per stage: by the change that is their first entry into the
    stage within the period (or within the bucket, split by period) — previous_entry_at
    before it. Time in stage comes from left_at, in tenths of a day: the median of the
    rounded durations is within 0.05 day of the exact one, which is what is shown."""
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
    q = select(base.c.reason, func.count().label("count")).group_by(base.c.reason)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=["reason", "count"])
    total = int(df["count"].sum()) if not df.empty else 0
    df["share"] = df["count"] / total if total else 0.0
    return df.sort_values(["count", "reason"], ascending=[False, True],
                          key=lambda s: s if s.name == "count" else s.astype(str)) \
        .reset_index(drop=True)

