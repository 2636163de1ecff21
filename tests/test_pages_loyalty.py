"""The Loyalty page for each role (viewer refused, staff read-only, manager manages gifts,
admin changes the settings) and the redemption form on the customer page, on a small
hand-built database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_data import summaries
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.daily import loyalty
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AuditLog, LoyaltyEntry, LoyaltyGift, User
from crm_data.writes import customer as cw
from tests.apptest import ROOT, auth_for, database, errors, run_page, visible

ROLES = ("admin", "manager", "staff", "viewer")


@pytest.fixture
def shop(engine, db_url):
    with unit_of_work(engine) as s:  # no password hashing: the tests sign in by session state
        users = [User(username=r, display_name=r, role=r, password_hash="-") for r in ROLES]
        s.add_all(users)
        s.flush()
        ids = {u.username: u.id for u in users}
    staff = Scope(ids["staff"], "staff", "staff")
    cid = cw.create_customer(engine, staff, {"full_name": "Trần **Đậm** An"}).id
    with unit_of_work(engine) as s:
        s.add(LoyaltyEntry(customer_id=cid, entry_date=dt.date(2026, 10, 1), kind="earn", points=120))
        s.flush()
        summaries.refresh_customers(s, [cid])
    gift = loyalty.add_gift(engine, Scope(ids["admin"], "admin", "admin"),
                            {"name": "Bình giữ nhiệt", "points_cost": 100, "stock": 1})
    return {"url": db_url, "engine": engine, "customer": cid, "gift": gift}


def _texts(at) -> str:
    return " ".join(visible(str(e.value)) for e in [*at.error, *at.success, *at.warning, *at.info])


def _submit(at, form: str):
    next(b for b in at.button if b.proto.form_id == form).click()
    with database(at._loyalty_url):
        at.run()


def _page(shop, role: str, page: str = "pages/loyalty.py", query=None):
    at = run_page(shop["url"], page, role, query=query)
    at._loyalty_url = shop["url"]
    assert not errors(at), errors(at)
    return at


def test_viewer_is_refused_and_staff_only_reads(shop):
    # not in the viewer's navigation; the page file itself refuses too (and audits it)
    at = AppTest.from_file(str(ROOT / "pages" / "loyalty.py"), default_timeout=60)
    at.session_state["auth"] = auth_for(shop["url"], "viewer")
    with database(shop["url"]):
        at.run()
    assert not errors(at) and not at.metric and at.warning
    with shop["engine"].connect() as conn:
        assert conn.execute(select(AuditLog.action).where(AuditLog.entity == "personal_data")).scalar() == "denied"
    at = _page(shop, "staff")
    assert [m.value for m in at.metric][:1] == ["120"]
    assert not [f for f in at.get("form")]  # no gift or settings form for staff


def test_manager_adds_a_gift_and_admin_changes_the_rule(shop):
    at = _page(shop, "manager")
    at.text_input(key="ga_name").input("Áo mưa")
    at.text_input(key="ga_cost").input("0")
    _submit(at, "f_gift_add")
    assert "Nhập số nguyên" in _texts(at)
    at.text_input(key="ga_cost").input("50")
    at.text_input(key="ga_stock").input("5")
    _submit(at, "f_gift_add")
    assert "Đã lưu quà tặng." in _texts(at)
    with shop["engine"].connect() as conn:
        assert conn.execute(select(LoyaltyGift.name, LoyaltyGift.stock)
                            .order_by(LoyaltyGift.id)).all()[-1] == ("Áo mưa", 5)
    assert not [k for k in at.session_state if str(k).startswith("set_")]  # no settings form

    at = _page(shop, "admin")
    at.text_input(key="set_loyalty.vnd_per_point").input("20000")
    at.text_input(key="set_loyalty.expiry_months").input("200")
    _submit(at, "f_loyalty_settings")
    assert "từ 0 đến 120" in _texts(at)
    assert settings.get(shop["engine"], "loyalty.vnd_per_point") == 20_000
    assert settings.get(shop["engine"], "loyalty.expiry_months") == 0


def test_customer_page_redeems_a_gift_then_refuses_above_the_balance(shop):
    at = _page(shop, "staff", "pages/customer.py", {"id": str(shop["customer"])})
    at.selectbox(key="ly_gift").select(shop["gift"])
    _submit(at, "f_redeem")
    assert "Đã đổi điểm." in _texts(at)
    assert loyalty.balance(shop["engine"], shop["customer"]) == 20
    at.radio(key="ly_kind").set_value("discount")
    with database(shop["url"]):
        at.run()
    at.text_input(key="ly_points").input("21")
    _submit(at, "f_redeem")
    assert "Không đủ điểm: cần 21 điểm, khách chỉ còn 20 điểm." in _texts(at)
    assert loyalty.balance(shop["engine"], shop["customer"]) == 20
