"""Issue 11, finding 8: bad ids, periods, query values and field contents give a clear
message in the user's language, never a traceback, SQL text or a database error; NUL and
other control characters are removed on input; long notes are kept whole."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.config import ShowErrorDetailsConfigOptions

from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.customers import listing as customers
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.imports import import_file
from crm_data.records import validation
from crm_data.writes import ValidationFailed, activity
from crm_data.writes import customer as cw
from tests.apptest import errors, run_page

ROOT = Path(__file__).resolve().parent.parent
BIG = "99999999999999999999"  # above 2^63
REPORT_PAGES = ("overview", "segments", "funnel", "journey", "retention", "revenue")


def test_shipped_config_shows_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    value = config["client"]["showErrorDetails"]
    assert value == ShowErrorDetailsConfigOptions.NONE
    assert value in {o.value for o in ShowErrorDetailsConfigOptions}


# --- pages: bad links --------------------------------------------------------------------

BAD_LINKS = [
    ("pages/customer.py", {"id": "²"}),
    ("pages/customer.py", {"id": BIG}),
    ("pages/customer.py", {"id": "-3"}),
    ("pages/customer_form.py", {"id": "²"}),
    ("pages/customer_form.py", {"id": BIG}),
    ("pages/segments_saved.py", {"segment": BIG}),
    ("pages/customers.py", {"segment": "²"}),
    ("pages/customers.py", {"spend_min": "1e400"}),
    ("pages/customers.py", {"days_since_min": BIG}),
    ("pages/customers.py", {"regions": "x", "owners": BIG}),
    *[(f"pages/{p}.py", {"period": "custom", "from": "0001-01-01", "to": "9999-12-31"})
      for p in REPORT_PAGES],
    ("pages/overview.py", {"period": "custom", "from": "0001-01-01", "to": "0001-01-01"}),
    ("pages/overview.py", {"period": "custom", "from": "01/02/2026", "to": "x"}),
    ("pages/overview.py", {"gran": "x"}),
    ("pages/revenue.py", {"regions": "zzz", "provinces": BIG}),
]


@pytest.mark.parametrize(("page", "query"), BAD_LINKS, ids=lambda v: str(v))
def test_bad_link_gives_a_message_not_a_traceback(seeded_url, backend, page, query):
    at = run_page(seeded_url, page, "admin", query=query)
    assert errors(at) == []
    # An error, or a warning where the page could correct the link (a period clamped)
    shown = [*at.error, *at.warning]
    assert shown, "a clear message is shown"
    for element in shown:
        assert "SELECT" not in element.value and "Traceback" not in element.value
        assert element.value == element.value.strip()


def test_bad_link_message_follows_the_language(seeded_url, backend):
    at = run_page(seeded_url, "pages/customer.py", "admin", lang="en", query={"id": "²"})
    assert errors(at) == []
    assert at.error[0].value.startswith("Invalid link")


def test_period_in_range_still_works(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "admin",
                  query={"period": "custom", "from": "2026-01-01", "to": "2026-03-31"})
    assert errors(at) == [] and not at.error
    assert at.session_state["period"] == "custom"


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 7 ", 7), ("²", None), ("٣", None), (BIG, None), ("0", None), ("-1", None),
    ("1e3", None), ("", None), (None, None), (str(2**31 - 1), 2**31 - 1), (str(2**31), None),
])
def test_record_id(raw, expected):
    assert validation.record_id(raw) == expected


# --- data layer: control characters, long notes, over-long values -------------------------

@pytest.fixture
def staff(engine):
    return Scope(auth.add_user(engine, "lan", "password123", "staff"), "lan", "staff")


@pytest.fixture
def customer_id(engine, staff):
    return cw.create_customer(engine, staff, {"full_name": "Trần Thị Lan", "phone": "0912345678"}).id


def test_control_characters_are_removed_and_nul_saves(engine, staff):
    saved = cw.create_customer(engine, staff, {
        "full_name": "Nguyễn\x00 Văn\x07 A\x1b", "address": "12\x00 Lê Lợi\r\nQuận 1",
        "company": "\x00Công ty\x7f B", "notes": "dòng 1\r\ndòng 2\tcột\x00", "tags": "vip\x00"})
    row = pd.read_sql(text("SELECT full_name, address, company, notes, tags, search_text "
                           "FROM customers WHERE id = :id"), engine, params={"id": saved.id}).iloc[0]
    assert row["full_name"] == "Nguyễn Văn A"
    assert row["address"] == "12 Lê Lợi\nQuận 1"
    assert row["company"] == "Công ty B"
    assert row["notes"] == "dòng 1\ndòng 2\tcột"
    assert row["tags"] == ",vip,"
    assert "\x00" not in row["search_text"]


def test_nul_in_activity_fields_saves(engine, staff, customer_id):
    activity.log_interaction(engine, staff, customer_id,
                             {"kind": "call", "outcome": "consulted", "note": "a\x00b"})
    fid = activity.open_feedback(engine, staff, customer_id, {"subject": "Giao\x00 trễ", "body": "x\x00"})
    activity.resolve_feedback(engine, staff, fid, {"resolution": "xong\x00"})
    activity.schedule_appointment(engine, staff, customer_id,
                                  {"title": "Gặp\x00", "due_at": "01/12/2026", "note": "\x00n"})
    activity.add_order(engine, staff, customer_id, {"lines": [
        {"description": "Áo\x00 thun", "quantity": 1, "unit_price": 200000}], "paid_amount": 0})
    activity.record_payment(engine, staff, customer_id, {"amount": 1000, "note": "tiền\x00 mặt"})
    with engine.connect() as conn:
        texts = [conn.execute(text(sql)).scalar() for sql in (
            "SELECT note FROM interactions", "SELECT subject FROM feedback",
            "SELECT body FROM feedback", "SELECT resolution FROM feedback",
            "SELECT title FROM appointments", "SELECT note FROM appointments",
            "SELECT description FROM order_lines", "SELECT note FROM payments")]
    assert texts == ["ab", "Giao trễ", "x", "xong", "Gặp", "n", "Áo thun", "tiền mặt"]


def test_long_notes_round_trip_whole(engine, staff, customer_id):
    note = ("Khách hỏi về bảo hành, giao hàng và đổi trả. " * 1200)[:50_000]
    assert len(note.strip()) == 50_000
    cw.create_customer(engine, staff, {"full_name": "Lê Văn Dài", "notes": note})
    activity.log_interaction(engine, staff, customer_id, {"kind": "call", "outcome": "consulted",
                                                          "note": note})
    fid = activity.open_feedback(engine, staff, customer_id, {"subject": "Dài", "body": note})
    activity.resolve_feedback(engine, staff, fid, {"resolution": note})
    activity.schedule_appointment(engine, staff, customer_id,
                                  {"title": "Dài", "due_at": "01/12/2026", "note": note})
    with engine.connect() as conn:
        stored = [conn.execute(text(sql)).scalar() for sql in (
            "SELECT notes FROM customers WHERE full_name = 'Lê Văn Dài'",
            "SELECT note FROM interactions", "SELECT body FROM feedback",
            "SELECT resolution FROM feedback", "SELECT note FROM appointments")]
    assert [len(s) for s in stored] == [50_000] * 5
    assert all(s == note for s in stored)


@pytest.mark.parametrize(("field", "value"), [
    ("full_name", "N" * 201), ("address", "a" * 301), ("company", "c" * 201),
    ("tags", "t" * 251), ("email", "a" * 250 + "@x.vn"), ("notes", "n" * 100_001),
])
def test_over_long_customer_field_is_a_validation_message(engine, staff, field, value):
    raw = {"full_name": "Phạm Văn B", field: value}
    with pytest.raises(ValidationFailed) as caught:
        cw.create_customer(engine, staff, raw)
    assert field in caught.value.errors


def test_long_folded_search_text_fits_its_column(engine, staff):
    # Each of these letters folds to several ("中" → "Zhong "): the search column overflowed.
    saved = cw.create_customer(engine, staff, {
        "full_name": "中" * 200, "company": "國" * 200, "email": "a" * 240 + "@example.vn"})
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT search_text FROM customers WHERE id = :i"),
                              {"i": saved.id}).scalar()
    assert 0 < len(stored) <= 600


@pytest.mark.parametrize(("field", "value"), [
    ("description", "d" * 201), ("unit_price", "1e30"), ("quantity", "9" * 15)])
def test_over_long_or_huge_order_line_is_a_validation_message(engine, staff, customer_id, field, value):
    line = {"description": "Áo", "quantity": 1, "unit_price": 1000, field: value}
    with pytest.raises(ValidationFailed):
        activity.add_order(engine, staff, customer_id, {"lines": [line]})


def test_activity_over_long_fields_are_validation_messages(engine, staff, customer_id):
    with pytest.raises(ValidationFailed):
        activity.record_payment(engine, staff, customer_id, {"amount": 1, "note": "n" * 301})
    with pytest.raises(ValidationFailed):
        activity.open_feedback(engine, staff, customer_id, {"subject": "s" * 201})
    with pytest.raises(ValidationFailed):
        activity.schedule_appointment(engine, staff, customer_id,
                                      {"title": "t" * 201, "due_at": "01/12/2026"})


def test_lookups_with_control_characters_and_huge_numbers(engine, staff, customer_id):
    admin = Scope(None, "system", "admin")
    assert customers.find_customer_id(engine, admin, code="KH\x00000001") == customer_id
    assert customers.find_customer_id(engine, admin, customer_id=int(BIG)) is None
    flt = CustomerFilter(search="Lan\x00", tags=("vip\x00",), regions=("south\x00",))
    customers.count_customers(engine, admin, flt)
    flt = CustomerFilter.from_query({"provinces": BIG, "spend_min": BIG, "owners": "1," + BIG,
                                     "created_to": "9999-12-31", "days_since_min": "5"})
    assert flt.provinces == () and flt.spend_min is None and flt.owners == ()
    customers.count_customers(engine, admin, flt)
    customers.count_customers(engine, admin, CustomerFilter(days_since_min=10**12, age_min=10**6))


def test_import_removes_control_characters(engine):
    data = ("Họ và tên,Số điện thoại,Ghi chú\n"
            "Nguyễn\x00 Văn C,0912345679,ghi\x00 chú\x01\n").encode()
    result = import_file(engine, SYSTEM, data, "customers", name="nul.csv")
    assert result.inserted == 1, result.rows
    with engine.connect() as conn:
        row = conn.execute(text("SELECT full_name, notes FROM customers")).one()
    assert tuple(row) == ("Nguyễn Văn C", "ghi chú")


def test_import_long_note_kept_and_over_long_tags_rejected(engine):
    note = ("Khách cần gọi lại sau Tết, hỏi về bảo hành. " * 1200)[:50_000].strip()
    rows = [["Họ và tên", "Số điện thoại", "Ghi chú", "Thẻ"],
            ["Phan Văn Dài", "0912345670", note, "vip"],
            ["Vũ Thị Thẻ", "0912345671", "", "t" * 300]]
    data = "\n".join(",".join(f'"{c}"' for c in r) for r in rows).encode()
    result = import_file(engine, SYSTEM, data, "customers", name="long.csv", on_error="skip")
    assert (result.inserted, result.rejected) == (1, 1)
    assert [i.key for i in result.rejects[0].issues] == ["invalid.too_long"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT notes FROM customers")).scalar() == note
