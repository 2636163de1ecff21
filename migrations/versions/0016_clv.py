"""P(alive) and expected value per customer (BG/NBD + Gamma-Gamma) and model fits.

Revision ID: 0016
Revises: 0015
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_fits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("fitted_on", sa.Date(), nullable=False),
        sa.Column("calibration_end", sa.Date(), nullable=True),
        sa.Column("n_customers", sa.Integer(), nullable=False),
        sa.Column("n_repeat", sa.Integer(), nullable=False),
        sa.Column("r", sa.Float(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("a", sa.Float(), nullable=False),
        sa.Column("b", sa.Float(), nullable=False),
        sa.Column("p", sa.Float(), nullable=True),
        sa.Column("q", sa.Float(), nullable=True),
        sa.Column("gamma", sa.Float(), nullable=True),
        sa.Column("loglik", sa.Float(), nullable=False),
        sa.Column("loglik_spend", sa.Float(), nullable=True),
        sa.Column("holdout_predicted", sa.Float(), nullable=True),
        sa.Column("holdout_actual", sa.Float(), nullable=True),
        sa.Column("holdout_error", sa.Float(), nullable=True),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_fits_fitted_at", "model_fits", ["fitted_at"])
    op.create_table(
        "customer_clv",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("fit_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("recency_weeks", sa.Float(), nullable=False),
        sa.Column("age_weeks", sa.Float(), nullable=False),
        sa.Column("mean_spend", sa.BigInteger(), nullable=True),
        sa.Column("p_alive", sa.Float(), nullable=False),
        sa.Column("p_alive_before", sa.Float(), nullable=True),
        sa.Column("expected_30", sa.Float(), nullable=False),
        sa.Column("expected_90", sa.Float(), nullable=False),
        sa.Column("expected_365", sa.Float(), nullable=False),
        sa.Column("expected_spend", sa.BigInteger(), nullable=True),
        sa.Column("expected_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["fit_id"], ["model_fits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index("ix_customer_clv_p_alive", "customer_clv", ["p_alive", "customer_id"])
    op.create_index("ix_customer_clv_value", "customer_clv", ["expected_value", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_clv_value", table_name="customer_clv")
    op.drop_index("ix_customer_clv_p_alive", table_name="customer_clv")
    op.drop_table("customer_clv")
    op.drop_index("ix_model_fits_fitted_at", table_name="model_fits")
    op.drop_table("model_fits")
