"""The loyalty ledger, gifts and redemptions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.domain.clock import now
from crm_data.storage.models.base import Base, Money
from crm_data.storage.models.customers import CustomerStats


class LoyaltyEntry(Base):
    __tablename__ = "loyalty_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # earn | redeem | adjust
    points: Mapped[int] = mapped_column(Integer)  # signed: redeem is negative
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_loyalty_customer", "customer_id"),)


# --- loyalty ---
# Ledger kinds: earn | redeem | adjust | expire (points signed: redeem and expire negative).
Index("ix_loyalty_date_cover", LoyaltyEntry.entry_date, LoyaltyEntry.kind, LoyaltyEntry.customer_id,
      LoyaltyEntry.points)  # earn / redeem / expire by period from the index alone
Index("ix_stats_points", CustomerStats.points, CustomerStats.customer_id)  # top holders


class LoyaltyGift(Base):
    """A gift customers may take for points; stock is what is left to give."""

    __tablename__ = "loyalty_gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    points_cost: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class LoyaltyRedemption(Base):
    """What a redeem row of the ledger bought: a gift, or a discount worth discount_vnd."""

    __tablename__ = "loyalty_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("loyalty_ledger.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(8))  # gift | discount
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("loyalty_gifts.id"))
    points: Mapped[int] = mapped_column(Integer)  # positive: the points given up
    discount_vnd: Mapped[int | None] = mapped_column(Money)
    redeemed_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (
        Index("ix_redemptions_customer", "customer_id"),
        Index("ix_redemptions_day", "redeemed_on", "kind", "gift_id"),
    )
