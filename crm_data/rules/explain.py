"""Each assignment's reason as a sentence in Vietnamese or English, rendered from the rule that
made it (customer_stats.tier_rule / group_rules of rules_version) — never stored as text."""

from __future__ import annotations

import datetime as dt

from crm_data.domain import geo
from crm_data.domain.formatting import number, vnd
from crm_data.domain.periods import as_date
from crm_data.i18n import label, t
from crm_data.rules.store import FIELDS

_ACTUAL = {"spend_12m": "spend_12m", "total_spend": "total_spend", "debt": "debt",
           "orders_count": "orders_count"}


def value_text(field: str, value, lang: str) -> str:
    kind = FIELDS[field]
    if isinstance(value, list):
        return ", ".join(value_text(field, v, lang) for v in value)
    if kind == "money":
        return vnd(value, lang)
    if kind == "number":
        return number(value, lang)
    if kind == "days":
        return t("rules.days", lang, n=number(value, lang))
    if kind == "status":
        return t(f"rules.status.{value}", lang)
    if kind == "province":
        province = geo.by_code().get(int(value))
        return province.short_name if province else str(value)
    if kind in ("region", "kind", "source"):
        return label(kind, value, lang)
    return str(value)


def condition_text(cond: dict, lang: str, stats: dict | None = None, ref: dt.date | None = None) -> str:
    field, op = cond["field"], cond["op"]
    text = t(f"rules.field.{field}", lang) + " " + t(f"rules.op.{op}", lang)
    if op != "is_empty":
        text += " " + value_text(field, cond["value"], lang)
    actual = _actual(field, stats, ref) if stats is not None else None
    if actual is not None:
        text += " " + t("rules.actual", lang, value=value_text(field, actual, lang))
    return text


def _actual(field: str, stats: dict, ref: dt.date | None):
    if field in _ACTUAL:
        value = stats.get(_ACTUAL[field])
        return None if value is None or value != value else int(value)
    if field in ("days_since_last_order", "days_since_first_order") and ref is not None:
        day = as_date(stats.get("last_order_date" if field == "days_since_last_order" else "first_order_date"))
        return None if day is None else (ref - day).days
    return None


def rule_text(rule: dict, lang: str, stats: dict | None = None, ref: dt.date | None = None) -> str:
    joiner = t("rules.and", lang)
    return joiner.join(condition_text(c, lang, stats, ref) for c in rule["conditions"])


def target_text(part: str, target: str, lang: str) -> str:
    return label("tier", target, lang) if part == "tiers" else t(f"cust.group.{target}", lang)


def tier_reason(rule_id: str | None, defn: dict, lang: str = "vi") -> str:
    """The tier's sentence without the customer's figures (the customer list's column)."""
    rule = next((r for r in defn["tiers"] if r["id"] == rule_id), None)
    if rule is None:
        return ""
    return t("rules.reason.tiers_short", lang, target=target_text("tiers", rule["target"], lang),
             conditions=rule_text(rule, lang), rule=rule["id"])


def reasons(stats: dict, defn: dict, lang: str = "vi", ref: dt.date | None = None) -> list[str]:
    """The tier's sentence, then one per group, for a customer_stats row."""
    version = stats.get("rules_version") or 1
    out = []
    by_id = {r["id"]: ("tiers", r) for r in defn["tiers"]} | {r["id"]: ("groups", r) for r in defn["groups"]}
    ids = [stats.get("tier_rule")] + [g for g in (stats.get("group_rules") or "").split(",") if g]
    for rid in ids:
        if not rid or rid not in by_id:
            continue
        part, rule = by_id[rid]
        out.append(t(f"rules.reason.{part}", lang, target=target_text(part, rule["target"], lang),
                     conditions=rule_text(rule, lang, stats, ref), rule=rid, version=version))
    return out
