"""One case per page: the crm_data functions the page calls, with the page's default
arguments (period "this month", no filter), timed as an administrator and as staff.

A case whose module has not landed yet is listed and skipped with a note, so the table
shows what is not covered. When a page changes what it calls, change its case here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pandas as pd
from sqlalchemy import Engine

from crm_data.filters import CustomerFilter
from crm_data.periods import Period, default_granularity, preset
from crm_data.scope import Scope

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
    target: str  # "module:function"; called as function(engine, *args(ctx), **kwargs(ctx))
    args: Callable[[Ctx], tuple] = lambda ctx: ()
    kwargs: Callable[[Ctx], dict] = lambda ctx: {}

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

    def run(self, ctx: Ctx) -> list:
        return [call.resolve()(ctx.engine, *call.args(ctx), **call.kwargs(ctx)) for call in self.calls]


def _scope(ctx: Ctx):
    return (ctx.scope,)


def _scope_period(name: str = "this_month", flt: CustomerFilter | None = None):
    def args(ctx: Ctx):
        return (ctx.scope, ctx.period(name)) + ((flt,) if flt is not None else ())
    return args


# Every page's sidebar: the owners filter (user_names) and the cache key (data_version).
SIDEBAR = (Call("crm_data.meta:data_version"), Call("crm_data.auth:user_names"))
SEARCH = CustomerFilter(search="nguyen van")
FILTER = CustomerFilter(regions=("south",), tiers=("vip", "regular"))

CASES: tuple[Case, ...] = (
    Case("overview", "pages/overview.py", SIDEBAR + (
        Call("crm_data.reports.overview:compare", _scope_period()),
        Call("crm_data.reports.overview:trend",
             lambda c: (c.scope, c.period(), c.granularity())),
    ), duck=("kpis", "trend")),
    Case("segments", "pages/segments.py", SIDEBAR + (
        Call("crm_data.reports.segments:breakdown", lambda c: (c.scope, "region")),
    ), duck=("segments_by_region",), note="function name guessed until the module lands"),
    Case("funnel", "pages/funnel.py", SIDEBAR + (
        Call("crm_data.reports.funnel:funnel", _scope_period()),
    ), note="function name guessed until the module lands"),
    Case("journey", "pages/journey.py", SIDEBAR + (
        Call("crm_data.reports.journey:stages", _scope_period()),
    ), note="function name guessed until the module lands"),
    Case("retention", "pages/retention.py", SIDEBAR + (
        Call("crm_data.reports.retention:cohorts", _scope_period("last_12m")),
    ), note="function name guessed until the module lands"),
    Case("revenue", "pages/revenue.py", SIDEBAR + (
        Call("crm_data.reports.revenue:by_period", _scope_period("last_12m")),
    ), duck=("revenue_by_month",), note="function name guessed until the module lands"),
    Case("customers", "pages/customers.py", SIDEBAR + (
        Call("crm_data.customers:list_customers", lambda c: (c.scope, CustomerFilter())),
    ), scopes=EDITORS, duck=("top_customers",)),
    Case("customers-search", "pages/customers.py", SIDEBAR + (
        Call("crm_data.customers:list_customers", lambda c: (c.scope, SEARCH)),
    ), scopes=EDITORS),
    Case("customers-filter", "pages/customers.py", SIDEBAR + (
        Call("crm_data.customers:list_customers", lambda c: (c.scope, FILTER)),
    ), scopes=EDITORS),
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


