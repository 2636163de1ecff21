"""Why a buyer at risk or churned left (price, service, competitor…): recorded from the
customer page, the Today win-back item and imports. The latest reason of a customer counts
(crm_data.records.churn_reason puts it before every guess)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import now
from crm_data.records import validation
from crm_data.records.validation import Invalid
from crm_data.records.writing import ValidationFailed, collect, customer_row, require_editor
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import ChurnReason, CustomerStats, User

REASONS = ("price", "service", "competitor", "moved", "no_need", "unknown", "other")
NOTE_MAX = 1000


def clean(raw: dict) -> dict:
    """{"reason", "note"} validated; "other" needs a note saying what."""
    values = collect({
        "reason": lambda: validation.enum("churn_reason", raw.get("reason"), required=True),
        "note": lambda: validation.optional_text(raw.get("note"), NOTE_MAX),
    })
    if values["reason"] == "other" and not values["note"]:
        raise ValidationFailed({"note": Invalid("invalid.required")})
    return values


def add_reason(session: Session, scope: Scope, customer_id: int, values: dict) -> None:
    """One reason row, audited, in the caller's transaction."""
    session.add(ChurnReason(customer_id=customer_id, reason=values["reason"], note=values["note"],
                            recorded_at=now(), recorded_by=scope.user_id))
    # on the customer's own audit trail (person export, erasure sweep: "note" is personal)
    audit.record(session, scope, "update", "customer", customer_id,
                 after={"churn_reason": values["reason"], "note": values["note"]})


def record_churn_reason(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> None:
    """Record why a buyer left (raw: {"reason", "note"}). Only a customer who has bought
    can churn: a lead without purchases is refused (its pipeline has lost reasons)."""
    require_editor(scope)
    values = clean(raw)
    with unit_of_work(engine) as s:
        customer_row(s, scope, customer_id)
        orders = s.scalar(select(CustomerStats.orders_count)
                          .where(CustomerStats.customer_id == int(customer_id)))
        if not orders:
                raise ValidationFailed({"reason": Invalid("churn.invalid.no_purchase")})
        add_reason(s, scope, int(customer_id), values)


def latest(engine: Engine, scope: Scope, customer_id: int) -> dict | None:
    """The reason that counts now: {"reason", "note", "recorded_at", "by"} or None."""
    with engine.connect() as conn, Session(bind=conn) as s:
        customer_row(s, scope, customer_id)
        row = s.execute(select(ChurnReason.reason, ChurnReason.note, ChurnReason.recorded_at,
                               User.display_name.label("by"))
                        .outerjoin(User, User.id == ChurnReason.recorded_by)
                        .where(ChurnReason.customer_id == int(customer_id))
                        .order_by(ChurnReason.recorded_at.desc(), ChurnReason.id.desc())
                        .limit(1)).mappings().first()
    return dict(row) if row else None
