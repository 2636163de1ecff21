"""AppTest: the Rules page — an admin edits a threshold in the table, previews the customers
it moves, saves (a new version, applied), restores version 1; other roles are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

from crm_data import summaries
from crm_data.accounts import auth
from crm_data.storage.models import Customer, CustomerStats, Order
from tests.apptest import ROOT, auth_for, database, errors, run_page, visible
from tests.conftest import FIXED_TODAY

PW = "mat-khau-123"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app_db(engine, db_url):
    for role in ("admin", "manager"):
        auth.add_user(engine, role, PW, role)
    with engine.begin() as conn:
        for code, amount in (("KH1", 19_000_000), ("KH2", 5_000_000)):
            cid = conn.execute(insert(Customer).values(
                code=code, full_name=f"[x](http://h/{code})", search_text=code.lower(), kind="individual",
                lifecycle_stage="awareness", pipeline_stage="won", tags="", consent=False,
                created_at=dt.datetime(2025, 1, 1), updated_at=dt.datetime(2025, 1, 1),
                version=1).returning(Customer.id)).scalar()
            day = FIXED_TODAY - dt.timedelta(days=5)
            conn.execute(insert(Order).values(
                code=f"DH{code}", customer_id=cid, order_date=day, ordered_at=dt.datetime.combine(day, dt.time(9)),
                status="completed", subtotal=amount, discount=0, amount=amount, paid_amount=amount,
                items_count=1, created_at=dt.datetime.combine(day, dt.time(9))))
    summaries.rebuild_all(engine, FIXED_TODAY)
    return db_url


def _run(at, url):
    with database(url):
        at.run()
    assert not errors(at), errors(at)
    return at


def _click(at, label, url):
    next(b for b in at.button if b.label == label).click()
    return _run(at, url)


def _tier(engine, code):
    with engine.connect() as conn:
        return conn.execute(select(CustomerStats.tier).join(Customer, Customer.id == CustomerStats.customer_id)
                            .where(Customer.code == code)).scalar()


def test_admin_edits_previews_saves_and_restores(app_db, engine):
    at = run_page(app_db, "pages/rules.py", "admin")
    assert not errors(at), errors(at)
    assert at.title[0].value == "Quy tắc phân loại"
    # the tiers table: row 0 is vip_12m's condition; lower its value to 15.000.000
    at.session_state["rules_tiers"] = {"edited_rows": {0: {"value": "15000000"}}, "added_rows": [],
                                       "deleted_rows": []}
    _click(at, "Xem trước", app_db)
    assert "chuyển 1 khách từ Thường sang VIP" in " ".join(w.value for w in at.markdown)
    moved = [d.value for d in at.dataframe if "code" in d.value.columns]
    assert moved and moved[0]["code"].tolist() == ["KH1"]
    assert _tier(engine, "KH1") == "regular"  # a preview writes nothing
    at.session_state["rules_tiers"] = {"edited_rows": {0: {"value": "15000000"}}, "added_rows": [],
                                       "deleted_rows": []}
    _click(at, "Lưu và áp dụng", app_db)
    assert at.success and "phiên bản 2" in at.success[0].value, [e.value for e in at.error]
    assert _tier(engine, "KH1") == "vip" and _tier(engine, "KH2") == "regular"
    at.selectbox(key="rules_restore_pick").set_value(1)
    _click(at, "Khôi phục phiên bản này", app_db)
    assert at.success and "phiên bản mới 3" in at.success[0].value
    assert _tier(engine, "KH1") == "regular"


def test_bad_rule_is_refused_with_a_message(app_db, engine):
    at = run_page(app_db, "pages/rules.py", "admin")
    at.session_state["rules_groups"] = {"edited_rows": {0: {"value": "nhiều"}}, "added_rows": [],
                                        "deleted_rows": []}
    _click(at, "Lưu và áp dụng", app_db)
    assert at.error and "orders_not_churned" in visible(at.error[0].value)
    assert not at.success


def test_manager_is_refused(app_db):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_page(app_db, "pages/rules.py", "manager")  # not in the manager's navigation
    at = AppTest.from_file(str(ROOT / "pages/rules.py"), default_timeout=60)  # the address itself
    at.session_state["auth"] = auth_for(app_db, "manager")
    _run(at, app_db)
    assert at.error and at.error[0].value == "Chỉ quản trị viên được xem và sửa quy tắc."
    assert not at.button and not at.dataframe
