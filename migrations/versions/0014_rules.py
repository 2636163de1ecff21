"""Classification rules as data, their versions and each assignment's reason.

rule_versions holds whole definitions (crm_data.rules.store); version 1 is the constants the
classification had before, so every figure stays as it was. customer_stats records which
version and which rules put each customer in its tier and groups. The RFM segments whose
words read like the groups / statuses are renamed (crm_data.domain.labels.RFM_RENAMED).

Revision ID: 0014
Revises: 0013
"""
import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_1 = r"""
{
 "churn_days": 180,
 "groups": [
  {
   "conditions": [
    {
     "field": "orders_count",
     "op": ">=",
     "value": 5
    },
    {
     "field": "status",
     "op": "!=",
     "value": "churned"
    }
   ],
   "id": "orders_not_churned",
   "priority": 10,
   "target": "loyal"
  },
  {
   "conditions": [
    {
     "field": "days_since_first_order",
     "op": "<=",
     "value": 90
    }
   ],
   "id": "first_order_recent",
   "priority": 20,
   "target": "new_buyer"
  },
  {
   "conditions": [
    {
     "field": "total_spend",
     "op": ">=",
     "value": 30000000
    }
   ],
   "id": "total_spend_high",
   "priority": 30,
   "target": "high_value"
  },
  {
   "conditions": [
    {
     "field": "debt",
     "op": ">",
     "value": 0
    }
   ],
   "id": "owes_money",
   "priority": 40,
   "target": "debtor"
  },
  {
   "conditions": [
    {
     "field": "status",
     "op": "=",
     "value": "at_risk"
    }
   ],
   "id": "status_at_risk",
   "priority": 50,
   "target": "at_risk"
  },
  {
   "conditions": [
    {
     "field": "status",
     "op": "=",
     "value": "churned"
    }
   ],
   "id": "status_churned",
   "priority": 60,
   "target": "churned"
  },
  {
   "conditions": [
    {
     "field": "orders_count",
     "op": "=",
     "value": 0
    }
   ],
   "id": "no_order",
   "priority": 70,
   "target": "prospect"
  }
 ],
 "rfm": {
  "frequency": [
   2,
   3,
   5,
   10
  ],
  "mode": "fixed",
  "monetary": [
   1000000,
   3000000,
   10000000,
   30000000
  ],
  "recency_days": [
   30,
   90,
   180,
   365
  ]
 },
 "tiers": [
  {
   "conditions": [
    {
     "field": "spend_12m",
     "op": ">=",
     "value": 20000000
    }
   ],
   "id": "vip_12m",
   "priority": 10,
   "target": "vip"
  },
  {
   "conditions": [
    {
     "field": "total_spend",
     "op": ">=",
     "value": 50000000
    }
   ],
   "id": "vip_total",
   "priority": 20,
   "target": "vip"
  },
  {
   "conditions": [
    {
     "field": "orders_count",
     "op": ">",
     "value": 0
    }
   ],
   "id": "any_order",
   "priority": 30,
   "target": "regular"
  }
 ]
}
"""
RENAMED = {"loyal": "steady", "new": "promising", "at_risk": "slipping", "lost": "cold"}


def upgrade() -> None:
    versions = op.create_table(
        "rule_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("version"),
    )
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.add_column(sa.Column("rules_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tier_rule", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("group_rules", sa.String(length=300), nullable=False,
                                      server_default=""))
    op.bulk_insert(versions, [{
        "version": 1, "definition": json.dumps(json.loads(VERSION_1), ensure_ascii=False, sort_keys=True),
        "created_at": dt.datetime(2026, 1, 1),
    }])
    stats = sa.table("customer_stats", sa.column("rfm_segment", sa.String))
    for old, new in RENAMED.items():
        op.execute(stats.update().where(stats.c.rfm_segment == old).values(rfm_segment=new))


def downgrade() -> None:
    stats = sa.table("customer_stats", sa.column("rfm_segment", sa.String))
    for old, new in RENAMED.items():
        op.execute(stats.update().where(stats.c.rfm_segment == new).values(rfm_segment=old))
    with op.batch_alter_table("customer_stats") as batch_op:
        batch_op.drop_column("group_rules")
        batch_op.drop_column("tier_rule")
        batch_op.drop_column("rules_version")
    op.drop_table("rule_versions")
