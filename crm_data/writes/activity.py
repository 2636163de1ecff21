"""What happens with a customer: interactions, orders (with lines and loyalty points),
payments against the receivable, feedback (complaints) and appointments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, update

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.daily import allocation, cashbook
from crm_data.daily.loyalty import earn_for_payment
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
from crm_data.storage.models import Appointment, Feedback, Interaction, Order, OrderLine, Payment

ORDER_PREFIX = "DH"


def _when(value, default: dt.datetime | None = None) -> dt.datetime:
    """A date or datetime from a form (date → 09:00 of that day)."""
    if validation.blank(value):
        if default is None:
            raise Invalid("invalid.required")
        return default
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    day = validation.date(value)
    return dt.datetime.combine(day, dt.time(9, 0))


def _happened(value) -> dt.datetime:
    """When something happened: a datetime as given; a date alone (the form's date box) at
    the current Vietnam time of day; nothing: now."""
    if validation.blank(value):
        return now()
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    return at_time_now(validation.date(value))


def _positive(value) -> int:
    number = validation.amount(value)
    if number <= 0:
        raise Invalid("cust.invalid.positive", {"value": str(value)})
    return number


def _finish(session, scope: Scope, customer_id: int) -> None:
    """Refresh the summary (which also moves the journey stage a purchase implies)."""
    del scope
    summaries.refresh_customers(session, [customer_id])


def log_interaction(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> int:
    require_editor(scope)
    values = collect({
        "kind": lambda: validation.enum("interaction_kind", raw.get("kind"), required=True),
        "outcome": lambda: validation.enum("outcome", raw.get("outcome"), required=True),
        "occurred_at": lambda: _happened(raw.get("occurred_at")),
        "note": lambda: validation.optional_text(raw.get("note"), validation.LONG_TEXT),
        "next_step_date": lambda: validation.date(raw.get("next_step_date")),
    })
    with unit_of_work(engine) as s:
        customer_row(s, scope, customer_id)
        row = Interaction(customer_id=customer_id, user_id=scope.user_id, **values)
        s.add(row)
        s.flush()
        audit.record(s, scope, "create", "interaction", row.id, after={"customer_id": customer_id, **values})
        summaries.refresh_customers(s, [customer_id])
        return row.id


def _lines(raw_lines) -> list[dict]:
    lines, errors = [], {}
    for i, line in enumerate(raw_lines or []):
        if all(validation.blank(line.get(k)) for k in ("description", "quantity", "unit_price")):
            continue
        try:
            qty = int(validation.amount(line.get("quantity") or 1))
            if qty <= 0:
                raise Invalid("cust.invalid.positive", {"value": str(line.get("quantity"))})
            price = validation.amount(line.get("unit_price"))
            desc = validation.required_text(line.get("description"), 200)
            if qty * price > validation.MAX_AMOUNT:
                raise Invalid("invalid.amount_too_large", {"value": f"{qty} × {price}"})
        except Invalid as exc:
            errors[f"line{i}"] = exc
            continue
        lines.append({"description": desc, "quantity": qty, "unit_price": price,
                      "amount": qty * price, "product_id": line.get("product_id")})
    if errors:
        raise ValidationFailed(errors)
    if not lines:
        raise ValidationFailed({"lines": Invalid("cust.invalid.no_lines")})
    return lines


def add_order(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> int:
    """A completed order with its lines; paid_amount is what was paid at checkout (the
    rest becomes debt); loyalty points are earned on what was paid (crm_data.daily.loyalty)."""
    require_editor(scope)
    values = collect({
        "order_date": lambda: validation.date(raw.get("order_date"), not_future=True) or today(),
        "discount": lambda: validation.amount(raw.get("discount")),
        "paid_amount": lambda: validation.amount(raw.get("paid_amount")),
        "payment_method": lambda: validation.enum("payment_method", raw.get("payment_method")),
        "channel": lambda: validation.enum("order_channel", raw.get("channel")),
    })
    lines = _lines(raw.get("lines"))
    subtotal = sum(line["amount"] for line in lines)
    if values["discount"] > subtotal:
        raise ValidationFailed({"discount": Invalid("cust.invalid.discount_too_big")})
    amount = subtotal - values["discount"]
    if values["paid_amount"] > amount:
        raise ValidationFailed({"paid_amount": Invalid("cust.invalid.paid_too_big")})
    with unit_of_work(engine) as s:
        customer_row(s, scope, customer_id)
        at = now()
        ordered_at = at_time_now(values["order_date"])
        order = Order(
            code=_next_order_code(s), customer_id=customer_id, order_date=values["order_date"],
            ordered_at=ordered_at, status="completed", channel=values["channel"],
            payment_method=values["payment_method"], subtotal=subtotal,
            discount=values["discount"], amount=amount, cost=None,
            paid_amount=values["paid_amount"], items_count=sum(x["quantity"] for x in lines),
            created_by=scope.user_id, created_at=at,
        )
        s.add(order)
        s.flush()
        for line in lines:
            s.add(OrderLine(order_id=order.id, unit_cost=None, **line))
        points = earn_for_payment(s, customer_id, values["paid_amount"], values["order_date"],
                                  order_id=order.id, note=order.code)
        audit.record(s, scope, "create", "order", order.id, after={
            "customer_id": customer_id, "code": order.code, "amount": amount, "points": points,
            "lines": lines, **values})
        _finish(s, scope, customer_id)
        return order.id


def _next_order_code(session) -> str:
    last = session.scalar(select(func.max(Order.id))) or 0
    return f"{ORDER_PREFIX}{last + 1:07d}"


def record_payment(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> int:
    """A payment against the customer's debt, in one transaction: allocated to the oldest
    open orders, its cash-book receipt (phiếu thu) created, loyalty points earned on the amount
    paid, audited, the summary refreshed. More than the open balance is refused."""
    require_editor(scope)
    values = collect({
        "amount": lambda: _positive(raw.get("amount")),
        "paid_on": lambda: validation.date(raw.get("paid_on"), not_future=True) or today(),
        "method": lambda: validation.enum("payment_method", raw.get("method")),
        "note": lambda: validation.optional_text(raw.get("note"), 300),
    })
    with unit_of_work(engine) as s:
        customer = customer_row(s, scope, customer_id)
        debt = allocation.open_balance(s, customer_id)
        if values["amount"] > debt:
            raise ValidationFailed({"amount": Invalid("cust.invalid.exceeds_debt", {"debt": debt})})
        row = Payment(customer_id=customer_id, created_by=scope.user_id, **values)
        s.add(row)
        s.flush()
        parts = allocation.allocate(s, customer_id, row.id, values["amount"], values["paid_on"])
        _entry_id, voucher = cashbook.receipt_for_payment(s, scope, row.id, customer, values["amount"],
                                                          values["paid_on"], values["method"])
        points = earn_for_payment(s, customer_id, values["amount"], values["paid_on"])
        audit.record(s, scope, "create", "payment", row.id, before={"debt": debt},
                     after={"customer_id": customer_id, "voucher_no": voucher, "points": points,
                            "allocations": [{k: p[k] for k in ("order_id", "amount")} for p in parts],
                            **values})
        summaries.refresh_customers(s, [customer_id])
        return row.id


def open_feedback(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> int:
    require_editor(scope)
    values = collect({
        "kind": lambda: validation.enum("feedback_kind", raw.get("kind") or "complaint", required=True),
        "subject": lambda: validation.required_text(raw.get("subject"), 200),
        "body": lambda: validation.optional_text(raw.get("body"), validation.LONG_TEXT),
        "rating": lambda: _rating(raw.get("rating")),
    })
    with unit_of_work(engine) as s:
        customer_row(s, scope, customer_id)
        row = Feedback(customer_id=customer_id, status="open", opened_at=now(),
                       assigned_to=scope.user_id, **values)
        s.add(row)
        s.flush()
        audit.record(s, scope, "create", "feedback", row.id, after={"customer_id": customer_id, **values})
        summaries.refresh_customers(s, [customer_id])
        return row.id


def _rating(value) -> int | None:
    if validation.blank(value):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid("cust.invalid.rating") from exc
    if not 1 <= number <= 5:
        raise Invalid("cust.invalid.rating")
    return number


def resolve_feedback(engine: Engine, scope: Scope, feedback_id: int, raw: dict) -> None:
    """Resolve from the customer page: the complaints desk's resolve (thread entry, audit)."""
    from crm_data.daily import complaint_writes  # the desk imports the writes' helpers

    complaint_writes.resolve(engine, scope, feedback_id, raw)


def schedule_appointment(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> int:
    require_editor(scope)
    values = collect({
        "kind": lambda: validation.enum("appointment_kind", raw.get("kind") or "appointment",
                                        required=True),
        "title": lambda: validation.required_text(raw.get("title"), 200),
        "due_at": lambda: _when(raw.get("due_at")),
        "note": lambda: validation.optional_text(raw.get("note"), validation.LONG_TEXT),
    })
    with unit_of_work(engine) as s:
        customer_row(s, scope, customer_id)
        row = Appointment(customer_id=customer_id, user_id=scope.user_id, status="open", **values)
        s.add(row)
        s.flush()
        audit.record(s, scope, "create", "appointment", row.id,
                     after={"customer_id": customer_id, **values})
        summaries.refresh_customers(s, [customer_id])
        return row.id


def complete_appointment(engine: Engine, scope: Scope, appointment_id: int) -> None:
    require_editor(scope)
    with unit_of_work(engine) as s:
        ap = s.execute(select(Appointment.customer_id, Appointment.status)
                       .where(Appointment.id == int(appointment_id))).first()
        if ap is None or ap.customer_id is None:
            raise NotFound(appointment_id)
        customer_row(s, scope, ap.customer_id)
        at = now()
        s.execute(update(Appointment).where(Appointment.id == int(appointment_id))
                  .values(status="done", done_at=at))
        audit.record(s, scope, "update", "appointment", appointment_id,
                     before={"status": ap.status}, after={"status": "done", "done_at": at})
        summaries.refresh_customers(s, [ap.customer_id])
