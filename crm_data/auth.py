"""Users, roles and argon2id password hashes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select

from crm_data import audit
from crm_data.clock import now
from crm_data.db import unit_of_work
from crm_data.models import User
from crm_data.scope import ROLES, SYSTEM, Scope

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8


class AuthError(ValueError):
    pass


@dataclass(frozen=True)
class LoginResult:
    scope: Scope | None
    display_name: str = ""
    locked_minutes: int = 0


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str) -> LoginResult:
    """Check a login; every attempt is audited; repeated failures lock the account."""
    username = (username or "").strip().lower()
    with unit_of_work(engine) as s:
        user = s.scalar(select(User).where(User.username == username))
        anon = Scope(None, username or "?", "viewer")
        if user is None or not user.active:
            _hasher.hash(password or "x")  # same cost whether or not the user exists
            audit.record(s, anon, "login_failed", "user", None, changes_data=False)
            return LoginResult(None)
        current = now()
        if user.locked_until and user.locked_until > current:
            minutes = int((user.locked_until - current).total_seconds() // 60) + 1
            audit.record(s, anon, "login_locked", "user", user.id, changes_data=False)
            return LoginResult(None, locked_minutes=minutes)
        if not verify_password(user.password_hash, password or ""):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = current + LOCKOUT
                user.failed_logins = 0
            audit.record(s, anon, "login_failed", "user", user.id, changes_data=False)
            return LoginResult(None)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = current
        scope = Scope(user.id, user.username, user.role)
        audit.record(s, scope, "login", "user", user.id, changes_data=False)
        return LoginResult(scope, user.display_name)


def add_user(engine: Engine, username: str, password: str, role: str,
             display_name: str | None = None, actor: Scope = SYSTEM) -> int:
    if not actor.can_admin:
        raise AuthError("only an administrator can add users")
    username = (username or "").strip().lower()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise AuthError("username must be letters, digits, '.' or '_'")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    with unit_of_work(engine) as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise AuthError(f"user {username!r} already exists")
        user = User(username=username, display_name=display_name or username, role=role,
                    password_hash=hash_password(password), active=True)
        s.add(user)
        s.flush()
        audit.record(s, actor, "create", "user", user.id,
                     after={"username": username, "role": role})
        return user.id


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.id, User.username, User.display_name, User.role, User.active,
                   User.last_login_at).order_by(User.username)
        ).mappings().all()
    return [dict(r) for r in rows]


def user_names(engine: Engine) -> dict[int, str]:
    """id → display name, for owner labels."""
    with engine.connect() as conn:
        return dict(conn.execute(select(User.id, User.display_name)).all())
