"""The labels' single definitions (active, at risk, churned, lapsed), the RFM segment map and
the journey stage implied by purchases.

The tier and group rules and the RFM cut-offs are data (crm_data.rules.store), compiled to
SQL by crm_data.rules.sql; the constants below are the defaults of their version 1.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, case

# The defaults of rule version 1 (crm_data.rules.store.DEFAULT_DEFINITION is built from them;
# the rules in force are data, edited on the Rules page).
# Days since last order → R score (5 = most recent).
RECENCY_DAYS = (30, 90, 180, 365)
# Completed orders → F score.
FREQUENCY_ORDERS = (2, 3, 5, 10)
# Total spend (đồng) → M score.
MONETARY_VND = (1_000_000, 3_000_000, 10_000_000, 30_000_000)

VIP_SPEND_12M = 20_000_000
VIP_TOTAL_SPEND = 50_000_000
# One meaning per label, for every place (groups, journey stage "lapsed", the Overview, the
# Retention page, the Today list, the CLI, the sample data), with N the configured churn
# window (rules_store; default CHURN_DAYS_DEFAULT) and d the whole days since the last
# completed purchase:
#   active    d <  N // 2
#   at_risk   N // 2 <= d < N        (the day N // 2 belongs to at risk)
#   churned   d >= N                 (the churn day, last purchase + N, belongs to churned)
#   lapsed    the journey stage of a churned buyer: the same set as churned
#   prospect  no completed purchase
CHURN_DAYS_DEFAULT = 180
LOYAL_MIN_ORDERS = 5
NEW_CUSTOMER_DAYS = 90

GROUPS = ("loyal", "new_buyer", "high_value", "debtor", "at_risk", "churned", "prospect")
TIERS = ("vip", "regular", "none")
STATUSES = ("active", "at_risk", "churned", "prospect")

# The window in force in this process: set from the database by crm_data.rules.store whenever
# the rules are read (every summary refresh, the apply, the reports), so callers that pass no
# window (the Today list, the sample data) follow the configured one.
_configured = {"churn_days": CHURN_DAYS_DEFAULT}


def configured_churn_days() -> int:
    return _configured["churn_days"]


def set_configured_churn_days(days: int) -> None:
    _configured["churn_days"] = int(days)


def _window(churn_days: int | None) -> int:
    return configured_churn_days() if churn_days is None else int(churn_days)


def status(days_since_last_order: int | None, churn_days: int | None = None) -> str:
    """The label of a customer from the days since its last completed purchase."""
    n = _window(churn_days)
    if days_since_last_order is None:
        return "prospect"
    if days_since_last_order >= n:
        return "churned"
    if days_since_last_order >= n // 2:
        return "at_risk"
    return "active"


def is_churned(days_since_last_order: int | None, churn_days: int | None = None) -> bool:
    return status(days_since_last_order, churn_days) == "churned"


def churn_day(last_order: dt.date, churn_days: int | None = None) -> dt.date:
    """The first day on which a customer whose last purchase was `last_order` is churned."""
    return last_order + dt.timedelta(days=_window(churn_days))


def churned_last_order_until(ref: dt.date, churn_days: int | None = None) -> dt.date:
    """Customers whose last purchase is on or before this day are churned on `ref`."""
    return ref - dt.timedelta(days=_window(churn_days))


def at_risk_last_order_until(ref: dt.date, churn_days: int | None = None) -> dt.date:
    """… and at risk (when not churned) when it is on or before this day."""
    return ref - dt.timedelta(days=_window(churn_days) // 2)


def status_expr(last_order_date, ref: dt.date, churn_days: int | None = None) -> ColumnElement[str]:
    """`status` in SQL: the same boundaries, compared as dates (no date arithmetic in SQL)."""
    return case(
        (last_order_date.is_(None), "prospect"),
        (last_order_date <= churned_last_order_until(ref, churn_days), "churned"),
        (last_order_date <= at_risk_last_order_until(ref, churn_days), "at_risk"),
        else_="active",
    )


# RFM segments rank customers by their scores, which are relative to the cut-offs (possibly
# quintiles), so they cannot be the same sets as the status labels above; they are named with
# words no status, group or tier uses (the former "loyal", "new", "at_risk" and "lost" read
# like the groups loyal / new buyer / at risk / churned while meaning other customers).
RFM_SEGMENTS = ("champions", "steady", "promising", "potential", "slipping", "hibernating", "cold")
RFM_RENAMED = {"loyal": "steady", "new": "promising", "at_risk": "slipping", "lost": "cold"}


def rfm_segment_expr(r, f, m) -> ColumnElement[str]:
    """A simplified, widely used RFM segment map."""
    return case(
        (r.is_(None), None),
        ((r >= 4) & (f >= 4) & (m >= 4), "champions"),
        ((r >= 3) & (f >= 3), "steady"),
        ((r >= 4) & (f <= 1), "promising"),
        ((r >= 3), "potential"),
        ((r == 2), "slipping"),
        ((f >= 3), "hibernating"),
        else_="cold",
    )


def lifecycle_from_stats(orders_count: int, last_order: dt.date | None, ref: dt.date,
                         current: str, churn_days: int | None = None) -> str:
    """Journey stage implied by purchases; pre-purchase stages are kept as they are."""
    if not orders_count:
        return current if current in ("awareness", "consideration") else "consideration"
    if last_order is not None and is_churned((ref - last_order).days, churn_days):
        return "lapsed"
    if orders_count >= LOYAL_MIN_ORDERS:
        return "advocate" if current == "advocate" else "loyal"
    if orders_count >= 2:
        return "repeat"
    return "first_purchase"
