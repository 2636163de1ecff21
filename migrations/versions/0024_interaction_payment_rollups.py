"""interaction_rollup and payment_rollup: interactions (by outcome) and payments per day /
month, owner and region, so the Overview's contact figures and a period's receivables
(payments after its end) over a year read cells instead of a year of one owner's rows
(crm_data.summaries.rollups); customer_stats records the last interaction and payment it
counted, and how many payments, so a write recomputes only the days of its new rows.

Filled by the next summary rebuild: the migration forgets the day of the last one, so the
dashboard / CLI rebuild on their next start (crm_data.summaries.ensure_fresh).

Revision ID: 0024
Revises: 0023
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATS = ("max_interaction_id", "max_payment_id", "payments_count")


def _place() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer, primary_key=True), sa.Column("grain", sa.String(1), nullable=False),
            sa.Column("start", sa.Date, nullable=False), sa.Column("owner_id", sa.Integer),
            sa.Column("region", sa.String(8))]


def upgrade() -> None:
    op.create_table("interaction_rollup", *_place(), sa.Column("outcome", sa.String(12), nullable=False),
                    sa.Column("interactions", sa.Integer, nullable=False))
    op.create_index("ix_interaction_rollup_cell", "interaction_rollup",
                    ["grain", "start", "owner_id", "region", "outcome", "interactions"])
    op.create_table("payment_rollup", *_place(), sa.Column("payments", sa.Integer, nullable=False),
                    sa.Column("amount", sa.BigInteger, nullable=False))
    op.create_index("ix_payment_rollup_cell", "payment_rollup", ["grain", "start", "owner_id", "region", "amount"])
    with op.batch_alter_table("customer_stats") as batch_op:
        for name in _STATS:
            batch_op.add_column(sa.Column(name, sa.Integer, nullable=True))
    op.execute("DELETE FROM app_meta WHERE key = 'stats_day'")


def downgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch_op:
        for name in _STATS:
            batch_op.drop_column(name)
    op.drop_table("payment_rollup")
    op.drop_table("interaction_rollup")
