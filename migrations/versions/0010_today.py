"""Today list: done / snooze marks of derived daily-work items, and the indexes of its kinds
(due follow-ups by next-step date, birthdays by birth date, re-orders by last order).

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "today_marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("kind", "customer_id", "source_id", name="uq_today_marks_item"),
    )
    op.create_index("ix_interactions_next_step", "interactions",
                    ["next_step_date", "customer_id", "occurred_at"])
    op.create_index("ix_customers_birth_date", "customers", ["birth_date"])
    op.create_index("ix_stats_reorder", "customer_stats",
                    ["last_order_date", "avg_interval_days", "orders_count"])


def downgrade() -> None:
    op.drop_index("ix_stats_reorder", table_name="customer_stats")
    op.drop_index("ix_customers_birth_date", table_name="customers")
    op.drop_index("ix_interactions_next_step", table_name="interactions")
    op.drop_table("today_marks")
