"""funnel_rollup: the funnel's two views in cells per day ("d") and month ("m"), owner and
region, of non-deleted customers.

Cohort view (reports.funnel.cohort), by the customer's creation day:
- "reach": customers by current pipeline stage (stage) and furthest rank of their pipeline
  changes (value, NULL without any);
- "stay": their ended pipeline stays by stage and length in tenths of a day (value);
- "lost": those in 'lost' now by the reason of their change to it (stage).
Built by the funnel report's own cohort queries (cohort_cells, below, which the report shares).

Flow view (reports.funnel.funnel), by the day of the pipeline change:
- "entry": changes into a stage by the day of the customer's previous entry into it, as
  days since EPOCH (value, NULL the first time): a change is a first entry within a period
  starting on day a exactly when that day is before a (stage_changes.previous_entry_at);
- "fstay": ended stays by stage and tenths of a day (value).

A year at a million customers is ~400,000 new customers and 1.5 million changes; its cells
are a few thousand rows (whole months from "m", the edges from "d").

Maintained inside every write's transaction by summary.refresh_customers: the creation days
of the touched customers (before: customer_stats.rollup_created_on; after: their row) and
the days of all their pipeline changes (a new change moves the previous one's left_at) are
recomputed for all owners and regions from the raw rows — which covers stage moves, owner
and region changes, deletions and merges alike — then their months from the days. Rebuilt
whole by summary.rebuild_all. Read when the filter holds nothing but regions and owners and
the scope is everyone or own customers (rollups.owner_condition), split by nothing, owner
or period.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period, bucket, days_between
from crm_data.domain.sqltime import tenths_of_days
from crm_data.filters.customer_filter import LOST, CustomerFilter
from crm_data.storage.bulk import among
from crm_data.storage.models import Customer as C
from crm_data.storage.models import StageChange as SC
from crm_data.storage.models.funnel import FunnelRollup as FR
from crm_data.summaries.rollups import (
    _midnight,
    _month,
    _next_month,
    as_date,
    lock,
    owner_condition,
)

KINDS = ("reach", "stay", "lost")
FLOW_KINDS = ("entry", "fstay")
EPOCH = dt.date(2000, 1, 1)
_CELL = ["kind", "grain", "start", "owner_id", "region", "stage", "value", "n"]
_SPLITS = (None, "owner", "period")
_DAYS_PER_STATEMENT = 200

STAGES = ("new", "contacted", "qualified", "quoted", "won")
RANK = {stage: i for i, stage in enumerate(STAGES)}  # a stage's place in the pipeline


def _spans(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as [first, last + 1) runs of consecutive days."""
    out: list[list[dt.date]] = []
    for d in days:
        if out and out[-1][1] == d:
            out[-1][1] = d + dt.timedelta(days=1)
        else:
            out.append([d, d + dt.timedelta(days=1)])
    return [(a, b) for a, b in out]


def _in_days(col, days: list[dt.date]):
    return or_(*(and_(col >= _midnight(a), col < _midnight(b)) for a, b in _spans(days)))


def _cohort_day_cells(session: Session, created) -> None:
    """Insert the cohort's "d" cells of the customers matching `created`."""

    members = select().select_from(C).where(C.deleted_at.is_(None), created)
    keys = (func.date(C.created_at), C.owner_id, C.region)
    for kind, q in zip(KINDS, cohort_cells(members, keys), strict=True):
        cols = list(q.subquery().c)
        if kind == "lost":  # (day, owner, region, reason, n): no value
            cols.insert(len(keys) + 1, cast(null(), Integer))
        session.execute(insert(FR).from_select(_CELL, select(literal(kind), literal("d"), *cols)))


def _flow_day_cells(session: Session, changed) -> None:
    """Insert the flow's "d" cells of the pipeline changes matching `changed`."""
    base = (select().select_from(SC).join(C, C.id == SC.customer_id)
            .where(C.deleted_at.is_(None), SC.kind == "pipeline", changed))
    keys = (func.date(SC.changed_at), C.owner_id, C.region, SC.to_stage)
    prev = days_between(literal(EPOCH, Date), func.date(SC.previous_entry_at))
    tenths = tenths_of_days(SC.changed_at, SC.left_at)
    for kind, value, q in (("entry", prev, base), ("fstay", tenths, base.where(SC.left_at.is_not(None)))):
        cells = q.add_columns(literal(kind), literal("d"), *keys, value, func.count()).group_by(*keys, value)
        session.execute(insert(FR).from_select(_CELL, cells))


def _month_cells(session: Session, months: list[dt.date] | None, kinds: tuple) -> None:
    """Replace the "m" cells of these kinds and months (all when None) by the sums of their days."""
    start = bucket(FR.start, "month")
    when = [FR.grain == "d", FR.kind.in_(kinds)]
    gone = [FR.grain == "m", FR.kind.in_(kinds)]
    if months is not None:
        when.append(or_(*(and_(FR.start >= m, FR.start < _next_month(m)) for m in months)))
        gone.append(FR.start.in_(months))
    session.execute(delete(FR).where(*gone))
    q = (select(FR.kind, literal("m"), start, *_place(), FR.stage, FR.value, func.sum(FR.n))
         .where(*when).group_by(FR.kind, start, *_place(), FR.stage, FR.value))
    session.execute(insert(FR).from_select(_CELL, q))


def _place():
    """The customer columns a cell is keyed by besides its day / month."""
    return FR.owner_id, FR.region


def change_days(session: Session, customer_ids: list[int]) -> set[dt.date]:
    """The days of these customers' pipeline changes."""
    days = session.scalars(select(func.date(SC.changed_at)).distinct()
                           .where(among(session, SC.customer_id, customer_ids), SC.kind == "pipeline"))
    return {as_date(d) for d in days}


def refresh(session: Session, created_days, changed_days) -> None:
    """Recompute the cohort cells of these creation days and the flow cells of these change
    days from the raw rows; their months change by the difference."""
    for kinds, days, cells_of, col in ((KINDS, created_days, _cohort_day_cells, C.created_at),
                                       (FLOW_KINDS, changed_days, _flow_day_cells, SC.changed_at)):
        days = sorted({as_date(d) for d in days if d is not None})
        if not days:
            continue
        lock(session)
        for i in range(0, len(days), _DAYS_PER_STATEMENT):
            part = days[i:i + _DAYS_PER_STATEMENT]
            cells = and_(FR.kind.in_(kinds), FR.grain == "d", FR.start.in_(part))
            _delta(session, cells, -1)
            session.execute(delete(FR).where(cells))
            cells_of(session, _in_days(col, part))
            _delta(session, cells, 1)
        _fold(session, sorted({_month(d) for d in days}), kinds)


def _delta(session: Session, day_cells, sign: int) -> None:
    """Add these day cells × sign to their months as "x" (delta) rows: a month's day cells
    are many (a stay cell per tenth of a day), its touched days' few."""
    start = bucket(FR.start, "month")
    session.execute(insert(FR).from_select(_CELL, select(
        FR.kind, literal("x"), start, *_place(), FR.stage, FR.value, sign * func.sum(FR.n))
        .where(day_cells).group_by(FR.kind, start, *_place(), FR.stage, FR.value)))


def _fold(session: Session, months: list[dt.date], kinds: tuple) -> None:
    """The months' cells plus their "x" rows, summed back into "m" cells."""
    session.execute(update(FR).where(FR.grain == "m", FR.kind.in_(kinds), FR.start.in_(months))
                    .values(grain="x"))
    total = func.sum(FR.n)
    session.execute(insert(FR).from_select(_CELL, select(
        FR.kind, literal("m"), FR.start, *_place(), FR.stage, FR.value, total)
        .where(FR.grain == "x").group_by(FR.kind, FR.start, *_place(), FR.stage, FR.value)
        .having(total != 0)))
    session.execute(delete(FR).where(FR.grain == "x"))


def rebuild(session: Session) -> None:
    """Every cell from the raw rows."""
    session.execute(delete(FR))
    _cohort_day_cells(session, C.created_at.is_not(None))
    _flow_day_cells(session, SC.changed_at.is_not(None))
    _month_cells(session, None, KINDS + FLOW_KINDS)


def owners(scope: Scope, flt: CustomerFilter | None, split: str | None):
    """The cells this actor may read under the filter and split, or None when the rollup
    cannot answer (a filter on more than regions and owners, a split by a customer column
    other than the owner)."""
    if split not in _SPLITS:
        return None
    return owner_condition(scope, flt, FR)


def _cells_in(period: Period, days_only: bool):
    """The cells covering days in the period: whole months from "m", the rest from "d"."""
    a, b = period.start, period.end_exclusive
    m0 = a if a.day == 1 else _next_month(a)
    m1 = _month(b)
    days = and_(FR.grain == "d", FR.start >= a, FR.start < b)
    if days_only or m0 >= m1:
        return days
    return or_(and_(FR.grain == "m", FR.start >= m0, FR.start < m1),
               and_(FR.grain == "d", or_(and_(FR.start >= a, FR.start < m0),
                                         and_(FR.start >= m1, FR.start < b))))


def read(kind: str, period: Period, allowed, split: str | None, granularity: str, n=FR.n):
    """SELECT split, stage, value, n of one kind's cells of the period, summed (n: what of
    each cell is summed)."""
    # Month cells have no week or day inside them.
    days_only = split == "period" and granularity in ("day", "week")
    where = (FR.kind == kind, _cells_in(period, days_only), allowed)
    if split is None:
        return (select(literal("all").label("split"), FR.stage, FR.value, func.sum(n).label("n"))
                .where(*where).group_by(FR.stage, FR.value))
    sv = FR.owner_id if split == "owner" else bucket(FR.start, granularity)
    return (select(sv.label("split"), FR.stage, FR.value, func.sum(n).label("n"))
            .where(*where).group_by(sv, FR.stage, FR.value))


def read_entries(period: Period, allowed, split: str | None, granularity: str):
    """SELECT split, stage, entered: the changes that are their customer's first entry into
    the stage within the period (split by period: within the bucket too)."""
    first = or_(FR.value.is_(None), FR.value < (period.start - EPOCH).days)
    if split == "period":
        first = or_(first, FR.value < days_between(literal(EPOCH, Date), bucket(FR.start, granularity)))
    cells = read("entry", period, allowed, split, granularity, case((first, FR.n), else_=0)).subquery()
    return (select(cells.c.split, cells.c.stage, func.sum(cells.c.n).label("entered"))
            .group_by(cells.c.split, cells.c.stage))


def _rank(stage_col):
    return case(*((stage_col == s, r) for s, r in RANK.items()), else_=None)


def cohort_cells(members, keys) -> tuple:
    """The cohort's three grouped queries over `members` (a SELECT of customers), each
    grouped by the `keys` (customer expressions) first:
    reach (keys, now, far, n): customers by current stage and furthest rank of their
    pipeline changes (NULL: none); stays (keys, stage, tenths, n): their ended stays by
    stage and tenths of a day; lost (keys, reason, n): those in 'lost' now by the reason of
    their (last) change to it. Shared with crm_data.summaries.funnel_rollup, which stores them per
    creation day, owner and region."""
    keys = [k.label(f"k{i}") for i, k in enumerate(keys)]
    changes = and_(SC.customer_id == C.id, SC.kind == "pipeline")
    # The furthest stage as a correlated MAX per customer (an index range each) rather than a
    # join grouped by customer: no sort of the whole cohort (tens of thousands in a year).
    far = select(func.max(_rank(SC.to_stage))).where(changes).scalar_subquery()
    p = members.add_columns(*keys, C.pipeline_stage.label("now"), far.label("far")).subquery("p")
    pk = [p.c[k.name] for k in keys]
    reach = select(*pk, p.c.now, p.c.far, func.count().label("n")).group_by(*pk, p.c.now, p.c.far)
    tenths = tenths_of_days(SC.changed_at, SC.left_at).label("tenths")
    stays = (members.add_columns(*keys, SC.to_stage.label("stage"), tenths, func.count().label("n"))
             .join(SC, changes).where(SC.left_at.is_not(None))
             .group_by(*keys, SC.to_stage, tenths))
    lost = (members.add_columns(*keys, SC.lost_reason.label("reason"), func.count().label("n"))
            .outerjoin(SC, and_(changes, SC.to_stage == LOST, SC.left_at.is_(None)))
            .where(C.pipeline_stage == LOST)
            .group_by(*keys, SC.lost_reason))
    return reach, stays, lost
