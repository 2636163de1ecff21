"""Lead-scoring questionnaire, churn reasons of buyers, folded tags.

- lead_questions / lead_options: the questionnaire as data, with the five default questions
  (budget, need and timeline, decision maker, company size, source quality; 100 points at
  most). Grade thresholds are settings (app_meta "setting.leadscore.*", defaults 70 / 40).
- customers.lead_grade: the seeded A–D grades are replaced by hot / warm / cold computed from
  the stored score with the default thresholds (score >= 70 hot, >= 40 warm, else cold); the
  downgrade maps back with the old cut-offs (75 / 50 / 25).
- churn_reasons: why a buyer left; the latest row per customer counts.
- tags: one row per folded tag key with the spelling first entered; customers.tag_keys holds
  the folded keys for matching. Existing tags ("khách_sỉ", written lower case with "_" for
  spaces) get back their spaces; tags folding to the same key take the spelling of the
  earliest-created customer.

Revision ID: 0015
Revises: 0014
"""
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (key, vi, en, [(option key, vi, en, points)])
QUESTIONS = [
    ("budget", "Ngân sách", "Budget", [
        ("confirmed", "Đã có ngân sách", "Budget confirmed", 25),
        ("estimated", "Có dự tính", "Budget estimated", 15),
        ("unknown", "Chưa rõ", "Not known yet", 5),
        ("none", "Không có ngân sách", "No budget", 0)]),
    ("need_timeline", "Nhu cầu và thời điểm mua", "Need and timeline", [
        ("within_1m", "Cần ngay, trong 1 tháng", "Needed within a month", 25),
        ("within_3m", "Trong 1–3 tháng", "Within 1–3 months", 15),
        ("later", "Sau 3 tháng", "Later than 3 months", 5),
        ("no_need", "Chưa có nhu cầu rõ", "No clear need", 0)]),
    ("decision_maker", "Người ra quyết định", "Decision maker", [
        ("yes", "Là người quyết định", "Decides", 20),
        ("influencer", "Có ảnh hưởng", "Influences the decision", 10),
        ("no", "Không quyết định", "Does not decide", 0)]),
    ("company_size", "Quy mô công ty", "Company size", [
        ("large", "Trên 200 nhân viên", "Over 200 staff", 15),
        ("medium", "50–200 nhân viên", "50–200 staff", 10),
        ("small", "10–49 nhân viên", "10–49 staff", 6),
        ("micro", "Dưới 10 người / cá nhân", "Under 10 / individual", 3)]),
    ("source_quality", "Chất lượng nguồn", "Source quality", [
        ("referral", "Được giới thiệu", "Referral", 15),
        ("inbound", "Tự tìm đến (website, sự kiện)", "Inbound (website, event)", 10),
        ("paid", "Quảng cáo, mạng xã hội", "Ads, social", 6),
        ("cold", "Danh sách lạnh", "Cold list", 2)]),
]


def _fold(text: str) -> str:
    text = text.translate(str.maketrans({"đ": "d", "Đ": "d"})).replace("_", " ")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def _tables() -> None:
    op.create_table(
        "lead_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("text_vi", sa.String(length=200), nullable=False),
        sa.Column("text_en", sa.String(length=200), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "lead_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("text_vi", sa.String(length=200), nullable=False),
        sa.Column("text_en", sa.String(length=200), nullable=False),
        sa.Column("points", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["lead_questions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id", "key"),
    )
    op.create_table(
        "churn_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_churn_reasons_latest", "churn_reasons",
                    ["customer_id", "recorded_at", "id", "reason"])
    op.create_table(
        "tags",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def _questionnaire() -> None:
    q = sa.table("lead_questions", sa.column("id", sa.Integer), sa.column("key", sa.String),
                 sa.column("text_vi", sa.String), sa.column("text_en", sa.String),
                 sa.column("position", sa.SmallInteger), sa.column("active", sa.Boolean))
    o = sa.table("lead_options", sa.column("question_id", sa.Integer), sa.column("key", sa.String),
                 sa.column("text_vi", sa.String), sa.column("text_en", sa.String),
                 sa.column("points", sa.SmallInteger), sa.column("position", sa.SmallInteger),
                 sa.column("active", sa.Boolean))
    op.bulk_insert(q, [{"id": i, "key": k, "text_vi": vi, "text_en": en, "position": i,
                        "active": True} for i, (k, vi, en, _) in enumerate(QUESTIONS, 1)])
    op.bulk_insert(o, [{"question_id": i, "key": ok, "text_vi": ovi, "text_en": oen,
                        "points": pts, "position": j, "active": True}
                       for i, (_, _, _, opts) in enumerate(QUESTIONS, 1)
                       for j, (ok, ovi, oen, pts) in enumerate(opts, 1)])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("SELECT setval(pg_get_serial_sequence('lead_questions', 'id'), "
                             "(SELECT max(id) FROM lead_questions))")


def _fold_existing_tags() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT tags, min(created_at) AS first FROM customers WHERE tags <> '' "
        "GROUP BY tags ORDER BY first, tags")).all()
    labels: dict[str, str] = {}
    updates = []
    for old, _first in rows:
        keys = []
        for part in old.split(","):
            spelled = " ".join(part.replace("_", " ").split())
            if not spelled:
                continue
            key = _fold(spelled)[:64]
            labels.setdefault(key, spelled[:64])
            if key not in keys:
                keys.append(key)
        keys.sort()
        updates.append({"old": old, "tags": "," + ",".join(labels[k] for k in keys) + ",",
                        "keys": "," + ",".join(keys) + ","})
    if updates:
        bind.execute(sa.text("UPDATE customers SET tags = :tags, tag_keys = :keys "
                             "WHERE tags = :old"), updates)
        vietnam = dt.timezone(dt.timedelta(hours=7))  # stored naive in Vietnam time (models.py)
        stamp = dt.datetime.now(vietnam).replace(tzinfo=None, microsecond=0)
        bind.execute(sa.text("INSERT INTO tags (key, label, created_at) VALUES (:k, :l, :at)"),
                     [{"k": k, "l": v, "at": stamp} for k, v in labels.items()])


def upgrade() -> None:
    _tables()
    _questionnaire()
    if op.get_bind().dialect.name != "sqlite":
        # SQLite ignores VARCHAR lengths, and widening would rebuild customers, which its
        # foreign keys refuse on a populated database: models.py keeps String(1) there.
        op.alter_column("customers", "lead_grade", type_=sa.String(length=4),
                        existing_type=sa.String(length=1), existing_nullable=True)
    with op.batch_alter_table("customers") as batch_op:  # ADD COLUMN: no rebuild
        batch_op.add_column(sa.Column("tag_keys", sa.String(length=300), server_default="",
                                      nullable=False))
    op.create_index("ix_customers_grade_cover", "customers",
                    ["lead_grade", "pipeline_stage", "deleted_at", "owner_id"])
    op.execute("UPDATE customers SET lead_grade = CASE WHEN lead_score >= 70 THEN 'hot' "
               "WHEN lead_score >= 40 THEN 'warm' WHEN lead_score IS NOT NULL THEN 'cold' END")
    _fold_existing_tags()


def downgrade() -> None:
    op.execute("UPDATE customers SET lead_grade = CASE WHEN lead_score >= 75 THEN 'A' "
               "WHEN lead_score >= 50 THEN 'B' WHEN lead_score >= 25 THEN 'C' "
               "WHEN lead_score IS NOT NULL THEN 'D' END")
    op.execute("UPDATE customers SET tags = lower(replace(tags, ' ', '_'))")
    op.drop_index("ix_customers_grade_cover", table_name="customers")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE customers DROP COLUMN tag_keys")  # SQLite 3.35+, no rebuild
    else:
        op.drop_column("customers", "tag_keys")
        op.alter_column("customers", "lead_grade", type_=sa.String(length=1),
                        existing_type=sa.String(length=4), existing_nullable=True)
    op.drop_table("tags")
    op.drop_index("ix_churn_reasons_latest", table_name="churn_reasons")
    op.drop_table("churn_reasons")
    op.drop_table("lead_options")
    op.drop_table("lead_questions")
