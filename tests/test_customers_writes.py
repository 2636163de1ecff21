"""Customer writes: validation, duplicates, optimistic locking, scope, audit, summary."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.writes import (
    Conflict,
    DuplicateFound,
    NotFound,
    ValidationFailed,
    activity,
    bulk,
    stages,
)
from crm_data.writes import customer as cw


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608


def _audit(engine) -> pd.DataFrame:
    return pd.read_sql("SELECT * FROM audit_log WHERE substr(action, 1, 5) <> 'login' ORDER BY id", engine)


@pytest.fixture
def actors(engine):
    ids = {r: auth.add_user(engine, r, "password123", r) for r in ("admin", "manager", "staff", "viewer")}
    ids["staff2"] = auth.add_user(engine, "staff2", "password123", "staff")
    return {k: Scope(v, k, k if k != "staff2" else "staff") for k, v in ids.items()}


@pytest.fixture
def duc(engine, actors):
    return cw.create_customer(engine, actors["staff"], {
        "full_name": "Nguyễn Văn Đức", "phone": "0912345678", "email": "Duc@Example.vn",
        "province": "Bình Dương", "gender": "male", "tags": "VIP, tet 2026"})


def test_create_writes_row_stage_changes_audit_and_summary(engine, actors, duc):
    c = pd.read_sql("SELECT * FROM customers", engine).iloc[0]
    assert (c["code"], c["phone"], c["email"], c["region"]) == ("KH000001", "+84912345678",
                                                              "duc@example.vn", "south")
    assert c["owner_id"] == actors["staff"].user_id and c["tags"] == ",tet 2026,VIP,"
    assert "nguyen van duc" in c["search_text"]
    assert _count(engine, "customer_stats") == 1 and _count(engine, "stage_changes") == 2
    audit = _audit(engine)
    assert audit.iloc[-1]["action"] == "create" and audit.iloc[-1]["username"] == "staff"
    assert json.loads(audit.iloc[-1]["after"])["full_name"] == "Nguyễn Văn Đức"


def test_invalid_fields_are_all_reported_and_nothing_written(engine, actors):
    audited = _count(engine, "audit_log")
    with pytest.raises(ValidationFailed) as exc:
        cw.create_customer(engine, actors["staff"], {
            "full_name": " ", "phone": "12345", "email": "not-an-email", "birth_date": "31/02/1990",
            "province": "Atlantis", "gender": "robot"})
    assert {k: v.key for k, v in exc.value.errors.items()} == {
        "full_name": "invalid.required", "phone": "invalid.phone", "email": "invalid.email",
        "birth_date": "invalid.date", "province_code": "invalid.province", "gender": "invalid.choice"}
    assert _count(engine, "customers") == 0 and _count(engine, "audit_log") == audited


def test_old_province_name_and_old_phone_are_mapped(engine, actors):
    saved = cw.create_customer(engine, actors["admin"], {
        "full_name": "Lê Hoa", "phone": "01662345678", "province": "Hà Giang"})
    assert saved.phone_converted
    c = pd.read_sql("SELECT phone, province_code, region FROM customers", engine).iloc[0]
    assert c["phone"] == "+84362345678" and c["region"] == "north"


@pytest.mark.parametrize("other", [
    {"full_name": "NGUYEN VAN ĐUC"}, {"full_name": "X", "phone": "+84 912 345 678"},
    {"full_name": "Y", "email": "duc@example.vn"},
])
def test_likely_duplicate_needs_confirmation(engine, actors, duc, other):
    with pytest.raises(DuplicateFound) as exc:
        cw.create_customer(engine, actors["staff2"], other)
    assert exc.value.matches[0].code == "KH000001"
    assert exc.value.matches[0].full_name is None  # another owner's customer: name withheld
    assert _count(engine, "customers") == 1
    cw.create_customer(engine, actors["staff2"], other, confirm_duplicate=True)
    assert _count(engine, "customers") == 2


def test_concurrent_edit_is_refused(engine, actors, duc):
    raw = cw.form_values({**pd.read_sql("SELECT * FROM customers", engine).iloc[0].to_dict()})
    cw.update_customer(engine, actors["staff"], duc.id, 1, {**raw, "notes": "first"})
    with pytest.raises(Conflict):
        cw.update_customer(engine, actors["manager"], duc.id, 1, {**raw, "notes": "second"})
    row = pd.read_sql("SELECT notes, version FROM customers", engine).iloc[0]
    assert (row["notes"], row["version"]) == ("first", 2)
    before, after = (json.loads(x) for x in _audit(engine).iloc[-1][["before", "after"]])
    assert before == {"notes": None} and after == {"notes": "first"}


def test_staff_cannot_touch_others_and_viewer_never_writes(engine, actors, duc):
    with pytest.raises(NotFound):
        cw.update_customer(engine, actors["staff2"], duc.id, 1, {"full_name": "Hacked"})
    with pytest.raises(NotFound):
        activity.log_interaction(engine, actors["staff2"], duc.id, {"kind": "call", "outcome": "consulted"})
    with pytest.raises(PermissionError):
        cw.create_customer(engine, actors["viewer"], {"full_name": "A"})
    with pytest.raises(PermissionError):
        activity.record_payment(engine, actors["viewer"], duc.id, {"amount": 1})
    with pytest.raises(PermissionError):
        bulk.bulk_edit(engine, actors["staff"], [duc.id], bulk.BulkEdit(owner_id=actors["staff2"].user_id))
    assert pd.read_sql("SELECT full_name FROM customers", engine).iloc[0, 0] == "Nguyễn Văn Đức"


def test_order_payment_points_and_lifecycle(engine, actors, duc):
    staff = actors["staff"]
    activity.add_order(engine, staff, duc.id, {
        "order_date": "15/11/2026", "discount": "50.000", "paid_amount": "250000",
        "lines": [{"description": "Áo", "quantity": "2", "unit_price": "150.000"},
                  {"description": "Mũ", "quantity": 1, "unit_price": 200000}]})
    stats = pd.read_sql("SELECT * FROM customer_stats", engine).iloc[0]
    # points on what was paid at checkout; the later payment earns the rest
    assert (stats["total_spend"], stats["debt"], stats["points"]) == (450_000, 200_000, 25)
    assert _count(engine, "order_lines") == 2
    assert pd.read_sql("SELECT lifecycle_stage FROM customers", engine).iloc[0, 0] == "first_purchase"
    with pytest.raises(ValidationFailed) as exc:
        activity.record_payment(engine, staff, duc.id, {"amount": "200.001"})
    assert exc.value.errors["amount"].key == "cust.invalid.exceeds_debt"
    assert _count(engine, "payments") == 0
    activity.record_payment(engine, staff, duc.id, {"amount": "200.000", "method": "cash"})
    assert pd.read_sql("SELECT debt, points FROM customer_stats", engine).iloc[0].tolist() == [0, 45]
    with pytest.raises(ValidationFailed) as exc:
        activity.add_order(engine, staff, duc.id, {"lines": [], "paid_amount": "-5"})
    assert set(exc.value.errors) == {"paid_amount"}


@pytest.mark.parametrize("raw, bad", [
    ({"lines": []}, "lines"),
    ({"lines": [{"description": "A", "quantity": 1, "unit_price": 100}], "discount": 101}, "discount"),
    ({"lines": [{"description": "A", "quantity": 1, "unit_price": 100}], "paid_amount": 101}, "paid_amount"),
    ({"lines": [{"description": "", "quantity": 1, "unit_price": 100}]}, "line0"),
    ({"lines": [{"description": "A", "quantity": 1, "unit_price": "abc"}]}, "line0"),
])
def test_bad_orders_write_nothing(engine, actors, duc, raw, bad):
    with pytest.raises(ValidationFailed) as exc:
        activity.add_order(engine, actors["staff"], duc.id, raw)
    assert bad in exc.value.errors
    assert _count(engine, "orders") == 0


def test_feedback_appointment_interaction(engine, actors, duc):
    staff = actors["staff"]
    with pytest.raises(ValidationFailed):
        activity.open_feedback(engine, staff, duc.id, {"subject": "", "rating": "9"})
    fid = activity.open_feedback(engine, staff, duc.id, {"kind": "complaint", "subject": "Giao trễ"})
    activity.resolve_feedback(engine, staff, fid, {"resolution": "Xin lỗi, tặng voucher"})
    fb = pd.read_sql("SELECT status, resolved_at FROM feedback", engine).iloc[0]
    assert fb["status"] == "resolved" and fb["resolved_at"] is not None
    activity.schedule_appointment(engine, staff, duc.id, {"title": "Gặp", "due_at": "01/12/2026"})
    activity.log_interaction(engine, staff, duc.id, {"kind": "call", "outcome": "follow_up"})
    assert pd.read_sql("SELECT interactions_count FROM customer_stats", engine).iloc[0, 0] == 1
    assert _count(engine, "appointments") == 1


def test_stage_moves_need_a_lost_reason(engine, actors, duc):
    with pytest.raises(ValidationFailed) as exc:
        stages.move_stage(engine, actors["staff"], duc.id, "lost")
    assert exc.value.errors["lost_reason"].key == "invalid.required"
    assert _count(engine, "stage_changes") == 2
    stages.move_stage(engine, actors["staff"], duc.id, "lost", lost_reason="price")
    sc = pd.read_sql("SELECT * FROM stage_changes ORDER BY id", engine).iloc[-1]
    assert (sc["from_stage"], sc["to_stage"], sc["lost_reason"]) == ("new", "lost", "price")
    with pytest.raises(Conflict):
        stages.move_stage(engine, actors["staff"], duc.id, "contacted", version=1)


def test_bulk_edit_soft_delete_restore(engine, actors, duc):
    other = cw.create_customer(engine, actors["staff2"], {"full_name": "Phạm B"})
    n = bulk.bulk_edit(engine, actors["staff"], [duc.id, other.id],
                       bulk.BulkEdit(add_tags=("hot",), remove_tags=("vip",), stage="contacted"))
    assert n == 1  # the other staff member's customer is out of scope
    rows = pd.read_sql("SELECT id, tags, pipeline_stage FROM customers ORDER BY id", engine)
    assert rows.iloc[0]["tags"] == ",hot,tet 2026," and rows.iloc[0]["pipeline_stage"] == "contacted"
    assert rows.iloc[1]["pipeline_stage"] == "new"
    n = bulk.bulk_edit(engine, actors["manager"], [duc.id, other.id],
                       bulk.BulkEdit(owner_id=actors["staff2"].user_id))
    assert n == 1
    version = int(pd.read_sql(f"SELECT version FROM customers WHERE id = {duc.id}", engine).iloc[0, 0])  # noqa: S608
    with pytest.raises(Conflict):
        cw.soft_delete(engine, actors["manager"], duc.id, version - 1)
    cw.soft_delete(engine, actors["manager"], duc.id, version)
    from crm_data.customers import listing as customers

    assert customers.count_customers(engine, SYSTEM) == 1
    cw.restore(engine, actors["manager"], duc.id)
    assert customers.count_customers(engine, SYSTEM) == 2
    actions = _audit(engine)["action"].tolist()
    assert {"bulk_update", "stage", "delete", "restore"} <= set(actions)
