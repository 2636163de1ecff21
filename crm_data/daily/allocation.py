"""A payment applied to a customer's open orders, oldest first (order date, then id)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_data.daily.receivables import _allocated, open_order_clause
from crm_data.storage.models import Order, PaymentAllocation


def open_orders_of(session: Session, customer_id: int) -> list[tuple[int, int]]:
    """(order id, open balance) of the customer's open orders now, oldest first (a payment
    dated yesterday may settle an order of today: it is what the customer owes now)."""
    allocated = _allocated(dt.date.max)
    rows = session.execute(
        select(Order.id, Order.amount - Order.paid_amount - allocated)
        .where(open_order_clause(), Order.customer_id == int(customer_id))
        .order_by(Order.order_date, Order.id)).all()
    return [(oid, int(left)) for oid, left in rows if left > 0]


def allocate(session: Session, customer_id: int, payment_id: int, amount: int,
             paid_on: dt.date) -> list[dict]:
    """Spread `amount` over the open orders, oldest first; returns the allocations. The
    caller has checked that the amount does not exceed the open balance."""
    rows, left = [], int(amount)
    for order_id, open_amt in open_orders_of(session, customer_id):
        if left <= 0:
            break
        part = min(left, open_amt)
        rows.append({"payment_id": payment_id, "order_id": order_id, "paid_on": paid_on, "amount": part})
        left -= part
    if left > 0:
        raise ValueError(f"payment {payment_id}: {left} VND left after every open order")
    if rows:
        session.execute(PaymentAllocation.__table__.insert(), rows)
    return rows


def open_balance(session: Session, customer_id: int) -> int:
    return sum(left for _oid, left in open_orders_of(session, customer_id))
