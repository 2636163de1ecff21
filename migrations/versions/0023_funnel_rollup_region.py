"""funnel_rollup's cells by region too, in its covering index: the funnel under a region
chosen in the sidebar reads cells, as the other rollups do since 0021.

Filled by the next summary rebuild: the migration forgets the day of the last one, so the
dashboard / CLI rebuild on their next start (crm_data.summaries.ensure_fresh). The funnel's
cells are recomputed from the raw rows on every write, so figures without a region stay
exact in between.

Revision ID: 0023
Revises: 0022
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ["kind", "grain", "start", "owner_id", "stage", "value", "n"]
_NEW = ["kind", "grain", "start", "owner_id", "region", "stage", "value", "n"]


def upgrade() -> None:
    op.drop_index("ix_funnel_rollup_cell", table_name="funnel_rollup")
    with op.batch_alter_table("funnel_rollup") as batch_op:
        batch_op.add_column(sa.Column("region", sa.String(8), nullable=True))
    op.create_index("ix_funnel_rollup_cell", "funnel_rollup", _NEW)
    op.execute("DELETE FROM app_meta WHERE key = 'stats_day'")


def downgrade() -> None:
    op.drop_index("ix_funnel_rollup_cell", table_name="funnel_rollup")
    with op.batch_alter_table("funnel_rollup") as batch_op:
        batch_op.drop_column("region")
    op.create_index("ix_funnel_rollup_cell", "funnel_rollup", _OLD)
