"""Customers, their maintained figures (customer_stats), stage history, lead answers and questions, churn reasons, tags, saved segments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.domain.clock import now
from crm_data.storage.models.base import Base, Money


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
    # (crm_data.records.tags).
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
        # The same for a region, of everyone or of one owner, where the rollups do not answer
        # alone (migration 0022).
        Index("ix_customers_region_cover", "region", "owner_id", "deleted_at", "id"),
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
    """Derived per-customer figures, refreshed on every write (crm_data.summaries)."""

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
    # What order_rollup counted this customer under at the refresh (crm_data.summaries.rollups): the
    # next refresh recomputes only the cells that can have changed.
    rollup_owner_id: Mapped[int | None] = mapped_column(Integer)
    rollup_region: Mapped[str | None] = mapped_column(String(8))
    rollup_alive: Mapped[bool | None] = mapped_column(Boolean)  # not deleted
    max_order_id: Mapped[int | None] = mapped_column(Integer)  # last completed order counted
    max_stage_change_id: Mapped[int | None] = mapped_column(Integer)  # last lifecycle change counted
    max_interaction_id: Mapped[int | None] = mapped_column(Integer)  # last interaction counted
    max_payment_id: Mapped[int | None] = mapped_column(Integer)  # last payment counted
    payments_count: Mapped[int | None] = mapped_column(Integer)
    rollup_created_on: Mapped[dt.date | None] = mapped_column(Date)  # customer_rollup's created day
    # Why the tier and groups (crm_data.rules.store): the rule version applied, the tier's rule
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
    # it); kept by crm_data.summaries.stage_exits.
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # When the customer last entered the same stage before (NULL: the first time); kept by
    # crm_data.summaries.stage_exits.
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
