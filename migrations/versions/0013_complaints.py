"""Complaints desk: the thread of each feedback (replies, assignments, resolutions,
reopenings) and the indexes of the desk's list and of resolution time by period.

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("feedback_id", sa.Integer(), sa.ForeignKey("feedback.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("assigned_to", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("ix_feedback_notes_feedback", "feedback_notes", ["feedback_id", "at"])
    op.create_index("ix_feedback_notes_customer", "feedback_notes", ["customer_id"])
    op.create_index("ix_feedback_desk", "feedback", ["kind", "status", "opened_at"])
    op.create_index("ix_feedback_assigned", "feedback", ["assigned_to", "status"])
    op.create_index("ix_feedback_resolved", "feedback", ["resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_feedback_resolved", table_name="feedback")
    op.drop_index("ix_feedback_assigned", table_name="feedback")
    op.drop_index("ix_feedback_desk", table_name="feedback")
    op.drop_index("ix_feedback_notes_customer", table_name="feedback_notes")
    op.drop_index("ix_feedback_notes_feedback", table_name="feedback_notes")
    op.drop_table("feedback_notes")
