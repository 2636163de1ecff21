"""Classification rules as data: the definition format, its validation, and its versions.

A definition is one JSON document:
  churn_days   the churn window N (labels.py: active < N // 2 <= at risk < N <= churned)
  rfm          {"mode": "fixed" | "quintiles", "recency_days": [4 ascending], "frequency":
               [4 ascending], "monetary": [4 ascending]}; the lists are used in fixed mode
  tiers        rules → vip / regular; the first matching rule by priority wins, else "none"
  groups       rules → a group; a customer is in every group one of whose rules matches
A rule is {"id", "target", "priority", "conditions": [{"field", "op", "value"}, …]}, its
conditions all met (AND). Every save or restore adds a version; the newest is in force.
"""

from __future__ import annotations

import copy
import json

from sqlalchemy import Engine, func, select

from crm_data.domain import labels
from crm_data.records.validation import Invalid
from crm_data.records.writing import ValidationFailed
from crm_data.storage.models import RuleVersion

# field → kind; the kind decides the operators and how a value is read and shown.
FIELDS = {
    "spend_12m": "money", "total_spend": "money", "debt": "money", "orders_count": "number",
    "days_since_last_order": "days", "days_since_first_order": "days", "status": "status",
    "province": "province", "region": "region", "kind": "kind", "source": "source", "tags": "tag",
}
NUMBER_OPS = (">=", ">", "<=", "<", "=", "!=")
CHOICE_OPS = ("=", "!=", "in", "is_empty")
OPS = {"money": NUMBER_OPS, "number": NUMBER_OPS, "days": NUMBER_OPS,
       "status": ("=", "!=", "in"), "province": CHOICE_OPS, "region": CHOICE_OPS,
       "kind": CHOICE_OPS, "source": CHOICE_OPS, "tag": ("has", "has_not")}
RFM_MODES = ("fixed", "quintiles")
TARGETS = {"tiers": ("vip", "regular"), "groups": labels.GROUPS}


def _rule(rid: str, target: str, priority: int, *conds: tuple) -> dict:
    return {"id": rid, "target": target, "priority": priority,
            "conditions": [{"field": f, "op": o, "value": v} for f, o, v in conds]}


# Version 1: the constants the classification had before rules were data (migration 0014
# stores this very document).
DEFAULT_DEFINITION: dict = {
    "churn_days": labels.CHURN_DAYS_DEFAULT,
    "rfm": {"mode": "fixed", "recency_days": list(labels.RECENCY_DAYS),
            "frequency": list(labels.FREQUENCY_ORDERS), "monetary": list(labels.MONETARY_VND)},
    "tiers": [
        _rule("vip_12m", "vip", 10, ("spend_12m", ">=", labels.VIP_SPEND_12M)),
        _rule("vip_total", "vip", 20, ("total_spend", ">=", labels.VIP_TOTAL_SPEND)),
        _rule("any_order", "regular", 30, ("orders_count", ">", 0)),
    ],
    "groups": [
        _rule("orders_not_churned", "loyal", 10, ("orders_count", ">=", labels.LOYAL_MIN_ORDERS),
              ("status", "!=", "churned")),
        _rule("first_order_recent", "new_buyer", 20, ("days_since_first_order", "<=", labels.NEW_CUSTOMER_DAYS)),
        _rule("total_spend_high", "high_value", 30, ("total_spend", ">=", labels.MONETARY_VND[-1])),
        _rule("owes_money", "debtor", 40, ("debt", ">", 0)),
        _rule("status_at_risk", "at_risk", 50, ("status", "=", "at_risk")),
        _rule("status_churned", "churned", 60, ("status", "=", "churned")),
        _rule("no_order", "prospect", 70, ("orders_count", "=", 0)),
    ],
}


def _bad(key: str, **values) -> ValidationFailed:
    return ValidationFailed({"rules": Invalid(key, values)})


def _whole(value, low: int = 0) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():  # a number column of an edited table
        value = int(value)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= low else None


def _value(kind: str, op: str, value):
    """The stored form of a condition's value, or None when it does not fit the field."""
    if op == "is_empty":
        return None
    if kind in ("money", "number", "days"):
        return _whole(value)
    items = [v.strip() for v in (value if isinstance(value, list) else str(value).split(","))
             if str(v).strip()] if op == "in" else None
    if kind == "province":
        if op == "in":
            codes = [_province(v) for v in items]
            return codes if codes and None not in codes else None
        return _province(value)
    if kind == "status":
        wanted = [_choice_key(kind, w) for w in (items if op == "in" else [str(value).strip()])]
        if not wanted or any(w not in labels.STATUSES for w in wanted):
            return None
        return wanted if op == "in" else wanted[0]
    if op == "in":
        return [_choice_key(kind, v) for v in items] or None
    text = str(value).strip() if value is not None else ""
    if kind in ("region", "kind", "source"):
        text = _choice_key(kind, text)
    if kind == "tag":  # kept as typed (tidied); matched folded (rules_sql)
        from crm_data.records.tags import spelled

        text = spelled(text)
    return text or None


def _province(value) -> int | None:
    """A province code, from its code or its name (old names too)."""
    from crm_data.domain import geo

    code = _whole(value, 1)
    if code is None and value is not None:
        found = geo.find_province(str(value))
        code = found.code if found else None
    return code if code in geo.by_code() else None


def normalise(defn: dict) -> dict:
    """A checked copy of a definition (values in their stored types, rules by priority);
    ValidationFailed names the first problem."""
    out = copy.deepcopy(defn)
    days = _whole(out.get("churn_days"), 2)
    if days is None or not 30 <= days <= 1095:
        raise _bad("rules.invalid.churn_days")
    out["churn_days"] = days
    rfm = out.get("rfm") or {}
    if rfm.get("mode") not in RFM_MODES:
        raise _bad("rules.invalid.rfm_mode")
    for key in ("recency_days", "frequency", "monetary"):
        cuts = [_whole(v, 0) for v in rfm.get(key) or []]
        if len(cuts) != 4 or None in cuts or cuts != sorted(set(cuts)):
            raise _bad("rules.invalid.cutoffs", name=key)
        rfm[key] = cuts
    out["rfm"] = {k: rfm[k] for k in ("mode", "recency_days", "frequency", "monetary")}
    seen: set[str] = set()
    for part in ("tiers", "groups"):
        checked = []
        for rule in out.get(part) or []:
            rid = str(rule.get("id") or "").strip()
            if not rid or len(rid) > 40 or "," in rid or rid in seen:
                raise _bad("rules.invalid.id", rule=rid)
            seen.add(rid)
            if rule.get("target") not in TARGETS[part]:
                raise _bad("rules.invalid.target", rule=rid)
            priority = _whole(rule.get("priority"))
            if priority is None:
                raise _bad("rules.invalid.priority", rule=rid)
            conds = []
            for cond in rule.get("conditions") or []:
                field, op = cond.get("field"), cond.get("op")
                kind = FIELDS.get(field)
                if kind is None or op not in OPS[kind]:
                    raise _bad("rules.invalid.condition", rule=rid)
                value = _value(kind, op, cond.get("value"))
                if value is None and op != "is_empty":
                    raise _bad("rules.invalid.value", rule=rid)
                conds.append({"field": field, "op": op, "value": value})
            if not conds:
                raise _bad("rules.invalid.no_condition", rule=rid)
            checked.append({"id": rid, "target": rule["target"], "priority": priority,
                            "conditions": conds})
        out[part] = sorted(checked, key=lambda r: (r["priority"], r["id"]))
    return {k: out[k] for k in ("churn_days", "rfm", "tiers", "groups")}


def dumps(defn: dict) -> str:
    return json.dumps(defn, ensure_ascii=False, sort_keys=True)


def _exec(bind, stmt):
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return conn.execute(stmt).all()
    return bind.execute(stmt).all()


def current(bind) -> tuple[int, dict]:
    """(version, definition) in force (an Engine, Connection or Session); also sets the
    process's churn window (labels.configured_churn_days)."""
    rows = _exec(bind, select(RuleVersion.version, RuleVersion.definition)
                 .order_by(RuleVersion.version.desc()).limit(1))
    version, defn = (rows[0][0], json.loads(rows[0][1])) if rows else (1, copy.deepcopy(DEFAULT_DEFINITION))
    labels.set_configured_churn_days(defn["churn_days"])
    return version, defn


def definition_of(bind, version: int) -> dict | None:
    rows = _exec(bind, select(RuleVersion.definition).where(RuleVersion.version == int(version)))
    if rows:
        return json.loads(rows[0][0])
    return copy.deepcopy(DEFAULT_DEFINITION) if int(version) == 1 else None


def churn_days(bind) -> int:
    """The configured churn window N."""
    return current(bind)[1]["churn_days"]


def next_version(session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(RuleVersion.version), 0))) or 0) + 1


def history(engine: Engine):
    """Every version, newest first: version, created_at, created_by_name, note, restored_from."""
    import pandas as pd

    q = (select(RuleVersion.version, RuleVersion.created_at, RuleVersion.created_by_name,
                RuleVersion.note, RuleVersion.restored_from)
         .order_by(RuleVersion.version.desc()))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=["version", "created_at", "created_by_name", "note", "restored_from"])


# --- flat rows for an editable table: one row per condition, in words ------------------
ROW_COLUMNS = ("id", "target", "priority", "field", "op", "value")


def _words(lang: str) -> dict[str, dict[str, str]]:
    """key → shown word, per column (targets of both parts, fields, operators)."""
    from crm_data.i18n import label, t

    targets = {g: t(f"cust.group.{g}", lang) for g in labels.GROUPS}
    targets |= {k: label("tier", k, lang) for k in TARGETS["tiers"]}
    ops = {op for kind_ops in OPS.values() for op in kind_ops}
    return {"target": targets, "field": {f: t(f"rules.field.{f}", lang) for f in FIELDS},
            "op": {o: t(f"rules.op.{o}", lang) for o in sorted(ops)}}


def choice_words(lang: str) -> dict[str, list[str]]:
    """The words an editor offers per column (for its select boxes)."""
    words = _words(lang)
    return {"tiers": [words["target"][k] for k in TARGETS["tiers"]],
            "groups": [words["target"][k] for k in labels.GROUPS],
            "field": list(words["field"].values()), "op": list(words["op"].values())}


def to_rows(rule_list: list, lang: str = "vi") -> list[dict]:
    from crm_data.rules.explain import value_text

    words = _words(lang)
    rows = []
    for rule in rule_list:
        for cond in rule["conditions"]:
            value, kind = cond["value"], FIELDS[cond["field"]]
            shown = "" if value is None else value_text(cond["field"], value, lang) \
                if kind in ("status", "region", "kind", "source", "province") else \
                ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            rows.append({"id": rule["id"], "target": words["target"][rule["target"]],
                         "priority": rule["priority"], "field": words["field"][cond["field"]],
                         "op": words["op"][cond["op"]], "value": shown})
    return rows


def from_rows(rows: list[dict], lang: str = "vi") -> list[dict]:
    """Rows sharing an id make one rule (its conditions ANDed); the first row's target and
    priority count. Shown words are turned back into keys; blank rows are dropped."""
    back = {col: {v: k for k, v in m.items()} for col, m in _words(lang).items()}
    rules_by_id: dict[str, dict] = {}
    for row in rows:
        rid = str(row.get("id") or "").strip()
        if not rid and not row.get("field"):
            continue
        target = back["target"].get(row.get("target"), row.get("target"))
        rule = rules_by_id.setdefault(rid, {"id": rid, "target": target, "priority": row.get("priority"),
                                            "conditions": []})
        rule["conditions"].append({"field": back["field"].get(row.get("field"), row.get("field")),
                                   "op": back["op"].get(row.get("op"), row.get("op")),
                                   "value": row.get("value")})
    return list(rules_by_id.values())


def _choice_key(kind: str, text: str) -> str:
    """A stored key from its key or its shown word in either language."""
    from crm_data.i18n import catalogue, choices

    keys = labels.STATUSES if kind == "status" else choices(kind)
    for key in keys:
        pair = catalogue().get(f"rules.status.{key}" if kind == "status" else f"enum.{kind}.{key}", ())
        if text == key or text.casefold() in (w.casefold() for w in pair):
            return key
    return text
