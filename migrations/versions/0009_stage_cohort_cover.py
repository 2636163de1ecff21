"""ix_stage_kind_customer covers left_at as well: the funnel's cohort view (the default) reads
the time each lead of the period spent in its stages from the index alone instead of one
table lookup per stage change (admin, this year, 100k customers on SQLite: the stays pass
199 → 141 ms).

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index("ix_stage_kind_customer")
        batch_op.create_index("ix_stage_kind_customer",
                              ["kind", "customer_id", "changed_at", "to_stage", "left_at"])


def downgrade() -> None:
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index("ix_stage_kind_customer")
        batch_op.create_index("ix_stage_kind_customer",
                              ["kind", "customer_id", "changed_at", "to_stage"])
