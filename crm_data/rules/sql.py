"""Stored rules (crm_data.rules.store) → set-based SQL: one CASE expression per summary column
(r/f/m scores, RFM segment, tier and its rule, groups and their rules), over whatever columns
hold a customer's figures: the orders aggregate of a summary refresh, or customer_stats for
`crm rules apply` and the preview.

RFM quintiles ("quintiles over active customers"): for each measure (R: the last order's date,
F: completed orders, M: total spend; higher is better) the values of the active customers
(labels.status, not deleted) are sorted, x_0 ≤ … ≤ x_(n-1), and the cut-offs are the lower
quantiles c_k = x_floor((n-1)·k/5), k = 1..4 (pandas `quantile(k/5, interpolation="lower")`).
A customer's score is 1 + the number of cut-offs its value is strictly above, so equal values
always get equal scores (ties never split) and a quintile can hold more or fewer than a fifth.
No active customer: every buyer scores 1. The cut-offs are computed when the rules are applied
(`crm rules apply`, a save, the daily rebuild) and kept in app_meta for the per-write refresh.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, false, func, literal, or_, select, true

from crm_data.domain import labels
from crm_data.domain.clock import now
from crm_data.domain.periods import as_date
from crm_data.records import tags as tag_rules
from crm_data.rules.store import FIELDS
from crm_data.storage.models import AppMeta, Customer, CustomerStats

QUINTILES_KEY = "rules.quintiles"


@dataclass(frozen=True)
class Inputs:
    """The SQL columns a rule can read."""
    first: Any
    last: Any
    n: Any
    total: Any
    s12: Any
    debt: Any
    province: Any
    region: Any
    kind: Any
    source: Any
    tags: Any


def stats_inputs(s=CustomerStats, c=Customer) -> Inputs:
    return Inputs(s.first_order_date, s.last_order_date, s.orders_count, s.total_spend,
                  s.spend_12m, s.debt, c.province_code, c.region, c.kind, c.source, c.tag_keys)


_NUM = {">=": lambda c, v: c >= v, ">": lambda c, v: c > v, "<=": lambda c, v: c <= v,
        "<": lambda c, v: c < v, "=": lambda c, v: c == v, "!=": lambda c, v: c != v}
# days since D compared with v ⇔ D compared (mirrored) with ref - v: dates only, no SQL arithmetic
_MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "!=": "!="}


def condition(cond: dict, x: Inputs, ref: dt.date, churn_days: int):
    field, op, value = cond["field"], cond["op"], cond["value"]
    kind = FIELDS[field]
    if kind in ("money", "number"):
        col = {"spend_12m": x.s12, "total_spend": x.total, "debt": x.debt, "orders_count": x.n}[field]
        return _NUM[op](col, value)
    if kind == "days":  # no purchase: NULL, so no condition on these days is met
        col = x.last if field == "days_since_last_order" else x.first
        return and_(col.is_not(None), _NUM[_MIRROR[op]](col, ref - dt.timedelta(days=value)))
    if kind == "tag":
        # folded: "Khách Sỉ" in a rule matches a customer tagged "khach si" (crm_data.records.tags)
        has = func.coalesce(x.tags, "").like(f"%,{tag_rules.key(value)},%")
        return has if op == "has" else ~has
    col = {"status": labels.status_expr(x.last, ref, churn_days), "province": x.province,
           "region": x.region, "kind": x.kind, "source": x.source}[field]
    if op == "is_empty":
        return col.is_(None) if kind == "province" else func.coalesce(col, "") == ""
    if op == "in":
        return and_(col.is_not(None), col.in_(value))
    if op == "=":
        return and_(col.is_not(None), col == value)
    return or_(col.is_(None), col != value)  # a missing value differs from every value


def matches(rule: dict, x: Inputs, ref: dt.date, churn_days: int):
    conds = [condition(c, x, ref, churn_days) for c in rule["conditions"]]
    return and_(*conds) if conds else true()


def _score(value, cuts: list, strict: bool):
    """5 when above the top cut-off … 1 below the lowest (cuts ascending)."""
    if not cuts:
        return literal(1)
    whens = [((value > cut) if strict else (value >= cut), k + 2) for k, cut in reversed(list(enumerate(cuts)))]
    return case(*whens, else_=1)


def rfm_columns(rfm: dict, x: Inputs, ref: dt.date, cutoffs: dict | None) -> dict:
    if rfm["mode"] == "quintiles":
        cutoffs = cutoffs or {"r": [], "f": [], "m": []}
        r = _score(x.last, [as_date(d) for d in cutoffs["r"]], strict=True)
        f = _score(x.n, cutoffs["f"], strict=True)
        m = _score(x.total, cutoffs["m"], strict=True)
    else:
        # a later last order scores higher: recency days ascending → dates descending
        r = _score(x.last, [ref - dt.timedelta(days=d) for d in reversed(rfm["recency_days"])], strict=False)
        f = _score(x.n, rfm["frequency"], strict=False)
        m = _score(x.total, rfm["monetary"], strict=False)
    r = case((x.last.is_(None), None), else_=r)
    f = case((x.n == 0, None), else_=f)
    m = case((x.n == 0, None), else_=m)
    return {"r_score": r, "f_score": f, "m_score": m, "rfm_segment": labels.rfm_segment_expr(r, f, m)}


def _targets(rule_list: list) -> list[str]:
    seen: list[str] = []
    for rule in rule_list:
        if rule["target"] not in seen:
            seen.append(rule["target"])
    return seen


def columns(defn: dict, version: int, ref: dt.date, cutoffs: dict | None, x: Inputs) -> dict:
    """{summary column: SQL expression} for the classification of one definition."""
    n = defn["churn_days"]
    tiers = [(matches(r, x, ref, n), r) for r in defn["tiers"]]
    out = rfm_columns(defn["rfm"], x, ref, cutoffs)
    out["tier"] = case(*[(m, r["target"]) for m, r in tiers], else_="none") if tiers else literal("none")
    out["tier_rule"] = case(*[(m, r["id"]) for m, r in tiers], else_=None) if tiers else literal(None)
    groups, group_rules = literal(""), literal("")
    order = [g for g in labels.GROUPS if g in _targets(defn["groups"])]
    for target in order:
        mine = [(matches(r, x, ref, n), r) for r in defn["groups"] if r["target"] == target]
        groups = groups + case((or_(*[m for m, _r in mine]) if mine else false(), "," + target), else_="")
        group_rules = group_rules + case(*[(m, "," + r["id"]) for m, r in mine], else_="")
    out["groups"] = groups + ","
    out["group_rules"] = group_rules + ","
    out["rules_version"] = literal(int(version))
    return out


# --- quintile cut-offs ----------------------------------------------------------------
def lower_quintiles(values: list) -> list:
    """c_k = x_floor((n-1)·k/5), k = 1..4, of the sorted values; [] when there are none."""
    xs = sorted(values)
    if not xs:
        return []
    return [xs[(len(xs) - 1) * k // 5] for k in range(1, 5)]


def compute_cutoffs(session, ref: dt.date, churn_days: int) -> dict:
    """Cut-offs over the active customers' current summary rows (see the module doc)."""
    active = and_(Customer.deleted_at.is_(None), CustomerStats.last_order_date.is_not(None),
                  CustomerStats.last_order_date > labels.at_risk_last_order_until(ref, churn_days))
    rows = session.execute(select(CustomerStats.last_order_date, CustomerStats.orders_count,
                                  CustomerStats.total_spend)
                           .join(Customer, Customer.id == CustomerStats.customer_id).where(active)).all()
    return {"day": ref.isoformat(),
            "r": [d.isoformat() for d in lower_quintiles([as_date(r[0]) for r in rows])],
            "f": lower_quintiles([int(r[1]) for r in rows]),
            "m": lower_quintiles([int(r[2]) for r in rows])}


def stored_cutoffs(session) -> dict | None:
    raw = session.execute(select(AppMeta.value).where(AppMeta.key == QUINTILES_KEY)).scalar()
    return json.loads(raw) if raw else None


def store_cutoffs(session, cutoffs: dict) -> None:
    row = session.get(AppMeta, QUINTILES_KEY)
    value = json.dumps(cutoffs, sort_keys=True)
    if row is None:
        session.add(AppMeta(key=QUINTILES_KEY, value=value, updated_at=now()))
    else:
        row.value, row.updated_at = value, now()
    session.flush()
