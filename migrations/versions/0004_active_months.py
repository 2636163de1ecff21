"""customer_stats.active_months: bit k set when the customer has a completed order in the
k-th month after their first order's month. The retention cohorts read it from the
summary instead of grouping a year of orders per customer and month. Indexes on the
lifetime order / interaction counts: the rankings' candidates, largest first.

Filled by the next summary rebuild: the migration forgets the day of the last one, so the
dashboard / CLI rebuild on their next start (crm_data.summaries.ensure_fresh).

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.add_column(sa.Column("active_months", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_stats_orders", ["orders_count", "customer_id"])
        batch_op.create_index("ix_stats_interactions", ["interactions_count", "customer_id"])
    op.execute("DELETE FROM app_meta WHERE key = 'stats_day'")


def downgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.drop_index("ix_stats_interactions")
        batch_op.drop_index("ix_stats_orders")
        batch_op.drop_column("active_months")
