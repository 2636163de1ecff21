"""What refreshing some customers can have changed in the rollups (crm_data.summaries.rollups):
their summary rows' state before and after (`state`) give the touched days, spans and moves
(`collect`), which rollups.refresh then recomputes or moves inside the write's transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_data.storage.bulk import among
from crm_data.storage.models import CustomerStats, Interaction, Order, Payment, StageChange
from crm_data.summaries import rollups

_FEW = 20  # more customers changing owner or region at once: their days are recomputed, not moved

_STATE = (CustomerStats.customer_id, CustomerStats.rollup_owner_id, CustomerStats.rollup_region,
          CustomerStats.rollup_alive, CustomerStats.max_order_id, CustomerStats.orders_count, CustomerStats.first_order_date,
          CustomerStats.last_order_date, CustomerStats.max_stage_change_id, CustomerStats.interactions_count,
          CustomerStats.max_interaction_id, CustomerStats.payments_count, CustomerStats.max_payment_id)
# Rollups whose new rows are told by id, and whether a customer's rows add up by count:
# fact → (date column, customer_stats' count and last-id columns).
_BY_ID = {"interactions": (Interaction.occurred_at, "interactions_count", "max_interaction_id"),
          "payments": (Payment.paid_on, "payments_count", "max_payment_id")}


def _place(st) -> tuple:
    """Where a customer's share sits in the cells: owner, region, and whether it counts."""
    return st.rollup_owner_id, st.rollup_region, bool(st.rollup_alive)


def state(session: Session, ids: list[int]) -> dict:
    return {r[0]: r for r in session.execute(
        select(*_STATE).where(among(session, CustomerStats.customer_id, ids)))}


def collect(session: Session, before: dict, after: dict, touched: dict) -> None:
    """The rollup cells these customers' write can have changed. Orders, lifecycle changes,
    interactions and payments are only ever added, so when the previous state is known: the
    days of the new rows, and the customer's share moved between places if its owner, region
    or deleted state changed (for many moved customers: every day they have rows on) — only
    when the count of its rows adds up (for orders: nothing cancelled). Otherwise: every day
    between their first and last order / change, every day of their interactions / payments
    (rows that moved between customers in a merge: both are refreshed together). A
    customer's place in the cells is its owner and region (rollups.place)."""
    orders, flows = touched["orders"], touched["flows"]
    known = [cid for cid in after if before.get(cid) is not None and before[cid].rollup_alive is not None]
    own_orders: dict[int, list] = {}
    own_changes: dict[int, list] = {}
    if known:  # every completed order / lifecycle change of these customers, in two reads
        for cid, oid, day in session.execute(select(Order.customer_id, Order.id, Order.order_date)
                                             .where(among(session, Order.customer_id, known), Order.status == "completed")):
            own_orders.setdefault(cid, []).append((oid, rollups.as_date(day)))
        for cid, sid, at in session.execute(
                select(StageChange.customer_id, StageChange.id, StageChange.changed_at)
                .where(among(session, StageChange.customer_id, known),
                       StageChange.kind == "lifecycle")):
            own_changes.setdefault(cid, []).append((sid, rollups.as_date(at)))
    many_moves = sum(1 for cid in known if _place(before[cid]) != _place(after[cid])) > _FEW
    def changed(cid: int, n_col: str, max_col: str) -> bool:
        """Interactions / payments: only the rows of customers whose rows changed (count or
        last id) or whose days are all recomputed are read — none for an import of orders."""
        new, old = after[cid], before.get(cid)
        if cid not in known:
            return bool(getattr(new, n_col))
        return (getattr(new, n_col) != getattr(old, n_col) or getattr(new, max_col) != getattr(old, max_col)
                or (many_moves and _place(new) != _place(old)))

    own_rows = {fact: _own_rows(session, when, [cid for cid in after if changed(cid, n_col, max_col)])
                for fact, (when, n_col, max_col) in _BY_ID.items()}
    unknown = []  # customers whose flows are recomputed over their span
    for cid, new in after.items():
        old = before.get(cid)
        if cid not in known:
            unknown.append(cid)
            _order_span(orders, [new.first_order_date, new.last_order_date] + (
                [old.first_order_date, old.last_order_date] if old is not None else []))
            for fact in _BY_ID:
                touched[fact].days.update(d for _i, d in own_rows[fact].get(cid, []))
            continue
        if not new.rollup_alive and not old.rollup_alive:
            continue  # deleted before and after: counted nowhere
        mine_o, mine_c = own_orders.get(cid, []), own_changes.get(cid, [])
        newer = [d for i, d in mine_o if i > (old.max_order_id or 0)]
        counted = (new.orders_count or 0) == (old.orders_count or 0) + len(newer)
        moved = _place(new) != _place(old) and (
            cid, rollups.place(old.rollup_owner_id, old.rollup_region), bool(old.rollup_alive),
            rollups.place(new.rollup_owner_id, new.rollup_region), bool(new.rollup_alive))
        if moved and many_moves:  # recompute every day they have rows on
            flows.days.update(d for _i, d in mine_c)
            orders.days.update(d for _i, d in mine_o)
        else:
            # Moves first, then the new rows' days are recomputed from the raw rows.
            if moved:
                flows.moves.append(moved)
                if counted:
                    orders.moves.append(moved)
            flows.days.update(d for i, d in mine_c if i > (old.max_stage_change_id or 0))
            orders.days.update(newer)
        if not counted:
            _order_span(orders, [new.first_order_date, new.last_order_date, old.first_order_date,
                                 old.last_order_date])
        for fact, (_when, n_col, max_col) in _BY_ID.items():
            mine = own_rows[fact].get(cid, [])
            new_rows = [d for i, d in mine if i > (getattr(old, max_col) or 0)]
            adds_up = (getattr(new, n_col) or 0) == (getattr(old, n_col) or 0) + len(new_rows)
            if (moved and many_moves) or not adds_up:
                touched[fact].days.update(d for _i, d in mine)
                continue
            if moved:
                touched[fact].moves.append(moved)
            touched[fact].days.update(new_rows)
    if unknown:
        lo, hi = session.execute(select(func.min(StageChange.changed_at), func.max(StageChange.changed_at))
                                 .where(among(session, StageChange.customer_id, unknown),
                                        StageChange.kind == "lifecycle")).one()
        if lo is not None:
            flows.spans.append((rollups.as_date(lo), rollups.as_date(hi)))


def _own_rows(session: Session, when, ids: list[int]) -> dict[int, list]:
    """Per customer: (id, day) of each of its rows of the fact table `when` belongs to."""
    fact = when.class_
    out: dict[int, list] = {}
    if not ids:
        return out
    for cid, rid, at in session.execute(select(fact.customer_id, fact.id, when)
                                        .where(among(session, fact.customer_id, ids))):
        out.setdefault(cid, []).append((rid, rollups.as_date(at)))
    return out


def _order_span(orders: rollups.Touched, dates: list) -> None:
    span = [rollups.as_date(d) for d in dates if d is not None]
    if span:
        orders.spans.append((min(span), max(span)))
