"""funnel_rollup: the funnel cohort view's cells — non-deleted customers per creation day /
month and owner by current stage and furthest stage, their ended stays in tenths of a day,
and the lost ones by reason (crm_data.summaries.funnel_rollup). The funnel at a million customers
reads these cells instead of every customer created in the period and their changes.

Filled by the next summary rebuild: the migration forgets the day of the last one, so the
dashboard / CLI rebuild on their next start (crm_data.summaries.ensure_fresh).

Revision ID: 0019
Revises: 0018
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CELL = ["kind", "grain", "start", "owner_id", "stage", "value", "n"]


def upgrade() -> None:
    op.create_table(
        "funnel_rollup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(5), nullable=False),
        sa.Column("grain", sa.String(1), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(32), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_index("ix_funnel_rollup_cell", "funnel_rollup", _CELL)
    op.execute("DELETE FROM app_meta WHERE key = 'stats_day'")


def downgrade() -> None:
    op.drop_index("ix_funnel_rollup_cell", table_name="funnel_rollup")
    op.drop_table("funnel_rollup")
