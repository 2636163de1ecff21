"""Complaints desk writes: assign, reply, resolve, reopen. Each is one transaction that locks
the feedback row, checks the transition, writes the thread entry, audits, and refreshes the
customer's summary.

Transitions (statuses open | in_progress | resolved):
- assign: any open one (open / in_progress) to an active editor; staff may take one only
  for themselves. The status does not change.
- reply: any open one; a first reply moves open → in_progress (someone is on it).
- resolve: any open one, with the resolution text.
- reopen: a resolved one only, with the reason; back to open, resolved_at and resolution
  cleared (the earlier resolution stays in the thread). Its resolution time then runs from
  the first opening to the final resolution (crm_data.daily.complaint_stats).
Anything else is refused with ValidationFailed naming the current status (field "status";
"resolution" for resolving a resolved one, as the customer page's form has it).
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.daily.complaints import desk_clause
from crm_data.domain.clock import now
from crm_data.records import validation
from crm_data.records.validation import Invalid
from crm_data.records.writing import NotFound, ValidationFailed, collect, require_editor
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, Feedback, FeedbackNote, User

OPEN = ("open", "in_progress")


def _load(session, scope: Scope, feedback_id: int):
    """The feedback row (locked) if this actor may work on it; NotFound otherwise."""
    row = session.execute(
        select(Feedback.id, Feedback.customer_id, Feedback.status, Feedback.assigned_to,
               Feedback.resolved_at, Feedback.resolution)
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(Feedback.id == int(feedback_id), desk_clause(scope))
        .with_for_update(of=Feedback)).first()
    if row is None:
        raise NotFound(feedback_id)
    return row


def _refuse(status: str, key: str, field: str = "status"):
    raise ValidationFailed({field: Invalid(key, {"status": status})})


def _note(session, scope: Scope, fb, kind: str, at, body=None, assigned_to=None) -> None:
    session.add(FeedbackNote(feedback_id=fb.id, customer_id=fb.customer_id, user_id=scope.user_id,
                             at=at, kind=kind, body=body, assigned_to=assigned_to))


def _done(session, scope: Scope, fb, action: str, before: dict, after: dict) -> None:
    audit.record(session, scope, action, "feedback", fb.id, before=before, after=after)
    summaries.refresh_customers(session, [fb.customer_id])


def assign(engine: Engine, scope: Scope, feedback_id: int, user_id) -> None:
    require_editor(scope)
    try:
        target = int(user_id)
    except (TypeError, ValueError):
        raise ValidationFailed({"assigned_to": Invalid("invalid.required")}) from None
    with unit_of_work(engine) as s:
        fb = _load(s, scope, feedback_id)
        if fb.status not in OPEN:
            _refuse(fb.status, "complaints.invalid.resolved_assign")
        ok = s.scalar(select(User.id).where(User.id == target, User.active.is_(True),
                                            User.role.in_(("admin", "manager", "staff"))))
        if ok is None or (not scope.sees_all_customers and target != scope.user_id):
            raise ValidationFailed({"assigned_to": Invalid("complaints.invalid.assignee")})
        if fb.assigned_to == target:
            return  # nothing changes: no thread entry, no audit row
        at = now()
        s.execute(update(Feedback).where(Feedback.id == fb.id).values(assigned_to=target))
        _note(s, scope, fb, "assign", at, assigned_to=target)
        _done(s, scope, fb, "assign", {"assigned_to": fb.assigned_to}, {"assigned_to": target})


def reply(engine: Engine, scope: Scope, feedback_id: int, raw: dict) -> None:
    require_editor(scope)
    values = collect({"body": lambda: validation.required_text(raw.get("body"), validation.LONG_TEXT)})
    with unit_of_work(engine) as s:
        fb = _load(s, scope, feedback_id)
        if fb.status not in OPEN:
            _refuse(fb.status, "complaints.invalid.resolved_reply")
        at = now()
        if fb.status == "open":
            s.execute(update(Feedback).where(Feedback.id == fb.id).values(status="in_progress"))
        _note(s, scope, fb, "reply", at, body=values["body"])
        _done(s, scope, fb, "reply", {"status": fb.status},
              {"status": "in_progress", "body": values["body"]})


def resolve(engine: Engine, scope: Scope, feedback_id: int, raw: dict) -> None:
    require_editor(scope)
    values = collect({"resolution": lambda: validation.required_text(raw.get("resolution"),
                                                                     validation.LONG_TEXT)})
    with unit_of_work(engine) as s:
        fb = _load(s, scope, feedback_id)
        if fb.status not in OPEN:
            # On the form's field: the customer page's resolve form names it.
            _refuse(fb.status, "cust.invalid.already_resolved", "resolution")
        at = now()
        s.execute(update(Feedback).where(Feedback.id == fb.id)
                  .values(status="resolved", resolved_at=at, resolution=values["resolution"]))
        _note(s, scope, fb, "resolve", at, body=values["resolution"])
        _done(s, scope, fb, "resolve", {"status": fb.status},
              {"status": "resolved", "resolved_at": at, **values})


def reopen(engine: Engine, scope: Scope, feedback_id: int, raw: dict) -> None:
    require_editor(scope)
    # Stored as "body" (also in the audit row): a person's erasure blanks it there too.
    values = collect({"body": lambda: validation.required_text(raw.get("reason"), validation.LONG_TEXT)})
    with unit_of_work(engine) as s:
        fb = _load(s, scope, feedback_id)
        if fb.status != "resolved":
            _refuse(fb.status, "complaints.invalid.not_resolved")
        at = now()
        s.execute(update(Feedback).where(Feedback.id == fb.id)
                  .values(status="open", resolved_at=None, resolution=None))
        _note(s, scope, fb, "reopen", at, body=values["body"])
        _done(s, scope, fb, "reopen",
              {"status": "resolved", "resolved_at": fb.resolved_at, "resolution": fb.resolution},
              {"status": "open", **values})
