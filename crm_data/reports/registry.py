"""Named reports for `crm report NAME`: the same functions the pages call.

A report takes (engine, scope, options) and returns a ReportResult: a main table (`rows`),
optional extra tables and a JSON-ready summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter


@dataclass(frozen=True)
class ReportOptions:
    period: Period
    granularity: str = "month"
    by: tuple[str, ...] = ()
    filter: CustomerFilter = field(default_factory=CustomerFilter)
    churn_days: int | None = None  # None: the configured window (crm_data.rules.store)
    limit: int = 50
    view: str = "cohort"  # the funnel's: "cohort" (leads created in the period) or "flow"


@dataclass
class ReportResult:
    rows: pd.DataFrame
    summary: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportDef:
    fn: Callable[[Engine, Scope, ReportOptions], ReportResult]
    help: str


REPORTS: dict[str, ReportDef] = {}


def report(name: str, help: str):
    def deco(fn):
        REPORTS[name] = ReportDef(fn, help)
        return fn
    return deco


def load_all() -> dict[str, ReportDef]:
    """Import the report modules so their @report registrations run."""
    from importlib import import_module

    for module in ("overview_cli", "cli_reports", "loyalty_cli", "money_cli"):
        try:
            import_module(f"crm_data.reports.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"crm_data.reports.{module}":
                raise
    return REPORTS
