"""Duplicate pairs and merges (undoable).

Revision ID: 0017
Revises: 0016
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("reasons", sa.String(200), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_by", sa.Integer(), nullable=True),
        sa.UniqueConstraint("a_id", "b_id", name="uq_duplicate_pairs_ab"),
    )
    op.create_index("ix_duplicate_pairs_score", "duplicate_pairs", ["dismissed_at", "score"])
    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("loser_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("merged_by", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("moved", sa.Text(), nullable=False),
        sa.Column("created", sa.Text(), nullable=False),
        sa.Column("survivor_version", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
    )
    op.create_index("ix_customer_merges_at", "customer_merges", ["merged_at"])
    op.create_index("ix_customer_merges_loser", "customer_merges", ["loser_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_merges_loser", table_name="customer_merges")
    op.drop_index("ix_customer_merges_at", table_name="customer_merges")
    op.drop_table("customer_merges")
    op.drop_index("ix_duplicate_pairs_score", table_name="duplicate_pairs")
    op.drop_table("duplicate_pairs")
