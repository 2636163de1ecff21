"""stage_changes.left_at: when the customer left the stage (the time of their next change
of the same kind; NULL while they are still in it), maintained by crm_data.summaries.stage_exits in
every write's transaction. The funnel's time in stage reads it from the covering index
instead of pairing each change with the next in a window over the whole history.

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same pairing as crm_data.summaries.stage_exits.link, frozen here as this revision knew it.
_BACKFILL = """
UPDATE stage_changes SET left_at = n.nxt
FROM (SELECT id, lead(changed_at) OVER (PARTITION BY customer_id, kind ORDER BY changed_at, id) AS nxt
      FROM stage_changes) AS n
WHERE stage_changes.id = n.id AND n.nxt IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.add_column(sa.Column("left_at", sa.DateTime(), nullable=True))
    op.execute(_BACKFILL)
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index("ix_stage_kind_time_cover")
        batch_op.create_index("ix_stage_kind_time_cover", ["kind", "changed_at", "customer_id",
                                                           "from_stage", "to_stage", "left_at"])


def downgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index("ix_stage_kind_time_cover")
        batch_op.create_index("ix_stage_kind_time_cover", ["kind", "changed_at", "customer_id",
                                                           "from_stage", "to_stage"])
        batch_op.drop_column("left_at")
