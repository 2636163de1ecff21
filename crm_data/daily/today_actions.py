"""What a user does with a Today item: mark it done (an interaction with its outcome and
note is logged; an appointment is completed; kinds the interaction does not settle by
itself get a done mark) or snooze it to a date. One transaction each, audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.daily.today import KINDS
from crm_data.daily.today_kinds import APPOINTMENT_KINDS, SETTLED_BY_INTERACTION
from crm_data.domain.clock import at_time_now, now, today
from crm_data.records import validation
from crm_data.records.validation import Invalid
from crm_data.records.writing import (
    NotFound,
    ValidationFailed,
    collect,
    customer_row,
    require_editor,
)
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Appointment, Feedback, Interaction, TodayMark
from crm_data.writes import churn

# Kinds whose source id is a row of the customer's: it must be theirs.
_SOURCE_TABLES = {"follow_up": Interaction, "appointment_today": Appointment,
                  "appointment_week": Appointment, "complaint": Feedback}


def _check_item(s: Session, scope: Scope, kind: str, customer_id: int, source_id: int):
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    customer_row(s, scope, customer_id)  # visible to this actor (staff: their own)
    table = _SOURCE_TABLES.get(kind)
    if table is None:
        return None
    row = s.execute(select(table).where(table.id == int(source_id),
                                        table.customer_id == int(customer_id))).scalar()
    if row is None:
        raise NotFound(source_id)
    return row


def _mark(s: Session, scope: Scope, kind: str, customer_id: int, source_id: int,
          until: dt.date | None) -> None:
    s.execute(delete(TodayMark).where(TodayMark.kind == kind, TodayMark.customer_id == customer_id,
                                      TodayMark.source_id == source_id))
    s.add(TodayMark(kind=kind, customer_id=customer_id, source_id=source_id, until=until,
                    user_id=scope.user_id, created_at=now()))


def mark_done(engine: Engine, scope: Scope, kind: str, customer_id: int, source_id: int,
              raw: dict) -> int:
    """Log the interaction that did the item (raw: kind, outcome, note, next_step_date; for a
    win-back item optionally churn_reason, its note being the interaction's) and take the
    item off the list; returns the interaction's id."""
    require_editor(scope)
    values = collect({
        "kind": lambda: validation.enum("interaction_kind", raw.get("kind") or "call", required=True),
        "outcome": lambda: validation.enum("outcome", raw.get("outcome"), required=True),
        "note": lambda: validation.optional_text(raw.get("note"), validation.LONG_TEXT),
        "next_step_date": lambda: validation.date(raw.get("next_step_date")),
    })
    # A win-back call may learn why the buyer stopped: recorded with it, in the same transaction.
    reason = churn.clean({"reason": raw["churn_reason"], "note": values["note"]}) \
        if kind == "winback" and raw.get("churn_reason") else None
    customer_id, source_id = int(customer_id), int(source_id)
    with unit_of_work(engine) as s:
        source = _check_item(s, scope, kind, customer_id, source_id)
        if reason is not None:
            churn.add_reason(s, scope, customer_id, reason)
        at = at_time_now(today())
        if isinstance(source, Interaction):  # settles it only when logged after it
            at = max(at, source.occurred_at + dt.timedelta(seconds=1))
        row = Interaction(customer_id=customer_id, user_id=scope.user_id, occurred_at=at, **values)
        s.add(row)
        s.flush()
        if kind in APPOINTMENT_KINDS and source.status == "open":
            s.execute(update(Appointment).where(Appointment.id == source_id)
                      .values(status="done", done_at=at))
        elif kind not in SETTLED_BY_INTERACTION | APPOINTMENT_KINDS:
            _mark(s, scope, kind, customer_id, source_id, None)
        audit.record(s, scope, "update", "today_item", f"{kind}:{customer_id}:{source_id}",
                     after={"done": True, "interaction_id": row.id, "occurred_at": at, **values})
        summaries.refresh_customers(s, [customer_id])
        return row.id


def snooze(engine: Engine, scope: Scope, kind: str, customer_id: int, source_id: int,
           until) -> dt.date:
    """Hide the item until `until` (after today): it is back on the list that day."""
    require_editor(scope)
    day = collect({"until": lambda: validation.date(until)})["until"]
    if day is None or day <= today():
        raise ValidationFailed({"until": Invalid("today.invalid.snooze_past")})
    customer_id, source_id = int(customer_id), int(source_id)
    with unit_of_work(engine) as s:
        _check_item(s, scope, kind, customer_id, source_id)
        _mark(s, scope, kind, customer_id, source_id, day)
        audit.record(s, scope, "update", "today_item", f"{kind}:{customer_id}:{source_id}",
                     after={"snoozed_until": day})
    return day
