"""The customer list (keyset-paginated, sortable, counted) and the customer 360 reads.

Every function takes the acting Scope: staff see only their own customers, deleted ones
never show, and a viewer (executive) gets no personal data: the list, the record and its
timeline are refused (the list's refusal is audited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, literal, select, tuple_
from sqlalchemy.orm import aliased

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.clv import list_order
from crm_data.domain import geo
from crm_data.domain.clock import today
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where
from crm_data.records.validation import MAX_ID, clean_text
from crm_data.storage.models import (
    Appointment,
    Customer,
    CustomerClv,
    CustomerRollup,
    CustomerStats,
    Feedback,
    Interaction,
    LoyaltyEntry,
    Order,
    Payment,
    StageChange,
    User,
)
from crm_data.summaries import customer_rollup, rollups

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_NO_DATE = dt.date(1900, 1, 1)  # NULL last-order dates sort first on both backends

# Sort key → SQL expression. Names sort by the folded search column (same order on SQLite
# and PostgreSQL whatever the database collation; it starts with the folded name).
SORTS = {
    "code": Customer.code,
    "full_name": Customer.search_text,
    "created_at": Customer.created_at,
    "total_spend": CustomerStats.total_spend,
    "orders_count": CustomerStats.orders_count,
    "last_order_date": func.coalesce(CustomerStats.last_order_date, _NO_DATE),
    "debt": CustomerStats.debt,
    # the latest CLV fit (crm_data.clv); not scored sorts below every score
    "p_alive": func.coalesce(CustomerClv.p_alive, -1.0),
    "expected_value": func.coalesce(CustomerClv.expected_value, -1),
}

LIST_COLUMNS = (
    "id", "code", "full_name", "phone", "email", "province", "region", "tier",
    "lifecycle_stage", "pipeline_stage", "owner", "total_spend", "orders_count",
    "last_order_date", "debt", "points", "tags", "p_alive", "expected_value",
)


@dataclass(frozen=True)
class CustomerPage:
    rows: pd.DataFrame
    total: int
    next_after: tuple | None  # (sort value, id) of the last row when more rows follow


def _owner():
    return aliased(User, name="owner_user")


def _list_select(scope: Scope, flt: CustomerFilter | None, ref: dt.date):
    owner = _owner()
    return (
        select(
            Customer.id, Customer.code, Customer.full_name, Customer.phone, Customer.email,
            Customer.province_code, Customer.region, CustomerStats.tier,
            Customer.lifecycle_stage, Customer.pipeline_stage,
            owner.display_name.label("owner"), CustomerStats.total_spend,
            CustomerStats.orders_count, CustomerStats.last_order_date, CustomerStats.debt,
            CustomerStats.points, Customer.tags, CustomerClv.p_alive, CustomerClv.expected_value,
        )
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .outerjoin(CustomerClv, CustomerClv.customer_id == Customer.id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(*customer_where(scope, flt, ref))
    )


def _shape(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    names = {p.code: p.short_name for p in geo.provinces()}
    df.insert(5, "province", df.pop("province_code").map(lambda c: names.get(c)))
    df["tags"] = df["tags"].fillna("").str.strip(",").str.replace(",", ", ")
    return df[list(LIST_COLUMNS)]


def list_customers(engine: Engine, scope: Scope, flt: CustomerFilter | None = None, *,
                   sort: str = "code", descending: bool = False, after: tuple | None = None,
                   limit: int = PAGE_SIZE) -> CustomerPage:
    """One page of the visible customers matching `flt`, ordered by `sort` then id.

    Keyset pagination: pass the previous page's `next_after` as `after`
    (WHERE (sort, id) > (:v, :id) — no OFFSET, so page 2,000 costs what page 1 costs)."""
    require_personal_data(engine, scope, "customer_rows")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    ref = today()
    key = SORTS[sort]
    if sort in list_order.SCORES:  # two index-friendly parts instead of one big sort
        with engine.connect() as conn:
            df = list_order.read_page(conn, _list_select(scope, flt, ref), sort, descending, after,
                                      limit + 1)
        return _page(engine, scope, flt, df, limit)
    query = _list_select(scope, flt, ref).add_columns(key.label("_sort"))
    if after is not None:
        bound = tuple_(literal(after[0], type_=key.type), literal(int(after[1])))
        cmp = tuple_(key, Customer.id)
        # the redundant one-column bound lets SQLite range-scan the sort column's index
        first = literal(after[0], type_=key.type)
        query = query.where(cmp < bound if descending else cmp > bound,
                            key <= first if descending else key >= first)
    order = [key.desc(), Customer.id.desc()] if descending else [key.asc(), Customer.id.asc()]
    query = query.order_by(*order).limit(limit + 1)
    with engine.connect() as conn:
        df = pd.read_sql(query, conn)
    return _page(engine, scope, flt, df, limit)


def _page(engine: Engine, scope: Scope, flt: CustomerFilter | None, df: pd.DataFrame,
          limit: int) -> CustomerPage:
    """The page of `df` (up to limit + 1 rows with _sort), its total and next_after."""
    more = len(df) > limit
    df = df.head(limit)
    next_after = None
    if more:
        last = df.iloc[-1]
        next_after = (_plain(last["_sort"]), int(last["id"]))
    df = df.drop(columns="_sort").reset_index(drop=True)
    return CustomerPage(_shape(df, scope), count_customers(engine, scope, flt), next_after)


def _plain(value):
    """A pandas / numpy scalar as the plain Python value SQL parameters take."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def count_customers(engine: Engine, scope: Scope, flt: CustomerFilter | None = None) -> int:
    """How many visible customers match `flt` (the list's total)."""
    owners = rollups.owner_condition(scope, flt, CustomerRollup)
    query = customer_rollup.total(owners) if owners is not None else (
        select(func.count())
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(*customer_where(scope, flt, today()))
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


# --- the customer 360 ---------------------------------------------------------------

def _require_personal(engine: Engine, scope: Scope) -> None:
    require_personal_data(engine, scope, "personal_data")  # refusals are audited


def find_customer_id(engine: Engine, scope: Scope, *, customer_id: int | None = None,
                     code: str | None = None) -> int | None:
    """The id of a visible customer given its id or its code; None when not visible."""
    _require_personal(engine, scope)
    if customer_id is None and not code:
        return None
    if customer_id is not None and not 0 < int(customer_id) <= MAX_ID:
        return None
    cond = Customer.id == int(customer_id) if customer_id is not None else \
        Customer.code == clean_text(code).strip().upper()
    with engine.connect() as conn:
        return conn.execute(select(Customer.id).where(cond, scope.customer_clause(Customer))).scalar()


def get_customer(engine: Engine, scope: Scope, customer_id: int) -> dict | None:
    """Profile, owner and balances of one visible customer (None: not found / not yours)."""
    _require_personal(engine, scope)
    owner = _owner()
    query = (
        select(Customer, owner.display_name.label("owner_name"), CustomerStats)
        .outerjoin(CustomerStats, CustomerStats.customer_id == Customer.id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(Customer.id == int(customer_id), scope.customer_clause(Customer))
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        return None
    out = {c.name: row[c.name] for c in Customer.__table__.columns}
    stats = {c.name: row.get(c.name) for c in CustomerStats.__table__.columns
             if c.name != "customer_id"}
    out["owner_name"] = row["owner_name"]
    province = geo.by_code().get(out["province_code"]) if out["province_code"] else None
    out["province_name"] = province.name if province else None
    out["stats"] = stats
    return out


def get_deleted_customer(engine: Engine, scope: Scope, customer_id: int) -> dict | None:
    """A soft-deleted customer the actor could see if it were alive (for restore)."""
    _require_personal(engine, scope)
    cond = [Customer.id == int(customer_id), Customer.deleted_at.is_not(None)]
    if not scope.sees_all_customers:
        cond.append(Customer.owner_id == scope.user_id)
    with engine.connect() as conn:
        row = conn.execute(select(Customer.id, Customer.code, Customer.full_name,
                                  Customer.version, Customer.deleted_at).where(*cond)).mappings().first()
    return dict(row) if row else None


def list_deleted(engine: Engine, scope: Scope, limit: int = 100) -> pd.DataFrame:
    """Recently soft-deleted customers the actor may restore."""
    _require_personal(engine, scope)
    cond = [Customer.deleted_at.is_not(None)]
    if not scope.sees_all_customers:
        cond.append(Customer.owner_id == scope.user_id)
    query = (select(Customer.id, Customer.code, Customer.full_name, Customer.deleted_at,
                    Customer.version)
             .where(*cond).order_by(Customer.deleted_at.desc(), Customer.id.desc()).limit(limit))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def tier_rules(engine: Engine, scope: Scope, ids: list[int]) -> pd.DataFrame:
    """id, tier_rule, rules_version of these visible customers (the list's reason column)."""
    _require_personal(engine, scope)
    query = (select(Customer.id, CustomerStats.tier_rule, CustomerStats.rules_version)
             .join(CustomerStats, CustomerStats.customer_id == Customer.id)
             .where(Customer.id.in_([int(i) for i in ids]), scope.customer_clause(Customer)))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["id", "tier_rule", "rules_version"])


def reasons(stats: dict, lang: str = "vi", ref: dt.date | None = None, bind=None) -> list[str]:
    """Why the customer has its tier and groups, as sentences rendered from the rules of the
    version that classified it (crm_data.rules.explain); without `bind`, version 1's."""
    from crm_data.rules import explain as rules_explain
    from crm_data.rules import store as rules_store

    version = stats.get("rules_version") or 1
    defn = rules_store.definition_of(bind, version) if bind is not None else None
    if defn is None:
        defn = rules_store.DEFAULT_DEFINITION
    return rules_explain.reasons(stats, defn, lang, ref or today())


def _visible(scope: Scope, customer_id: int):
    """The customer id when visible: guards every timeline query."""
    return select(Customer.id).where(Customer.id == int(customer_id),
                                     scope.customer_clause(Customer)).scalar_subquery()


def stage_history(engine: Engine, scope: Scope, customer_id: int) -> pd.DataFrame:
    """Every pipeline / lifecycle stage change of one customer, newest first."""
    _require_personal(engine, scope)
    who = _owner()
    query = (
        select(StageChange.id, StageChange.changed_at, StageChange.kind, StageChange.from_stage,
               StageChange.to_stage, StageChange.lost_reason, who.display_name.label("by"))
        .outerjoin(who, who.id == StageChange.changed_by)
        .where(StageChange.customer_id == _visible(scope, customer_id))
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


TIMELINE_KINDS = ("order", "payment", "interaction", "feedback", "appointment", "points")
TIMELINE_COLUMNS = ("at", "kind", "ref_id", "title", "status", "amount", "note")


def _timeline_queries(cid):
    """One small select per event kind, each with the same output columns."""
    def cols(at, ref_id, title, status, amount, note):
        return [at.label("at"), ref_id.label("ref_id"), title.label("title"),
                status.label("status"), amount.label("amount"), note.label("note")]

    none = literal(None)
    return {
        "order": select(*cols(Order.ordered_at, Order.id, Order.code, Order.status, Order.amount,
                              Order.payment_method)).where(Order.customer_id == cid),
        "payment": select(*cols(Payment.paid_on, Payment.id, Payment.method, none, Payment.amount,
                                Payment.note)).where(Payment.customer_id == cid),
        "interaction": select(*cols(Interaction.occurred_at, Interaction.id, Interaction.kind,
                                    Interaction.outcome, none, Interaction.note))
        .where(Interaction.customer_id == cid),
        "feedback": select(*cols(Feedback.opened_at, Feedback.id, Feedback.subject, Feedback.status,
                                 none, Feedback.kind)).where(Feedback.customer_id == cid),
        "appointment": select(*cols(Appointment.due_at, Appointment.id, Appointment.title,
                                    Appointment.status, none, Appointment.kind))
        .where(Appointment.customer_id == cid),
        "points": select(*cols(LoyaltyEntry.entry_date, LoyaltyEntry.id, LoyaltyEntry.kind, none,
                               LoyaltyEntry.points, LoyaltyEntry.note))
        .where(LoyaltyEntry.customer_id == cid),
    }


def timeline(engine: Engine, scope: Scope, customer_id: int, kinds=TIMELINE_KINDS,
             limit: int = 200) -> pd.DataFrame:
    """Orders, payments, interactions, feedback, appointments and points of one customer,
    newest first (at most `limit` of each kind; one customer's rows only)."""
    _require_personal(engine, scope)
    cid = _visible(scope, customer_id)
    frames = []
    with engine.connect() as conn:
        for kind, query in _timeline_queries(cid).items():
            if kind not in kinds:
                continue
            at = query.selected_columns.at
            df = pd.read_sql(query.order_by(at.desc()).limit(limit), conn)
            if not df.empty:
                df.insert(1, "kind", kind)
                frames.append(df)
    if not frames:
        return pd.DataFrame(columns=list(TIMELINE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["at"] = pd.to_datetime(out["at"])
    return out.sort_values(["at", "kind"], ascending=[False, True]).reset_index(drop=True)[
        list(TIMELINE_COLUMNS)]


def open_items(engine: Engine, scope: Scope, customer_id: int) -> dict[str, pd.DataFrame]:
    """Open complaints / questions and open appointments (for the resolve / done forms)."""
    _require_personal(engine, scope)
    cid = _visible(scope, customer_id)
    with engine.connect() as conn:
        fb = pd.read_sql(select(Feedback.id, Feedback.kind, Feedback.subject, Feedback.opened_at,
                                Feedback.status)
                         .where(Feedback.customer_id == cid, Feedback.status != "resolved")
                         .order_by(Feedback.opened_at.desc()), conn)
        ap = pd.read_sql(select(Appointment.id, Appointment.kind, Appointment.title,
                                Appointment.due_at)
                         .where(Appointment.customer_id == cid, Appointment.status == "open")
                         .order_by(Appointment.due_at), conn)
    return {"feedback": fb, "appointments": ap}


def owners(engine: Engine, scope: Scope) -> dict[int, str]:
    """Users a customer can be assigned to (editors), id → display name."""
    query = (select(User.id, User.display_name)
             .where(User.active.is_(True), User.role.in_(("admin", "manager", "staff")))
             .order_by(User.display_name))
    if not scope.sees_all_customers:
        query = query.where(User.id == scope.user_id)
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def ids_matching(engine: Engine, scope: Scope, flt: CustomerFilter, limit: int = 10_000) -> list[int]:
    """Ids of the visible customers matching `flt` (bulk edit of a filtered list)."""
    query = (select(Customer.id).select_from(Customer)
             .join(CustomerStats, CustomerStats.customer_id == Customer.id)
             .where(*customer_where(scope, flt, today())).order_by(Customer.id).limit(limit))
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]

