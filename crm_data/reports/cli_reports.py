"""`crm report` names for the reporting pages: the numbers each page draws, printed.

revenue, segments (--by DIM [--by DIM2]), funnel ([--by source|owner|lead_grade|period]),
journey, retention, churn, cohorts, top-customers.
"""

from __future__ import annotations

import pandas as pd

from crm_data.i18n import t
from crm_data.reports import funnel, journey, labels, retention, revenue, segments
from crm_data.reports.registry import ReportResult, report


@report("revenue", "revenue, profit, orders and distinct buyers per bucket of the granularity")
def revenue_report(engine, scope, opts) -> ReportResult:
    rows = revenue.by_bucket(engine, scope, opts.period, opts.granularity, opts.filter)
    profit = rows["profit"].sum(min_count=1)  # unknown (None) when no cost is known
    return ReportResult(rows=rows, summary={"total": {
        "revenue": int(rows["revenue"].sum()), "profit": None if pd.isna(profit) else int(profit),
        "orders": int(rows["orders"].sum())}})


@report("segments", "customers, revenue and share by --by DIM (and an optional second --by); "
        "dimensions: " + ", ".join(segments.DIMENSIONS))
def segments_report(engine, scope, opts) -> ReportResult:
    if not opts.by:
        raise ValueError("segments needs --by DIM; one of: " + ", ".join(segments.DIMENSIONS))
    if len(opts.by) > 2:
        raise ValueError("segments takes at most two --by dimensions")
    by2 = opts.by[1] if len(opts.by) > 1 else None
    rows = segments.segment_counts(engine, scope, opts.period, opts.by[0], by2, opts.filter)
    total, total_rev = segments.total_customers(engine, scope, opts.period, opts.filter)
    return ReportResult(rows=rows, summary={"by": list(opts.by), "customers": total,
                                            "revenue": total_rev})


@report("funnel", "lead funnel (--view cohort: leads created in the period and how far they "
        "got, the default; --view flow: entries into each stage in the period): count per "
        "stage, conversions, drop-off, median days (--by source|owner|lead_grade|period to "
        "split); lost reasons")
def funnel_report(engine, scope, opts) -> ReportResult:
    split = opts.by[0] if opts.by else None
    view = funnel.cohort if opts.view == "cohort" else funnel.funnel
    rows = view(engine, scope, opts.period, split, opts.granularity, opts.filter)
    if split is None:
        rows = rows.drop(columns="split")
    reasons = funnel.cohort_lost_reasons if opts.view == "cohort" else funnel.lost_reasons
    lost = reasons(engine, scope, opts.period, opts.filter)
    return ReportResult(rows=rows, tables={"lost_reasons": lost},
                        summary={"split": split, "view": opts.view})


@report("journey", "lifecycle stage distribution now, transitions in the period, stage by bucket")
def journey_report(engine, scope, opts) -> ReportResult:
    dist = journey.distribution(engine, scope, opts.period, opts.filter)
    return ReportResult(rows=dist, tables={
        "transitions": journey.transitions(engine, scope, opts.period, opts.filter),
        "over_time": journey.over_time(engine, scope, opts.period, opts.granularity, opts.filter),
    })


@report("retention", "customers by days since last purchase (bands at the labels' edges, never); "
        "customers per label (active, at risk, churned, prospect)")
def retention_report(engine, scope, opts) -> ReportResult:
    days = retention.window(engine, opts.churn_days)
    bands = retention.recency_bands(engine, scope, opts.period, opts.filter)
    counts = labels.label_counts(engine, scope, opts.filter, days)
    tables = {}
    if scope.can_see_personal_data:  # the at-risk customers themselves
        tables["at_risk_customers"] = retention.at_risk(engine, scope, opts.period, days, opts.limit, opts.filter).rows
    return ReportResult(rows=bands, summary={**counts, "churn_days": days}, tables=tables)


@report("churn", "customers churning (no purchase for --churn-days) per bucket, and the reasons")
def churn_report(engine, scope, opts) -> ReportResult:
    days = retention.window(engine, opts.churn_days)
    rows = retention.churn_by_bucket(engine, scope, opts.period, opts.granularity, days, opts.filter)
    reasons = retention.churn_reasons(engine, scope, opts.period, days, opts.filter)
    return ReportResult(rows=rows, tables={"reasons": reasons},
                        summary={"churn_days": days, "total": int(rows["churned"].sum()),
                                 "definition": t("kpi.def.churned", "en", days=days)})


@report("cohorts", "monthly acquisition cohorts (first order month) × months since: share buying")
def cohorts_report(engine, scope, opts) -> ReportResult:
    rows = retention.cohorts(engine, scope, opts.period, opts.filter)
    return ReportResult(rows=rows, tables={
        "counts": retention.cohort_counts(engine, scope, opts.period, opts.filter)})


@report("top-customers", "largest lifetime spenders: code, orders, first/last order, spend, "
        "days since last order, R/F/M (--limit)")
def top_customers_report(engine, scope, opts) -> ReportResult:
    rows = revenue.top_customers(engine, scope, opts.period, opts.limit, opts.filter)
    return ReportResult(rows=rows)
