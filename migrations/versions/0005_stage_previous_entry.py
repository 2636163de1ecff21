"""stage_changes.previous_entry_at: when the customer last entered the same stage before
this change (NULL the first time), maintained by crm_data.summaries.stage_exits with left_at. The
funnel counts distinct customers per stage as the changes that are the customer's first
entry in the period — a plain count over the covering index, no DISTINCT sort.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same pairing as crm_data.summaries.stage_exits.link, frozen here as this revision knew it.
_BACKFILL = """
UPDATE stage_changes SET previous_entry_at = n.prev
FROM (SELECT id, lag(changed_at) OVER (PARTITION BY customer_id, kind, to_stage
                                       ORDER BY changed_at, id) AS prev
      FROM stage_changes) AS n
WHERE stage_changes.id = n.id AND n.prev IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.add_column(sa.Column("previous_entry_at", sa.DateTime(), nullable=True))
    op.execute(_BACKFILL)
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index("ix_stage_kind_time_cover")
        batch_op.create_index("ix_stage_kind_time_cover", ["kind", "changed_at", "customer_id", "from_stage",
                                                           "to_stage", "left_at", "previous_entry_at"])


def downgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index("ix_stage_kind_time_cover")
        batch_op.create_index("ix_stage_kind_time_cover", ["kind", "changed_at", "customer_id", "from_stage",
                                                           "to_stage", "left_at"])
        batch_op.drop_column("previous_entry_at")
