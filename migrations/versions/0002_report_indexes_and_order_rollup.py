"""Report speed: covering indexes for period scans of orders, interactions and stage
changes (replacing the narrower ones they make redundant) and customers.deleted_at, and the
order_rollup (completed orders per day / month and owner) and stage_flow_rollup
(lifecycle changes per day / month, owner and from → to), maintained by crm_data.summaries.rollups,
with what each customer_stats row was rolled up under.

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.create_index("ix_customers_deleted", ["deleted_at"])
    with op.batch_alter_table("orders") as batch_op:
        batch_op.create_index("ix_orders_date_cover", ["order_date", "status", "customer_id", "amount",
                                                       "cost", "paid_amount"])
        batch_op.drop_index("ix_orders_date")
        batch_op.create_index("ix_orders_customer_cover", ["customer_id", "order_date", "status", "amount"])
        batch_op.drop_index("ix_orders_customer_date")
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.create_index("ix_interactions_time_cover", ["occurred_at", "customer_id", "outcome", "kind"])
        batch_op.drop_index("ix_interactions_time")
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.create_index("ix_stage_kind_time_cover", ["kind", "changed_at", "customer_id",
                                                           "from_stage", "to_stage"])
        batch_op.create_index("ix_stage_kind_customer", ["kind", "customer_id", "changed_at", "to_stage"])
        batch_op.create_index("ix_stage_lost_cover", ["kind", "to_stage", "changed_at", "customer_id",
                                                      "lost_reason"])
        batch_op.drop_index("ix_stage_kind_to_time")
    op.create_table(
        "order_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("profit", sa.BigInteger(), nullable=True),
        sa.Column("costed", sa.Integer(), nullable=False),
        sa.Column("unpaid", sa.BigInteger(), nullable=False),
        sa.Column("buyers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_order_rollup_cell", "order_rollup", ["grain", "start", "owner_id"])
    op.create_table(
        "stage_flow_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stage_flow_cell", "stage_flow_rollup", ["grain", "start", "owner_id"])
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.add_column(sa.Column("rollup_owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rollup_alive", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("max_order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_stage_change_id", sa.Integer(), nullable=True))
    # Filled by crm_data.summaries.rebuild_all: forget the day of the last rebuild so that the
    # next start (summary.ensure_fresh) or `crm rebuild` fills it.
    op.execute(sa.text("DELETE FROM app_meta WHERE key = 'stats_day'"))


def downgrade() -> None:
    op.drop_index("ix_stage_flow_cell", table_name="stage_flow_rollup")
    op.drop_table("stage_flow_rollup")
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.drop_column("max_stage_change_id")
        batch_op.drop_column("max_order_id")
        batch_op.drop_column("rollup_alive")
        batch_op.drop_column("rollup_owner_id")
    op.drop_index("ix_order_rollup_cell", table_name="order_rollup")
    op.drop_table("order_rollup")
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.create_index("ix_stage_kind_to_time", ["kind", "to_stage", "changed_at"])
        batch_op.drop_index("ix_stage_lost_cover")
        batch_op.drop_index("ix_stage_kind_customer")
        batch_op.drop_index("ix_stage_kind_time_cover")
    with op.batch_alter_table("interactions") as batch_op:
        batch_op.create_index("ix_interactions_time", ["occurred_at"])
        batch_op.drop_index("ix_interactions_time_cover")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.create_index("ix_orders_date", ["order_date"])
        batch_op.create_index("ix_orders_customer_date", ["customer_id", "order_date"])
        batch_op.drop_index("ix_orders_customer_cover")
        batch_op.drop_index("ix_orders_date_cover")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_index("ix_customers_deleted")
