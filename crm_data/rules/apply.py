"""Applying the rules in force to every customer (`crm rules apply`, a save, a restore), the
preview of a changed definition (computed in SQL, nothing written), and saving a version.

The apply is one UPDATE of customer_stats' classification columns from its own figures and
the customer's fields (no order is read), then the journey stages the churn window implies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.domain import labels
from crm_data.domain.clock import now, today
from crm_data.rules import sql as rules_sql
from crm_data.rules import store as rules_store
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, CustomerStats, RuleVersion


def cutoffs_for(session: Session, defn: dict, ref: dt.date, fresh: bool) -> dict | None:
    """Quintile cut-offs (None in fixed mode): recomputed when `fresh` or never computed."""
    if defn["rfm"]["mode"] != "quintiles":
        return None
    stored = rules_sql.stored_cutoffs(session)
    if fresh or stored is None:
        stored = rules_sql.compute_cutoffs(session, ref, defn["churn_days"])
        rules_sql.store_cutoffs(session, stored)
    return stored


def classify_only(session: Session, ref: dt.date) -> None:
    """Every customer's classification columns from its summary row, with the rules in force
    (quintile cut-offs recomputed), in the caller's transaction."""
    version, defn = rules_store.current(session)
    cols = rules_sql.columns(defn, version, ref, cutoffs_for(session, defn, ref, True),
                             rules_sql.stats_inputs())
    session.execute(update(CustomerStats).where(CustomerStats.customer_id == Customer.id).values(**cols))


def classify(session: Session, ref: dt.date) -> int:
    """classify_only, then the journey stages the churn window implies; returns the number
    of customers whose stage moved."""
    from crm_data import summaries  # summary imports this module

    classify_only(session, ref)
    return summaries.sync_lifecycle_and_flows(session, None, ref)


def apply_all(engine: Engine, ref: dt.date | None = None) -> int:
    """`crm rules apply`: every customer; returns the number of customers."""
    ref = ref or today()
    with unit_of_work(engine) as s:
        classify(s, ref)
        return int(s.scalar(select(func.count()).select_from(CustomerStats)) or 0)


@dataclass(frozen=True)
class Saved:
    version: int
    moved: int  # customers whose tier or groups changed


def save(engine: Engine, scope: Scope, defn: dict, note: str = "", restored_from: int | None = None,
         ref: dt.date | None = None) -> Saved:
    """A new version (admin only), applied to every customer in the same transaction, audited
    with the whole previous definition."""
    if scope.role != "admin":
        raise PermissionError("rules are changed by an admin")
    checked = rules_store.normalise(defn)
    ref = ref or today()
    with unit_of_work(engine) as s:
        old_version, old = rules_store.current(s)
        before = _assignments(s)
        version = rules_store.next_version(s)
        if version == 1:  # a database made without the migration's version 1
            s.add(RuleVersion(version=1, definition=rules_store.dumps(old), created_at=now()))
            version = 2
        s.add(RuleVersion(version=version, definition=rules_store.dumps(checked), created_at=now(),
                          created_by=scope.user_id, created_by_name=scope.username,
                          note=(note or "").strip()[:200] or None, restored_from=restored_from))
        s.flush()
        classify(s, ref)
        after = _assignments(s)
        moved = sum(1 for cid, pair in after.items() if before.get(cid) != pair)
        audit.record(s, scope, "update", "rules", version,
                     before={"version": old_version, "definition": old},
                     after={"version": version, "definition": checked, "moved": moved,
                            "restored_from": restored_from})
    labels.set_configured_churn_days(checked["churn_days"])
    return Saved(version, moved)


def restore(engine: Engine, scope: Scope, version: int, ref: dt.date | None = None) -> Saved:
    """Put a previous version back in force, as a new version (history is never rewritten)."""
    defn = rules_store.definition_of(engine, version)
    if defn is None:
        raise KeyError(version)
    return save(engine, scope, defn, note="", restored_from=int(version), ref=ref)


def _assignments(session: Session) -> dict:
    return {cid: (tier, groups) for cid, tier, groups in session.execute(
        select(CustomerStats.customer_id, CustomerStats.tier, CustomerStats.groups))}


# --- preview ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    moves: pd.DataFrame  # from_tier, to_tier, customers (tier changes only)
    group_changes: pd.DataFrame  # group, joined, left
    customers: pd.DataFrame  # code, full_name, tier, new_tier, groups, new_groups (≤ limit)
    changed: int  # customers whose tier or groups would change


def preview(engine: Engine, scope: Scope, defn: dict, ref: dt.date | None = None,
            limit: int = 500) -> Preview:
    """What saving `defn` would change, from customer_stats and the stored assignments, in SQL;
    nothing is written (the quintile cut-offs are computed, not stored)."""
    if scope.role != "admin":
        raise PermissionError("rules are previewed by an admin")
    checked = rules_store.normalise(defn)
    ref = ref or today()
    with Session(engine) as s:
        cutoffs = (rules_sql.compute_cutoffs(s, ref, checked["churn_days"])
                   if checked["rfm"]["mode"] == "quintiles" else None)
        cols = rules_sql.columns(checked, 0, ref, cutoffs, rules_sql.stats_inputs())
        new = (select(CustomerStats.customer_id.label("cid"), Customer.code, Customer.full_name,
                      CustomerStats.tier.label("tier"), cols["tier"].label("new_tier"),
                      CustomerStats.groups.label("groups"), cols["groups"].label("new_groups"))
               .join(Customer, Customer.id == CustomerStats.customer_id)
               .where(Customer.deleted_at.is_(None)).subquery("n"))
        differs = or_(new.c.tier != new.c.new_tier, new.c.groups != new.c.new_groups)
        moves = pd.DataFrame(s.execute(
            select(new.c.tier.label("from_tier"), new.c.new_tier.label("to_tier"), func.count().label("customers"))
            .where(new.c.tier != new.c.new_tier).group_by(new.c.tier, new.c.new_tier)
            .order_by(func.count().desc())).mappings().all(), columns=["from_tier", "to_tier", "customers"])
        counts = []  # per group: joined, left — one pass
        for g in labels.GROUPS:
            was, now_in = new.c.groups.like(f"%,{g},%"), new.c.new_groups.like(f"%,{g},%")
            counts += [func.count().filter(and_(now_in, ~was)), func.count().filter(and_(was, ~now_in))]
        found = s.execute(select(*counts)).one()
        changes = [{"group": g, "joined": int(found[2 * i] or 0), "left": int(found[2 * i + 1] or 0)}
                   for i, g in enumerate(labels.GROUPS) if found[2 * i] or found[2 * i + 1]]
        changed = int(s.scalar(select(func.count()).select_from(new).where(differs)) or 0)
        rows = pd.DataFrame(s.execute(
            select(new.c.code, new.c.full_name, new.c.tier, new.c.new_tier, new.c.groups, new.c.new_groups)
            .where(differs).order_by(new.c.code).limit(limit)).mappings().all(),
            columns=["code", "full_name", "tier", "new_tier", "groups", "new_groups"])
    return Preview(moves, pd.DataFrame(changes, columns=["group", "joined", "left"]), rows, changed)
