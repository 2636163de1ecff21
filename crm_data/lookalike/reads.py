"""What the lookalike page and `crm model lookalike` show: the latest fit, the ranked leads
with their reasons as sentences in the reader's language. Admin and manager only."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Engine, select

from crm_data.accounts import access
from crm_data.accounts.scope import Scope
from crm_data.domain import geo
from crm_data.i18n import label, t
from crm_data.lookalike.fit import FITTERS, latest
from crm_data.storage.models import Customer, CustomerStats, LeadLookalike, User

latest_fit = latest

# Token prefix → (message key, enumeration of the value for its label).
_REASONS = {"source": ("lookalike.reason.source", "source"),
            "channel": ("lookalike.reason.channel", "channel"),
            "region": ("lookalike.reason.region", "region"),
            "province": ("lookalike.reason.province", None),
            "kind": ("lookalike.reason.kind", "kind"),
            "industry": ("lookalike.reason.industry", "industry"),
            "occupation": ("lookalike.reason.occupation", "occupation"),
            "income": ("lookalike.reason.income", "income_band"),
            "age": ("lookalike.reason.age", None),
            "contacts": ("lookalike.reason.contacts", None),
            "contact_kind": ("lookalike.reason.contact_kind", "interaction_kind")}


def require_fitter(engine: Engine, scope: Scope) -> None:
    if scope.role not in FITTERS:
        raise access.refuse(engine, scope, "lookalike")


def reason_text(token: str, lang: str) -> str:
    """"source=referral" → "Đến từ nguồn Giới thiệu" / "Came through Referral"."""
    field, _, value = token.partition("=")
    if field.startswith("answer:"):
        return t("lookalike.reason.answer", lang, question=field.removeprefix("answer:"),
                 answer=value)
    key, enum = _REASONS.get(field, ("lookalike.reason.other", None))
    if value == "?":
        shown = t("common.unknown", lang)
    elif field == "province":
        province = geo.by_code().get(int(value)) if value.isdigit() else None
        shown = province.name if province else value
    elif field in ("age", "contacts"):
        shown = t(f"lookalike.band.{field}.{value}", lang)
    else:
        shown = label(enum, value, lang) if enum else value
    return t(key, lang, value=shown, field=field)


def reasons_text(raw: str, lang: str) -> str:
    return "; ".join(reason_text(token, lang) for token, _ in json.loads(raw or "[]"))


def ranked(engine: Engine, scope: Scope, lang: str = "vi", limit: int = 100,
           unassigned: bool = False) -> pd.DataFrame:
    """The scored leads that still have no completed order, most alike first: id, code,
    full_name, owner, pipeline_stage, score (0..1), reasons (sentences)."""
    require_fitter(engine, scope)
    q = (select(Customer.id, Customer.code, Customer.full_name, User.display_name.label("owner"),
                Customer.pipeline_stage, LeadLookalike.score, LeadLookalike.reasons)
         .join(LeadLookalike, LeadLookalike.customer_id == Customer.id)
         .outerjoin(CustomerStats, CustomerStats.customer_id == Customer.id)
         .outerjoin(User, User.id == Customer.owner_id)
         .where(scope.customer_clause(Customer), CustomerStats.first_order_date.is_(None))
         .order_by(LeadLookalike.score.desc(), LeadLookalike.customer_id.desc()).limit(int(limit)))
    if unassigned:
        q = q.where(Customer.owner_id.is_(None))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["reasons"] = [reasons_text(r, lang) for r in df["reasons"]]
    return df
