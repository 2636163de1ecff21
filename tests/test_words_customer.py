"""Issue 12, findings 5 and 8 on the customer page: the timeline speaks Vietnamese (no
`completed`, `cash`, `complaint`, `appointment`, `earn`), the profile shows what the form
records, orders show their lines and discount, feedback its time to resolve; the feedback
form takes a 1–5 rating from a list and its button says what it does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.domain import formatting
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Feedback
from crm_data.writes import activity
from crm_data.writes import customer as cw
from tests.apptest import app, database, errors, open_customer_tab
from tests.pagescan import raw_enum_values, raw_keys, raw_words, shown_table, texts

NAMES = {"admin": "Quản trị", "manager": "Chị Hoa", "staff": "Anh Tú", "viewer": "Giám đốc"}


@pytest.fixture
def app_db(engine, db_url):
    for role, name in NAMES.items():
        auth.add_user(engine, role, "password123", role, name)
    return db_url


def _manager(engine) -> Scope:
    uid = next(i for i, n in auth.user_names(engine).items() if n == NAMES["manager"])
    return Scope(uid, "manager", "manager")


@pytest.fixture
def busy_customer(app_db, engine):
    """A customer with one of everything the timeline lists."""
    scope = _manager(engine)
    saved = cw.create_customer(engine, scope, {
        "full_name": "Trần Thị Mai", "phone": "0853854788", "email": "mai@example.vn",
        "occupation": "teacher", "income_band": "20_40m", "education": "university",
        "marital_status": "married", "industry": "education", "kind": "individual"})
    cid = saved.id
    activity.add_order(engine, scope, cid, {
        "order_date": dt.date(2026, 11, 10), "discount": "50000", "paid_amount": "0",
        "payment_method": "cash", "channel": "store",
        "lines": [{"description": "Bình giữ nhiệt", "quantity": "2", "unit_price": "250000"},
                  {"description": "Túi vải", "quantity": "1", "unit_price": "80000"}]})
    activity.record_payment(engine, scope, cid, {"amount": "100000", "paid_on": dt.date(2026, 11, 12),
                                                 "method": "transfer"})
    activity.log_interaction(engine, scope, cid, {"kind": "call", "outcome": "consulted",
                                                  "occurred_at": dt.datetime(2026, 11, 11, 9, 0)})
    fid = activity.open_feedback(engine, scope, cid, {"kind": "complaint", "subject": "Giao chậm",
                                                      "rating": "2"})
    activity.resolve_feedback(engine, scope, fid, {"resolution": "Đã xin lỗi và tặng voucher"})
    with unit_of_work(engine) as s:  # a known duration: opened 2 days 3 hours before it was resolved
        s.execute(update(Feedback).where(Feedback.id == fid).values(
            opened_at=dt.datetime(2026, 11, 13, 8, 0), resolved_at=dt.datetime(2026, 11, 15, 11, 0)))
    activity.schedule_appointment(engine, scope, cid, {"kind": "appointment", "title": "Gặp tư vấn",
                                                       "due_at": dt.datetime(2026, 11, 25, 9, 0)})
    return app_db, cid


def _open(url, cid, lang="vi"):
    with database(url):
        at = app(url, "manager", lang, query={"id": str(cid)})
        at.switch_page("pages/customer.py")
        at.run()
    assert errors(at) == [], errors(at)
    return at


def test_timeline_shows_labels_not_stored_keys(busy_customer, backend):
    url, cid = busy_customer
    at = _open(url, cid)
    table = shown_table(at.dataframe[0])
    cells = set(table.stack().astype(str))
    for raw in ("completed", "cash", "transfer", "complaint", "appointment", "earn", "open", "call"):
        assert raw not in cells, (raw, sorted(cells))
    assert {"Hoàn thành", "Tiền mặt", "Chuyển khoản", "Khiếu nại", "Lịch hẹn"} <= cells
    forbidden = raw_enum_values()
    words = [w for s in texts(at) for w in raw_words(s, forbidden)]
    keys = [k for s in texts(at) for k in raw_keys(s)]
    assert words == [] and keys == [], (words, keys)


def test_profile_shows_what_the_form_records(busy_customer, backend):
    url, cid = busy_customer
    shown = " ".join(m.value for m in _open(url, cid).markdown)
    for text in ("Giáo viên", "20–40 triệu", "Đại học", "Đã kết hôn", "Giáo dục"):
        assert text in shown, text


def test_orders_show_lines_and_discount(busy_customer, backend):
    url, cid = busy_customer
    at = _open(url, cid)
    summary = " ".join(x.value for x in at.text)
    assert formatting.vnd(50000) in summary and formatting.vnd(530000) in summary  # discount, subtotal
    tables = [shown_table(d) for d in at.dataframe]
    lines = next(tb for tb in tables if "Sản phẩm / dịch vụ" in tb.columns)
    assert lines["Sản phẩm / dịch vụ"].tolist() == ["Bình giữ nhiệt", "Túi vải"]
    assert lines["Số lượng"].tolist() == ["2", "1"]
    assert lines["Thành tiền"].tolist() == [formatting.vnd(500000), formatting.vnd(80000)]


def test_feedback_shows_its_resolution_time(busy_customer, backend):
    url, cid = busy_customer
    at = _open(url, cid)
    tables = [shown_table(d) for d in at.dataframe]
    fb = next(tb for tb in tables if "Thời gian xử lý" in tb.columns)
    assert fb["Thời gian xử lý"].tolist() == ["2 ngày 3 giờ"]
    assert fb["Loại phản hồi"].tolist() == ["Khiếu nại"]
    assert fb["Đánh giá"].tolist() == ["★★☆☆☆"]


def test_feedback_form_rating_is_a_choice_and_the_button_says_record(busy_customer, engine, backend):
    url, cid = busy_customer
    at = open_customer_tab(_open(url, cid), url, "actions", "feedback")
    rating = at.selectbox(key="fb_rating")
    assert rating.options[1:] == ["★☆☆☆☆", "★★☆☆☆", "★★★☆☆", "★★★★☆", "★★★★★"]
    labels = [b.label for b in at.button]
    assert "Mở phản hồi" not in labels and "Ghi nhận phản hồi" in labels
    at.text_input(key="fb_subject").input("Hỏi bảo hành")
    rating.select_index(4)
    with database(url):
        next(b for b in at.button if b.label == "Ghi nhận phản hồi").click().run()
    assert errors(at) == []
    with engine.connect() as conn:
        got = conn.exec_driver_sql(
            "SELECT rating FROM feedback WHERE subject = 'Hỏi bảo hành'").scalar()
    assert got == 4


def test_duration_hours():
    assert formatting.duration_hours(0.75) == "45 phút"
    assert formatting.duration_hours(5) == "5 giờ"
    assert formatting.duration_hours(51) == "2 ngày 3 giờ"
    assert formatting.duration_hours(48.2) == "2 ngày"
    assert formatting.duration_hours(51, "en") == "2 d 3 h"
    assert formatting.duration_hours(None) == "—"


def test_rating_outside_one_to_five_is_still_refused_by_the_data_layer(busy_customer, engine, backend):
    from crm_data.writes import ValidationFailed

    _url, cid = busy_customer
    with pytest.raises(ValidationFailed) as caught:
        activity.open_feedback(engine, _manager(engine), cid, {"subject": "x", "rating": "9"})
    assert caught.value.errors["rating"].key == "cust.invalid.rating"
