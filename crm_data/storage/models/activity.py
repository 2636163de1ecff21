"""What happens around a customer: interactions, feedback and complaints with their notes, appointments, Today marks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.domain.clock import now
from crm_data.storage.models.base import Base
from crm_data.storage.models.customers import Customer, CustomerStats


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))  # call | email | meeting | zalo | facebook | sms | visit
    outcome: Mapped[str] = mapped_column(String(12))  # consulted | skipped | no_answer | follow_up
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    next_step_date: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_interactions_customer", "customer_id", "occurred_at"),
        Index("ix_interactions_time_cover", "occurred_at", "customer_id", "outcome", "kind"),
    )


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(12))  # complaint | question | review
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | in_progress | resolved
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # 1..5 for reviews
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        Index("ix_feedback_customer", "customer_id"),
        Index("ix_feedback_opened", "opened_at"),
    )


class Appointment(Base):
    """Appointments, call-backs and reminders (tasks)."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))  # appointment | call_back | reminder
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | done | cancelled
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_appointments_due", "status", "due_at"),
        Index("ix_appointments_customer", "customer_id"),
    )


# --- today ---


class TodayMark(Base):
    """A Today item marked done (until NULL) or snoozed (hidden while the day is before
    `until`). The items themselves are derived from the data (crm_data.daily.today); this
    keeps only what the data cannot say, keyed by kind + customer + source (the record the
    item comes from: interaction, appointment, feedback id, birthday year, last order day)."""

    __tablename__ = "today_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    source_id: Mapped[int] = mapped_column(BigInteger)
    until: Mapped[dt.date | None] = mapped_column(Date)  # NULL: done
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (UniqueConstraint("kind", "customer_id", "source_id", name="uq_today_marks_item"),)


# Due follow-ups: the interactions whose next step has come, by date, with what the "no later
# interaction" probe needs.
Index("ix_interactions_next_step", Interaction.next_step_date, Interaction.customer_id,
      Interaction.occurred_at)
# Birthdays of a week: one range of birth dates per birth year.
Index("ix_customers_birth_date", Customer.birth_date)
# Re-orders: the not-yet-churned last orders with their interval, from the index alone.
Index("ix_stats_reorder", CustomerStats.last_order_date, CustomerStats.avg_interval_days,
      CustomerStats.orders_count)
# --- complaints ---
class FeedbackNote(Base):
    """The thread of a complaint / question / review: replies, assignments, resolutions and
    reopenings, oldest first. customer_id is the feedback's, copied so that a person's
    export and erasure (Decree 13/2023) reach these texts like their other rows."""

    __tablename__ = "feedback_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(12))  # reply | assign | resolve | reopen
    body: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # kind assign

    __table_args__ = (
        Index("ix_feedback_notes_feedback", "feedback_id", "at"),
        Index("ix_feedback_notes_customer", "customer_id"),
    )


# The desk's list: open ones by age, and by who handles them.
Index("ix_feedback_desk", Feedback.kind, Feedback.status, Feedback.opened_at)
Index("ix_feedback_assigned", Feedback.assigned_to, Feedback.status)
# Resolution time by period: resolved ones by the time they were resolved.
Index("ix_feedback_resolved", Feedback.resolved_at)
