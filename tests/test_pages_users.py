"""AppTest: the Users page (forms filled and submitted), and the signed-in session as the
entry script sees it on each run: disabled → login form, demoted → the new role's pages,
idle too long → login form, logout audited, display name shown as text."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete, select

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.domain import clock
from crm_data.storage.db import make_engine, unit_of_work
from crm_data.storage.models import AuditLog, LoginThrottle, User
from tests.apptest import app, auth_for, database, errors, run_page

PW = "mat-khau-123"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app_db(engine, db_url):
    for role in ("admin", "manager", "staff", "viewer"):
        auth.add_user(engine, role, PW, role)
    return db_url


def _run(at, url):
    with database(url):
        at.run()
    assert not errors(at), errors(at)
    return at


def _users_page(url):
    at = run_page(url, "pages/users.py", "admin")
    assert not errors(at), errors(at)
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _click(at, label, url):
    _button(at, label).click()
    return _run(at, url)


def _audit(engine, action):
    with engine.connect() as conn:
        return conn.execute(select(AuditLog.username, AuditLog.entity_id)
                            .where(AuditLog.action == action)).all()


def _title(at) -> str:
    return at.title[0].value if at.title else ""


def test_users_page_lists_users_with_their_state(app_db, engine, monkeypatch):
    at_time = clock.now()
    monkeypatch.setattr(clock, "now", lambda: at_time)
    for i in range(3):  # from three places: each failure counts against the username
        auth.authenticate(engine, "staff", "wrong", client=f"10.2.0.{i}")
    at = _users_page(app_db)
    assert _title(at) == "Người dùng"
    frame = at.dataframe[0].value
    assert list(frame["Tên đăng nhập"]) == ["admin", "manager", "staff", "viewer"]
    row = frame[frame["Tên đăng nhập"] == "staff"].iloc[0]
    assert row["Lần sai gần đây"] == 3 and row["Phải chờ (giây)"] > 0


def test_add_a_user_through_the_form(app_db, engine):
    at = _users_page(app_db)
    at.text_input(key="users_add_username").input("Lan")
    at.text_input(key="users_add_name").input("Trần Thị *Lan*")
    at.selectbox(key="users_add_role").set_value("manager")
    at.text_input(key="users_add_password").input("short")
    _click(at, "Thêm", app_db)
    assert at.error and "ít nhất 8" in at.error[0].value
    at.text_input(key="users_add_password").input("mat-khau-lan-1")
    _click(at, "Thêm", app_db)
    assert at.success and "lan" in at.success[0].value
    assert "lan" in list(at.dataframe[0].value["Tên đăng nhập"])
    assert auth.authenticate(engine, "lan", "mat-khau-lan-1").scope.role == "manager"
    assert [r.username for r in _audit(engine, "create")][-1] == "admin"


def test_change_role_reset_password_disable_unlock_through_the_page(app_db, engine):
    at = _users_page(app_db)
    at.selectbox(key="users_pick").set_value("staff")
    _run(at, app_db)
    at.selectbox(key="users_role").set_value("viewer")
    _click(at, "Đổi vai trò", app_db)
    assert at.success, [e.value for e in at.error]
    at.selectbox(key="users_pick").set_value("staff")
    at.text_input(key="users_new_password").input("mat-khau-moi-9")
    _click(at, "Đặt lại mật khẩu", app_db)
    assert at.success
    at.selectbox(key="users_pick").set_value("staff")
    _click(at, "Khoá tài khoản", app_db)
    assert at.success
    with engine.connect() as conn:
        row = conn.execute(select(User.role, User.active).where(User.username == "staff")).one()
    assert tuple(row) == ("viewer", False)
    for action in ("set_role", "reset_password", "disable"):
        assert [r.username for r in _audit(engine, action)] == ["admin"], action
    # the admin cannot take away the last admin's role
    at.selectbox(key="users_pick").set_value("admin")
    _run(at, app_db)
    at.selectbox(key="users_role").set_value("manager")
    _click(at, "Đổi vai trò", app_db)
    assert at.error and "quản trị viên cuối cùng" in at.error[0].value
    # unlock a throttled user
    for _ in range(5):
        auth.authenticate(engine, "manager", "wrong", client="10.3.0.1")
    assert auth.authenticate(engine, "manager", PW, client="10.3.0.1").scope is None
    at = _users_page(app_db)
    at.selectbox(key="users_pick").set_value("manager")
    _run(at, app_db)
    _click(at, "Gỡ chờ đăng nhập", app_db)
    assert at.success
    assert auth.authenticate(engine, "manager", PW, client="10.3.0.1").scope is not None


def test_only_admins_reach_the_users_page(app_db):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_page(app_db, "pages/users.py", "manager")


def test_disabling_a_signed_in_user_ends_the_session_on_the_next_run(app_db, engine):
    with database(app_db):
        at = app(app_db, "staff")
        at.run()
        assert _title(at) == "Tổng quan" and at.session_state["auth"]["role"] == "staff"
        auth.set_active(engine, "staff", False)
        at.run()
    assert _title(at) == "Đăng nhập" and not at.metric
    assert "auth" not in at.session_state
    assert at.info and "kết thúc" in at.info[0].value


def test_a_demoted_user_gets_the_new_roles_pages(app_db, engine):
    from crm_ui.nav import specs_for

    with database(app_db):
        at = app(app_db, "manager")
        at.run()
        auth.set_role(engine, "manager", "viewer")
        at.run()
    assert at.session_state["auth"]["role"] == "viewer"
    viewer_pages = {s.path for s in specs_for(Scope(1, "v", "viewer"))}
    assert "pages/customers.py" not in viewer_pages
    with database(app_db):
        try:
            at.switch_page("pages/customers.py").run()
        except Exception:  # noqa: BLE001 - refused outright is fine too
            return
    assert not at.dataframe


def test_an_idle_session_shows_the_login_form(app_db, monkeypatch):
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "30")
    with database(app_db):
        at = app(app_db, "manager")
        at.session_state["auth"] = {**auth_for(app_db, "manager"),
                                    "seen_at": (clock.now() - dt.timedelta(minutes=31)).isoformat()}
        at.run()
    assert _title(at) == "Đăng nhập" and not at.metric
    with database(app_db):
        fresh = app(app_db, "manager")
        fresh.session_state["auth"] = {**auth_for(app_db, "manager"),
                                       "seen_at": (clock.now() - dt.timedelta(minutes=29)).isoformat()}
        fresh.run()
    assert _title(fresh) == "Tổng quan"


def test_login_and_the_display_name_as_text(app_db, engine):
    with unit_of_work(engine) as s:
        s.execute(User.__table__.update().where(User.username == "staff")
                  .values(display_name="![x](http://127.0.0.1:9/p.png) *Bình*"))
    with database(app_db):
        at = app(app_db, None)
        at.run()
        at.text_input(key="u").input("staff")
        at.text_input(key="p").input(PW)
        at.button[0].click().run()
        assert _title(at) == "Tổng quan", [e.value for e in at.error]
        caption = next(c.value for c in at.sidebar.caption if "Bình" in c.value)
        assert "\\!\\[x\\]" in caption and "\\*Bình\\*" in caption
    # AppTest reruns only the page after the first run, so the sidebar's logout button is
    # driven in the browser test; here the login left a server-side session and an audit row.
    assert [r.username for r in _audit(engine, "login")] == ["staff"]
    assert at.session_state["auth"]["session_id"] is not None


def test_the_same_failure_message_for_every_username(app_db, monkeypatch):
    at_time = clock.now()
    monkeypatch.setattr(clock, "now", lambda: at_time)
    seen = {}
    for name in ("admin", "ghost"):
        with database(app_db):
            at = app(app_db, None)
            at.run()
            messages = []
            for _ in range(4):
                at.text_input(key="u").input(name)
                at.text_input(key="p").input("wrong-password")
                at.button[0].click().run()
                messages.append(at.error[0].value)
        seen[name] = messages
        # the per-client wait would differ between the two runs: start afresh
        eng = make_engine(app_db)
        with eng.begin() as conn:
            conn.execute(delete(LoginThrottle).where(LoginThrottle.key.startswith("client:")))
        eng.dispose()
    assert seen["admin"] == seen["ghost"]
    assert "giây" in seen["admin"][-1]
