"""Classification rules: RFM scores, tier and groups, explicit and explainable.

Every rule is data (thresholds) turned into SQL CASE expressions for the summary table and
into a sentence for the customer page ("VIP because 12-month spend ≥ 20.000.000 ₫").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, literal

# Days since last order → R score (5 = most recent).
RECENCY_DAYS = (30, 90, 180, 365)
# Completed orders → F score.
FREQUENCY_ORDERS = (2, 3, 5, 10)
# Total spend (đồng) → M score.
MONETARY_VND = (1_000_000, 3_000_000, 10_000_000, 30_000_000)

VIP_SPEND_12M = 20_000_000
VIP_TOTAL_SPEND = 50_000_000
# Churn — ONE definition for every place (groups, journey stage "lapsed", the Overview's
# churned KPI, the churn report and its reasons, at-risk lists, the sample data): a customer
# is churned once N whole days have passed since the last completed purchase (days since
# >= N, N = CHURN_DAYS_DEFAULT unless the user picks another), i.e. from the churn day
# last purchase + N on. "At risk" (group) is N // 2 <= days since < N.
CHURN_DAYS_DEFAULT = 180
LOYAL_MIN_ORDERS = 5
NEW_CUSTOMER_DAYS = 90

GROUPS = ("loyal", "new_buyer", "high_value", "debtor", "at_risk", "churned", "prospect")


def is_churned(days_since_last_order: int | None, churn_days: int = CHURN_DAYS_DEFAULT) -> bool:
    return days_since_last_order is not None and days_since_last_order >= churn_days


def churn_day(last_order: dt.date, churn_days: int = CHURN_DAYS_DEFAULT) -> dt.date:
    """The first day on which a customer whose last purchase was `last_order` is churned."""
    return last_order + dt.timedelta(days=churn_days)


def churned_last_order_until(ref: dt.date, churn_days: int = CHURN_DAYS_DEFAULT) -> dt.date:
    """Customers whose last purchase is on or before this day are churned on `ref`."""
    return ref - dt.timedelta(days=churn_days)


def at_risk_last_order_until(ref: dt.date, churn_days: int = CHURN_DAYS_DEFAULT) -> dt.date:
    """… and at risk (when not churned) when it is on or before this day."""
    return ref - dt.timedelta(days=churn_days // 2)


@dataclass(frozen=True)
class Explanation:
    key: str  # i18n key "rule.<key>"
    values: dict


def _desc_score(col, cutoffs_desc: list) -> ColumnElement[int]:
    """5 when col >= first cutoff, 4 when >= second …, 1 otherwise (NULL → NULL)."""
    whens = [(col >= cut, 5 - i) for i, cut in enumerate(cutoffs_desc)]
    return case(*whens, else_=1)


def r_score_expr(last_order_date, ref: dt.date) -> ColumnElement[int]:
    cutoffs = [ref - dt.timedelta(days=d) for d in RECENCY_DAYS]
    return case((last_order_date.is_(None), None), else_=_desc_score(last_order_date, cutoffs))


def f_score_expr(orders_count) -> ColumnElement[int]:
    return case((orders_count == 0, None),
                else_=_desc_score(orders_count, list(reversed(FREQUENCY_ORDERS))))


def m_score_expr(total_spend, orders_count) -> ColumnElement[int]:
    return case((orders_count == 0, None),
                else_=_desc_score(total_spend, list(reversed(MONETARY_VND))))


def rfm_segment_expr(r, f, m) -> ColumnElement[str]:
    """A simplified, widely used RFM segment map."""
    return case(
        (r.is_(None), None),
        ((r >= 4) & (f >= 4) & (m >= 4), "champions"),
        ((r >= 3) & (f >= 3), "loyal"),
        ((r >= 4) & (f <= 1), "new"),
        ((r >= 3), "potential"),
        ((r == 2), "at_risk"),
        ((f >= 3), "hibernating"),
        else_="lost",
    )


def tier_expr(spend_12m, total_spend, orders_count) -> ColumnElement[str]:
    return case(
        ((spend_12m >= VIP_SPEND_12M) | (total_spend >= VIP_TOTAL_SPEND), "vip"),
        (orders_count > 0, "regular"),
        else_="none",
    )


def groups_expr(first_order_date, last_order_date, orders_count, total_spend, debt,
                ref: dt.date, churn_days: int = CHURN_DAYS_DEFAULT) -> ColumnElement[str]:
    """",loyal,debtor," style list, so a group filter is LIKE '%,loyal,%'."""
    churn_cut = churned_last_order_until(ref, churn_days)
    risk_cut = at_risk_last_order_until(ref, churn_days)
    new_cut = ref - dt.timedelta(days=NEW_CUSTOMER_DAYS)
    parts = [
        ((orders_count >= LOYAL_MIN_ORDERS) & (last_order_date > churn_cut), ",loyal"),
        (first_order_date >= new_cut, ",new_buyer"),
        (total_spend >= MONETARY_VND[-1], ",high_value"),
        (debt > 0, ",debtor"),
        ((last_order_date <= risk_cut) & (last_order_date > churn_cut), ",at_risk"),
        (last_order_date <= churn_cut, ",churned"),
        (orders_count == 0, ",prospect"),
    ]
    expr = literal("")
    for cond, text in parts:
        expr = expr + case((cond, text), else_="")
    return expr + ","


def explain(stats: dict, ref: dt.date) -> list[Explanation]:
    """Why a customer has its tier and groups, from its summary row."""
    out: list[Explanation] = []
    spend12, total = stats.get("spend_12m") or 0, stats.get("total_spend") or 0
    if stats.get("tier") == "vip":
        if spend12 >= VIP_SPEND_12M:
            out.append(Explanation("vip_12m", {"threshold": VIP_SPEND_12M, "value": spend12}))
        else:
            out.append(Explanation("vip_total", {"threshold": VIP_TOTAL_SPEND, "value": total}))
    groups = [g for g in (stats.get("groups") or "").split(",") if g]
    for g in groups:
        out.append(Explanation(f"group_{g}", {
            "orders": stats.get("orders_count") or 0, "min_orders": LOYAL_MIN_ORDERS,
            "days": NEW_CUSTOMER_DAYS, "churn_days": CHURN_DAYS_DEFAULT,
            "spend": MONETARY_VND[-1], "debt": stats.get("debt") or 0,
        }))
    return out


def lifecycle_from_stats(orders_count: int, last_order: dt.date | None, ref: dt.date,
                         current: str, churn_days: int = CHURN_DAYS_DEFAULT) -> str:
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
