"""Accounts: no known passwords in a real database, user management with audit and a
last-admin guard, throttled logins that never lock the owner out, the slow hash outside
the write lock, server-side sessions that end on logout, disabling, idle time or age."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from crm_data.accounts import auth, sessions, throttle
from crm_data.accounts.scope import Scope
from crm_data.domain import clock
from crm_data.storage.db import make_engine, unit_of_work
from crm_data.storage.models import AuditLog, Customer, User, UserSession

PW = "mat-khau-123"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """The real argon2id code path with cheap parameters (the cost is not under test)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class Clock:
    """crm_data.domain.clock.now under the test's control."""

    def __init__(self, monkeypatch):
        self.at = dt.datetime(2026, 11, 20, 9, 0, 0)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


@pytest.fixture
def fake_clock(monkeypatch):
    return Clock(monkeypatch)


def _actions(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(select(AuditLog.username, AuditLog.entity_id, AuditLog.before,
                                   AuditLog.after).where(AuditLog.action == action)
                            .order_by(AuditLog.id)).all()


def _user(engine, username: str):
    with unit_of_work(engine, write=False) as s:
        return s.scalars(select(User).where(User.username == username)).one()


# --- finding 6: throttling instead of a lockout ---------------------------------------

def test_a_strangers_guesses_do_not_keep_the_owner_out(engine, fake_clock):
    auth.add_user(engine, "owner", PW, "staff")
    for _ in range(50):  # a stranger at client A, one guess a second
        auth.authenticate(engine, "owner", "guess", client="10.0.0.66")
        fake_clock.advance(1)
    # The owner at client B waits at most the short per-username cap, then gets in …
    first = auth.authenticate(engine, "owner", PW, client="10.0.0.7")
    if first.scope is None:
        assert 0 < first.retry_after <= throttle.USER_CAP.total_seconds()
        fake_clock.advance(first.retry_after)
        first = auth.authenticate(engine, "owner", PW, client="10.0.0.7")
    assert first.scope is not None and first.scope.username == "owner"
    # … while the stranger's client still waits much longer, password or not.
    blocked = auth.authenticate(engine, "owner", PW, client="10.0.0.66")
    assert blocked.scope is None and blocked.retry_after > 0


def test_the_failure_message_does_not_tell_which_usernames_exist(engine, fake_clock):
    auth.add_user(engine, "real", PW, "staff")
    results = {}
    for name in ("real", "ghost"):
        seen = []
        for i in range(6):
            seen.append(auth.authenticate(engine, name, "wrong", client=f"10.1.0.{i}").retry_after)
        results[name] = seen
    assert results["real"] == results["ghost"]
    assert results["real"][-1] > 0  # the per-username wait did grow


def test_an_admin_unlocks_a_throttled_owner(engine, fake_clock):
    auth.add_user(engine, "owner", PW, "staff")
    for _ in range(12):
        auth.authenticate(engine, "owner", "guess", client="10.0.0.9")
    waiting = auth.authenticate(engine, "owner", PW, client="10.0.0.9")
    assert waiting.scope is None and waiting.retry_after > 0
    listed = {u["username"]: u for u in auth.list_users(engine)}
    assert listed["owner"]["retry_after"] > 0
    auth.unlock(engine, "owner")
    assert {u["username"]: u for u in auth.list_users(engine)}["owner"]["retry_after"] == 0
    assert auth.authenticate(engine, "owner", PW, client="10.0.0.9").scope is not None
    assert [r.entity_id for r in _actions(engine, "unlock")] == [str(_user(engine, "owner").id)]


@pytest.mark.parametrize("username", ["x" * 65, "x" * 300, "ad\x00min", "\x00", "", "   "])
def test_bad_usernames_fail_cleanly(engine, username):
    auth.add_user(engine, "admin", PW, "admin")
    result = auth.authenticate(engine, username, PW, client="10.0.0.1")
    assert result.scope is None


def test_a_disabled_user_cannot_sign_in(engine):
    auth.add_user(engine, "lan", PW, "staff")
    auth.set_active(engine, "lan", False)
    assert auth.authenticate(engine, "lan", PW).scope is None


# --- finding 5: the slow hash runs outside any write transaction ------------------------

def test_password_check_holds_no_write_lock(engine, monkeypatch):
    """While the hash is being checked another connection can take the write lock at once."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock is what the finding is about")
    auth.add_user(engine, "lan", PW, "staff")
    probe = make_engine(engine.url.render_as_string(hide_password=False))
    blocked = []
    real_verify = auth.verify_password

    def verify_and_probe(stored, password):
        raw = probe.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA busy_timeout=0")
            try:
                raw.driver_connection.execute("BEGIN IMMEDIATE")
                raw.driver_connection.execute("ROLLBACK")
            except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                blocked.append(str(exc))
        finally:
            raw.close()
        return real_verify(stored, password)

    monkeypatch.setattr(auth, "verify_password", verify_and_probe)
    assert auth.authenticate(engine, "lan", "wrong").scope is None
    assert auth.authenticate(engine, "lan", PW).scope is not None
    assert auth.authenticate(engine, "nobody", PW).scope is None
    probe.dispose()
    assert not blocked, blocked


def test_four_guessers_never_make_a_colleagues_save_fail(engine, monkeypatch):
    """Four clients guessing passwords with the real (slow) argon2 parameters while a
    colleague saves customers; SQLite writers wait at most a short busy timeout here."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock is what the finding is about")
    from crm_data.storage import db
    from crm_data.writes.customer import create_customer, update_customer

    monkeypatch.setattr(auth, "_hasher", PasswordHasher())
    auth.add_user(engine, "lan", PW, "staff")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1500)
    short = make_engine(engine.url.render_as_string(hide_password=False))
    admin = Scope(None, "system", "admin")
    cid = create_customer(short, admin, {"full_name": "Nguyễn Văn An", "phone": "0912345678"}).id
    deadline = time.monotonic() + 4
    errors: list[str] = []
    saves = [0]

    def guesser(n: int) -> None:
        while time.monotonic() < deadline:
            try:
                auth.authenticate(short, "lan", f"guess-{n}", client=f"10.9.0.{n}")
            except Exception as exc:  # noqa: BLE001
                errors.append(f"guesser: {exc}")
                return

    def colleague() -> None:
        while time.monotonic() < deadline:
            try:
                with short.connect() as conn:
                    version = conn.execute(select(Customer.version).where(Customer.id == cid)).scalar()
                update_customer(short, admin, cid, version,
                                {"full_name": "Nguyễn Văn An", "phone": "0912345678",
                                 "notes": f"lần {saves[0]}"})
                saves[0] += 1
                time.sleep(0.05)  # a person, not a loop
            except Exception as exc:  # noqa: BLE001
                errors.append(f"save: {type(exc).__name__}: {exc}")
                return

    threads = [threading.Thread(target=guesser, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=colleague))
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    short.dispose()
    assert not errors, errors[:3]
    assert saves[0] > 3


# --- finding 3: user management -------------------------------------------------------

def test_user_changes_are_audited_and_bump_the_version(engine):
    auth.add_user(engine, "lan", PW, "staff", "Trần Thị Lan")
    v0 = _user(engine, "lan").version
    auth.set_role(engine, "lan", "manager")
    auth.set_active(engine, "lan", False)
    auth.set_active(engine, "lan", True)
    auth.reset_password(engine, "lan", "mat-khau-moi-456")
    user = _user(engine, "lan")
    assert user.role == "manager" and user.active and user.version == v0 + 4
    assert auth.authenticate(engine, "lan", PW).scope is None
    assert auth.authenticate(engine, "lan", "mat-khau-moi-456").scope.role == "manager"
    for action in ("set_role", "disable", "enable", "reset_password"):
        rows = _actions(engine, action)
        assert [r.entity_id for r in rows] == [str(user.id)], action
    assert "mat-khau" not in str(_actions(engine, "reset_password"))


def test_the_last_active_admin_cannot_be_disabled_or_demoted(engine):
    auth.add_user(engine, "boss", PW, "admin")
    with pytest.raises(auth.AuthError):
        auth.set_active(engine, "boss", False)
    with pytest.raises(auth.AuthError):
        auth.set_role(engine, "boss", "manager")
    auth.add_user(engine, "boss2", PW, "admin")
    auth.set_role(engine, "boss", "manager")
    with pytest.raises(auth.AuthError):
        auth.set_active(engine, "boss2", False)
    assert _user(engine, "boss2").active


def test_only_an_admin_manages_users(engine):
    auth.add_user(engine, "lan", PW, "staff")
    manager = Scope(1, "m", "manager")
    for call in (lambda: auth.set_active(engine, "lan", False, actor=manager),
                 lambda: auth.set_role(engine, "lan", "admin", actor=manager),
                 lambda: auth.reset_password(engine, "lan", "mat-khau-moi", actor=manager),
                 lambda: auth.unlock(engine, "lan", actor=manager)):
        with pytest.raises(auth.AuthError):
            call()
    assert _user(engine, "lan").role == "staff"


def test_unknown_user_is_a_clear_error(engine):
    with pytest.raises(auth.AuthError):
        auth.set_active(engine, "ghost", False)


# --- finding 2 / 11: server-side sessions ----------------------------------------------

def _signed_in(engine, username="lan", role="staff"):
    auth.add_user(engine, username, PW, role)
    result = auth.authenticate(engine, username, PW)
    return result.scope, sessions.start(engine, result.scope, client="10.0.0.5")


def test_a_session_resumes_from_its_cookie_and_stores_only_a_hash(engine):
    scope, cookie = _signed_in(engine)
    live = sessions.resume(engine, cookie)
    assert live is not None and live.user_id == scope.user_id and live.role == "staff"
    with engine.connect() as conn:
        stored = conn.execute(select(UserSession.token_hash)).scalars().all()
    assert len(stored) == 1 and stored[0] not in cookie and len(stored[0]) == 64
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert sessions.resume(engine, tampered) is None
    assert sessions.resume(engine, "garbage") is None


def test_logout_revokes_the_session_and_is_audited(engine):
    scope, cookie = _signed_in(engine)
    live = sessions.resume(engine, cookie)
    assert sessions.end(engine, live.session_id, scope)
    assert sessions.resume(engine, cookie) is None
    assert sessions.check(engine, live.user_id, live.session_id) is None
    assert not sessions.end(engine, live.session_id, scope)  # once only
    assert [r.username for r in _actions(engine, "logout")] == ["lan"]


def test_disabling_or_demoting_takes_effect_on_the_next_check(engine):
    scope, cookie = _signed_in(engine)
    live = sessions.resume(engine, cookie)
    auth.set_role(engine, "lan", "viewer")
    again = sessions.check(engine, live.user_id, live.session_id)
    assert again is not None and again.role == "viewer" and again.version == live.version + 1
    auth.set_active(engine, "lan", False)
    assert sessions.check(engine, live.user_id, live.session_id) is None
    assert sessions.check(engine, live.user_id, None) is None  # a session without a cookie
    assert sessions.resume(engine, cookie) is None
    auth.set_active(engine, "lan", True)
    assert sessions.resume(engine, cookie) is None  # disabling revoked it for good


def test_a_password_reset_ends_open_sessions(engine):
    _scope, cookie = _signed_in(engine)
    auth.reset_password(engine, "lan", "mat-khau-moi-456")
    assert sessions.resume(engine, cookie) is None


def test_idle_timeout_and_absolute_lifetime(engine, fake_clock, monkeypatch):
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("CRM_SESSION_MAX_HOURS", "12")
    _scope, cookie = _signed_in(engine)
    live = sessions.resume(engine, cookie)
    fake_clock.advance(29 * 60)
    assert sessions.check(engine, live.user_id, live.session_id) is not None  # and touched
    fake_clock.advance(29 * 60)
    assert sessions.resume(engine, cookie) is not None
    fake_clock.advance(31 * 60)
    assert sessions.check(engine, live.user_id, live.session_id) is None  # idle too long
    # A busy session still ends at its absolute lifetime.
    _s, cookie2 = _signed_in(engine, "minh")
    for _ in range(12 * 4):
        fake_clock.advance(15 * 60)
        still = sessions.resume(engine, cookie2)
    assert still is None
    # Without a server session (tests preset the state) the idle time is the caller's.
    seen = clock.now() - dt.timedelta(minutes=31)
    assert sessions.check(engine, live.user_id, None, seen_at=seen) is None


# --- finding 1: no known passwords in a real database ------------------------------------

def test_init_creates_no_user_and_if_empty_seed_adds_no_demo_users(db_url, tmp_path):
    """Real customers imported into a new database; `crm seed --if-empty` (run by
    `make run`) must not add the demo logins with their published passwords."""
    import subprocess
    import sys

    from crm_data.sample import DEMO_USERS
    from crm_data.writes.customer import create_customer

    crm = [sys.executable, "-m", "crm_data.cli"]
    env_run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run([*crm, "init", "--database-url", db_url], **env_run)
    eng = make_engine(db_url)
    with eng.connect() as conn:
        assert conn.execute(select(User.id)).first() is None
    create_customer(eng, Scope(None, "system", "admin"),
                    {"full_name": "Khách Thật", "phone": "0987654321"})
    out = subprocess.run([*crm, "seed", "--if-empty", "--database-url", db_url], **env_run)
    assert "not seeding" in out.stdout
    for username, password, _role, _name in DEMO_USERS:
        assert auth.authenticate(eng, username, password).scope is None, username
    info = subprocess.run([*crm, "demo-info", "--database-url", db_url], **env_run)
    assert "admin123!" not in info.stdout
    eng.dispose()


def test_init_creates_the_first_admin_from_the_environment(db_url):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CRM_ADMIN_USERNAME": "chu", "CRM_ADMIN_PASSWORD": "mat-khau-chu-1"}
    crm = [sys.executable, "-m", "crm_data.cli"]
    for _ in range(2):  # idempotent
        subprocess.run([*crm, "init", "--database-url", db_url], check=True, env=env,
                       capture_output=True, text=True, timeout=120)
    eng = make_engine(db_url)
    with eng.connect() as conn:
        users = conn.execute(select(User.username, User.role)).all()
    assert [tuple(u) for u in users] == [("chu", "admin")]
    assert auth.authenticate(eng, "chu", "mat-khau-chu-1").scope.role == "admin"
    eng.dispose()


def test_seed_into_an_empty_database_creates_the_demo_users(db_url):
    from crm_data import sample
    from tests.conftest import FIXED_TODAY

    eng = make_engine(db_url)
    sample.generate(eng, customers=30, seed=3, ref=FIXED_TODAY)
    assert auth.authenticate(eng, "admin", "admin123!").scope.role == "admin"
    assert [u[0] for u in sample.demo_logins(eng)] == ["admin", "manager", "staff", "viewer"]
    auth.reset_password(eng, "admin", "khong-con-mac-dinh")
    assert [u[0] for u in sample.demo_logins(eng)] == ["manager", "staff", "viewer"]
    eng.dispose()


def test_seed_does_not_add_demo_users_next_to_a_real_admin(db_url):
    from crm_data import sample
    from tests.conftest import FIXED_TODAY

    eng = make_engine(db_url)
    auth.add_user(eng, "chu", PW, "admin")
    sample.generate(eng, customers=30, seed=3, ref=FIXED_TODAY)
    with eng.connect() as conn:
        assert conn.execute(select(User.username)).scalars().all() == ["chu"]
    eng.dispose()


def test_unit_of_work_is_still_used_for_user_changes(engine):
    """A failing change leaves nothing behind (one transaction with its audit row)."""
    auth.add_user(engine, "lan", PW, "staff")
    before = len(_actions(engine, "set_role"))
    with pytest.raises(auth.AuthError):
        auth.set_role(engine, "lan", "boss")
    assert len(_actions(engine, "set_role")) == before
    with unit_of_work(engine) as s:
        assert s.scalar(select(User.role).where(User.username == "lan")) == "staff"


def test_crm_users_commands(db_url, monkeypatch, capsys):
    from crm_data.cli import main

    monkeypatch.setenv("CRM_PASSWORD", PW)
    db = ["--database-url", db_url]
    assert main(["users", "add", "chu", "--role", "admin", *db]) == 0
    assert main(["users", "add", "lan", "--role", "staff", "--name", "Trần Thị Lan", *db]) == 0
    assert main(["users", "set-role", "lan", "manager", *db]) == 0
    assert main(["users", "disable", "lan", *db]) == 0
    assert main(["users", "disable", "chu", *db]) == 2  # the last active admin
    eng = make_engine(db_url)
    for i in range(4):
        auth.authenticate(eng, "chu", "wrong", client=f"10.4.0.{i}")
    capsys.readouterr()
    assert main(["users", "list", "--format", "json", *db]) == 0
    import json

    listed = {u["username"]: u for u in json.loads(capsys.readouterr().out)}
    assert listed["lan"]["role"] == "manager" and listed["lan"]["active"] is False
    assert listed["chu"]["retry_after"] > 0
    assert main(["users", "unlock", "chu", *db]) == 0
    assert main(["users", "enable", "lan", *db]) == 0
    monkeypatch.setenv("CRM_PASSWORD", "mat-khau-moi-777")
    assert main(["users", "reset-password", "lan", *db]) == 0
    assert auth.authenticate(eng, "lan", "mat-khau-moi-777").scope.role == "manager"
    assert auth.authenticate(eng, "chu", PW).scope.role == "admin"
    assert main(["users", "disable", "ghost", *db]) == 2
    eng.dispose()


def test_old_sessions_and_waits_are_cleared_away(engine, fake_clock):
    _scope, cookie = _signed_in(engine)
    auth.authenticate(engine, "lan", "wrong", client="10.5.0.1")
    fake_clock.advance(3 * 86400)
    auth.authenticate(engine, "ghost", "wrong", client="10.5.0.2")  # a new failure purges old waits
    _s, fresh = _signed_in(engine, "minh")  # a new session purges ended ones
    with engine.connect() as conn:
        assert conn.execute(select(UserSession.token_hash)).scalars().all() == [
            sessions.token_hash(fresh.partition(".")[0])]
        keys = conn.execute(select(throttle.LoginThrottle.key)).scalars().all()
    assert sorted(keys) == ["client:10.5.0.2", "user:ghost"]
    assert sessions.resume(engine, cookie) is None
