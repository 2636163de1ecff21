"""Việc hôm nay / Today: whom to call, meet, congratulate or win back on a day, derived from
the data (crm_data.daily.today_kinds, one SELECT per kind) and never typed in twice.

The same function serves the page, the Overview's cards and `crm today`. Scope is applied
here: staff see their own customers, managers and admins everyone (optionally some owners),
the executive viewer is refused (per-customer rows are personal data). Items marked done or
snoozed (today_marks) are left out: a snoozed item comes back on its `until` day."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from types import SimpleNamespace

import pandas as pd
from sqlalchemy import Engine, Select, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.daily import today_kinds as kinds
from crm_data.domain import formatting
from crm_data.domain.clock import today
from crm_data.domain.periods import as_date
from crm_data.i18n import t
from crm_data.reports.scoping import visible
from crm_data.storage import parallel
from crm_data.storage.models import Customer, TodayMark, User

KINDS = tuple(kinds.QUERIES)
COLUMNS = ("kind", "customer_id", "code", "full_name", "phone", "owner_id", "owner", "due_on",
           "why", "detail", "source_id", "kind_total")
# Items listed per kind (the earliest due first); kind_total says how many there are in all.
PER_KIND = 200


def _scoped(kind: str, base: Select, scope: Scope, owners: tuple[int, ...], day: dt.date,
            limit: int | None = None, listing: bool = True) -> Select:
    """The kind's rows the actor may see, with the customer and owner, minus marked items;
    listing: ordered (first `limit`), with the count of them all."""
    b = base.subquery(kind)
    marked = _marked(kind, b, day)
    if not listing and not (owners and scope.sees_all_customers):
        # A count needs no customer row: the visible ids as the reports test them (for
        # everyone, NOT IN the few deleted ones) instead of a join that PostgreSQL plans as a
        # hash of every customer.
        # (a row without a customer never joined one: `NULL NOT IN ()` would be true)
        return select(b.c.customer_id).where(
            b.c.customer_id.is_not(None), visible(b.c.customer_id, scope, None), ~marked)
    owner = aliased(User, name="owner_user")
    q = (select(literal(kind).label("kind"), b.c.customer_id, Customer.code, Customer.full_name,
                Customer.phone, Customer.owner_id, owner.display_name.label("owner"), b.c.due,
                b.c.since, b.c.figure, b.c.detail, b.c.source_id)
         .join_from(b, Customer, Customer.id == b.c.customer_id)
         .outerjoin(owner, owner.id == Customer.owner_id)
         .where(scope.customer_clause(Customer), ~marked))
    if owners and scope.sees_all_customers:
        q = q.where(Customer.owner_id.in_(owners))
    if not listing:
        return q
    q = q.add_columns(func.count().over().label("kind_total")).order_by(b.c.sort, b.c.customer_id,
                                                                       b.c.source_id)
    return q.limit(limit) if limit else q


def _marked(kind: str, b, day: dt.date):
    m = TodayMark
    return exists().where(m.kind == kind, m.customer_id == b.c.customer_id,
                          m.source_id == b.c.source_id, or_(m.until.is_(None), m.until > day))


def _owned(kind: str, base: Select, scope: Scope, owners: tuple[int, ...], day: dt.date,
           limit: int | None = None, listing: bool = True) -> Select:
    """_scoped for a kind whose rows carry owner_id and are of non-deleted customers only
    (today_kinds.OWNED): scoped and counted on the kind's own rows; only the listed page
    is joined to customers."""
    b = base.subquery(kind)
    conds = [~_marked(kind, b, day)]
    if not scope.sees_all_customers:
        conds.append(b.c.owner_id == scope.user_id)
    elif owners:
        conds.append(b.c.owner_id.in_(owners))
    if not listing:
        return select(b.c.customer_id).where(*conds)
    page = (select(b, func.count().over().label("kind_total")).where(*conds)
            .order_by(b.c.sort, b.c.customer_id, b.c.source_id))
    p = (page.limit(limit) if limit else page).subquery("page")
    owner = aliased(User, name="owner_user")
    return (select(literal(kind).label("kind"), p.c.customer_id, Customer.code, Customer.full_name,
                   Customer.phone, Customer.owner_id, owner.display_name.label("owner"), p.c.due,
                   p.c.since, p.c.figure, p.c.detail, p.c.source_id, p.c.kind_total)
            .join_from(p, Customer, Customer.id == p.c.customer_id)
            .outerjoin(owner, owner.id == Customer.owner_id)
            .order_by(p.c.sort, p.c.customer_id, p.c.source_id))


def _query(kind: str, ctx: kinds.Ctx, scope: Scope, owners: tuple[int, ...],
           limit: int | None = None, listing: bool = True) -> Select:
    owned = kinds.OWNED[kind](ctx) if kind in kinds.OWNED else None
    if owned is not None:
        return _owned(kind, owned, scope, owners, ctx.day, limit, listing)
    return _scoped(kind, kinds.QUERIES[kind](ctx), scope, owners, ctx.day, limit, listing)


def _chosen(which) -> list[str]:
    if not which:
        return list(KINDS)
    unknown = set(which) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind(s): {', '.join(sorted(unknown))}")
    return [k for k in KINDS if k in which]


def items(engine: Engine, scope: Scope, day: dt.date | None = None, owners: tuple[int, ...] = (),
          which: tuple[str, ...] = (), lang: str = "vi", limit: int | None = PER_KIND) -> pd.DataFrame:
    """The Today list on `day` (default today): one row per item, COLUMNS, by kind then date;
    at most `limit` items of each kind (None: all), kind_total counting them all."""
    require_personal_data(engine, scope, "customer_rows")
    day = day or today()
    found: list[dict] = []
    with engine.connect() as conn:
        ctx = kinds.context(conn, day)
        for kind in _chosen(which):  # kinds in KINDS order, each by its sort
            q = _query(kind, ctx, scope, tuple(owners), limit)
            found += _finish(conn.execute(q).all(), kind, ctx, lang)
    return pd.DataFrame(found, columns=list(COLUMNS))


def counts(engine: Engine, scope: Scope, day: dt.date | None = None,
           owners: tuple[int, ...] = ()) -> dict[str, int]:
    """Items per kind (COUNT in the database: the Overview's cards)."""
    require_personal_data(engine, scope, "customer_rows")
    day = day or today()
    with engine.connect() as conn:
        ctx = kinds.context(conn, day)
    stmts = [select(func.count()).select_from(_query(kind, ctx, scope, tuple(owners), listing=False).subquery())
             for kind in KINDS]
    # Independent counts: at once on PostgreSQL (crm_data.storage.parallel).
    return {kind: int(row[0]) for kind, row in zip(KINDS, parallel.one_rows(engine, stmts), strict=True)}


def _finish(rows, kind: str, ctx: kinds.Ctx, lang: str) -> list[dict]:
    """Each item with its date and the sentence saying why it is there, with its figures."""
    out = []
    for r in rows:
        since = as_date(r.since)
        if kind == "birthday":
            due_on = kinds.birthday_on(as_date(r.due), ctx)
        elif kind == "reorder":
            due_on = since + dt.timedelta(days=int(r.figure))
        elif kind == "winback":
            due_on = since + dt.timedelta(days=ctx.risk_days)
        else:
            due_on = as_date(r.due)
        item = r._asdict()
        item.update(due_on=due_on, since_on=since, detail=r.detail or "", owner=r.owner or "")
        item["why"] = why(kind, SimpleNamespace(**item), ctx, lang)
        out.append(item)
    return out


@lru_cache(maxsize=4096)
def _date_text(value: dt.date, lang: str) -> str:
    return formatting.date(value, lang)  # Babel: a few thousand items share a few dates


def why(kind: str, r, ctx: kinds.Ctx, lang: str = "vi") -> str:
    """The reason of one item, in `lang`, with its dates and figures."""
    def d(value) -> str:
        return _date_text(as_date(value), lang)

    day = ctx.day
    if kind == "follow_up":
        late = (day - r.due_on).days
        return t("today.why.follow_up" if late else "today.why.follow_up_today", lang,
                 due=d(r.due_on), set=d(r.since_on), late=late)
    if kind in kinds.APPOINTMENT_KINDS:
        when = r.due if isinstance(r.due, dt.datetime) else dt.datetime.fromisoformat(str(r.due))
        return t("today.why.appointment", lang, date=d(when), time=when.strftime("%H:%M"))
    if kind == "birthday":
        birth = as_date(r.due)
        key = "today.why.birthday_feb29" if (birth.month, birth.day) != (r.due_on.month, r.due_on.day) \
            else "today.why.birthday"
        return t(key, lang, date=d(r.due_on), age=r.due_on.year - birth.year)
    if kind == "reorder":
        return t("today.why.reorder", lang, interval=int(r.figure), last=d(r.since_on),
                 days=(day - r.since_on).days, due=d(r.due_on))
    if kind == "winback":
        return t("today.why.winback", lang, last=d(r.since_on), days=(day - r.since_on).days,
                 since=d(r.due_on), risk=ctx.risk_days)
    if kind == "overdue_debt":
        return t("today.why.overdue_debt", lang, amount=formatting.vnd(r.figure, lang), due=d(r.due_on),
                 late=(day - r.due_on).days)
    if kind == "complaint":
        opened = as_date(r.due)
        return t("today.why.complaint", lang, opened=d(opened), age=(day - opened).days,
                 limit=int(r.figure))
    raise ValueError(f"unknown kind {kind!r}")
