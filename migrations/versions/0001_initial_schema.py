"""Initial schema: customers and their summary, sales, interactions, feedback, tasks,
loyalty, cash book, stage history, lead answers, saved segments, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 03:40:39.474706
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sku')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=True),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('search_text', sa.String(length=600), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('province_code', sa.SmallInteger(), nullable=True),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('occupation', sa.String(length=32), nullable=True),
    sa.Column('income_band', sa.String(length=16), nullable=True),
    sa.Column('education', sa.String(length=16), nullable=True),
    sa.Column('marital_status', sa.String(length=16), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=True),
    sa.Column('industry', sa.String(length=32), nullable=True),
    sa.Column('preferred_channel', sa.String(length=12), nullable=True),
    sa.Column('devices', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('lifecycle_stage', sa.String(length=16), nullable=False),
    sa.Column('pipeline_stage', sa.String(length=16), nullable=False),
    sa.Column('lost_reason', sa.String(length=32), nullable=True),
    sa.Column('lead_score', sa.SmallInteger(), nullable=True),
    sa.Column('lead_grade', sa.String(length=1), nullable=True),
    sa.Column('tags', sa.String(length=300), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_customers_email', ['email'], unique=False)
        batch_op.create_index('ix_customers_lifecycle', ['lifecycle_stage'], unique=False)
        batch_op.create_index('ix_customers_owner', ['owner_id'], unique=False)
        batch_op.create_index('ix_customers_phone', ['phone'], unique=False)
        batch_op.create_index('ix_customers_pipeline', ['pipeline_stage'], unique=False)
        batch_op.create_index('ix_customers_province', ['province_code'], unique=False)
        batch_op.create_index('ix_customers_search', ['search_text'], unique=False)

    op.create_table('saved_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_customer', ['customer_id'], unique=False)
        batch_op.create_index('ix_appointments_due', ['status', 'due_at'], unique=False)

    op.create_table('customer_stats',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('first_order_date', sa.Date(), nullable=True),
    sa.Column('last_order_date', sa.Date(), nullable=True),
    sa.Column('orders_count', sa.Integer(), nullable=False),
    sa.Column('total_spend', sa.BigInteger(), nullable=False),
    sa.Column('spend_12m', sa.BigInteger(), nullable=False),
    sa.Column('total_profit', sa.BigInteger(), nullable=True),
    sa.Column('debt', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('interactions_count', sa.Integer(), nullable=False),
    sa.Column('last_interaction_at', sa.DateTime(), nullable=True),
    sa.Column('avg_interval_days', sa.Integer(), nullable=True),
    sa.Column('r_score', sa.SmallInteger(), nullable=True),
    sa.Column('f_score', sa.SmallInteger(), nullable=True),
    sa.Column('m_score', sa.SmallInteger(), nullable=True),
    sa.Column('rfm_segment', sa.String(length=24), nullable=True),
    sa.Column('tier', sa.String(length=12), nullable=False),
    sa.Column('groups', sa.String(length=300), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id')
    )
    with op.batch_alter_table('customer_stats', schema=None) as batch_op:
        batch_op.create_index('ix_stats_first_order', ['first_order_date'], unique=False)
        batch_op.create_index('ix_stats_last_order', ['last_order_date'], unique=False)
        batch_op.create_index('ix_stats_spend', ['total_spend'], unique=False)
        batch_op.create_index('ix_stats_tier', ['tier'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('assigned_to', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to'], ['users.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_customer', ['customer_id'], unique=False)
        batch_op.create_index('ix_feedback_opened', ['opened_at'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('next_step_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_customer', ['customer_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_interactions_time', ['occurred_at'], unique=False)

    op.create_table('lead_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=32), nullable=False),
    sa.Column('answer_key', sa.String(length=32), nullable=False),
    sa.Column('points', sa.SmallInteger(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id', 'question_key')
    )
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('ordered_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=True),
    sa.Column('payment_method', sa.String(length=12), nullable=True),
    sa.Column('subtotal', sa.BigInteger(), nullable=False),
    sa.Column('discount', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=True),
    sa.Column('paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('items_count', sa.SmallInteger(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_date', ['customer_id', 'order_date'], unique=False)
        batch_op.create_index('ix_orders_date', ['order_date'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('from_stage', sa.String(length=16), nullable=True),
    sa.Column('to_stage', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('lost_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index('ix_stage_customer', ['customer_id', 'kind', 'changed_at'], unique=False)
        batch_op.create_index('ix_stage_kind_to_time', ['kind', 'to_stage', 'changed_at'], unique=False)

    op.create_table('cash_book',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cash_book', schema=None) as batch_op:
        batch_op.create_index('ix_cash_date', ['entry_date'], unique=False)

    op.create_table('loyalty_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('loyalty_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_customer', ['customer_id'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_order', ['order_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_customer', ['customer_id'], unique=False)
        batch_op.create_index('ix_payments_date', ['paid_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_date')
        batch_op.drop_index('ix_payments_customer')

    op.drop_table('payments')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_order')

    op.drop_table('order_lines')
    with op.batch_alter_table('loyalty_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_customer')

    op.drop_table('loyalty_ledger')
    with op.batch_alter_table('cash_book', schema=None) as batch_op:
        batch_op.drop_index('ix_cash_date')

    op.drop_table('cash_book')
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_kind_to_time')
        batch_op.drop_index('ix_stage_customer')

    op.drop_table('stage_changes')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_date')
        batch_op.drop_index('ix_orders_customer_date')

    op.drop_table('orders')
    op.drop_table('lead_answers')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_time')
        batch_op.drop_index('ix_interactions_customer')

    op.drop_table('interactions')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_opened')
        batch_op.drop_index('ix_feedback_customer')

    op.drop_table('feedback')
    with op.batch_alter_table('customer_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_tier')
        batch_op.drop_index('ix_stats_spend')
        batch_op.drop_index('ix_stats_last_order')
        batch_op.drop_index('ix_stats_first_order')

    op.drop_table('customer_stats')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_due')
        batch_op.drop_index('ix_appointments_customer')

    op.drop_table('appointments')
    op.drop_table('saved_segments')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_search')
        batch_op.drop_index('ix_customers_province')
        batch_op.drop_index('ix_customers_pipeline')
        batch_op.drop_index('ix_customers_phone')
        batch_op.drop_index('ix_customers_owner')
        batch_op.drop_index('ix_customers_lifecycle')
        batch_op.drop_index('ix_customers_email')
        batch_op.drop_index('ix_customers_created_at')

    op.drop_table('customers')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entity')
        batch_op.drop_index('ix_audit_at')

    op.drop_table('audit_log')
    op.drop_table('users')
    op.drop_table('products')
    op.drop_table('app_meta')
