"""Loyalty points: earning on money paid, the balance, redemptions for a gift or as a
discount, and the gift list.

Balance = Σ ledger points (earn +, adjust ±, redeem −, expire −) and never goes below zero.
A redemption locks the customer's row (PostgreSQL: SELECT … FOR UPDATE; SQLite: every write
unit of work holds the database lock from BEGIN IMMEDIATE), brings expiry up to date and
reads the balance inside that transaction, so two redemptions at once cannot both spend the
same points; a gift's stock is decremented by a compare-and-set (stock > 0) in the same
transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from crm_data import audit, summaries
from crm_data.accounts import access
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.domain.clock import now, today
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
from crm_data.storage.models import Customer, LoyaltyEntry, LoyaltyGift, LoyaltyRedemption
from crm_data.summaries import loyalty_expiry

REDEEM_KINDS = ("gift", "discount")
MAX_POINTS = 10**9
GIFT_MANAGERS = ("admin", "manager")


def earn_for_payment(session: Session, customer_id: int, amount_vnd: int, on_date: dt.date,
                     order_id: int | None = None, note: str | None = None) -> int:
    """Earn points on money paid (at checkout or later) under the earn rule in force now:
    ⌊amount / loyalty.vnd_per_point⌋, floored per payment. Adds the earn row to the caller's
    transaction (which refreshes the summary); returns the points (0: no row)."""
    points = int(amount_vnd) // settings.get(session, "loyalty.vnd_per_point")
    if points > 0:
        session.add(LoyaltyEntry(customer_id=customer_id, entry_date=on_date, kind="earn",
                                 points=points, order_id=order_id, note=note))
        session.flush()
    return points


def balance(bind, customer_id: int) -> int:
    """The customer's points now (an Engine, Connection or Session)."""
    stmt = select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
        LoyaltyEntry.customer_id == int(customer_id))
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return int(conn.execute(stmt).scalar_one())
    return int(bind.execute(stmt).scalar_one())


def _whole(value, *, low: int) -> int:
    """A whole number ≥ low typed in a form ("1.000" allowed, "2.5" refused)."""
    number = validation.amount(value)
    if number < low or number > MAX_POINTS:
        raise Invalid("loyalty.invalid.range", {"low": low, "high": MAX_POINTS})
    return number


def _lock_customer(session: Session, customer_id: int) -> None:
    # FOR UPDATE is not rendered on SQLite, where BEGIN IMMEDIATE already serialises writers.
    session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def redeem(engine: Engine, scope: Scope, customer_id: int, raw: dict) -> int:
    """Spend points today on a gift (its cost; one from stock) or as a discount (the points
    given × loyalty.discount_vnd_per_point). Refused above the balance. Returns the
    redemption's id."""
    require_editor(scope)
    kind = raw.get("kind")
    if kind not in REDEEM_KINDS:
        raise ValidationFailed({"kind": Invalid("invalid.required")})
    checks = {"gift_id": lambda: _whole(raw.get("gift_id"), low=1)} if kind == "gift" else \
        {"points": lambda: _whole(raw.get("points"), low=1)}
    values = collect(checks)
    day = today()
    with unit_of_work(engine) as s:
        customer_row(s, scope, customer_id)
        _lock_customer(s, customer_id)
        loyalty_expiry.expire_customers(s, [customer_id], day)
        gift = None
        if kind == "gift":
            gift = s.execute(select(LoyaltyGift.id, LoyaltyGift.name, LoyaltyGift.points_cost,
                                    LoyaltyGift.active)
                             .where(LoyaltyGift.id == values["gift_id"])).first()
            if gift is None or not gift.active:
                raise ValidationFailed({"gift_id": Invalid("loyalty.invalid.no_gift")})
            points = gift.points_cost
        else:
            points = values["points"]
        have = balance(s, customer_id)
        if points > have:
            raise ValidationFailed({"points": Invalid("loyalty.invalid.over_balance",
                                                      {"points": points, "balance": have})})
        if gift is not None:
            taken = s.execute(update(LoyaltyGift)
                              .where(LoyaltyGift.id == gift.id, LoyaltyGift.stock > 0,
                                     LoyaltyGift.active.is_(True))
                              .values(stock=LoyaltyGift.stock - 1, updated_at=now())).rowcount
            if not taken:
                raise ValidationFailed({"gift_id": Invalid("loyalty.invalid.out_of_stock")})
        discount = None if gift is not None else \
            points * settings.get(s, "loyalty.discount_vnd_per_point")
        entry = LoyaltyEntry(customer_id=customer_id, entry_date=day, kind="redeem", points=-points,
                             note=gift.name if gift is not None else None)
        s.add(entry)
        s.flush()
        row = LoyaltyRedemption(ledger_id=entry.id, customer_id=customer_id, kind=kind,
                                gift_id=gift.id if gift is not None else None, points=points,
                                discount_vnd=discount, redeemed_on=day, created_by=scope.user_id,
                                created_at=now())
        s.add(row)
        s.flush()
        audit.record(s, scope, "redeem", "loyalty", row.id, before={"balance": have}, after={
            "customer_id": customer_id, "kind": kind, "gift_id": row.gift_id, "points": points,
            "discount_vnd": discount, "balance": have - points})
        summaries.refresh_customers(s, [customer_id])
        return row.id


# --- the gift list -------------------------------------------------------------------------

def _gift_values(raw: dict) -> dict:
    return collect({
        "name": lambda: validation.required_text(raw.get("name"), 200),
        "points_cost": lambda: _whole(raw.get("points_cost"), low=1),
        "stock": lambda: _whole(raw.get("stock"), low=0),
        "active": lambda: bool(raw.get("active", True)),
    })


def _require_gift_manager(engine: Engine, scope: Scope) -> None:
    if scope.role not in GIFT_MANAGERS:
        raise access.refuse(engine, scope, "loyalty_gifts")


def add_gift(engine: Engine, scope: Scope, raw: dict) -> int:
    """A new gift (admin / manager)."""
    _require_gift_manager(engine, scope)
    values = _gift_values(raw)
    with unit_of_work(engine) as s:
        at = now()
        gift = LoyaltyGift(created_at=at, updated_at=at, **values)
        s.add(gift)
        s.flush()
        audit.record(s, scope, "create", "loyalty_gift", gift.id, after=values)
        return gift.id


def update_gift(engine: Engine, scope: Scope, gift_id: int, raw: dict) -> None:
    """Change a gift's name, cost, stock (the count on the shelf now) or active flag."""
    _require_gift_manager(engine, scope)
    values = _gift_values(raw)
    with unit_of_work(engine) as s:
        cols = (LoyaltyGift.name, LoyaltyGift.points_cost, LoyaltyGift.stock, LoyaltyGift.active)
        before = s.execute(select(*cols).where(LoyaltyGift.id == int(gift_id)).with_for_update()) \
            .mappings().first()
        if before is None:
            raise NotFound(gift_id)
        s.execute(update(LoyaltyGift).where(LoyaltyGift.id == int(gift_id))
                  .values(updated_at=now(), **values))
        audit.record(s, scope, "update", "loyalty_gift", gift_id, before=dict(before), after=values)
