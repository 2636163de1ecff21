"""Points expiry (settings loyalty.expiry_months = N; 0 = never).

Definition, first in first out: the points earned on day d (an earn row, or a positive
adjustment) expire on d + N calendar months (31/01 + 1 month = 28/02 or 29/02) — from that
day on they cannot be spent — unless already spent: every redemption (or negative
adjustment) uses the oldest points still valid on its day. What is left of a lot on its
expiry day becomes an "expire" ledger row dated that day. A history written under another
rule (expiry off at the time, the sample, an import) may have spent points that the rule
now in force would have expired: such a spend takes them back from the latest expiries,
so switching expiry on never drives a balance below zero.

`expire_customers` replays a customer's ledger (the expire rows aside) and writes what is
due but not yet written, so a run is idempotent and a late run dates its rows correctly.
Expire rows already written are never taken back (also when N changes afterwards): a run
only writes the part of the replayed total not yet expired, so the balance never goes
below zero. Runs: `crm loyalty expire`, the daily summary refresh, and every redemption
(for its customer) before it reads the balance."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.domain.periods import _add_months as add_months  # calendar months, day clamped
from crm_data.domain.periods import as_date
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import CustomerStats, LoyaltyEntry

_CHUNK = 500


def due(rows: Iterable[tuple[dt.date, int]], day: dt.date, months: int) -> list[tuple[dt.date, int]]:
    """(expiry day, points) of every lot expired by `day`, in order, from one customer's
    non-expire ledger rows (entry_date, points) in ledger order."""
    lots: deque[list] = deque()  # [expires_on, points left], oldest first
    short = 0  # spent beyond the lots (a negative adjustment on old data): repaid first
    out: list[list] = []  # [expired on, points], in order

    def expire_until(d: dt.date) -> None:
        while lots and lots[0][0] <= d:  # expiry days rise with the earn days
            out.append(lots.popleft())

    for entry_date, points in rows:
        entry_date = as_date(entry_date)
        if entry_date > day:
            break
        expire_until(entry_date)
        if points > 0:
            repaid = min(short, points)
            short, points = short - repaid, points - repaid
            if points:
                lots.append([add_months(entry_date, months), points])
            continue
        need = -points
        while need and lots:
            take = min(need, lots[0][1])
            lots[0][1] -= take
            need -= take
            if not lots[0][1]:
                lots.popleft()
        # More spent than was valid: only a history written under another rule (expiry
        # off, the sample, an import) does that. Those points were not lost then, so the
        # spend takes them back from the latest expiries: no balance goes below zero.
        for lot in reversed(out):
            if not need:
                break
            take = min(need, lot[1])
            lot[1] -= take
            need -= take
        short += need
    expire_until(day)
    return [(d, p) for d, p in out if p > 0]


def _to_write(lots: list[tuple[dt.date, int]], already: int) -> list[tuple[dt.date, int]]:
    """The replayed expiries beyond the `already` points expired, oldest first."""
    rows = []
    for day, points in lots:
        skip = min(already, points)
        already -= skip
        if points - skip:
            rows.append((day, points - skip))
    return rows


def expire_customers(session: Session, customer_ids: Iterable[int], day: dt.date) -> int:
    """Write the expire rows due by `day` for these customers in the caller's transaction
    and keep their summary points; returns the points expired now."""
    return _expire(session, customer_ids, day)[0]


def _expire(session: Session, customer_ids: Iterable[int], day: dt.date) -> tuple[int, list[int]]:
    months = settings.get(session, "loyalty.expiry_months")
    ids = sorted({int(i) for i in customer_ids})
    if months <= 0 or not ids:
        return 0, []
    total, touched = 0, []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        ledger: dict[int, list] = {}
        already: dict[int, int] = {}
        for cid, entry_date, kind, points in session.execute(
                select(LoyaltyEntry.customer_id, LoyaltyEntry.entry_date, LoyaltyEntry.kind,
                       LoyaltyEntry.points)
                .where(LoyaltyEntry.customer_id.in_(chunk))
                .order_by(LoyaltyEntry.customer_id, LoyaltyEntry.entry_date, LoyaltyEntry.id)):
            if kind == "expire":
                already[cid] = already.get(cid, 0) - points
            else:
                ledger.setdefault(cid, []).append((entry_date, points))
        new = []
        for cid, rows in ledger.items():
            for when, points in _to_write(due(rows, day, months), already.get(cid, 0)):
                new.append({"customer_id": cid, "entry_date": when, "kind": "expire",
                            "points": -points, "order_id": None, "note": None})
                total += points
        if new:
            session.execute(insert(LoyaltyEntry), new)
            touched.extend(sorted({r["customer_id"] for r in new}))
    _sync_points(session, touched)
    return total, touched


def _sync_points(session: Session, ids: list[int]) -> None:
    """Only the points column changes with an expiry (no tier, group or rollup reads it)."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        pts = (select(func.coalesce(func.sum(LoyaltyEntry.points), 0))
               .where(LoyaltyEntry.customer_id == CustomerStats.customer_id).scalar_subquery())
        session.execute(update(CustomerStats).where(CustomerStats.customer_id.in_(chunk))
                        .values(points=pts))


def expire_all(engine: Engine, day: dt.date, scope: Scope = SYSTEM) -> tuple[int, int]:
    """Expire what is due by `day` for every customer (one transaction, audited when it
    wrote anything); returns (customers touched, points expired)."""
    with unit_of_work(engine) as s:
        months = settings.get(s, "loyalty.expiry_months")
        if months <= 0:
            return 0, 0
        cutoff = add_months(day, -months)  # earned after it: nothing of theirs can be due
        candidates = list(s.scalars(
            select(LoyaltyEntry.customer_id).group_by(LoyaltyEntry.customer_id)
            .having(func.sum(LoyaltyEntry.points) > 0, func.min(LoyaltyEntry.entry_date) <= cutoff)))
        points, touched = _expire(s, candidates, day)
        if points:
            audit.record(s, scope, "expire", "loyalty", None, detail={
                "day": day.isoformat(), "months": months, "points": points,
                "customers": len(touched)})
    return len(touched), points
