"""`crm report loyalty`: earned / redeemed / expired points per bucket (the rows), the
liability now (summary), top holders and the gift list — the Loyalty page's numbers."""

from __future__ import annotations

from crm_data.daily import loyalty_report
from crm_data.reports.registry import ReportResult, report


@report("loyalty", "loyalty points earned / redeemed / expired per bucket; points outstanding "
        "and their value (liability); top holders (--limit); gifts")
def loyalty_report_cli(engine, scope, opts) -> ReportResult:
    rows = loyalty_report.by_period(engine, scope, opts.period, opts.granularity)
    tables = {"gifts": loyalty_report.gifts(engine)}
    if scope.can_see_personal_data:
        tables["top_holders"] = loyalty_report.top_holders(engine, scope, opts.limit)
    totals = {m: int(rows[m].sum()) for m in loyalty_report.MOVES}
    return ReportResult(rows=rows, tables=tables,
                        summary={"liability": loyalty_report.liability(engine, scope), "total": totals})
