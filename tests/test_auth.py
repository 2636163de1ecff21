import pytest
from sqlalchemy import select

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.storage.models import AuditLog, User


def test_argon2id_hash_and_login(engine):
    auth.add_user(engine, "Lan", "mat-khau-123", "staff", "Trần Thị Lan")
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.username == "lan")).scalar_one()
    assert stored.startswith("$argon2id$") and "mat-khau-123" not in stored
    ok = auth.authenticate(engine, "LAN ", "mat-khau-123")
    assert ok.scope == Scope(ok.scope.user_id, "lan", "staff") and ok.display_name == "Trần Thị Lan"
    assert auth.authenticate(engine, "lan", "wrong").scope is None
    assert auth.authenticate(engine, "nobody", "x").scope is None
    with engine.connect() as conn:
        actions = conn.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions == ["create", "login", "login_failed", "login_failed"]


def test_repeated_failures_make_the_next_try_wait(engine):
    """Throttled, not locked: the wait is short and the same for every username."""
    auth.add_user(engine, "minh", "mat-khau-123", "staff")
    for _ in range(5):
        auth.authenticate(engine, "minh", "bad")
    waiting = auth.authenticate(engine, "minh", "mat-khau-123")
    assert waiting.scope is None and 0 < waiting.retry_after <= 30


@pytest.mark.parametrize("username, password, role", [
    ("", "mat-khau-123", "staff"), ("a b", "mat-khau-123", "staff"),
    ("ok", "short", "staff"), ("ok", "mat-khau-123", "boss"),
])
def test_add_user_rejects_bad_input(engine, username, password, role):
    with pytest.raises(auth.AuthError):
        auth.add_user(engine, username, password, role)


def test_only_admin_adds_users(engine):
    with pytest.raises(auth.AuthError):
        auth.add_user(engine, "x", "mat-khau-123", "staff", actor=Scope(1, "m", "manager"))


def test_duplicate_username(engine):
    auth.add_user(engine, "hoa", "mat-khau-123", "staff")
    with pytest.raises(auth.AuthError):
        auth.add_user(engine, "HOA", "mat-khau-456", "viewer")
