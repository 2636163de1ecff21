"""`crm report overview` and `crm report new-customers`: the Overview page's numbers."""

from __future__ import annotations

from crm_data.i18n import t
from crm_data.reports import overview
from crm_data.reports.registry import ReportResult, report


@report("overview", "KPIs of the period with previous period and same period last year")
def overview_report(engine, scope, opts) -> ReportResult:
    cmp = overview.compare(engine, scope, opts.period, opts.filter, opts.churn_days)
    trend = overview.trend(engine, scope, opts.period, opts.granularity, opts.filter)
    return ReportResult(
        rows=cmp.table(),
        summary={"kpis": cmp.current.as_dict(), "previous": cmp.previous.as_dict(),
                 "last_year": cmp.last_year.as_dict(),
                 "previous_period": {"from": cmp.period.previous().start,
                                     "to": cmp.period.previous().end}},
        tables={"trend": trend},
    )


@report("new-customers", "new customers (customers created in the period) per bucket of the "
        "granularity")
def new_customers_report(engine, scope, opts) -> ReportResult:
    trend = overview.trend(engine, scope, opts.period, opts.granularity, opts.filter)
    return ReportResult(rows=trend[["bucket", "new_customers"]],
                        summary={"total": int(trend["new_customers"].sum()),
                                 "definition": t("kpi.def.new_customers", "en")})
