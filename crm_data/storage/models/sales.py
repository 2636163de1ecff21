"""Products, orders and their lines, payments and their allocation to orders, open orders, the cash book."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.domain.clock import now
from crm_data.storage.models.base import OPEN_ORDER_SQL, Base, Money


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[int] = mapped_column(Money)
    unit_cost: Mapped[int | None] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Order(Base):
    """A sale. amount = subtotal - discount; paid_amount is what was paid at checkout."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_date: Mapped[dt.date] = mapped_column(Date)
    ordered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="completed")  # completed | cancelled
    channel: Mapped[str | None] = mapped_column(String(12))  # store | online | phone | zalo
    payment_method: Mapped[str | None] = mapped_column(String(12))  # cash | transfer | card | cod | ewallet
    subtotal: Mapped[int] = mapped_column(Money)
    discount: Mapped[int] = mapped_column(Money, default=0)
    amount: Mapped[int] = mapped_column(Money)
    cost: Mapped[int | None] = mapped_column(Money)  # None when costs are unknown
    paid_amount: Mapped[int] = mapped_column(Money, default=0)
    items_count: Mapped[int] = mapped_column(SmallInteger, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (
        # Covering: period reports read every column they need from the index range.
        Index("ix_orders_date_cover", "order_date", "status", "customer_id", "amount", "cost",
              "paid_amount"),
        # A customer's orders by date, covering status, amount and cost (cohorts, rankings,
        # a filtered revenue trend read customer by customer).
        Index("ix_orders_customer_cover", "customer_id", "order_date", "status", "amount", "cost"),
        # Receivables: only the completed orders not paid in full at checkout (a few per
        # cent of all), so ageing never reads the paid ones. Queries repeat OPEN_ORDER_SQL.
        Index("ix_orders_open", "order_date", "customer_id", "amount", "paid_amount",
              sqlite_where=text(OPEN_ORDER_SQL), postgresql_where=text(OPEN_ORDER_SQL)),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[int] = mapped_column(Money)
    unit_cost: Mapped[int | None] = mapped_column(Money)
    amount: Mapped[int] = mapped_column(Money)

    __table_args__ = (Index("ix_order_lines_order", "order_id"),)


class Payment(Base):
    """Money received after checkout against a customer's receivable (công nợ)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Money)
    method: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (
        # Covering (money, migration 0011): receivables collected per day, all customers or
        # one owner's.
        Index("ix_payments_customer", "customer_id", "paid_on", "amount"),
        Index("ix_payments_date", "paid_on", "customer_id", "amount"),
    )


class CashEntry(Base):
    """Cash book (sổ thu chi): receipts (thu) and payments (chi) with a reason; the
    money area's columns (voucher_no …) are listed at the end of this file's money part."""

    __tablename__ = "cash_book"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # receipt | payment
    category: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Money)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # --- money (migration 0011) ---
    # Số chứng từ: PT000001… for receipts, PC000001… for payments.
    voucher_no: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(12))  # cash | transfer | card | cod | ewallet
    counterpart: Mapped[str | None] = mapped_column(String(200))  # who paid / was paid
    description: Mapped[str | None] = mapped_column(String(300))  # diễn giải
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))  # a customer payment's receipt
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_cash_date", "entry_date", "kind", "amount"),  # covering: balances
        Index("ux_cash_voucher", "voucher_no", unique=True),
        Index("ix_cash_payment", "payment_id"),
    )


# --- money ---
class PaymentAllocation(Base):
    """The part of a payment applied to one order (the oldest open orders first): an
    order's open balance = amount − paid at checkout − its allocations. paid_on is the
    payment's date, kept here so balances as of a past day read this table alone."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Money)

    __table_args__ = (
        Index("ix_alloc_order", "order_id", "paid_on", "amount"),
        Index("ix_alloc_payment", "payment_id"),
    )


class OpenOrder(Base):
    """Orders of non-deleted customers with something still owed now, one row each, with
    the customer's owner (crm_data.summaries.open_orders): refreshed with customer_stats for
    the customers a write touched, so the Receivables page reads a few thousand rows
    instead of every order ever sold on credit."""

    __tablename__ = "open_orders"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    order_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Money)
    paid: Mapped[int] = mapped_column(Money)  # at checkout + allocated payments
    open: Mapped[int] = mapped_column(Money)

    __table_args__ = (
        # Covering: ageing by date, per customer, per owner (staff: their own rows).
        Index("ix_open_orders_date", "order_date", "customer_id", "open"),
        Index("ix_open_orders_customer", "customer_id", "order_date", "open", "amount", "paid"),
        Index("ix_open_orders_owner", "owner_id", "order_date", "customer_id", "open", "amount", "paid"),
    )
