"""AppTest: the Receivables page for each editor role (payment form; the admin's terms
setting) and refused to the viewer; the Cash book page for admin and manager (entry form,
the admin's opening balance) and refused to staff and viewer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM
from crm_data.admin import settings
from crm_data.daily import cashbook
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AuditLog, CashEntry, Customer, Order, Payment, User
from tests.apptest import ROOT, auth_for, database, errors, run_page, visible
from tests.conftest import FIXED_TODAY


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app_db(engine, db_url):
    for role in ("admin", "manager", "staff", "viewer"):
        auth.add_user(engine, role, "password123", role)
    with unit_of_work(engine) as s:
        staff = s.scalar(select(User.id).where(User.username == "staff"))
        for code, owner, past in (("KH1", staff, 50), ("KH2", None, 10)):
            c = Customer(code=code, full_name=f"**{code}** ![x](http://h/p.png)", owner_id=owner)
            s.add(c)
            s.flush()
            day = FIXED_TODAY - dt.timedelta(days=past)
            s.add(Order(code=f"D{code}", customer_id=c.id, order_date=day, ordered_at=dt.datetime.combine(
                day, dt.time(9)), status="completed", subtotal=400_000, amount=400_000, paid_amount=100_000))
    from crm_data import summaries

    summaries.rebuild_all(engine, FIXED_TODAY)
    return db_url


def _page(url, page, role):
    at = run_page(url, page, role)
    at._db_url = url
    assert not errors(at), errors(at)
    return at


def _submit_form(at, form_key: str):
    next(b for b in at.button if getattr(b, "form_id", None) == form_key).click()
    with database(at._db_url):
        at.run()
    assert not errors(at), errors(at)
    return at


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def _text(at, kind) -> str:
    return " | ".join(visible(e.value) for e in getattr(at, kind))


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_receivables_page_and_payment_form(app_db, engine, role):
    at = _page(app_db, "pages/receivables.py", role)
    assert at.title[0].value == "Công nợ phải thu"
    debtors = at.dataframe[0].value
    codes = sorted(debtors["Mã"].tolist())
    assert codes == (["KH1"] if role == "staff" else ["KH1", "KH2"])  # staff: own customers
    ageing = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]
    assert sum(ageing) == 300_000 * len(codes)
    if role == "admin":  # refused above the debt (the same code for every role)
        at.text_input(key="recv_pay_amount").input("300.001")
        _submit_form(at, "f_recv_payment")
        assert "vượt công nợ" in _text(at, "error") and _count(engine, Payment) == 0
    at.text_input(key="recv_pay_amount").input("120.000")
    _submit_form(at, "f_recv_payment")
    assert _count(engine, Payment) == 1 and _count(engine, CashEntry) == 1
    assert "Đã ghi nhận thanh toán." in _text(at, "success")
    if role == "admin":
        at.number_input(key="recv_terms").set_value(45)
        _submit_form(at, "f_recv_settings")
        assert settings.get(engine, "receivables.terms_days") == 45
    else:
        assert not any(getattr(b, "form_id", None) == "f_recv_settings" for b in at.button)


def _alone(url, page, role):
    """The page file run by itself (no navigation lists it for this role: a direct run)."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state["auth"] = auth_for(url, role)
    with database(url):
        at.run()
    assert not errors(at), errors(at)
    return at


def _denied(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditLog.username, AuditLog.entity)
                                               .where(AuditLog.action == "denied"))]


def test_receivables_page_refuses_the_viewer(app_db, engine):
    at = _alone(app_db, "pages/receivables.py", "viewer")
    assert at.warning and not at.dataframe and not at.get("plotly_chart")
    assert _denied(engine) == [("viewer", "personal_data")]


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_cash_book_page_and_entry_form(app_db, engine, role):
    settings.set_value(engine, SYSTEM, cashbook.OPENING_KEY, 1_000_000)
    at = _page(app_db, "pages/cashbook.py", role)
    assert at.title[0].value == "Sổ thu chi"
    assert [m.value for m in at.metric][0] == "1.000.000\xa0₫"  # opening balance of this month
    at.segmented_control(key="cash_new_kind").set_value("payment")
    with database(app_db):
        at.run()
    at.text_input(key="cash_desc").input("Nhập hàng")
    if role == "admin":  # more than the cash held: refused
        at.text_input(key="cash_amount").input("1.000.001")
        _submit_form(at, "f_cash_entry")
        assert "Quỹ không đủ tiền" in _text(at, "error") and _count(engine, CashEntry) == 0
    at.text_input(key="cash_amount").input("400.000")
    _submit_form(at, "f_cash_entry")
    assert "Đã lập phiếu PC000001." in _text(at, "success")
    assert at.dataframe and "PC000001" in at.dataframe[-1].value["Số chứng từ"].tolist()
    if role == "admin":
        at.number_input(key="cash_opening").set_value(2_000_000)
        _submit_form(at, "f_cash_opening")
        assert settings.get(engine, cashbook.OPENING_KEY) == 2_000_000
    else:
        assert not any(getattr(b, "form_id", None) == "f_cash_opening" for b in at.button)


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_cash_book_page_refuses_staff_and_viewer(app_db, engine, role):
    at = _alone(app_db, "pages/cashbook.py", role)
    assert "quản trị và quản lý" in _text(at, "warning")
    assert not at.dataframe and not at.metric
    assert _denied(engine) == [(role, "cash_book")]
