"""The maintained table of orders of non-deleted customers with something still owed
(open_orders), with the customer's owner: what each open order owes now = amount − paid at checkout − every allocation to it. Refreshed inside the
summary refresh of the customers a write touched (crm_data.summaries) and rebuilt whole by
`crm rebuild`; payments and orders are never dated in the future, so on today (and later)
it is exactly the allocation-based balance crm_data.daily.receivables computes for any day."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from crm_data.storage.bulk import among
from crm_data.storage.models import Customer, OpenOrder, Order, PaymentAllocation

_COLUMNS = ["order_id", "customer_id", "owner_id", "order_date", "amount", "paid", "open"]


def _source(ids: list[int] | None, session: Session | None = None):
    allocated = (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                 .where(PaymentAllocation.order_id == Order.id).scalar_subquery())
    # Literal: the partial index ix_orders_open (SQLite needs the query to repeat its terms).
    conds = [Order.status == literal_column("'completed'"), Order.amount > Order.paid_amount,
             Customer.deleted_at.is_(None)]
    if ids is not None:
        conds.append(among(session, Order.customer_id, ids))
    inner = (select(Order.id, Order.customer_id, Customer.owner_id, Order.order_date, Order.amount,
                    (Order.paid_amount + allocated).label("paid"),
                    (Order.amount - Order.paid_amount - allocated).label("open"))
             .join(Customer, Customer.id == Order.customer_id)
             .where(*conds).subquery())
    return select(inner).where(inner.c.open > 0)


def refresh(session: Session, ids: list[int]) -> None:
    session.execute(delete(OpenOrder).where(among(session, OpenOrder.customer_id, ids)))
    session.execute(insert(OpenOrder).from_select(_COLUMNS, _source(ids, session)))


def rebuild(session: Session) -> None:
    session.execute(delete(OpenOrder))
    session.execute(insert(OpenOrder).from_select(_COLUMNS, _source(None)))
