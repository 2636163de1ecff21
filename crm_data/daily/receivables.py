"""Công nợ / Receivables: what each order and customer still owes, aged by days past due.

An order's open balance on a day = amount − paid at checkout − the allocations of payments
made on or before that day (payment_allocations). Due date = order date + the payment terms
(settings "receivables.terms_days", one term for the shop: the small shops this serves
sell on one term, and a per-customer term would need a column and a field on the customer
form that other work edits; a term per customer can come as a nullable override later).
Only completed orders not paid
in full at checkout can be open: every query here reads them through the partial index
ix_orders_open (OPEN_ORDER_SQL repeated literally, so SQLite may use it).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    Date,
    Engine,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)

from crm_data.accounts import access
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.domain.clock import today
from crm_data.domain.periods import Period, bucket_start, buckets, next_bucket
from crm_data.domain.periods import as_date as _as_date
from crm_data.domain.sqlfunc import dialect_function
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports.scoping import visible, visible_per_customer
from crm_data.storage.models import (
    AppMeta,
    Customer,
    OpenOrder,
    Order,
    OrderRollup,
    Payment,
    PaymentAllocation,
    User,
)
from crm_data.summaries import rollups

TERMS_KEY = "receivables.terms_days"
# Days past due: not yet due (≤ 0), 1–30, 31–60, 61–90, more than 90.
BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")
_EDGES = (0, 30, 60, 90)  # the last day past due of each bucket but the last

add_days = dialect_function(
    "add_days", Date(), "A DATE plus a whole number of days (negative: earlier).",
    postgresql="CAST(CAST({0} AS DATE) + CAST({1} AS INTEGER) AS DATE)",
    sqlite="date({0}, printf('%+d days', {1}))")


def terms_days(bind) -> int:
    return settings.get(bind, TERMS_KEY)


def open_order_clause():
    # Literal, not bound: SQLite uses a partial index only when the query repeats its terms.
    return and_(Order.status == literal_column("'completed'"), Order.amount > Order.paid_amount)


def _allocated(day: dt.date):
    """Σ allocations to the current order of payments made on or before `day`."""
    return (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
            .where(PaymentAllocation.order_id == Order.id, PaymentAllocation.paid_on <= day)
            .scalar_subquery())


def _bucket_case(order_date, day: dt.date, terms: int):
    """The ageing bucket of an order date on `day`, by comparing dates (index friendly):
    days past due = (day − terms) − order date."""
    d0 = day - dt.timedelta(days=terms)
    whens = [(order_date >= d0 - dt.timedelta(days=edge), name)
             for edge, name in zip(_EDGES, BUCKETS, strict=False)]
    return case(*whens, else_=BUCKETS[-1])


def _fast_scope(scope: Scope, flt: CustomerFilter | None):
    """open_orders holds only non-deleted customers, with their owner."""
    if flt is None or flt.is_empty():
        return true() if scope.sees_all_customers else OpenOrder.owner_id == scope.user_id
    return visible(OpenOrder.customer_id, scope, flt)


def open_orders(scope: Scope, day: dt.date, terms: int, flt: CustomerFilter | None = None):
    """Subquery: one row per order open on `day` (order_id, customer_id, owner_id,
    order_date, amount, paid, open, bucket). Today (or later): the maintained open_orders
    table; an earlier day: the orders and the allocations of payments made by then."""
    if day >= today():
        oo = OpenOrder
        return (select(oo.order_id, oo.customer_id, oo.owner_id, oo.order_date, oo.amount, oo.paid,
                       oo.open, _bucket_case(oo.order_date, day, terms).label("bucket"))
                .where(oo.order_date <= day, _fast_scope(scope, flt))
                .subquery("open_orders"))
    allocated = _allocated(day)
    inner = (select(Order.id.label("order_id"), Order.customer_id, Customer.owner_id, Order.order_date,
                    Order.amount, (Order.paid_amount + allocated).label("paid"),
                    (Order.amount - Order.paid_amount - allocated).label("open"),
                    _bucket_case(Order.order_date, day, terms).label("bucket"))
             .join(Customer, Customer.id == Order.customer_id)
             .where(open_order_clause(), Order.order_date <= day,
                    visible(Order.customer_id, scope, flt))
             .subquery("oo"))
    return select(inner).where(inner.c.open > 0).subquery("open_orders")


def _ranges(day: dt.date, terms: int) -> list[tuple[str, dt.date | None, dt.date]]:
    """(bucket, first order date, last order date) of each ageing bucket on `day`."""
    d0 = day - dt.timedelta(days=terms)
    out, hi = [], day
    for edge, name in zip((*_EDGES, None), BUCKETS, strict=True):
        lo = None if edge is None else d0 - dt.timedelta(days=edge)
        out.append((name, lo, hi))
        hi = None if lo is None else lo - dt.timedelta(days=1)
    return out


def ageing(engine: Engine, scope: Scope, day: dt.date, flt: CustomerFilter | None = None) -> pd.DataFrame:
    """Open balance per ageing bucket (every bucket, zeros included): age, orders,
    customers, amount."""
    with engine.connect() as conn:
        terms = terms_days(conn)
        if day >= today():  # one index range per bucket: no per-row CASE, no grouping
            oo = OpenOrder
            parts = [select(literal(name).label("age"), func.count(), func.count(oo.customer_id.distinct()),
                            func.sum(oo.open))
                     .where(oo.order_date <= hi, *([oo.order_date >= lo] if lo else []), _fast_scope(scope, flt))
                     for name, lo, hi in _ranges(day, terms)]
            rows = conn.execute(union_all(*parts)).all()
        else:
            oo = open_orders(scope, day, terms, flt)
            rows = conn.execute(select(oo.c.bucket, func.count(), func.count(oo.c.customer_id.distinct()),
                                       func.sum(oo.c.open)).group_by(oo.c.bucket)).all()
    got = {r[0]: r[1:] for r in rows}
    return pd.DataFrame([{"age": b, "orders": int(got.get(b, (0, 0, 0))[0]),
                          "customers": int(got.get(b, (0, 0, 0))[1]),
                          "amount": int(got.get(b, (0, 0, 0))[2] or 0)} for b in BUCKETS])


def totals(engine: Engine, scope: Scope, day: dt.date, flt: CustomerFilter | None = None) -> dict:
    """Open, past-due, open orders, customers owing and the terms on `day`, with the
    ageing frame ("ageing") they add up from (aggregates: any role)."""
    age = ageing(engine, scope, day, flt)
    with engine.connect() as conn:
        terms = terms_days(conn)
        oo = open_orders(scope, day, terms, flt)
        # Grouped rather than COUNT(DISTINCT): streams in index order, no temporary b-tree.
        owing = select(oo.c.customer_id).group_by(oo.c.customer_id).subquery()
        customers = conn.execute(select(func.count()).select_from(owing)).scalar_one()
    return {"open": int(age["amount"].sum()),
            "overdue": int(age.loc[age["age"] != "not_due", "amount"].sum()),
            "orders": int(age["orders"].sum()), "customers": int(customers), "terms_days": terms,
            "ageing": age}


def debtors(engine: Engine, scope: Scope, day: dt.date, flt: CustomerFilter | None = None,
            limit: int | None = 20, overdue_only: bool = False) -> pd.DataFrame:
    """Customers owing on `day`, biggest open balance first: code, name, owner, orders,
    billed, paid, open, past due, the due date of their oldest open order, its days past due."""
    access.require_personal_data(engine, scope, "receivables_by_customer")
    with engine.connect() as conn:
        terms = terms_days(conn)
        oo = open_orders(scope, day, terms, flt)
        d0 = day - dt.timedelta(days=terms)
        overdue = func.sum(case((oo.c.order_date < d0, oo.c.open), else_=0))
        pc = (select(oo.c.customer_id, func.count().label("orders"), func.sum(oo.c.amount).label("billed"),
                     func.sum(oo.c.paid).label("paid"), func.sum(oo.c.open).label("open"),
                     overdue.label("overdue"), func.min(oo.c.order_date).label("oldest"))
              .group_by(oo.c.customer_id))
        if overdue_only:
            pc = pc.having(overdue > 0)
        pc = pc.order_by(func.sum(oo.c.open).desc(), oo.c.customer_id)
        if limit:
            pc = pc.limit(limit)
        pc = pc.subquery("pc")
        q = (select(pc.c.customer_id, Customer.code, Customer.full_name, User.display_name.label("owner"),
                    pc.c.orders, pc.c.billed, pc.c.paid, pc.c.open, pc.c.overdue, pc.c.oldest)
             .join(Customer, Customer.id == pc.c.customer_id)
             .outerjoin(User, User.id == Customer.owner_id)
             .order_by(pc.c.open.desc(), pc.c.customer_id))
        df = pd.DataFrame([tuple(r) for r in conn.execute(q)],
                          columns=["customer_id", "code", "full_name", "owner", "orders", "billed", "paid",
                                   "open", "overdue", "oldest"])
    for col in ("billed", "paid", "open", "overdue"):
        df[col] = df[col].astype("int64")
    oldest = df.pop("oldest").map(_as_date)
    df["due_on"] = oldest.map(lambda d: d + dt.timedelta(days=terms))
    df["days_past_due"] = df["due_on"].map(lambda d: max((day - d).days, 0)).astype("int64")
    return df


def orders(engine: Engine, scope: Scope, day: dt.date, customer_id: int | None = None,
           flt: CustomerFilter | None = None, limit: int | None = 500) -> pd.DataFrame:
    """Open orders on `day`, oldest first: order code, customer, date, due date, billed,
    paid, open, days past due, age (bucket)."""
    access.require_personal_data(engine, scope, "receivables_by_order")
    with engine.connect() as conn:
        terms = terms_days(conn)
        oo = open_orders(scope, day, terms, flt)
        q = (select(oo.c.order_id, Order.code, Customer.code.label("customer_code"), Customer.full_name,
                    oo.c.order_date, oo.c.amount, oo.c.paid, oo.c.open, oo.c.bucket.label("age"))
             .join(Order, Order.id == oo.c.order_id)
             .join(Customer, Customer.id == oo.c.customer_id)
             .order_by(oo.c.order_date, oo.c.order_id))
        if customer_id is not None:
            q = q.where(oo.c.customer_id == int(customer_id))
        if limit:
            q = q.limit(limit)
        df = pd.DataFrame([tuple(r) for r in conn.execute(q)],
                          columns=["order_id", "code", "customer_code", "full_name", "order_date",
                                   "amount", "paid", "open", "age"])
    df["order_date"] = df["order_date"].map(_as_date)
    df.insert(5, "due_on", df["order_date"].map(lambda d: d + dt.timedelta(days=terms)))
    df["days_past_due"] = df["due_on"].map(lambda d: max((day - d).days, 0)).astype("int64")
    for col in ("amount", "paid", "open"):
        df[col] = df[col].astype("int64")
    return df


def by_owner(engine: Engine, scope: Scope, day: dt.date, flt: CustomerFilter | None = None) -> pd.DataFrame:
    """Per owner (staff member): customers owing, open and past-due amounts on `day`."""
    access.require_personal_data(engine, scope, "receivables_by_owner")
    with engine.connect() as conn:
        terms = terms_days(conn)
        oo = open_orders(scope, day, terms, flt)
        d0 = day - dt.timedelta(days=terms)
        per = (select(oo.c.owner_id, func.count(oo.c.customer_id.distinct()).label("customers"),
                      func.sum(oo.c.open).label("open"),
                      func.sum(case((oo.c.order_date < d0, oo.c.open), else_=0)).label("overdue"))
               .group_by(oo.c.owner_id).subquery("per"))
        q = (select(per.c.owner_id, User.display_name.label("owner"), per.c.customers, per.c.open, per.c.overdue)
             .outerjoin(User, User.id == per.c.owner_id).order_by(per.c.open.desc()))
        df = pd.DataFrame([tuple(r) for r in conn.execute(q)],
                          columns=["owner_id", "owner", "customers", "open", "overdue"])
    for col in ("open", "overdue"):
        df[col] = df[col].astype("int64")
    return df


def trend(engine: Engine, scope: Scope, period: Period, granularity: str = "month",
          flt: CustomerFilter | None = None) -> pd.DataFrame:
    """Per bucket of the period: sold on credit (unpaid at checkout), collected (payments)
    and the receivable outstanding at the bucket's end (= Σ customer debt on that day).
    Summed per day in SQL (covering indexes, no per-row date function), per bucket here."""
    owners = rollups.owner_condition(scope, flt)
    with engine.connect() as conn:
        if owners is not None:  # the maintained daily cells (unpaid at checkout)
            credit_q = (select(OrderRollup.start, func.sum(OrderRollup.unpaid))
                        .where(OrderRollup.grain == "d", OrderRollup.start <= period.end, owners)
                        .group_by(OrderRollup.start))
        else:
            credit_q = (select(Order.order_date, func.sum(Order.amount - Order.paid_amount))
                        .where(open_order_clause(), Order.order_date <= period.end,
                               visible(Order.customer_id, scope, flt))
                        .group_by(Order.order_date))
        # Staff: from their customers' payments (ix_payments_customer), not every payment.
        mine = (visible_per_customer if not scope.sees_all_customers else visible)(Payment.customer_id, scope, flt)
        paid_q = (select(Payment.paid_on, func.sum(Payment.amount))
                  .where(Payment.paid_on <= period.end, mine)
                  .group_by(Payment.paid_on))
        net: dict[dt.date, list[int]] = {}
        for i, q in enumerate((credit_q, paid_q)):
            for d, v in conn.execute(q):
                net.setdefault(_as_date(d), [0, 0])[i] += int(v or 0)
    starts = buckets(period, granularity)
    first = starts[0] if starts else period.start
    balance = sum(c - p for d, (c, p) in net.items() if d < first)
    per_bucket: dict[dt.date, list[int]] = {}
    for d, (c, p) in net.items():
        if d >= first:
            cell = per_bucket.setdefault(bucket_start(d, granularity), [0, 0])
            cell[0], cell[1] = cell[0] + c, cell[1] + p
    rows = []
    for b in starts:
        c, p = per_bucket.get(b, (0, 0))
        balance += c - p
        end = min(next_bucket(b, granularity) - dt.timedelta(days=1), period.end)
        rows.append({"bucket": b, "end": end, "credit": c, "collected": p, "outstanding": balance})
    return pd.DataFrame(rows, columns=["bucket", "end", "credit", "collected", "outstanding"])


def _terms_sql():
    stored = (select(cast(AppMeta.value, Integer)).where(AppMeta.key == "setting." + TERMS_KEY)
              .scalar_subquery())
    return func.coalesce(stored, settings.DEFAULTS[TERMS_KEY][0])


def overdue_for_today(day: dt.date, terms_days: int | None = None, with_owner: bool = False) -> Select:
    """For the Today list: one row per customer (not deleted) with something past due on
    `day` — customer_id, due_on (the due date of their oldest overdue order), amount (their
    overdue open balance, VND). The terms are read from the settings inside the statement
    unless given. No role scope: the caller adds its own. with_owner (only for what is owed
    now, `day` >= today): also owner_id, the customer's owner kept in open_orders, so that a
    caller can scope without joining every customer."""
    terms = _terms_sql() if terms_days is None else literal(int(terms_days), Integer)
    cutoff = add_days(literal(day, Date), -terms)
    if day >= today():  # the maintained table: what is owed now
        oo = OpenOrder
        inner = (select(oo.customer_id, oo.order_date, oo.open, oo.owner_id)
                 .where(oo.order_date < cutoff).subquery("od"))
    elif with_owner:
        raise ValueError("the owner is kept only for what is owed now")
    else:
        allocated = _allocated(day)
        open_amt = Order.amount - Order.paid_amount - allocated
        inner = (select(Order.customer_id, Order.order_date, open_amt.label("open"))
                 .where(open_order_clause(), Order.order_date < cutoff,
                        visible(Order.customer_id, SYSTEM, None))
                 .subquery("od"))
    owner = [func.max(inner.c.owner_id).label("owner_id")] if with_owner else []
    return (select(inner.c.customer_id, add_days(func.min(inner.c.order_date), terms).label("due_on"),
                   func.sum(inner.c.open).label("amount"), *owner)
            .where(inner.c.open > 0).group_by(inner.c.customer_id))
