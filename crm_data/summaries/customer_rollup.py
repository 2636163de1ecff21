"""customer_rollup: non-deleted customers per day, owner and region — by the day they were created
("created", with the sum of their debt), and by the day of their first and of their last
completed order ("first_order", "last_order"). Every customer sits in exactly one cell of
each kind (in none of the order kinds before their first order), so counts over any range
of days add up: total and new customers, first-time buyers, churn and recency bands read
days × owners rows instead of every customer.

Maintained by crm_data.summaries.refresh_customers from what each summary row was counted
under before and after the write (customer_stats.rollup_owner_id, rollup_region,
rollup_alive, rollup_created_on, first / last order date, debt): the old cells lose the customer, the new
ones gain it. Rebuilt whole by summaries.rebuild_all. Reports read it like the other rollups:
a filter of regions and owners at most, and a scope of everyone or own customers
(crm_data.summaries.rollups.owner_condition).
"""

from __future__ import annotations

from sqlalchemy import (
    Row,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from crm_data.storage.bulk import among
from crm_data.storage.models import CustomerRollup as CR
from crm_data.storage.models import CustomerStats as S
from crm_data.summaries.rollups import as_date, lock

CREATED, FIRST_ORDER, LAST_ORDER = "created", "first_order", "last_order"
_DAYS = {CREATED: S.rollup_created_on, FIRST_ORDER: S.first_order_date, LAST_ORDER: S.last_order_date}
_STATE = (S.customer_id, S.rollup_owner_id, S.rollup_region, S.rollup_alive, S.rollup_created_on,
          S.first_order_date, S.last_order_date, S.debt)


def state(session: Session, ids: list[int]) -> dict[int, Row]:
    """What these customers' summary rows are counted under now (rows of _STATE's columns)."""
    return {r.customer_id: r for r in session.execute(
        select(*_STATE).where(among(session, S.customer_id, ids)))}


def _cells(st: Row | None) -> dict[tuple, tuple[int, int]]:
    """{(kind, day, owner, region): (customers, debt)} of one customer's state."""
    # Not alive, or a row from before this rollup existed (no creation day: counted nowhere
    # until the rebuild that the migration asked for).
    if st is None or not st.rollup_alive or st.rollup_created_on is None:
        return {}
    owner, region = st.rollup_owner_id, st.rollup_region
    first, last = st.first_order_date, st.last_order_date
    out = {(CREATED, as_date(st.rollup_created_on), owner, region): (1, int(st.debt or 0))}
    for kind, day in ((FIRST_ORDER, first), (LAST_ORDER, last)):
        if day is not None:
            out[(kind, as_date(day), owner, region)] = (1, 0)
    return out


def apply(session: Session, before: dict, after: dict) -> None:
    """Move the customers from the cells of their `before` states to those of `after`."""
    write(session, delta(before, after))


def delta(before: dict, after: dict, into: dict | None = None) -> dict:
    """{cell: [customers, debt]} the move from `before` to `after` adds to each cell
    (added to `into`: several chunks' moves add up to one write)."""
    out = {} if into is None else into
    for cid in set(before) | set(after):
        for sign, st in ((-1, before.get(cid)), (1, after.get(cid))):
            for key, (n, debt) in _cells(st).items():
                d = out.setdefault(key, [0, 0])
                d[0] += sign * n
                d[1] += sign * debt
    return out


def write(session: Session, delta: dict) -> None:
    """Add a delta's non-zero changes to the cells, in one read and one statement per kind."""
    delta = {k: v for k, v in delta.items() if v != [0, 0]}
    if not delta:
        return
    lock(session)
    keys = {(kind, day) for kind, day, _owner, _region in delta}
    found = {(r.kind, as_date(r.day), r.owner_id, r.region): r for r in session.execute(
        select(CR.id, CR.kind, CR.day, CR.owner_id, CR.region, CR.customers, CR.debt)
        .where(tuple_(CR.kind, CR.day).in_(sorted(keys))))}
    updates, inserts, gone = [], [], []
    for key, (n, debt) in delta.items():
        row = found.get(key)
        if row is None:
            inserts.append({"kind": key[0], "day": key[1], "owner_id": key[2], "region": key[3],
                            "customers": n, "debt": debt})
        elif row.customers + n == 0:
            gone.append(row.id)
        else:
            updates.append({"id": row.id, "customers": row.customers + n, "debt": int(row.debt) + debt})
    if gone:
        session.execute(delete(CR).where(among(session, CR.id, gone)))
    if updates:
        session.execute(update(CR), updates)
    if inserts:
        session.execute(insert(CR), inserts)


def rebuild(session: Session) -> None:
    """Every cell from the summary rows (after they were rebuilt)."""
    session.execute(delete(CR))
    for kind, day in _DAYS.items():
        debt = func.sum(S.debt) if kind == CREATED else literal(0)
        q = (select(literal(kind), day, S.rollup_owner_id, S.rollup_region, func.count(),
                    func.coalesce(debt, 0))
             .where(S.rollup_alive.is_(True), day.is_not(None))
             .group_by(day, S.rollup_owner_id, S.rollup_region))
        session.execute(insert(CR).from_select(["kind", "day", "owner_id", "region", "customers", "debt"], q))


def total(owners) -> Select:
    """The visible customers with a summary row (the customer list's total under no filter or
    regions / owners): Σ of the created cells the actor sees (~1,000s of cells instead of
    every customer)."""
    return select(func.coalesce(func.sum(CR.customers), 0)).where(CR.kind == CREATED, owners)


def count(*conds):
    """Σ customers of the cells matching all `conds`."""
    return func.coalesce(func.sum(case((and_(*conds), CR.customers), else_=0)), 0)


def in_days(kind: str, lo, hi_x):
    """Cells of `kind` dated in [lo, hi_x) (either end None: open)."""
    conds = [CR.kind == kind]
    if lo is not None:
        conds.append(CR.day >= lo)
    if hi_x is not None:
        conds.append(CR.day < hi_x)
    return and_(*conds)
