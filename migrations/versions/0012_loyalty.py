"""Loyalty: the gift list, redemptions (a gift or a discount) linked to their ledger rows,
and the indexes the Loyalty page reads (ledger by day and kind; customers by points).
Expiry writes ledger rows of kind "expire"; the earn rule, the expiry months and the
discount value of a point are settings in app_meta (crm_data.admin.settings).

Revision ID: 0012
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_gifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("points_cost", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "loyalty_redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("discount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("redeemed_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ledger_id"], ["loyalty_ledger.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["gift_id"], ["loyalty_gifts.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ledger_id"),
    )
    op.create_index("ix_redemptions_customer", "loyalty_redemptions", ["customer_id"])
    op.create_index("ix_redemptions_day", "loyalty_redemptions", ["redeemed_on", "kind", "gift_id"])
    with op.batch_alter_table("loyalty_ledger") as batch_op:
        batch_op.create_index("ix_loyalty_date_cover", ["entry_date", "kind", "customer_id", "points"])
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.create_index("ix_stats_points", ["points", "customer_id"])


def downgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.drop_index("ix_stats_points")
    with op.batch_alter_table("loyalty_ledger") as batch_op:
        batch_op.drop_index("ix_loyalty_date_cover")
    op.drop_index("ix_redemptions_day", table_name="loyalty_redemptions")
    op.drop_index("ix_redemptions_customer", table_name="loyalty_redemptions")
    op.drop_table("loyalty_redemptions")
    op.drop_table("loyalty_gifts")
