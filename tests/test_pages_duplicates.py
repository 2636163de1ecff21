"""The duplicates page in AppTest: an admin finds pairs, compares, merges (after confirming)
and undoes; a manager sees the page without the settings; staff and viewers are refused."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.storage.models import AuditLog, Customer
from crm_data.writes import customer as cw
from crm_ui import nav
from tests.apptest import ROOT, auth_for, database, errors, run_page

PW = "password123"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app_db(engine, db_url):
    ids = {role: auth.add_user(engine, role, PW, role) for role in ("admin", "manager", "staff", "viewer")}
    admin = Scope(ids["admin"], "admin", "admin")
    for raw in ({"full_name": "Nguyễn Văn Đức", "phone": "0912345678", "tags": "vip"},
                {"full_name": "Duc Nguyen Van", "phone": "+84912345678", "email": "duc@example.vn"},
                {"full_name": "Trần Thị Lan", "phone": "0987654321"}):
        cw.create_customer(engine, admin, raw, confirm_duplicate=True)
    return db_url


def _run(at, url):
    with database(url):
        at.run()
    assert not errors(at), errors(at)
    return at


def _press(at, url, label):
    next(b for b in at.button if label in (b.key, b.label)).click()
    return _run(at, url)


def test_admin_finds_compares_merges_and_undoes(engine, app_db):
    at = run_page(app_db, "pages/duplicates.py", "admin", lang="en")
    assert not errors(at), errors(at)
    assert at.title[0].value == "Duplicate customers"
    _press(at, app_db, "dupes_find")
    assert at.success[0].value == "Found 1 likely duplicate pairs."
    frame = at.dataframe[0].value
    assert frame["Score"].tolist() == [90] and "Same phone number" in frame["Reasons"][0]
    at.selectbox(key="dupes_pairs").select_index(0)
    _run(at, app_db)
    at.selectbox(key="dupes_f_email").set_value("loser")
    _press(at, app_db, "Merge the two records")
    assert at.error[0].value == "Tick the confirmation before merging."  # nothing merged yet
    at.checkbox(key="dupes_sure").check()
    _press(at, app_db, "Merge the two records")
    assert at.success[0].value.startswith("Merged:")
    with engine.connect() as conn:
        alive = conn.execute(select(Customer.full_name, Customer.email, Customer.tags)
                             .where(Customer.deleted_at.is_(None)).order_by(Customer.id)).all()
    assert [tuple(r) for r in alive] == [("Nguyễn Văn Đức", "duc@example.vn", ",vip,"),
                                        ("Trần Thị Lan", None, "")]
    assert "Can be undone" in at.dataframe[-1].value["State"].tolist()
    _press(at, app_db, "Undo merge")
    assert at.success[0].value == "Undone: both records are back as they were before the merge."
    with engine.connect() as conn:
        actions = conn.execute(select(AuditLog.action).where(AuditLog.action.like("%merge%"))).scalars().all()
        assert conn.execute(select(Customer.id).where(Customer.deleted_at.is_(None))).all().__len__() == 3
    assert actions == ["merge", "merge_undo"]
    assert at.expander  # the admin's settings


def test_manager_sees_the_page_without_settings(app_db):
    at = run_page(app_db, "pages/duplicates.py", "manager", lang="en")
    assert not errors(at), errors(at)
    assert [e.value for e in at.title] == ["Duplicate customers"] and not at.expander
    assert at.info[0].value.startswith("No pairs yet")


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_staff_and_viewer_are_refused(engine, app_db, role):
    who = auth_for(app_db, role)
    assert not nav.may_open(Scope(who["user_id"], role, role), "pages/duplicates.py")
    at = AppTest.from_file(str(ROOT / "pages/duplicates.py"), default_timeout=60)
    at.session_state["auth"] = who
    at.session_state["lang"] = "en"
    _run(at, app_db)
    assert [e.value for e in at.error] == ["Only an admin or a manager merges duplicate customers."]
    assert not at.title and not at.button
    with engine.connect() as conn:
        assert conn.execute(select(AuditLog.username).where(AuditLog.action == "denied")).scalars().all() == [role]
