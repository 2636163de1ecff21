"""The rollups' cells by region too (order_rollup, stage_flow_rollup, customer_rollup), and
what each customer was counted under (customer_stats.rollup_region): a region chosen in the
sidebar reads cells instead of every customer of the region (crm_data.summaries.rollups).

Filled by the next summary rebuild: the migration forgets the day of the last one, so the
dashboard / CLI rebuild on their next start (crm_data.summaries.ensure_fresh). Until then
every old cell and summary row says "no region" alike, so writes in between move shares
consistently.

Revision ID: 0021
Revises: 0020
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLLUPS = ("order_rollup", "stage_flow_rollup", "customer_rollup")


def upgrade() -> None:
    for table in _ROLLUPS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("region", sa.String(8), nullable=True))
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.add_column(sa.Column("rollup_region", sa.String(8), nullable=True))
    op.execute("DELETE FROM app_meta WHERE key = 'stats_day'")


def downgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.drop_column("rollup_region")
    for table in _ROLLUPS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("region")
