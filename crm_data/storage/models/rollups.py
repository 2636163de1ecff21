"""The maintained rollups behind the reports (crm_data.summaries keeps them exact inside every write)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.storage.models.base import Base, Money


class DayMonthCell:
    """The key of a day / month rollup cell (crm_data.summaries.rollups): grain "d" or "m",
    the day or the month's first day, and the owner and region of the customers counted."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    grain: Mapped[str] = mapped_column(String(1), sort_order=-1)  # d | m
    start: Mapped[dt.date] = mapped_column(Date, sort_order=-1)
    owner_id: Mapped[int | None] = mapped_column(Integer, sort_order=-1)
    region: Mapped[str | None] = mapped_column(String(8), sort_order=-1)


class OrderRollup(DayMonthCell, Base):
    """Completed orders of non-deleted customers per day and per month ("d" / "m" grain) and
    owner and region: maintained by crm_data.summaries.rollups inside every write's transaction. Additive
    measures sum over owners; buyers too, because a customer has exactly one owner."""

    __tablename__ = "order_rollup"

    orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[int] = mapped_column(Money)
    profit: Mapped[int | None] = mapped_column(Money)  # Σ (amount − cost) of known costs
    costed: Mapped[int] = mapped_column(Integer)  # orders with a known cost (profit NULL at 0)
    unpaid: Mapped[int] = mapped_column(Money)  # Σ (amount − paid_amount)
    buyers: Mapped[int] = mapped_column(Integer)  # distinct customers in the cell

    __table_args__ = (Index("ix_order_rollup_cell", "grain", "start", "owner_id"),)


class CustomerRollup(Base):
    """Non-deleted customers per day and owner by the day they were created ("created",
    with the sum of their debt) and by the day of their first / last completed order
    ("first_order" / "last_order"): maintained by crm_data.summaries.customer_rollup."""

    __tablename__ = "customer_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # created | first_order | last_order
    day: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(8))
    customers: Mapped[int] = mapped_column(Integer)
    debt: Mapped[int] = mapped_column(Money, default=0)

    __table_args__ = (Index("ix_customer_rollup_cell", "kind", "day", "owner_id"),)


class StageFlowRollup(DayMonthCell, Base):
    """Lifecycle stage changes (stage_changes kind='lifecycle') of non-deleted customers per
    day / month ("d" / "m"), owner and from → to stage: the journey's flows, maintained by
    crm_data.summaries.rollups with order_rollup."""

    __tablename__ = "stage_flow_rollup"

    from_stage: Mapped[str | None] = mapped_column(String(16))  # NULL: the first recorded stage
    to_stage: Mapped[str] = mapped_column(String(16))
    changes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_stage_flow_cell", "grain", "start", "owner_id"),)


class InteractionRollup(DayMonthCell, Base):
    """Interactions of non-deleted customers per day / month ("d" / "m", by occurred_at),
    owner, region and outcome: the Overview's contact figures over long periods without
    reading every interaction (maintained by crm_data.summaries.rollups)."""

    __tablename__ = "interaction_rollup"

    outcome: Mapped[str] = mapped_column(String(12))
    interactions: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_interaction_rollup_cell", "grain", "start", "owner_id", "region", "outcome",
                            "interactions"),)


class PaymentRollup(DayMonthCell, Base):
    """Payments of non-deleted customers per day / month (by paid_on), owner and region: what
    was collected after a period's end, for its receivables (maintained like the others)."""

    __tablename__ = "payment_rollup"

    payments: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Money)

    __table_args__ = (Index("ix_payment_rollup_cell", "grain", "start", "owner_id", "region", "amount"),)
