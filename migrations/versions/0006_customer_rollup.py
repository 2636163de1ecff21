"""customer_rollup: non-deleted customers per day and owner by creation day (with their
debt) and by the day of their first / last completed order, and the creation day each
summary row was counted under. Overview and retention counts read it instead of every
customer.

Filled by the next summary rebuild: the migration forgets the day of the last one, so the
dashboard / CLI rebuild on their next start (crm_data.summaries.ensure_fresh).

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_rollup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("debt", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_customer_rollup_cell", "customer_rollup", ["kind", "day", "owner_id"])
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.add_column(sa.Column("rollup_created_on", sa.Date(), nullable=True))
    op.execute("DELETE FROM app_meta WHERE key = 'stats_day'")


def downgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.drop_column("rollup_created_on")
    op.drop_index("ix_customer_rollup_cell", table_name="customer_rollup")
    op.drop_table("customer_rollup")
