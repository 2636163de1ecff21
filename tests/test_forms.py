"""AppTest: every customer form filled and submitted, invalid input (each bad field gives
its Vietnamese message, nothing is written) and a conflicting concurrent edit."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM
from crm_data.writes import customer as cw
from tests.apptest import app, database, errors, open_customer_tab, run_page, visible


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608


@pytest.fixture
def app_db(engine, db_url):
    for role in ("admin", "manager", "staff", "viewer"):
        auth.add_user(engine, role, "password123", role)
    return db_url


def _submit(at, label: str):
    button = next(b for b in at.button if b.label == label)
    button.click()
    with database(at._db_url):
        at.run()
    return at


def _page(url, page, role="staff", query=None):
    at = run_page(url, page, role, query=query)
    at._db_url = url
    assert not errors(at), errors(at)
    return at


def _direct(url, page, role, query):
    """Open `page` first (as a link does), so its URL parameters reach its widgets."""
    with database(url):
        at = app(url, role, query=query)
        at.switch_page(page)
        at.run()
    at._db_url = url
    assert not errors(at), errors(at)
    return at


def _messages(at, kind="error") -> str:
    return " | ".join(visible(e.value) for e in getattr(at, kind))


def test_create_form_invalid_fields_each_get_their_message(app_db, engine):
    at = _page(app_db, "pages/customer_form.py")
    at.text_input(key="cf_new_phone").input("12345")
    at.text_input(key="cf_new_email").input("khong-phai-email")
    at.text_input(key="cf_new_birth_date").input("31/02/1990")
    at.text_input(key="cf_new_province").input("Atlantis")
    _submit(at, "Lưu khách hàng")
    text = _messages(at)
    for message in ("Họ tên: Bắt buộc nhập.", "Điện thoại: Số điện thoại không hợp lệ: 12345",
                    "Email: Email không hợp lệ: khong-phai-email",
                    "Ngày sinh (dd/mm/yyyy): Ngày không hợp lệ: 31/02/1990",
                    "Không nhận ra tỉnh/thành phố: Atlantis"):
        assert message in text
    assert _count(engine, "customers") == 0


def test_create_form_saves_and_opens_the_record(app_db, engine):
    at = _page(app_db, "pages/customer_form.py")
    at.text_input(key="cf_new_full_name").input("Nguyễn Thị Mai")
    at.text_input(key="cf_new_phone").input("0912.345.678")
    at.text_input(key="cf_new_province").input("Sài Gòn")
    _submit(at, "Lưu khách hàng")
    assert not errors(at)
    row = pd.read_sql("SELECT * FROM customers", engine).iloc[0]
    assert (row["full_name"], row["phone"], row["region"]) == ("Nguyễn Thị Mai", "+84912345678", "south")
    assert "Đã thêm khách hàng KH000001." in _messages(at, "success")
    assert _count(engine, "audit_log") >= 1


def test_duplicate_warning_needs_confirmation(app_db, engine):
    cw.create_customer(engine, SYSTEM, {"full_name": "Trần Văn Hùng", "phone": "0987654321"})
    at = _page(app_db, "pages/customer_form.py")
    at.text_input(key="cf_new_full_name").input("TRAN VAN HUNG")
    _submit(at, "Lưu khách hàng")
    assert "Có thể trùng" in _messages(at, "warning")
    assert _count(engine, "customers") == 1
    at.checkbox(key="cf_new_confirm_dup").check()
    _submit(at, "Lưu khách hàng")
    assert _count(engine, "customers") == 2


def test_concurrent_edit_second_save_refused(app_db, engine):
    saved = cw.create_customer(engine, SYSTEM, {"full_name": "Lê Văn Tám"})
    first = _page(app_db, "pages/customer_form.py", "manager", {"id": str(saved.id)})
    second = _page(app_db, "pages/customer_form.py", "admin", {"id": str(saved.id)})
    key = f"cf{saved.id}_notes"
    first.text_area(key=key).input("ghi chú của người thứ nhất")
    second.text_area(key=key).input("ghi chú của người thứ hai")
    _submit(first, "Lưu khách hàng")
    assert not _messages(first)
    _submit(second, "Lưu khách hàng")
    assert "người khác lưu" in _messages(second)
    row = pd.read_sql("SELECT notes, version FROM customers", engine).iloc[0]
    assert (row["notes"], row["version"]) == ("ghi chú của người thứ nhất", 2)


@pytest.fixture
def customer(app_db, engine):
    from sqlalchemy import select

    from crm_data.storage.models import User

    with engine.connect() as conn:
        staff_id = conn.execute(select(User.id).where(User.username == "staff")).scalar()
    saved = cw.create_customer(engine, SYSTEM, {"full_name": "Phạm Thị Lan", "owner_id": staff_id})
    return saved.id


def _record(app_db, cid, role="staff"):
    return _page(app_db, "pages/customer.py", role, {"id": str(cid)})


def test_360_forms_invalid_then_valid(app_db, engine, customer):
    at = _record(app_db, customer)
    assert at.title[0].value == "KH000001 · Phạm Thị Lan"

    # order: no lines → message, nothing written; then a valid order with partial payment
    open_customer_tab(at, app_db, "actions", "order")
    at.text_input(key="or_paid").input("100")
    _submit_form(at, "f_order")
    assert "Đơn hàng cần ít nhất một dòng sản phẩm." in _messages(at)
    assert _count(engine, "orders") == 0
    at.text_input(key="or_desc0").input("Nồi cơm điện")
    at.text_input(key="or_qty0").input("2")
    at.text_input(key="or_price0").input("750.000")
    at.text_input(key="or_paid").input("1.000.000")
    _submit_form(at, "f_order")
    assert not _messages(at), _messages(at)
    assert _count(engine, "orders") == 1 and _count(engine, "loyalty_ledger") == 1

    # payment: more than the debt (500.000) is refused
    open_customer_tab(at, app_db, "actions", "payment")
    at.text_input(key="pay_amount").input("600.000")
    _submit_form(at, "f_payment")
    assert "vượt công nợ" in _messages(at)
    assert _count(engine, "payments") == 0
    at.text_input(key="pay_amount").input("500.000")
    _submit_form(at, "f_payment")
    assert _count(engine, "payments") == 1
    assert pd.read_sql("SELECT debt FROM customer_stats", engine).iloc[0, 0] == 0

    # interaction
    open_customer_tab(at, app_db, "actions", "interaction")
    at.text_area(key="ia_note").input("Gọi hỏi thăm")
    _submit_form(at, "f_interaction")
    assert _count(engine, "interactions") == 1

    # complaint: subject required (the rating is a 1–5 choice); then valid; then resolve it
    open_customer_tab(at, app_db, "actions", "feedback")
    _submit_form(at, "f_feedback")
    text = _messages(at)
    assert "Tiêu đề: Bắt buộc nhập." in text
    assert _count(engine, "feedback") == 0
    at.text_input(key="fb_subject").input("Giao hàng trễ")
    at.selectbox(key="fb_rating").set_value(4)
    _submit_form(at, "f_feedback")
    assert _count(engine, "feedback") == 1
    at.text_area(key="rs_text").input("Đã xin lỗi và tặng phiếu giảm giá")
    _submit_form(at, "f_resolve")
    assert pd.read_sql("SELECT status FROM feedback", engine).iloc[0, 0] == "resolved"

    # appointment: title required
    open_customer_tab(at, app_db, "actions", "appointment")
    _submit_form(at, "f_appointment")
    assert "Tiêu đề: Bắt buộc nhập." in _messages(at)
    assert _count(engine, "appointments") == 0
    at.text_input(key="ap_title").input("Hẹn tư vấn bảo hành")
    _submit_form(at, "f_appointment")
    assert _count(engine, "appointments") == 1

    # stage: lost needs a reason
    open_customer_tab(at, app_db, "actions", "stage")
    stages_before = _count(engine, "stage_changes")
    at.selectbox(key="st_to_pipeline").set_value("lost")
    _submit_form(at, "f_stage")
    assert "Lý do thất bại (bắt buộc khi Thất bại): Bắt buộc nhập." in _messages(at)
    assert _count(engine, "stage_changes") == stages_before
    at.selectbox(key="st_to_pipeline").set_value("lost")
    at.selectbox(key="st_reason").set_value("price")
    _submit_form(at, "f_stage")
    assert not _messages(at), _messages(at)
    assert _count(engine, "stage_changes") == stages_before + 1
    assert not errors(at)


def _submit_form(at, form_key: str):
    """Click the submit button of the form `form_key`."""
    button = next(b for b in at.button if getattr(b, "form_id", None) == form_key)
    button.click()
    with database(at._db_url):
        at.run()
    return at


def test_delete_and_restore_from_the_pages(app_db, engine, customer):
    at = _record(app_db, customer)
    open_customer_tab(at, app_db, "actions", "delete")
    at.checkbox(key="del_confirm").check()
    _submit_form(at, "f_delete")
    assert pd.read_sql("SELECT deleted_at FROM customers", engine).iloc[0, 0] is not None
    at = _page(app_db, "pages/customers.py")
    next(b for b in at.button if b.key == "restore").click()
    with database(app_db):
        at.run()
    assert pd.read_sql("SELECT deleted_at FROM customers", engine).iloc[0, 0] is None


def test_staff_cannot_open_another_owners_customer(app_db, engine):
    saved = cw.create_customer(engine, SYSTEM, {"full_name": "Khách của quản lý"})
    at = _record(app_db, saved.id, "staff")
    assert "Không tìm thấy khách hàng" in _messages(at, "warning")
    assert not at.title or "Khách của quản lý" not in at.title[0].value


def test_save_segment_and_open_it_by_link(app_db, engine):
    cw.create_customer(engine, SYSTEM, {"full_name": "Khách miền Nam", "province": "Cần Thơ"})
    cw.create_customer(engine, SYSTEM, {"full_name": "Khách miền Bắc", "province": "Hà Nội"})
    at = _direct(app_db, "pages/customers.py", "manager", {"regions": ["south"]})
    assert "1 khách hàng phù hợp" in at.caption[0].value
    at.text_input(key="segment_name").input("Miền Nam")
    at.checkbox(key="segment_shared").check()
    _submit_form(at, "segment_form")
    seg = pd.read_sql("SELECT * FROM saved_segments", engine).iloc[0]
    assert (seg["name"], seg["query"], bool(seg["shared"])) == ("Miền Nam", "regions=south", True)
    # shared: the staff member opens it from a link
    at = _direct(app_db, "pages/customers.py", "staff", {"segment": str(seg["id"])})
    assert at.multiselect(key="regions").value == ["south"]
    assert "0 khách hàng phù hợp" in at.caption[0].value  # staff own none of them
    at = _page(app_db, "pages/segments_saved.py", "staff")
    assert any("Miền Nam" in m.value for m in at.markdown)
