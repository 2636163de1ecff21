"""One case per page: the crm_data functions the page calls, with the page's default
arguments (period "this month", no filter), timed as an administrator and as staff.

A case whose module has not landed yet is listed and skipped with a note, so the table
shows what is not covered. When a page changes what it calls, change its case here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pandas as pd
from sqlalchemy import Engine

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period, default_granularity, preset
from crm_data.filters.customer_filter import CustomerFilter

ALL = ("admin", "staff")  # the two scopes timed: sees everything / sees own customers
EDITORS = ("admin", "staff")


@dataclass(frozen=True)
class Ctx:
    engine: Engine
    scope: Scope
    today: dt.date

    @property
    def owner(self) -> int | None:
        return None if self.scope.sees_all_customers else self.scope.user_id

    def period(self, name: str = "this_month") -> Period:
        return preset(name, self.today)

    def granularity(self, name: str = "this_month") -> str:
        return default_granularity(self.period(name))


@dataclass(frozen=True)
class Call:
    # "module:function", called as function(engine, *args(ctx, earlier results of the case))
    target: str
    args: Callable[[Ctx, list], tuple] = lambda ctx, prev: ()

    def resolve(self) -> Callable:
        module, _, name = self.target.partition(":")
        return getattr(import_module(module), name)


@dataclass(frozen=True)
class Case:
    name: str
    page: str
    calls: tuple[Call, ...]
    scopes: tuple[str, ...] = ALL
    duck: tuple[str, ...] = ()  # benchmarks.duck questions answering the same thing
    note: str = ""

    def missing(self) -> str | None:
        """Why this case cannot run yet, or None."""
        for call in self.calls:
            module, _, name = call.target.partition(":")
            try:
                mod = import_module(module)
            except ImportError as exc:
                return f"not available yet: {exc}"
            if not hasattr(mod, name):
                public = sorted(n for n in dir(mod) if not n.startswith("_") and callable(getattr(mod, n)))
                return f"{module} has no {name} (has: {', '.join(public[:12])})"
        return None

    def run(self, ctx: Ctx, seconds: dict[str, list[float]] | None = None) -> list:
        """The page's calls in order; with `seconds`, each call's time is appended to
        seconds[target] so that the slow call of a slow page shows."""
        results: list = []
        for call in self.calls:
            fn, args = call.resolve(), call.args(ctx, results)
            t0 = time.perf_counter()
            results.append(fn(ctx.engine, *args))
            if seconds is not None:
                seconds.setdefault(call.target, []).append(time.perf_counter() - t0)
        return results


def _p(name: str, *more, flt: CustomerFilter | None = None):
    """(scope, period, *more[, flt]) — the common report signature."""
    def args(ctx: Ctx, _prev):
        extra = tuple(m(ctx) if callable(m) else m for m in more)
        return (ctx.scope, ctx.period(name), *extra) + ((flt,) if flt is not None else ())
    return args


def _gran(name: str):
    return lambda ctx: ctx.granularity(name)


# Every page's sidebar: the owners filter (user_names) and the cache key (data_version).
SIDEBAR = (Call("crm_data.storage.meta:data_version"), Call("crm_data.accounts.auth:user_names"))
SEARCH = CustomerFilter(search="nguyen van")
FILTER = CustomerFilter(regions=("south",), tiers=("vip", "regular"))
REGION = CustomerFilter(regions=("north",))


def _churn_days(ctx: Ctx) -> int:
    from crm_data.rules import store

    return store.churn_days(ctx.engine)

GRADE_TAG = CustomerFilter(lead_grades=("hot",), tags=("khach si", "VIP"))

def _open_desk():
    from crm_data.daily.complaints import DeskFilter

    return DeskFilter(statuses=("open", "in_progress"))


def list_by_expected_value(engine: Engine, scope: Scope):
    """The customer list sorted by the CLV model's expected value, highest first."""
    from crm_data.customers.listing import list_customers

    return list_customers(engine, scope, CustomerFilter(), sort="expected_value", descending=True)


CASES: tuple[Case, ...] = (
    Case("overview", "pages/overview.py", SIDEBAR + (
        Call("crm_data.reports.overview:compare", _p("this_month")),
        Call("crm_data.reports.overview:trend", _p("this_month", _gran("this_month"))),
        Call("crm_data.reports.customer_trend:first_time_by_bucket", _p("this_month", _gran("this_month"))),
        Call("crm_data.daily.today:counts", lambda ctx, _: (ctx.scope, ctx.today)),  # Today cards
        Call("crm_data.daily.complaint_stats:compare", _p("this_month")),  # resolution time
    ), duck=("kpis", "trend")),
    # The year so far (a period the user picks, and that follows them from page to page): the
    # KPIs' orders figures from the cells and customer_stats (crm_data.reports.period_buyers).
    Case("overview-year", "pages/overview.py", SIDEBAR + (
        Call("crm_data.reports.overview:compare", _p("this_year")),
        Call("crm_data.reports.overview:trend", _p("this_year", _gran("this_year"))),
        Call("crm_data.reports.customer_trend:first_time_by_bucket", _p("this_year", _gran("this_year"))),
    )),
    # A region chosen in the sidebar: what a filter change recomputes (the cards of Today and
    # complaints take no filter and stay cached).
    Case("overview-filter", "pages/overview.py", SIDEBAR + (
        Call("crm_data.reports.overview:compare", _p("this_month", flt=REGION)),
        Call("crm_data.reports.overview:trend", _p("this_month", _gran("this_month"), flt=REGION)),
        Call("crm_data.reports.customer_trend:first_time_by_bucket",
             _p("this_month", _gran("this_month"), flt=REGION)),
    ), note="region = north, as the browser benchmark's filter change"),
    Case("segments", "pages/segments.py", SIDEBAR + (
        Call("crm_data.reports.segments:segment_counts", _p("this_year", "region")),
        Call("crm_data.reports.segments:value_labels",
             lambda ctx, prev: ("region", tuple(prev[-1]["value"]), "vi")),
    ), duck=("segments_by_region",)),
    Case("funnel", "pages/funnel.py", SIDEBAR + (  # the page's default view: the cohort
        Call("crm_data.reports.funnel:cohort", _p("this_year")),  # includes median_days
        Call("crm_data.reports.funnel:cohort_lost_reasons", _p("this_year")),
    )),
    Case("funnel_flow", "pages/funnel.py", SIDEBAR + (  # view=flow
        Call("crm_data.reports.funnel:funnel", _p("this_year")),
        Call("crm_data.reports.funnel:lost_reasons", _p("this_year")),
    )),
    Case("journey", "pages/journey.py", SIDEBAR + (
        Call("crm_data.reports.journey:distribution", _p("this_year")),
        Call("crm_data.reports.journey:over_time", _p("this_year", "month")),
        Call("crm_data.reports.journey:transitions", _p("this_year")),
    )),
    Case("retention", "pages/retention.py", SIDEBAR + (
        Call("crm_data.reports.retention:recency_bands", _p("last_12m")),
        Call("crm_data.reports.retention:churn_by_bucket", _p("last_12m", "month")),
        Call("crm_data.reports.retention:churn_reasons", _p("last_12m")),
        Call("crm_data.reports.retention:cohorts", _p("last_12m")),
        Call("crm_data.reports.retention:at_risk", _p("last_12m")),
        Call("crm_data.reports.labels:label_counts", lambda ctx, _: (ctx.scope,)),
        Call("crm_data.rules.store:churn_days"),
        Call("crm_data.clv.reads:latest_fit"),  # the CLV block (crm_ui.section_clv)
        Call("crm_data.clv.reads:band_counts", lambda ctx, _: (ctx.scope, CustomerFilter())),
        Call("crm_data.clv.reads:falling", lambda ctx, _: (ctx.scope, CustomerFilter())),
    )),
    Case("revenue", "pages/revenue.py", SIDEBAR + (
        Call("crm_data.reports.revenue:by_bucket", _p("last_12m", "month")),
        Call("crm_data.reports.revenue:top_customers", _p("last_12m")),
        Call("crm_data.reports.revenue:pareto", _p("last_12m")),
        Call("crm_data.reports.revenue:ranking", _p("last_12m")),
    ), duck=("revenue_by_month", "top_customers")),
    Case("customers", "pages/customers.py", SIDEBAR + (
        Call("crm_data.customers.listing:list_customers", lambda ctx, _: (ctx.scope, CustomerFilter())),
        # the list's why-this-tier column, for the page shown
        Call("crm_data.customers.listing:tier_rules", lambda ctx, prev: (ctx.scope, prev[-1].rows["id"].tolist())),
    ), scopes=EDITORS, duck=("top_customers",)),
    Case("customers-search", "pages/customers.py", SIDEBAR + (
        Call("crm_data.customers.listing:list_customers", lambda ctx, _: (ctx.scope, SEARCH)),
    ), scopes=EDITORS),
    Case("customers-filter", "pages/customers.py", SIDEBAR + (
        Call("crm_data.customers.listing:list_customers", lambda ctx, _: (ctx.scope, FILTER)),
    ), scopes=EDITORS),
    Case("today", "pages/today.py", SIDEBAR + (  # every kind, every owner (admin = manager)
        Call("crm_data.daily.today:items", lambda ctx, _: (ctx.scope, ctx.today, (), (), "vi")),
    ), scopes=EDITORS),
    Case("loyalty", "pages/loyalty.py", SIDEBAR + tuple(
        Call("crm_data.admin.settings:get", lambda ctx, _, k=k: (k,))
        for k in ("loyalty.vnd_per_point", "loyalty.expiry_months", "loyalty.discount_vnd_per_point")) + (
        Call("crm_data.daily.loyalty_report:liability", lambda ctx, _: (ctx.scope,)),
        Call("crm_data.daily.loyalty_report:by_period", _p("last_12m", "month")),
        Call("crm_data.daily.loyalty_report:top_holders", lambda ctx, _: (ctx.scope, 20)),
        Call("crm_data.daily.loyalty_report:gifts"),
    ), scopes=EDITORS),
    Case("complaints", "pages/complaints.py", SIDEBAR + (  # the open desk and one item picked
        Call("crm_data.daily.complaints:list_feedback", lambda ctx, _: (ctx.scope, _open_desk())),
        Call("crm_data.daily.complaints:get_feedback",
             lambda ctx, prev: (ctx.scope, int(prev[-1].rows["id"].iloc[0]) if len(prev[-1].rows) else 0)),
        Call("crm_data.daily.complaints:assignable", lambda ctx, _: (ctx.scope,)),
        Call("crm_data.daily.complaint_stats:overall", _p("last_12m")),
        Call("crm_data.daily.complaint_stats:by_period", _p("last_12m", "month")),
        Call("crm_data.daily.complaint_stats:by_owner", _p("last_12m")),
    ), scopes=EDITORS),
    Case("clv-customers", "pages/customers.py", SIDEBAR + (  # highest expected value first
        Call("crm_data.customers.listing:list_customers", lambda ctx, _: (
            ctx.scope, CustomerFilter(p_alive_bands=("p0_25", "p25_50")))),
        Call("benchmarks.cases:list_by_expected_value", lambda ctx, _: (ctx.scope,)),
    ), scopes=EDITORS, note="P(alive) band filter; then the whole list sorted by expected value"),
    Case("clv-segments", "pages/segments.py", SIDEBAR + (
        Call("crm_data.reports.segments:segment_counts", _p("this_year", "p_alive_band")),
    )),
    Case("clv-customer", "pages/customer.py", (
        Call("crm_data.clv.reads:customer_scores", lambda ctx, _: (ctx.scope, 1)),
        Call("crm_data.clv.reads:latest_fit"),
    ), scopes=EDITORS),
    # --- money ---
    Case("receivables", "pages/receivables.py", SIDEBAR + (
        Call("crm_data.daily.receivables:totals", lambda ctx, _: (ctx.scope, ctx.today, CustomerFilter())),
        Call("crm_data.daily.receivables:trend", _p("last_12m", "month", flt=CustomerFilter())),
        Call("crm_data.daily.receivables:debtors",
             lambda ctx, _: (ctx.scope, ctx.today, CustomerFilter(), 50, False)),
        Call("crm_data.daily.receivables:by_owner", lambda ctx, _: (ctx.scope, ctx.today, CustomerFilter())),
        Call("crm_data.daily.receivables:orders",  # the first debtor's open orders (payment form)
             lambda ctx, prev: (ctx.scope, ctx.today, int(prev[-2]["customer_id"].iloc[0]))),
    ), scopes=EDITORS),
    Case("cashbook", "pages/cashbook.py", SIDEBAR + (
        Call("crm_data.daily.cashbook:summary", _p("this_month")),
        Call("crm_data.daily.cashbook:balance_by", _p("this_month", _gran("this_month"))),
        Call("crm_data.daily.cashbook:by_category", _p("this_month")),
        Call("crm_data.daily.cashbook:entries", _p("this_month")),
    ), scopes=("admin",)),
    # the stored pairs (crm_data.dedupe.finder, filled by the duplicate_finder task), the
    # first pair's two records side by side, the recent merges
    Case("duplicates", "pages/duplicates.py", SIDEBAR + (
        Call("crm_data.admin.settings:get", lambda ctx, _: ("dupes.undo_days",)),
        Call("crm_data.dedupe.finder:pair_list", lambda ctx, _: (ctx.scope,)),
        Call("crm_data.dedupe.merge:records", lambda ctx, prev: (
            ctx.scope, *((prev[-1][0][3], prev[-1][0][6]) if prev[-1] else (0, 0)))),
        Call("crm_data.dedupe.merge:recent_list", lambda ctx, _: (ctx.scope,)),
    ), scopes=("admin",)),
    Case("lookalike", "pages/lookalike.py", (  # after `crm model lookalike` (task lookalike_fit)
        Call("crm_data.lookalike.best:value_fit_exists"),
        Call("crm_data.lookalike.reads:latest_fit"),
        Call("crm_data.lookalike.reads:ranked", lambda ctx, _: (ctx.scope, "vi", 50)),
        Call("crm_data.customers.listing:owners", lambda ctx, _: (ctx.scope,)),
    ), scopes=("admin",)),
    Case("customers-grade-tag", "pages/customers.py", SIDEBAR + (  # grade and folded tag filters
        Call("crm_data.customers.listing:list_customers", lambda ctx, _: (ctx.scope, GRADE_TAG)),
        Call("crm_data.customers.listing:count_customers", lambda ctx, _: (ctx.scope, GRADE_TAG)),
    ), scopes=EDITORS),
    Case("lead_scoring", "pages/lead_scoring.py", SIDEBAR + (
        Call("crm_data.leadscore.questionnaire:load", lambda ctx, _: (False,)),
        Call("crm_data.leadscore.scoring:thresholds"),
        Call("crm_data.leadscore.report:won_by_grade", lambda ctx, _: (ctx.scope,)),
    ), scopes=("admin",)),
    # --- a filter change on the report pages (issue 16): the browser bench picks the first
    # region in the sidebar; a new cache key, so every call of the page runs cold with it ---
    Case("journey-region", "pages/journey.py", SIDEBAR + (
        Call("crm_data.reports.journey:distribution", _p("last_12m", flt=REGION)),
        Call("crm_data.reports.journey:over_time", _p("last_12m", "month", flt=REGION)),
        Call("crm_data.reports.journey:transitions", _p("last_12m", flt=REGION)),
    )),
    Case("funnel-region", "pages/funnel.py", SIDEBAR + (  # the cohort view, as the page opens
        Call("crm_data.reports.funnel:cohort", _p("this_year", None, "month", flt=REGION)),
        Call("crm_data.reports.funnel:cohort_lost_reasons", _p("this_year", flt=REGION)),
    )),
    Case("retention-region", "pages/retention.py", SIDEBAR + (
        Call("crm_data.reports.labels:label_counts", lambda ctx, _: (ctx.scope, REGION)),
        Call("crm_data.reports.retention:recency_bands", _p("last_12m", flt=REGION)),
        Call("crm_data.reports.retention:churn_by_bucket", _p("last_12m", "month", _churn_days, flt=REGION)),
        Call("crm_data.reports.retention:churn_reasons", _p("last_12m", _churn_days, flt=REGION)),
        Call("crm_data.reports.retention:cohorts", _p("last_12m", flt=REGION)),
        Call("crm_data.reports.retention:at_risk", _p("last_12m", _churn_days, 500, flt=REGION)),
        Call("crm_data.clv.reads:band_counts", lambda ctx, _: (ctx.scope, REGION)),
        Call("crm_data.clv.reads:falling", lambda ctx, _: (ctx.scope, REGION)),
    )),
    Case("revenue-region", "pages/revenue.py", SIDEBAR + (
        Call("crm_data.reports.revenue:by_bucket", _p("last_12m", "month", flt=REGION)),
        Call("crm_data.reports.revenue:top_customers", _p("last_12m", 20, flt=REGION)),
        Call("crm_data.reports.revenue:pareto", _p("last_12m", flt=REGION)),
        Call("crm_data.reports.segments:segment_counts", _p("last_12m", "tier", None, flt=REGION)),
        Call("crm_data.reports.revenue:ranking", _p("last_12m", "purchases", 20, flt=REGION)),
    )),
)


def count_rows(result) -> int:
    """Rows a call handed back to the page (frames, lists, dataclasses of frames)."""
    if result is None:
        return 0
    if isinstance(result, pd.DataFrame | pd.Series):
        return len(result)
    if hasattr(result, "table") and callable(result.table):
        return count_rows(result.table())
    if isinstance(result, list | tuple):
        if result and all(isinstance(r, pd.DataFrame | list | tuple) for r in result):
            return sum(count_rows(r) for r in result)
        return len(result)
    if isinstance(result, dict):
        return len(result)
    if dataclasses.is_dataclass(result):
        frames = [getattr(result, f.name) for f in dataclasses.fields(result)]
        frames = [f for f in frames if isinstance(f, pd.DataFrame | list)]
        return sum(count_rows(f) for f in frames) if frames else 1
    return 1


def selected(names: list[str] | None, cases=CASES) -> list[Case]:
    from fnmatch import fnmatch

    if not names:
        return list(cases)
    return [c for c in cases if any(fnmatch(c.name, n) for n in names)]


