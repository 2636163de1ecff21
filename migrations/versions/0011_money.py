"""Receivables and cash book: payment allocations (payment → order), the open-order partial
index, cash-book voucher numbers (PT… / PC…), method, counterpart, description and the
receipt's payment.

Payments recorded before this revision are allocated here, each to its own order first
(the sample and imports name one) and the rest to the customer's oldest open orders, so
every order's open balance is known and customer_stats.debt is unchanged (it is still
Σ (amount − paid at checkout) − Σ payments).

The open orders are kept in open_orders (refreshed with customer_stats), filled here.

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_ORDER_SQL = "status = 'completed' AND amount > paid_amount"

# Payments that name an order: to that order, in payment order, never above what it owed.
_OWN_ORDER = """
INSERT INTO payment_allocations (payment_id, order_id, paid_on, amount)
SELECT id, order_id, paid_on, alloc FROM (
  SELECT p.id, p.order_id, p.paid_on,
         CASE WHEN o.amount - o.paid_amount - (SUM(p.amount) OVER w - p.amount) < p.amount
              THEN o.amount - o.paid_amount - (SUM(p.amount) OVER w - p.amount)
              ELSE p.amount END AS alloc
  FROM payments p JOIN orders o ON o.id = p.order_id AND o.customer_id = p.customer_id
  WHERE o.status = 'completed'
  WINDOW w AS (PARTITION BY p.order_id ORDER BY p.paid_on, p.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
) x WHERE alloc > 0
"""

# What is left of every payment against what is left open of every order, per customer,
# oldest first on both sides: the overlap of the two running totals.
_FIFO = """
INSERT INTO payment_allocations (payment_id, order_id, paid_on, amount)
WITH o AS (
  SELECT o.customer_id AS cid, o.id AS oid,
         o.amount - o.paid_amount - COALESCE((SELECT SUM(a.amount) FROM payment_allocations a
                                              WHERE a.order_id = o.id), 0) AS open_amt,
         o.order_date, o.id AS sort_id
  FROM orders o WHERE o.status = 'completed' AND o.amount > o.paid_amount
), o2 AS (
  SELECT cid, oid, SUM(open_amt) OVER (PARTITION BY cid ORDER BY order_date, sort_id
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS hi,
         open_amt FROM o WHERE open_amt > 0
), p AS (
  SELECT p.customer_id AS cid, p.id AS pid, p.paid_on,
         p.amount - COALESCE((SELECT SUM(a.amount) FROM payment_allocations a
                              WHERE a.payment_id = p.id), 0) AS left_amt
  FROM payments p
), p2 AS (
  SELECT cid, pid, paid_on, SUM(left_amt) OVER (PARTITION BY cid ORDER BY paid_on, pid
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS hi,
         left_amt FROM p WHERE left_amt > 0
)
SELECT p2.pid, o2.oid, p2.paid_on,
       (CASE WHEN o2.hi < p2.hi THEN o2.hi ELSE p2.hi END)
       - (CASE WHEN o2.hi - o2.open_amt > p2.hi - p2.left_amt THEN o2.hi - o2.open_amt
               ELSE p2.hi - p2.left_amt END)
FROM p2 JOIN o2 ON o2.cid = p2.cid
WHERE o2.hi - o2.open_amt < p2.hi AND p2.hi - p2.left_amt < o2.hi
"""

# What every order owes now (the maintained open_orders, crm_data.summaries.open_orders).
_OPEN_ORDERS = """
INSERT INTO open_orders (order_id, customer_id, owner_id, order_date, amount, paid, open)
SELECT id, customer_id, owner_id, order_date, amount, paid, amount - paid FROM (
  SELECT o.id, o.customer_id, c.owner_id, o.order_date, o.amount,
         o.paid_amount + COALESCE((SELECT SUM(a.amount) FROM payment_allocations a
                                   WHERE a.order_id = o.id), 0) AS paid
  FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
  WHERE o.status = 'completed' AND o.amount > o.paid_amount
) x WHERE amount > paid
"""


def upgrade() -> None:
    op.create_table(
        "payment_allocations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payments.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_alloc_order", "payment_allocations", ["order_id", "paid_on", "amount"])
    op.create_index("ix_alloc_payment", "payment_allocations", ["payment_id"])
    op.create_index("ix_orders_open", "orders", ["order_date", "customer_id", "amount", "paid_amount"],
                    sqlite_where=sa.text(OPEN_ORDER_SQL), postgresql_where=sa.text(OPEN_ORDER_SQL))
    op.execute(_OWN_ORDER)
    op.execute(_FIFO)
    op.create_table(
        "open_orders",
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("open", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_open_orders_date", "open_orders", ["order_date", "customer_id", "open"])
    op.create_index("ix_open_orders_customer", "open_orders",
                    ["customer_id", "order_date", "open", "amount", "paid"])
    op.create_index("ix_open_orders_owner", "open_orders",
                    ["owner_id", "order_date", "customer_id", "open", "amount", "paid"])
    op.execute(_OPEN_ORDERS)
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_index("ix_payments_date")
        batch_op.create_index("ix_payments_date", ["paid_on", "customer_id", "amount"])
        batch_op.drop_index("ix_payments_customer")
        batch_op.create_index("ix_payments_customer", ["customer_id", "paid_on", "amount"])

    with op.batch_alter_table("cash_book") as batch_op:
        batch_op.add_column(sa.Column("voucher_no", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("method", sa.String(12), nullable=True))
        batch_op.add_column(sa.Column("counterpart", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("description", sa.String(300), nullable=True))
        batch_op.add_column(sa.Column("payment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key("fk_cash_book_payment", "payments", ["payment_id"], ["id"])
    _number_vouchers()
    with op.batch_alter_table("cash_book") as batch_op:
        batch_op.alter_column("voucher_no", existing_type=sa.String(16), nullable=False)
        batch_op.create_index("ux_cash_voucher", ["voucher_no"], unique=True)
        batch_op.create_index("ix_cash_payment", ["payment_id"])
        batch_op.drop_index("ix_cash_date")
        batch_op.create_index("ix_cash_date", ["entry_date", "kind", "amount"])


def _number_vouchers() -> None:
    """Existing entries get PT… / PC… numbers in date order; their note is the description."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, kind FROM cash_book ORDER BY entry_date, id")).all()
    seq = {"PT": 0, "PC": 0}
    params = []
    for row_id, kind in rows:
        prefix = "PT" if kind == "receipt" else "PC"
        seq[prefix] += 1
        params.append({"i": row_id, "v": f"{prefix}{seq[prefix]:06d}"})
    if params:
        conn.execute(sa.text("UPDATE cash_book SET voucher_no = :v, description = note WHERE id = :i"),
                     params)


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_index("ix_payments_date")
        batch_op.create_index("ix_payments_date", ["paid_on"])
        batch_op.drop_index("ix_payments_customer")
        batch_op.create_index("ix_payments_customer", ["customer_id"])
    with op.batch_alter_table("cash_book") as batch_op:
        batch_op.drop_index("ix_cash_date")
        batch_op.create_index("ix_cash_date", ["entry_date"])
        batch_op.drop_index("ix_cash_payment")
        batch_op.drop_index("ux_cash_voucher")
        batch_op.drop_constraint("fk_cash_book_payment", type_="foreignkey")
        for col in ("created_at", "payment_id", "description", "counterpart", "method", "voucher_no"):
            batch_op.drop_column(col)
    op.drop_table("open_orders")
    op.drop_index("ix_orders_open", "orders")
    op.drop_index("ix_alloc_payment", "payment_allocations")
    op.drop_index("ix_alloc_order", "payment_allocations")
    op.drop_table("payment_allocations")
