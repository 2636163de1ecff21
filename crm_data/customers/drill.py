"""Chart mark → the CustomerFilter of exactly the customers behind it.

Each function here mirrors one report's definition (crm_data/reports/*.py), so that the
customer list a click lands on counts what the mark shows; a mark that counts something
else (revenue, orders) leads to the customers behind it (the buyers). The page's own filter
(`base`) is kept and narrowed. None: the mark cannot be expressed as a filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from sqlalchemy import Engine

from crm_data.accounts.scope import Scope
from crm_data.domain.clock import today
from crm_data.domain.periods import Period, next_bucket
from crm_data.filters.customer_filter import NOT_RECORDED, START_STAGE, CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports.funnel import LOST, STAGES
from crm_data.reports.retention import NEVER, churn_window
from crm_data.storage.models import Customer, CustomerStats

_LISTS = {f.name for f in fields(CustomerFilter) if str(f.type).startswith("tuple")}
_FUNNEL_SPLITS = {"source": "sources", "owner": "owners", "lead_grade": "lead_grades"}


def narrow(base: CustomerFilter | None, **changes) -> CustomerFilter | None:
    """`base` and the mark's conditions: lists intersect (what the chart was drawn
    under stays), date ranges overlap, everything else is the mark's. None when a list
    intersection is empty (an empty list would mean "any")."""
    base = base or CustomerFilter()
    out = {}
    for name, new in changes.items():
        old = getattr(base, name)
        if name in _LISTS and old and name != "spend_rank_until":
            new = tuple(v for v in new if v in old)
            if not new:
                return None
        elif isinstance(new, dt.date) and old is not None:
            new = max(old, new) if name.endswith("_from") else min(old, new)
        out[name] = new
    return base.with_(**out)


def bucket_days(period: Period, granularity: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The days of a bucket that lie in the period (the first / last bucket may be cut)."""
    return max(start, period.start), min(next_bucket(start, granularity) - dt.timedelta(days=1),
                                         period.end)


# --- Overview / Revenue: per-bucket trends ------------------------------------------------
TREND_MEASURES = {
    "new_customers": ("created_from", "created_to"),
    "first_time_buyers": ("first_order_from", "first_order_to"),
    "buyers": ("bought_from", "bought_to"),  # also behind revenue / orders / profit
}


def trend_bucket(base: CustomerFilter | None, period: Period, granularity: str,
                 start: dt.date, measure: str) -> CustomerFilter | None:
    """New customers (created), first-time buyers (first completed order) or active
    buyers (a completed order) in one bucket — overview.trend / revenue.by_bucket."""
    lo, hi = bucket_days(period, granularity, start)
    lo_name, hi_name = TREND_MEASURES.get(measure, TREND_MEASURES["buyers"])
    return narrow(base, **{lo_name: lo, hi_name: hi})


# --- Funnel and journey: stages and their changes -----------------------------------------
def funnel_stage(base: CustomerFilter | None, period: Period, stage: str,
                 split: str | None = None, value=None, granularity: str = "month",
                 ) -> CustomerFilter | None:
    """Leads with a pipeline change into `stage` dated in the period (funnel.funnel's
    `entered`), of one split value (a source / owner / lead grade, or a time bucket)."""
    lo, hi = period.start, period.end
    extra: dict = {}
    if split == "period":
        lo, hi = bucket_days(period, granularity, value)
    elif split is not None:
        if split not in _FUNNEL_SPLITS or value is None or value != value or value == "":
            return None  # "not recorded" cannot be said with a list filter
        extra[_FUNNEL_SPLITS[split]] = (int(value) if split == "owner" else value,)
    return narrow(base, stage_kind="pipeline", stage_prev="", stage_next=stage, stage_from=lo,
                  stage_to=hi, **extra)


def funnel_cohort_stage(base: CustomerFilter | None, period: Period, stage: str,
                        split: str | None = None, value=None, granularity: str = "month",
                        ) -> CustomerFilter | None:
    """Leads created in the period (or in one creation bucket) who reached `stage` or a
    later one by now (funnel.cohort's `reached`); 'lost' = lost now."""
    lo, hi = period.start, period.end
    extra: dict = {}
    if split == "period":
        lo, hi = bucket_days(period, granularity, value)
    elif split is not None:
        if split not in _FUNNEL_SPLITS or value is None or value != value or value == "":
            return None
        extra[_FUNNEL_SPLITS[split]] = (int(value) if split == "owner" else value,)
    if stage == LOST:
        extra["pipeline_stages"] = (LOST,)
    elif stage in STAGES[1:]:
        extra["pipeline_reached"] = STAGES[STAGES.index(stage):]
    elif stage != STAGES[0]:
        return None
    return narrow(base, created_from=lo, created_to=hi, **extra)


def _reason(value) -> str:
    """A reason as the filters spell it: None / NaN (not recorded) → NOT_RECORDED."""
    return NOT_RECORDED if value is None or value != value or value == "" else str(value)


def funnel_lost_reason(base: CustomerFilter | None, period: Period, reason,
                       ) -> CustomerFilter | None:
    """Leads with a change to 'lost' dated in the period for this reason (a bar of
    funnel.lost_reasons, which counts those changes: one per lead unless a lead was lost
    twice in the period)."""
    return narrow(base, stage_kind="pipeline", stage_prev="", stage_next=LOST,
                  stage_from=period.start, stage_to=period.end, stage_reason=_reason(reason))


def funnel_cohort_lost_reason(base: CustomerFilter | None, period: Period, reason,
                              ) -> CustomerFilter | None:
    """Leads created in the period, lost now, for the reason of their open change to
    'lost' (a bar of funnel.cohort_lost_reasons)."""
    return narrow(base, created_from=period.start, created_to=period.end,
                  lost_reason_now=_reason(reason))


def journey_stage(base: CustomerFilter | None, stage: str | None) -> CustomerFilter | None:
    """Customers in a lifecycle stage now (journey.distribution)."""
    if not stage:
        return None
    return narrow(base, lifecycle_stages=(stage,))


def journey_over_time(base: CustomerFilter | None, period: Period, granularity: str,
                      start: dt.date, stage: str) -> CustomerFilter | None:
    """Customers in a lifecycle stage at the end of a bucket (journey.over_time: the
    bucket's last day, or the period's for the last, partial one)."""
    if not stage:
        return None
    return narrow(base, lifecycle_on=bucket_days(period, granularity, start)[1],
                  lifecycle_on_stage=stage)


def journey_link(base: CustomerFilter | None, period: Period, from_stage: str,
                 to_stage: str) -> CustomerFilter | None:
    """Customers with a lifecycle change from → to dated in the period (a Sankey link of
    journey.transitions; "start" = their first recorded stage)."""
    return narrow(base, stage_kind="lifecycle", stage_prev=from_stage or START_STAGE,
                  stage_next=to_stage, stage_from=period.start, stage_to=period.end)


# --- Retention ----------------------------------------------------------------------------
def recency_band(base: CustomerFilter | None, band: str) -> CustomerFilter | None:
    """Customers whose last purchase is that many days ago (retention.recency_bands)."""
    if band == NEVER:
        return narrow(base, has_purchased=False)
    lo, _sep, hi = band.partition("_")  # "lo_hi" / "lo_plus" (retention.band_edges)
    if not lo.isdigit() or not (hi.isdigit() or hi == "plus"):
        return None
    return narrow(base, days_since_min=int(lo), days_since_max=None if hi == "plus" else int(hi))


def churn_bucket(base: CustomerFilter | None, period: Period, granularity: str,
                 start: dt.date, churn_days: int) -> CustomerFilter | None:
    """Customers whose churn day (last purchase + churn_days) falls in the bucket and not
    after today (retention.churn_by_bucket): their last purchase in the shifted range."""
    lo, hi = bucket_days(period, granularity, start)
    hi = min(hi, today())
    if lo > hi:
        return None
    shift = dt.timedelta(days=churn_days)
    return narrow(base, last_order_from=lo - shift, last_order_to=hi - shift)


def churn_reason(base: CustomerFilter | None, period: Period, reason: str,
                 churn_days: int) -> CustomerFilter | None:
    """Customers whose churn day falls in the period (not after today) and whose churn
    reason is this one (a bar of retention.churn_reasons)."""
    lo, hi = churn_window(period, churn_days, today())
    if lo > hi:
        return None
    return narrow(base, last_order_from=lo, last_order_to=hi, churn_reason=_reason(reason),
                  churn_reason_days=churn_days)


def cohort_cell(base: CustomerFilter | None, period: Period, cohort: dt.date,
                k: int) -> CustomerFilter | None:
    """The customers of an acquisition cohort (first completed order in month `cohort`,
    within the period) who bought in its k-th month after (retention.cohorts)."""
    month_end = next_bucket(cohort, "month") - dt.timedelta(days=1)
    active = cohort
    for _ in range(k):
        active = next_bucket(active, "month")
    return narrow(base, first_order_from=cohort,
                  first_order_to=min(month_end, period.end, today()),
                  bought_from=active, bought_to=next_bucket(active, "month") - dt.timedelta(days=1))


# --- Revenue: Pareto ----------------------------------------------------------------------
def pareto_point(engine: Engine, scope: Scope, base: CustomerFilter | None,
                 n: int) -> CustomerFilter | None:
    """The top `n` buying customers by lifetime spend (revenue.pareto's x = n / buyers):
    down to the n-th one in its order (total_spend desc, id)."""
    if n <= 0:
        return None
    buyers = narrow(base, has_purchased=True)
    if buyers is None:
        return None
    q = (customers_from().add_columns(CustomerStats.total_spend, Customer.id)
         .where(*customer_where(scope, buyers))
         .order_by(CustomerStats.total_spend.desc(), Customer.id).offset(n - 1).limit(1))
    with engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        return None
    return buyers.with_(spend_rank_until=(int(row[0]), int(row[1])))
