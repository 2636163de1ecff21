"""What the customer page shows beyond the timeline: each order with its lines and
discount, and each complaint / question / review with how long it took to resolve.
Same guards as crm_data.customers.listing: personal data only, one visible customer's rows only."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from crm_data.accounts.scope import Scope
from crm_data.customers.listing import _require_personal, _visible
from crm_data.storage.models import Feedback, Order, OrderLine


def orders_with_lines(engine: Engine, scope: Scope, customer_id: int,
                      limit: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the customer's latest `limit` orders, newest first; their lines by order_id)."""
    _require_personal(engine, scope)
    cid = _visible(scope, customer_id)
    with engine.connect() as conn:
        orders = pd.read_sql(
            select(Order.id, Order.code, Order.order_date, Order.status, Order.channel,
                   Order.payment_method, Order.subtotal, Order.discount, Order.amount,
                   Order.paid_amount)
            .where(Order.customer_id == cid)
            .order_by(Order.order_date.desc(), Order.id.desc()).limit(limit), conn)
        ids = [int(i) for i in orders["id"]]
        lines = pd.read_sql(
            select(OrderLine.order_id, OrderLine.description, OrderLine.quantity,
                   OrderLine.unit_price, OrderLine.amount.label("line_total"))
            .where(OrderLine.order_id.in_(ids)).order_by(OrderLine.order_id, OrderLine.id),
            conn) if ids else pd.DataFrame(
                columns=["order_id", "description", "quantity", "unit_price", "line_total"])
    return orders, lines


def feedback(engine: Engine, scope: Scope, customer_id: int, limit: int = 50) -> pd.DataFrame:
    """Complaints, questions and reviews, newest first, with `resolution_hours` (resolved
    ones: hours from opening to resolution; open ones: None)."""
    _require_personal(engine, scope)
    cid = _visible(scope, customer_id)
    with engine.connect() as conn:
        df = pd.read_sql(
            select(Feedback.id, Feedback.opened_at, Feedback.kind, Feedback.subject,
                   Feedback.status, Feedback.rating, Feedback.resolved_at, Feedback.resolution)
            .where(Feedback.customer_id == cid)
            .order_by(Feedback.opened_at.desc(), Feedback.id.desc()).limit(limit), conn)
    opened, resolved = pd.to_datetime(df["opened_at"]), pd.to_datetime(df["resolved_at"])
    df["resolution_hours"] = ((resolved - opened).dt.total_seconds() / 3600).astype(object)
    df.loc[df["resolved_at"].isna(), "resolution_hours"] = None
    return df
