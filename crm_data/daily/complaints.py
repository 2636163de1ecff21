"""Complaints desk: the list of feedback (complaints, questions, reviews) with status, owner,
age and the overdue mark, and one complaint with its thread.

Definitions (shared with the Today list, see the area notes):
- open: status is not 'resolved' (open | in_progress; a reopened one is open again);
- age: from the first opening (opened_at) to now; a reopened complaint keeps its age;
- overdue: a complaint (kind 'complaint') open for MORE than settings
  `complaints.overdue_days` × 24 hours: exactly N days old is not overdue yet, N days and
  one second is;
- owner: the user it is assigned to, else the customer's owner — whoever must act on it: a
  complaint nobody took (imported, or opened before assignment existed) falls to the person
  who looks after the customer, instead of to nobody.

Scope: admins and managers see every live customer's feedback; staff see the feedback of
their own customers and whatever is assigned to them; the executive viewer gets no list
(aggregates only: crm_data.daily.complaint_stats).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, case, func, literal, or_, select

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.domain.clock import at_time_now, today
from crm_data.domain.periods import Period
from crm_data.domain.sqltime import days_diff
from crm_data.domain.text import fold
from crm_data.storage.models import Customer, Feedback, FeedbackNote, User

STATUSES = ("open", "in_progress", "resolved")
KINDS = ("complaint", "question", "review")
LIST_LIMIT = 500
COLUMNS = ("id", "opened_at", "code", "full_name", "kind", "status", "subject", "owner_id",
           "age_days", "overdue", "reopens", "resolved_at", "customer_id")


def desk_now() -> dt.datetime:
    """The desk's "now": today (pinnable with CRM_TODAY) at the current Vietnam time."""
    return at_time_now(today())


def as_moment(at: dt.date | dt.datetime | None) -> dt.datetime:
    """A moment for the overdue test: a date stands for the end of that day (anything overdue
    at some time on it), None for now."""
    if at is None:
        return desk_now()
    if isinstance(at, dt.datetime):
        return at
    return dt.datetime.combine(at, dt.time(23, 59, 59))


def overdue_days(bind) -> int:
    """The admin's setting (an Engine, Connection or Session)."""
    return settings.get(bind, "complaints.overdue_days")


def is_open_clause(fb=Feedback) -> ColumnElement[bool]:
    return fb.status != "resolved"


def overdue_cutoff(at: dt.date | dt.datetime | None, days: int) -> dt.datetime:
    """Complaints opened before this moment are overdue at `at` (if still open)."""
    return as_moment(at) - dt.timedelta(days=days)


def is_overdue_clause(at: dt.date | dt.datetime | None, days: int, fb=Feedback) -> ColumnElement[bool]:
    """The one overdue test: an open complaint opened more than `days` days before `at`."""
    return and_(fb.kind == "complaint", is_open_clause(fb), fb.opened_at < overdue_cutoff(at, days))


def owner_of(fb=Feedback, customer=Customer):
    """The effective owner (assigned user, else the customer's owner)."""
    return func.coalesce(fb.assigned_to, customer.owner_id)


def desk_clause(scope: Scope, fb=Feedback, customer=Customer) -> ColumnElement[bool]:
    """Feedback this actor may work on: live customers; staff their own or assigned ones."""
    alive = customer.deleted_at.is_(None)
    if scope.sees_all_customers:
        return alive
    return and_(alive, or_(customer.owner_id == scope.user_id, fb.assigned_to == scope.user_id))


@dataclass(frozen=True)
class DeskFilter:
    statuses: tuple[str, ...] = ()  # empty: any
    kinds: tuple[str, ...] = ()
    owners: tuple[int, ...] = ()  # effective owner
    period: Period | None = None  # opened in
    overdue_only: bool = False
    search: str = ""  # customer name / code / phone (folded) or subject

    def clauses(self, at: dt.datetime, overdue_days: int) -> list[ColumnElement[bool]]:
        conds = []
        if self.statuses:
            conds.append(Feedback.status.in_(self.statuses))
        if self.kinds:
            conds.append(Feedback.kind.in_(self.kinds))
        if self.owners:
            conds.append(owner_of().in_([int(o) for o in self.owners]))
        if self.period is not None:
            conds.append(Feedback.opened_at >= dt.datetime.combine(self.period.start, dt.time()))
            conds.append(Feedback.opened_at < dt.datetime.combine(self.period.end_exclusive, dt.time()))
        if self.overdue_only:
            conds.append(is_overdue_clause(at, overdue_days))
        term = (self.search or "").strip()
        if term:
            conds.append(or_(Customer.search_text.contains(fold(term), autoescape=True),
                             func.lower(Feedback.subject).contains(term.lower(), autoescape=True)))
        return conds


@dataclass
class DeskList:
    rows: pd.DataFrame
    total: int  # matching rows in all (rows holds at most the limit)
    overdue_days: int


def _reopens():
    return (select(func.count()).where(FeedbackNote.feedback_id == Feedback.id,
                                       FeedbackNote.kind == "reopen")
            .correlate(Feedback).scalar_subquery())


def list_feedback(engine: Engine, scope: Scope, flt: DeskFilter | None = None,
                  limit: int | None = LIST_LIMIT, at: dt.datetime | None = None) -> DeskList:
    """The desk's list: overdue first, then open ones oldest first, then the resolved ones
    newest first. `limit=None` gives every matching row (the export)."""
    require_personal_data(engine, scope, "customer_rows")
    flt = flt or DeskFilter()
    at = at or desk_now()
    with engine.connect() as conn:
        days = overdue_days(conn)
        where = [desk_clause(scope), *flt.clauses(at, days)]
        overdue = case((is_overdue_clause(at, days), 1), else_=0)
        is_open = case((is_open_clause(), 0), else_=1)
        end = func.coalesce(Feedback.resolved_at, literal(at))
        query = (
            select(Feedback.id, Feedback.opened_at, Customer.code, Customer.full_name, Feedback.kind,
                   Feedback.status, Feedback.subject, owner_of().label("owner_id"),
                   days_diff(Feedback.opened_at, end).label("age_days"), overdue.label("overdue"),
                   _reopens().label("reopens"), Feedback.resolved_at, Feedback.customer_id)
            .join(Customer, Customer.id == Feedback.customer_id)
            .where(*where)
            .order_by(overdue.desc(), is_open, case((is_open_clause(), Feedback.opened_at)),
                      Feedback.resolved_at.desc(), Feedback.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        rows = pd.DataFrame(conn.execute(query).mappings().all(), columns=list(COLUMNS))
        total = len(rows) if limit is None or len(rows) < limit else conn.execute(
            select(func.count()).select_from(Feedback)
            .join(Customer, Customer.id == Feedback.customer_id).where(*where)).scalar_one()
    rows["overdue"] = rows["overdue"].astype(bool)
    rows["reopens"] = rows["reopens"].astype(int)
    # Never below zero: a pinned day (CRM_TODAY) may hold items later than its time of day.
    rows["age_days"] = rows["age_days"].astype(float).clip(lower=0)
    return DeskList(rows, int(total), days)


def get_feedback(engine: Engine, scope: Scope, feedback_id: int) -> dict | None:
    """One feedback this actor may work on, with its customer and thread (None otherwise)."""
    require_personal_data(engine, scope, "customer_rows")
    with engine.connect() as conn:
        days = overdue_days(conn)
        row = conn.execute(
            select(Feedback.__table__, Customer.code, Customer.full_name,
                   owner_of().label("owner_id"),
                   case((is_overdue_clause(desk_now(), days), True), else_=False).label("overdue"))
            .join(Customer, Customer.id == Feedback.customer_id)
            .where(Feedback.id == int(feedback_id), desk_clause(scope))).mappings().first()
        if row is None:
            return None
        thread = pd.read_sql(
            select(FeedbackNote.at, FeedbackNote.kind, User.display_name.label("by"),
                   FeedbackNote.assigned_to, FeedbackNote.body)
            .outerjoin(User, User.id == FeedbackNote.user_id)
            .where(FeedbackNote.feedback_id == int(feedback_id))
            .order_by(FeedbackNote.at, FeedbackNote.id), conn)
    out = dict(row)
    out["overdue"] = bool(out["overdue"])
    out["thread"] = thread
    return out


def assignable(engine: Engine, scope: Scope) -> dict[int, str]:
    """Who a complaint may be given to: whoever a customer may be (active editors; staff
    only themselves)."""
    from crm_data.customers.listing import owners

    return owners(engine, scope)


def customer_threads(engine: Engine, scope: Scope, customer_id: int) -> pd.DataFrame:
    """The threads of one customer's feedback (the customer page), oldest entry first:
    feedback_id, subject, status, at, kind, by, assigned_to, body."""
    require_personal_data(engine, scope, "customer_rows")
    query = (
        select(FeedbackNote.feedback_id, Feedback.subject, Feedback.status, FeedbackNote.at,
               FeedbackNote.kind, User.display_name.label("by"), FeedbackNote.assigned_to,
               FeedbackNote.body)
        .join(Feedback, Feedback.id == FeedbackNote.feedback_id)
        .join(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(User, User.id == FeedbackNote.user_id)
        .where(Feedback.customer_id == int(customer_id), desk_clause(scope))
        .order_by(Feedback.opened_at.desc(), FeedbackNote.feedback_id, FeedbackNote.at, FeedbackNote.id)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
