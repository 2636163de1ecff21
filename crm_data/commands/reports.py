"""crm report NAME --from --to --granularity --format"""

from __future__ import annotations

import datetime as dt
import json
import sys

import pandas as pd

from crm_data.commands import CommandError, add_db_option, engine_from, parse_date, require_schema
from crm_data.domain.periods import GRANULARITIES, PRESETS, Period, preset
from crm_data.reports.registry import ReportOptions, load_all


def register(sub) -> None:
    reports = load_all()
    p = sub.add_parser(
        "report", help="print a report (the numbers the dashboard shows)",
        description="Reports: " + "; ".join(f"{k}: {v.help}" for k, v in reports.items()))
    add_db_option(p)
    p.add_argument("name", choices=sorted(reports), metavar="NAME",
                   help="one of: " + ", ".join(sorted(reports)))
    p.add_argument("--from", dest="start", type=parse_date, help="first day (default: this month)")
    p.add_argument("--to", dest="end", type=parse_date, help="last day, inclusive (default: today)")
    p.add_argument("--period", choices=PRESETS, default="this_month",
                   help="preset period when --from/--to are not given (default this_month)")
    p.add_argument("--granularity", choices=GRANULARITIES, default="month")
    p.add_argument("--by", action="append", default=[], help="segment dimension (repeatable)")
    p.add_argument("--churn-days", type=int, default=None,
                   help="churn window in days (default: the configured one, `crm rules show`)")
    p.add_argument("--limit", type=int, default=50, help="rows for ranking reports")
    p.add_argument("--view", choices=("cohort", "flow"), default="cohort",
                   help="funnel: cohort = leads created in the period and how far they got "
                   "(default); flow = entries into each stage during the period")
    p.add_argument("--filter", default="", help="customer filter as a URL query string, "
                   "e.g. 'regions=south&tiers=vip'")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_report)


def options_from(args) -> ReportOptions:
    from urllib.parse import parse_qs

    from crm_data.filters.customer_filter import CustomerFilter

    if args.start or args.end:
        base = preset(args.period)
        period = Period(args.start or base.start, args.end or base.end)
    else:
        period = preset(args.period)
    params = {k: ",".join(v) for k, v in parse_qs(args.filter).items()}
    return ReportOptions(period=period, granularity=args.granularity, by=tuple(args.by),
                         filter=CustomerFilter.from_query(params), churn_days=args.churn_days,
                         limit=args.limit, view=args.view)


def _jsonable(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: _jsonable(v) for k, v in row.items()}
            for row in df.astype(object).where(df.notna(), None).to_dict("records")]


def cmd_report(args) -> int:
    from crm_data.accounts.scope import SYSTEM

    if args.start and args.end and args.start > args.end:
        raise CommandError("--from is after --to")
    from crm_data import summaries

    engine = engine_from(args)
    require_schema(engine)
    summaries.ensure_fresh(engine)  # as the dashboard does: today's scores, rollups after a migration
    opts = options_from(args)
    try:
        result = load_all()[args.name].fn(engine, SYSTEM, opts)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.format == "json":
        doc = {"report": args.name, "from": opts.period.start, "to": opts.period.end,
               "granularity": opts.granularity, **result.summary, "rows": _records(result.rows)}
        doc.update({name: _records(df) for name, df in result.tables.items()})
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2, default=_jsonable)
        print()
    elif args.format == "csv":
        result.rows.to_csv(sys.stdout, index=False)
    else:
        from crm_data.reports import text_table
        from crm_data.reports.overview import MONEY_KPIS

        print(f"{args.name}: {opts.period.start:%d/%m/%Y} – {opts.period.end:%d/%m/%Y}")
        if result.summary.get("definition"):
            print(result.summary["definition"])
        print(text_table.render(result.rows, money_kpis=MONEY_KPIS, share_kpis=("repeat_rate",)))
    return 0
