"""Lookalike leads: fits of the "looks like our best customers" model and per-lead scores.

Revision ID: 0018
Revises: 0017
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lookalike_fits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("fitted_on", sa.Date(), nullable=False),
        sa.Column("best", sa.String(length=40), nullable=False),
        sa.Column("split_on", sa.Date(), nullable=True),
        sa.Column("n_train", sa.Integer(), nullable=False),
        sa.Column("n_test", sa.Integer(), nullable=False),
        sa.Column("positives_train", sa.Integer(), nullable=False),
        sa.Column("positives_test", sa.Integer(), nullable=False),
        sa.Column("auc", sa.Float(), nullable=True),
        sa.Column("auc_low", sa.Float(), nullable=True),
        sa.Column("auc_high", sa.Float(), nullable=True),
        sa.Column("cv_auc", sa.Float(), nullable=True),
        sa.Column("lift_top_decile", sa.Float(), nullable=True),
        sa.Column("supported", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("n_scored", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lookalike_fits_fitted_at", "lookalike_fits", ["fitted_at"])
    op.create_table(
        "lead_lookalike",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("fit_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["fit_id"], ["lookalike_fits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index("ix_lead_lookalike_score", "lead_lookalike", ["score", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_lead_lookalike_score", table_name="lead_lookalike")
    op.drop_table("lead_lookalike")
    op.drop_index("ix_lookalike_fits_fitted_at", table_name="lookalike_fits")
    op.drop_table("lookalike_fits")
