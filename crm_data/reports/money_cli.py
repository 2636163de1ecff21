"""`crm report receivables` and `crm report cashbook`: what the Receivables and Cash book
pages show (crm_data.daily.receivables / .cashbook), as of the period's last day."""

from __future__ import annotations

from crm_data.daily import cashbook, receivables
from crm_data.reports.registry import ReportResult, report


@report("receivables", "open receivables on the period's last day by ageing bucket (not due, "
        "1-30, 31-60, 61-90, >90 days past due); top debtors (--limit), by owner, and per bucket "
        "of the granularity: sold on credit, collected, outstanding at the end")
def receivables_report(engine, scope, opts) -> ReportResult:
    day = opts.period.end
    totals = receivables.totals(engine, scope, day, opts.filter)
    return ReportResult(
        rows=totals.pop("ageing"), summary={"as_of": day, **totals},
        tables={"debtors": receivables.debtors(engine, scope, day, opts.filter, opts.limit),
                "by_owner": receivables.by_owner(engine, scope, day, opts.filter),
                "trend": receivables.trend(engine, scope, opts.period, opts.granularity, opts.filter)})


@report("cashbook", "cash book: receipts, payments and closing balance per bucket of the "
        "granularity (day, month…); opening / closing balance of the period; totals by category")
def cashbook_report(engine, scope, opts) -> ReportResult:
    return ReportResult(
        rows=cashbook.balance_by(engine, scope, opts.period, opts.granularity),
        summary=cashbook.summary(engine, scope, opts.period),
        tables={"by_category": cashbook.by_category(engine, scope, opts.period)})
