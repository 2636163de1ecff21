"""What the Loyalty page and `crm report loyalty` show: points outstanding and their value
(the liability), earned / redeemed / expired by period, top holders, the gift list and one
customer's history. Every number is aggregated in the database, within the actor's scope."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from crm_data.accounts import access
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.domain.periods import Period, as_date, bucket_start, buckets
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports.scoping import visible
from crm_data.storage.models import (
    Customer,
    CustomerStats,
    LoyaltyEntry,
    LoyaltyGift,
    LoyaltyRedemption,
)

MOVES = ("earned", "redeemed", "expired", "adjusted")
_KIND_OF = {"earned": "earn", "redeemed": "redeem", "expired": "expire", "adjusted": "adjust"}


def liability(engine: Engine, scope: Scope) -> dict:
    """Points outstanding now (Σ of the positive balances of visible customers), how many
    customers hold them, the discount value of a point and their value in đồng."""
    pts = CustomerStats.points
    # From ix_stats_points alone, the scope as a set of ids (no probe into customers per holder).
    q = (select(func.coalesce(func.sum(pts), 0), func.count())
         .where(pts > 0, visible(CustomerStats.customer_id, scope, None)))
    with engine.connect() as conn:
        points, holders = conn.execute(q).one()
        per_point = settings.get(conn, "loyalty.discount_vnd_per_point")
    points = int(points or 0)
    return {"points": points, "holders": int(holders or 0), "vnd_per_point": per_point,
            "liability_vnd": points * per_point}


def by_period(engine: Engine, scope: Scope, period: Period, granularity: str) -> pd.DataFrame:
    """Per bucket of the period: points earned, redeemed, expired (positive numbers) and the
    net of adjustments; every bucket present. Summed per day and kind in the database (a
    streaming group over ix_loyalty_date_cover, no per-row date function), then per bucket."""
    q = (select(LoyaltyEntry.entry_date, LoyaltyEntry.kind, func.sum(LoyaltyEntry.points))
         .where(LoyaltyEntry.entry_date >= period.start, LoyaltyEntry.entry_date <= period.end,
                visible(LoyaltyEntry.customer_id, scope, None))
         .group_by(LoyaltyEntry.entry_date, LoyaltyEntry.kind))
    sums = {start: dict.fromkeys(MOVES, 0) for start in buckets(period, granularity)}
    move_of = {kind: move for move, kind in _KIND_OF.items()}
    with engine.connect() as conn:
        for day, kind, points in conn.execute(q):
            if kind in move_of:
                sums[bucket_start(as_date(day), granularity)][move_of[kind]] += int(points)
    rows = [{"bucket": start, "earned": v["earned"], "redeemed": -v["redeemed"],
             "expired": -v["expired"], "adjusted": v["adjusted"]} for start, v in sums.items()]
    return pd.DataFrame(rows, columns=["bucket", *MOVES])


def top_holders(engine: Engine, scope: Scope, limit: int = 20) -> pd.DataFrame:
    """The visible customers holding the most points (personal data: not for the viewer)."""
    access.require_personal_data(engine, scope, "loyalty_holders")
    cols = [Customer.id.label("customer_id"), Customer.code, Customer.full_name, Customer.owner_id,
            CustomerStats.points, CustomerStats.last_order_date]
    q = (customers_from().add_columns(*cols).where(*customer_where(scope, None), CustomerStats.points > 0)
         .order_by(CustomerStats.points.desc(), Customer.id).limit(int(limit)))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.key for c in cols])


def gifts(engine: Engine, active_only: bool = False) -> pd.DataFrame:
    """The gift list with how many of each were given (redemptions) so far."""
    given = (select(LoyaltyRedemption.gift_id, func.count().label("given"))
             .where(LoyaltyRedemption.gift_id.is_not(None))
             .group_by(LoyaltyRedemption.gift_id).subquery())
    q = (select(LoyaltyGift.id, LoyaltyGift.name, LoyaltyGift.points_cost, LoyaltyGift.stock,
                LoyaltyGift.active, func.coalesce(given.c.given, 0).label("given"))
         .outerjoin(given, given.c.gift_id == LoyaltyGift.id)
         .order_by(LoyaltyGift.active.desc(), LoyaltyGift.points_cost, LoyaltyGift.id))
    if active_only:
        q = q.where(LoyaltyGift.active.is_(True))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=["id", "name", "points_cost", "stock", "active", "given"])


def history(engine: Engine, scope: Scope, customer_id: int, limit: int = 200) -> pd.DataFrame:
    """One visible customer's ledger, newest first, with what each redemption bought."""
    q = (select(LoyaltyEntry.entry_date, LoyaltyEntry.kind.label("loyalty_kind"), LoyaltyEntry.points,
                LoyaltyGift.name.label("gift"), LoyaltyRedemption.discount_vnd, LoyaltyEntry.note)
         .join(Customer, Customer.id == LoyaltyEntry.customer_id)
         .outerjoin(LoyaltyRedemption, LoyaltyRedemption.ledger_id == LoyaltyEntry.id)
         .outerjoin(LoyaltyGift, LoyaltyGift.id == LoyaltyRedemption.gift_id)
         .where(LoyaltyEntry.customer_id == int(customer_id), scope.customer_clause(Customer))
         .order_by(LoyaltyEntry.entry_date.desc(), LoyaltyEntry.id.desc()).limit(int(limit)))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=["entry_date", "loyalty_kind", "points", "gift", "discount_vnd",
                                     "note"])
