"""ix_orders_customer_cover also covers cost: a filtered revenue trend over a long period reads
the visible customers' orders through it (crm_data.reports.revenue) — profit needs cost, and
without it every order found would be a table row read.

Revision ID: 0020
Revises: 0019
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ["customer_id", "order_date", "status", "amount"]


def upgrade() -> None:
    op.drop_index("ix_orders_customer_cover", table_name="orders")
    op.create_index("ix_orders_customer_cover", "orders", [*_OLD, "cost"])
    if op.get_bind().dialect.name == "sqlite":  # the dropped index took its statistics along
        op.execute("ANALYZE ix_orders_customer_cover")


def downgrade() -> None:
    op.drop_index("ix_orders_customer_cover", table_name="orders")
    op.create_index("ix_orders_customer_cover", "orders", _OLD)
