"""Fitted models and their outputs (CLV, lookalike), duplicate pairs and merges, rule versions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.domain.clock import now
from crm_data.storage.models.base import Base, Money

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


# --- rules ---
class RuleVersion(Base):
    """One whole definition of the classification rules (crm_data.rules.store); the newest
    version is in force. Every save and every restore adds a version, nothing is edited."""

    __tablename__ = "rule_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    definition: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    restored_from: Mapped[int | None] = mapped_column(Integer)
