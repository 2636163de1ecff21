"""SQLAlchemy 2 typed ORM tables.

Conventions:
- Money is integer đồng (BigInteger); VND has no minor unit in practice. Never float.
- Dates and times are Vietnam local time (Asia/Ho_Chi_Minh, UTC+7, no DST) stored naive, so
  that day / week / month buckets are the same on SQLite and PostgreSQL without conversion.
- Enumerations are short English keys stored as strings; labels live in the i18n catalogue.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crm_data.clock import now


class Base(DeclarativeBase):
    pass


Money = BigInteger
# Completed and not paid in full at checkout: the partial index ix_orders_open.
OPEN_ORDER_SQL = "status = 'completed' AND amount > paid_amount"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # admin | manager | staff | viewer
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    # Bumped by every change of role, active flag or password: open sessions compare it on
    # each run, so a demotion or a disabled account takes effect on the next click.
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class UserSession(Base):
    """A signed-in browser: the cookie holds a random token, only its hash is stored, so
    logout and disabling a user revoke it server-side."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)  # absolute lifetime
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    client: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_user_sessions_user", "user_id"),)


class LoginThrottle(Base):
    """Recent failed logins per key ("user:<name>" or "client:<address>"): each failure
    lengthens the wait before the next try, so guessing is slow but nobody is locked out."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Lower-case, diacritics and đ folded: name, code, phone digits, email, company.
    search_text: Mapped[str] = mapped_column(String(600), default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    gender: Mapped[str | None] = mapped_column(String(8))  # male | female | other
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    province_code: Mapped[int | None] = mapped_column(SmallInteger)  # one of the 34 (2025)
    region: Mapped[str | None] = mapped_column(String(8))  # north | central | south
    occupation: Mapped[str | None] = mapped_column(String(32))
    income_band: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(16))
    marital_status: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(12), default="individual")  # individual | business
    company: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(32))
    preferred_channel: Mapped[str | None] = mapped_column(String(12))
    devices: Mapped[str | None] = mapped_column(String(64))  # comma list: mobile,desktop,tablet
    source: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Journey (awareness → … → loyal / lapsed) and lead pipeline (new → … → won / lost).
    lifecycle_stage: Mapped[str] = mapped_column(String(16), default="awareness")
    pipeline_stage: Mapped[str] = mapped_column(String(16), default="new")
    lost_reason: Mapped[str | None] = mapped_column(String(32))
    lead_score: Mapped[int | None] = mapped_column(SmallInteger)
    # hot | warm | cold (crm_data.leadscore); SQLite keeps its old declared length (it
    # ignores lengths; migration 0015 would otherwise rebuild the table).
    lead_grade: Mapped[str | None] = mapped_column(String(4).with_variant(String(1), "sqlite"))
    # ",Khách Sỉ,VIP," as first spelled (display); tag_keys ",khach si,vip," folded, for LIKE
    # (crm_data.tags).
    tags: Mapped[str] = mapped_column(String(300), default="")
    # server default only: inserts naming the columns of an older revision (migration tests) stay valid
    tag_keys: Mapped[str] = mapped_column(String(300), server_default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # given
    consent_withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    consent_channel: Mapped[str | None] = mapped_column(String(16))  # of the last change
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # personal data anonymised
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, onupdate=now)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_customers_created_at", "created_at"),
        # Covering the owner scope (owner_id = me AND deleted_at IS NULL → ids): staff's
        # reports gather their customers' ids from the index alone.
        Index("ix_customers_owner_cover", "owner_id", "deleted_at", "id"),
        Index("ix_customers_province", "province_code"),
        Index("ix_customers_phone", "phone"),
        Index("ix_customers_email", "email"),
        Index("ix_customers_search", "search_text"),
        Index("ix_customers_lifecycle", "lifecycle_stage"),
        Index("ix_customers_pipeline", "pipeline_stage"),
        # Reports exclude the (few) deleted customers' facts with NOT IN (deleted ids).
        Index("ix_customers_deleted", "deleted_at"),
        # Won share per lead grade and the grade filter, from the index alone.
        Index("ix_customers_grade_cover", "lead_grade", "pipeline_stage", "deleted_at", "owner_id"),
    )


class CustomerStats(Base):
    """Derived per-customer figures, refreshed on every write (crm_data.summary)."""

    __tablename__ = "customer_stats"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    first_order_date: Mapped[dt.date | None] = mapped_column(Date)
    last_order_date: Mapped[dt.date | None] = mapped_column(Date)
    orders_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spend: Mapped[int] = mapped_column(Money, default=0)
    spend_12m: Mapped[int] = mapped_column(Money, default=0)
    total_profit: Mapped[int | None] = mapped_column(Money)
    debt: Mapped[int] = mapped_column(Money, default=0)
    points: Mapped[int] = mapped_column(Integer, default=0)
    interactions_count: Mapped[int] = mapped_column(Integer, default=0)
    last_interaction_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    avg_interval_days: Mapped[int | None] = mapped_column(Integer)
    # Bit k set: a completed order in the k-th month after the first order's month (k < 63);
    # the retention cohorts read it instead of the orders.
    active_months: Mapped[int | None] = mapped_column(BigInteger)
    r_score: Mapped[int | None] = mapped_column(SmallInteger)
    f_score: Mapped[int | None] = mapped_column(SmallInteger)
    m_score: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_segment: Mapped[str | None] = mapped_column(String(24))
    tier: Mapped[str] = mapped_column(String(12), default="regular")  # vip | regular | none
    groups: Mapped[str] = mapped_column(String(300), default="")  # ",loyal,high_value,"
    refreshed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    # What order_rollup counted this customer under at the refresh (crm_data.rollups): the
    # next refresh recomputes only the cells that can have changed.
    rollup_owner_id: Mapped[int | None] = mapped_column(Integer)
    rollup_alive: Mapped[bool | None] = mapped_column(Boolean)  # not deleted
    max_order_id: Mapped[int | None] = mapped_column(Integer)  # last completed order counted
    max_stage_change_id: Mapped[int | None] = mapped_column(Integer)  # last lifecycle change counted
    rollup_created_on: Mapped[dt.date | None] = mapped_column(Date)  # customer_rollup's created day
    # Why the tier and groups (crm_data.rules_store): the rule version applied, the tier's rule
    # id and the first matching rule id of each group; sentences are rendered from the rules.
    rules_version: Mapped[int | None] = mapped_column(Integer)
    tier_rule: Mapped[str | None] = mapped_column(String(40))
    group_rules: Mapped[str] = mapped_column(String(300), default="")  # ",loyal_orders,debtor,"

    __table_args__ = (
        Index("ix_stats_last_order", "last_order_date"),
        Index("ix_stats_first_order", "first_order_date"),
        Index("ix_stats_tier", "tier"),
        Index("ix_stats_spend", "total_spend"),
        # Ranking candidates by lifetime count (crm_data.reports.revenue.ranking).
        Index("ix_stats_orders", "orders_count", "customer_id"),
        Index("ix_stats_interactions", "interactions_count", "customer_id"),
    )


class OrderRollup(Base):
    """Completed orders of non-deleted customers per day and per month ("d" / "m" grain) and
    owner: maintained by crm_data.rollups inside every write's transaction. Additive
    measures sum over owners; buyers too, because a customer has exactly one owner."""

    __tablename__ = "order_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(1))  # d | m
    start: Mapped[dt.date] = mapped_column(Date)  # the day, or the first day of the month
    owner_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[int] = mapped_column(Money)
    profit: Mapped[int | None] = mapped_column(Money)  # Σ (amount − cost) of known costs
    costed: Mapped[int] = mapped_column(Integer)  # orders with a known cost (profit NULL at 0)
    unpaid: Mapped[int] = mapped_column(Money)  # Σ (amount − paid_amount)
    buyers: Mapped[int] = mapped_column(Integer)  # distinct customers in the cell

    __table_args__ = (Index("ix_order_rollup_cell", "grain", "start", "owner_id"),)


class CustomerRollup(Base):
    """Non-deleted customers per day and owner by the day they were created ("created",
    with the sum of their debt) and by the day of their first / last completed order
    ("first_order" / "last_order"): maintained by crm_data.customer_rollup."""

    __tablename__ = "customer_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # created | first_order | last_order
    day: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer)
    debt: Mapped[int] = mapped_column(Money, default=0)

    __table_args__ = (Index("ix_customer_rollup_cell", "kind", "day", "owner_id"),)


class StageFlowRollup(Base):
    """Lifecycle stage changes (stage_changes kind='lifecycle') of non-deleted customers per
    day / month ("d" / "m"), owner and from → to stage: the journey's flows, maintained by
    crm_data.rollups with order_rollup."""

    __tablename__ = "stage_flow_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(1))  # d | m
    start: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    from_stage: Mapped[str | None] = mapped_column(String(16))  # NULL: the first recorded stage
    to_stage: Mapped[str] = mapped_column(String(16))
    changes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_stage_flow_cell", "grain", "start", "owner_id"),)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[int] = mapped_column(Money)
    unit_cost: Mapped[int | None] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Order(Base):
    """A sale. amount = subtotal - discount; paid_amount is what was paid at checkout."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_date: Mapped[dt.date] = mapped_column(Date)
    ordered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="completed")  # completed | cancelled
    channel: Mapped[str | None] = mapped_column(String(12))  # store | online | phone | zalo
    payment_method: Mapped[str | None] = mapped_column(String(12))  # cash | transfer | card | cod | ewallet
    subtotal: Mapped[int] = mapped_column(Money)
    discount: Mapped[int] = mapped_column(Money, default=0)
    amount: Mapped[int] = mapped_column(Money)
    cost: Mapped[int | None] = mapped_column(Money)  # None when costs are unknown
    paid_amount: Mapped[int] = mapped_column(Money, default=0)
    items_count: Mapped[int] = mapped_column(SmallInteger, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (
        # Covering: period reports read every column they need from the index range.
        Index("ix_orders_date_cover", "order_date", "status", "customer_id", "amount", "cost",
              "paid_amount"),
        # A customer's orders by date, covering status and amount (cohorts, rankings).
        Index("ix_orders_customer_cover", "customer_id", "order_date", "status", "amount"),
        # Receivables: only the completed orders not paid in full at checkout (a few per
        # cent of all), so ageing never reads the paid ones. Queries repeat OPEN_ORDER_SQL.
        Index("ix_orders_open", "order_date", "customer_id", "amount", "paid_amount",
              sqlite_where=text(OPEN_ORDER_SQL), postgresql_where=text(OPEN_ORDER_SQL)),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[int] = mapped_column(Money)
    unit_cost: Mapped[int | None] = mapped_column(Money)
    amount: Mapped[int] = mapped_column(Money)

    __table_args__ = (Index("ix_order_lines_order", "order_id"),)


class Payment(Base):
    """Money received after checkout against a customer's receivable (công nợ)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Money)
    method: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (
        # Covering (money, migration 0011): receivables collected per day, all customers or
        # one owner's.
        Index("ix_payments_customer", "customer_id", "paid_on", "amount"),
        Index("ix_payments_date", "paid_on", "customer_id", "amount"),
    )


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))  # call | email | meeting | zalo | facebook | sms | visit
    outcome: Mapped[str] = mapped_column(String(12))  # consulted | skipped | no_answer | follow_up
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    next_step_date: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_interactions_customer", "customer_id", "occurred_at"),
        Index("ix_interactions_time_cover", "occurred_at", "customer_id", "outcome", "kind"),
    )


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(12))  # complaint | question | review
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | in_progress | resolved
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # 1..5 for reviews
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        Index("ix_feedback_customer", "customer_id"),
        Index("ix_feedback_opened", "opened_at"),
    )


class Appointment(Base):
    """Appointments, call-backs and reminders (tasks)."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))  # appointment | call_back | reminder
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | done | cancelled
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_appointments_due", "status", "due_at"),
        Index("ix_appointments_customer", "customer_id"),
    )


class LoyaltyEntry(Base):
    __tablename__ = "loyalty_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # earn | redeem | adjust
    points: Mapped[int] = mapped_column(Integer)  # signed: redeem is negative
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_loyalty_customer", "customer_id"),)


class CashEntry(Base):
    """Cash book (sổ thu chi): receipts (thu) and payments (chi) with a reason; the
    money area's columns (voucher_no …) are listed at the end of this file's money part."""

    __tablename__ = "cash_book"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # receipt | payment
    category: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Money)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # --- money (migration 0011) ---
    # Số chứng từ: PT000001… for receipts, PC000001… for payments.
    voucher_no: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(12))  # cash | transfer | card | cod | ewallet
    counterpart: Mapped[str | None] = mapped_column(String(200))  # who paid / was paid
    description: Mapped[str | None] = mapped_column(String(300))  # diễn giải
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))  # a customer payment's receipt
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_cash_date", "entry_date", "kind", "amount"),  # covering: balances
        Index("ux_cash_voucher", "voucher_no", unique=True),
        Index("ix_cash_payment", "payment_id"),
    )


class StageChange(Base):
    """Every pipeline / lifecycle stage change; the funnel and the journey come from here."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(10))  # pipeline | lifecycle
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lost_reason: Mapped[str | None] = mapped_column(String(32))
    # When the customer left this stage: their next change of the same kind (NULL while in
    # it); kept by crm_data.stage_exits.
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # When the customer last entered the same stage before (NULL: the first time); kept by
    # crm_data.stage_exits.
    previous_entry_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        # Covering: the funnel / journey read changes of one kind by time (counts, flows,
        # time in stage, first entries) and by customer in time order.
        Index("ix_stage_kind_time_cover", "kind", "changed_at", "customer_id", "from_stage",
              "to_stage", "left_at", "previous_entry_at"),
        # left_at too: a funnel cohort's stays (time in stage) read from the index alone
        Index("ix_stage_kind_customer", "kind", "customer_id", "changed_at", "to_stage", "left_at"),
        # Lost reasons: only the changes to one stage, by time.
        Index("ix_stage_lost_cover", "kind", "to_stage", "changed_at", "customer_id", "lost_reason"),
        Index("ix_stage_customer", "customer_id", "kind", "changed_at"),
    )


class LeadAnswer(Base):
    __tablename__ = "lead_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    question_key: Mapped[str] = mapped_column(String(32))
    answer_key: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(SmallInteger)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (UniqueConstraint("customer_id", "question_key"),)


class SavedSegment(Base):
    __tablename__ = "saved_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(Text)  # the filter as URL query string
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))  # create | update | delete | login | export | import …
    entity: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_user_at", "user_id", "at"),
        Index("ix_audit_action_at", "action", "at"),
    )


class AppMeta(Base):
    """Key/value facts about the database, e.g. data_version, bumped by every write so
    cached query results everywhere (UI, other processes) know they are stale."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, server_default=func.now())


# --- today ---


class TodayMark(Base):
    """A Today item marked done (until NULL) or snoozed (hidden while the day is before
    `until`). The items themselves are derived from the data (crm_data.daily.today); this
    keeps only what the data cannot say, keyed by kind + customer + source (the record the
    item comes from: interaction, appointment, feedback id, birthday year, last order day)."""

    __tablename__ = "today_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    source_id: Mapped[int] = mapped_column(BigInteger)
    until: Mapped[dt.date | None] = mapped_column(Date)  # NULL: done
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (UniqueConstraint("kind", "customer_id", "source_id", name="uq_today_marks_item"),)


# Due follow-ups: the interactions whose next step has come, by date, with what the "no later
# interaction" probe needs.
Index("ix_interactions_next_step", Interaction.next_step_date, Interaction.customer_id,
      Interaction.occurred_at)
# Birthdays of a week: one range of birth dates per birth year.
Index("ix_customers_birth_date", Customer.birth_date)
# Re-orders: the not-yet-churned last orders with their interval, from the index alone.
Index("ix_stats_reorder", CustomerStats.last_order_date, CustomerStats.avg_interval_days,
      CustomerStats.orders_count)
# --- loyalty ---
# Ledger kinds: earn | redeem | adjust | expire (points signed: redeem and expire negative).
Index("ix_loyalty_date_cover", LoyaltyEntry.entry_date, LoyaltyEntry.kind, LoyaltyEntry.customer_id,
      LoyaltyEntry.points)  # earn / redeem / expire by period from the index alone
Index("ix_stats_points", CustomerStats.points, CustomerStats.customer_id)  # top holders


class LoyaltyGift(Base):
    """A gift customers may take for points; stock is what is left to give."""

    __tablename__ = "loyalty_gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    points_cost: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class LoyaltyRedemption(Base):
    """What a redeem row of the ledger bought: a gift, or a discount worth discount_vnd."""

    __tablename__ = "loyalty_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("loyalty_ledger.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(8))  # gift | discount
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("loyalty_gifts.id"))
    points: Mapped[int] = mapped_column(Integer)  # positive: the points given up
    discount_vnd: Mapped[int | None] = mapped_column(Money)
    redeemed_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (
        Index("ix_redemptions_customer", "customer_id"),
        Index("ix_redemptions_day", "redeemed_on", "kind", "gift_id"),
    )
# --- complaints ---
class FeedbackNote(Base):
    """The thread of a complaint / question / review: replies, assignments, resolutions and
    reopenings, oldest first. customer_id is the feedback's, copied so that a person's
    export and erasure (Decree 13/2023) reach these texts like their other rows."""

    __tablename__ = "feedback_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(12))  # reply | assign | resolve | reopen
    body: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # kind assign

    __table_args__ = (
        Index("ix_feedback_notes_feedback", "feedback_id", "at"),
        Index("ix_feedback_notes_customer", "customer_id"),
    )


# The desk's list: open ones by age, and by who handles them.
Index("ix_feedback_desk", Feedback.kind, Feedback.status, Feedback.opened_at)
Index("ix_feedback_assigned", Feedback.assigned_to, Feedback.status)
# Resolution time by period: resolved ones by the time they were resolved.
Index("ix_feedback_resolved", Feedback.resolved_at)
# --- clv ---


class ModelFit(Base):
    """One fit of BG/NBD (r, alpha, a, b; time in weeks) and Gamma-Gamma (p, q, gamma in VND)
    over the completed orders up to fitted_on (crm_data.clv.fit), with its holdout check: the
    model refitted on the orders up to calibration_end predicted holdout_predicted repeat
    purchase days in the days after, holdout_actual happened."""

    __tablename__ = "model_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    fitted_on: Mapped[dt.date] = mapped_column(Date)
    calibration_end: Mapped[dt.date | None] = mapped_column(Date)
    n_customers: Mapped[int] = mapped_column(Integer)
    n_repeat: Mapped[int] = mapped_column(Integer)  # with x >= 1: the Gamma-Gamma sample
    r: Mapped[float] = mapped_column(Float)
    alpha: Mapped[float] = mapped_column(Float)
    a: Mapped[float] = mapped_column(Float)
    b: Mapped[float] = mapped_column(Float)
    p: Mapped[float | None] = mapped_column(Float)
    q: Mapped[float | None] = mapped_column(Float)
    gamma: Mapped[float | None] = mapped_column(Float)
    loglik: Mapped[float] = mapped_column(Float)
    loglik_spend: Mapped[float | None] = mapped_column(Float)
    holdout_predicted: Mapped[float | None] = mapped_column(Float)
    holdout_actual: Mapped[float | None] = mapped_column(Float)
    holdout_error: Mapped[float | None] = mapped_column(Float)  # (predicted - actual) / actual
    horizon_days: Mapped[int] = mapped_column(Integer)  # of expected_value
    seconds: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_model_fits_fitted_at", "fitted_at"),)


class CustomerClv(Base):
    """Per buyer, the latest fit's scores (derived, rewritten whole by every fit):
    frequency = repeat purchase days, recency / age in weeks since the first purchase."""

    __tablename__ = "customer_clv"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    fit_id: Mapped[int] = mapped_column(ForeignKey("model_fits.id", ondelete="CASCADE"))
    frequency: Mapped[int] = mapped_column(Integer)
    recency_weeks: Mapped[float] = mapped_column(Float)
    age_weeks: Mapped[float] = mapped_column(Float)
    mean_spend: Mapped[int | None] = mapped_column(Money)  # of the repeat purchase days
    p_alive: Mapped[float] = mapped_column(Float)
    # P(alive) with the same parameters from the orders up to clv.compare_days ago: "falling"
    p_alive_before: Mapped[float | None] = mapped_column(Float)
    expected_30: Mapped[float] = mapped_column(Float)
    expected_90: Mapped[float] = mapped_column(Float)
    expected_365: Mapped[float] = mapped_column(Float)
    expected_spend: Mapped[int | None] = mapped_column(Money)  # per purchase, Gamma-Gamma
    expected_value: Mapped[int] = mapped_column(Money)  # over horizon_days of the fit

    __table_args__ = (
        Index("ix_customer_clv_p_alive", "p_alive", "customer_id"),
        Index("ix_customer_clv_value", "expected_value", "customer_id"),
    )


# --- money ---
class PaymentAllocation(Base):
    """The part of a payment applied to one order (the oldest open orders first): an
    order's open balance = amount − paid at checkout − its allocations. paid_on is the
    payment's date, kept here so balances as of a past day read this table alone."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Money)

    __table_args__ = (
        Index("ix_alloc_order", "order_id", "paid_on", "amount"),
        Index("ix_alloc_payment", "payment_id"),
    )


class OpenOrder(Base):
    """Orders of non-deleted customers with something still owed now, one row each, with
    the customer's owner (crm_data.daily.open_orders): refreshed with customer_stats for
    the customers a write touched, so the Receivables page reads a few thousand rows
    instead of every order ever sold on credit."""

    __tablename__ = "open_orders"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    order_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Money)
    paid: Mapped[int] = mapped_column(Money)  # at checkout + allocated payments
    open: Mapped[int] = mapped_column(Money)

    __table_args__ = (
        # Covering: ageing by date, per customer, per owner (staff: their own rows).
        Index("ix_open_orders_date", "order_date", "customer_id", "open"),
        Index("ix_open_orders_customer", "customer_id", "order_date", "open", "amount", "paid"),
        Index("ix_open_orders_owner", "owner_id", "order_date", "customer_id", "open", "amount", "paid"),
    )


# --- dupes ---


class DuplicatePair(Base):
    """A likely duplicate found by crm_data.dedupe (a_id < b_id): replaced on every run of
    the finder except the pairs someone marked "not a duplicate", which stay dismissed.
    Plain ids, not foreign keys: the pairs are a rebuildable list, not customer data."""

    __tablename__ = "duplicate_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    a_id: Mapped[int] = mapped_column(Integer)
    b_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(SmallInteger)  # 0..100
    reasons: Mapped[str] = mapped_column(String(200))  # "phone,email,name_similar:87,…"
    found_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    dismissed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    dismissed_by: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("a_id", "b_id", name="uq_duplicate_pairs_ab"),
        Index("ix_duplicate_pairs_score", "dismissed_at", "score"),
    )


class CustomerMerge(Base):
    """One merge of `loser_id` into `survivor_id`: the full before-state of both records and
    the ids of every row moved, so that an undo within the allowed days restores both exactly.
    Plain ids (no foreign keys): the history names the loser on purpose."""

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(Integer)
    loser_id: Mapped[int] = mapped_column(Integer)
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    merged_by: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str] = mapped_column(Text)  # JSON {"survivor": {...}, "loser": {...}}
    moved: Mapped[str] = mapped_column(Text)  # JSON {"table.column": [row ids]}
    created: Mapped[str] = mapped_column(Text, default="{}")  # JSON rows the merge added
    survivor_version: Mapped[int] = mapped_column(Integer)  # the survivor's version after it
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_customer_merges_at", "merged_at"),
        Index("ix_customer_merges_loser", "loser_id"),
    )


# --- lookalike ---


class LookalikeFit(Base):
    """One fit of the lookalike model (crm_data.lookalike): who counted as "best", the
    time split (trained on leads created before split_on, tested on those after) and the
    test's AUC (95 % interval), forward-chaining cross-validated AUC and top-decile lift.
    supported = False: the data cannot support a score (verdict says why); none is stored."""

    __tablename__ = "lookalike_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    fitted_on: Mapped[dt.date] = mapped_column(Date)
    best: Mapped[str] = mapped_column(String(40))  # vip | value | segment:<id>
    split_on: Mapped[dt.date | None] = mapped_column(Date)
    n_train: Mapped[int] = mapped_column(Integer)
    n_test: Mapped[int] = mapped_column(Integer)
    positives_train: Mapped[int] = mapped_column(Integer)
    positives_test: Mapped[int] = mapped_column(Integer)
    auc: Mapped[float | None] = mapped_column(Float)
    auc_low: Mapped[float | None] = mapped_column(Float)
    auc_high: Mapped[float | None] = mapped_column(Float)
    cv_auc: Mapped[float | None] = mapped_column(Float)
    lift_top_decile: Mapped[float | None] = mapped_column(Float)
    supported: Mapped[bool] = mapped_column(Boolean)
    verdict: Mapped[str] = mapped_column(String(24))  # ok | too_few_positives | not_better_than_chance
    n_scored: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_lookalike_fits_fitted_at", "fitted_at"),)


class LeadLookalike(Base):
    """Per lead without a completed order, the latest supported fit's score (probability of
    being "best") and its top reasons: JSON [[feature, value, contribution], ...]."""

    __tablename__ = "lead_lookalike"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    fit_id: Mapped[int] = mapped_column(ForeignKey("lookalike_fits.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_lead_lookalike_score", "score", "customer_id"),)


# --- leadscore ---
class LeadQuestion(Base):
    """A question of the lead-scoring questionnaire (admin-edited; every change audited)."""

    __tablename__ = "lead_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # = lead_answers.question_key
    text_vi: Mapped[str] = mapped_column(String(200))
    text_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(SmallInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LeadOption(Base):
    """An answer option of a question and the points it gives."""

    __tablename__ = "lead_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("lead_questions.id"))
    key: Mapped[str] = mapped_column(String(32))  # = lead_answers.answer_key
    text_vi: Mapped[str] = mapped_column(String(200))
    text_en: Mapped[str] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(SmallInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("question_id", "key"),)


class ChurnReason(Base):
    """Why a buyer stopped buying, as recorded by staff; the latest row counts."""

    __tablename__ = "churn_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    reason: Mapped[str] = mapped_column(String(16))  # enum churn_reason
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Covering: the latest reason of a customer from the index alone.
    __table_args__ = (Index("ix_churn_reasons_latest", "customer_id", "recorded_at", "id", "reason"),)


class Tag(Base):
    """Every tag once, by its folded key, with the spelling first entered."""

    __tablename__ = "tags"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


# --- rules ---
class RuleVersion(Base):
    """One whole definition of the classification rules (crm_data.rules_store); the newest
    version is in force. Every save and every restore adds a version, nothing is edited."""

    __tablename__ = "rule_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    definition: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    restored_from: Mapped[int | None] = mapped_column(Integer)


from crm_data.models_funnel import FunnelRollup  # noqa: E402,F401  (its own module)
