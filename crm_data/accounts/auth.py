"""Users, roles, argon2id password hashes and sign-in.

Sign-in reads the user, checks the slow hash outside any transaction and then writes the
outcome in a short one, so guessing clients never hold SQLite's write lock while hashing.
Failed sign-ins are throttled (crm_data.accounts.throttle), never locked out. Every change of a
user's role, active flag or password bumps users.version, which open sessions compare on
each run (crm_data.accounts.sessions), and is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts import throttle
from crm_data.accounts.scope import ROLES, SYSTEM, Scope
from crm_data.domain import clock
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AuditLog, User

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # longer input is refused before hashing
MAX_USERNAME_LENGTH = 64  # users.username
MAX_DISPLAY_NAME_LENGTH = 128
_dummy_hashes: dict[str, str] = {}


class AuthError(ValueError):
    """A refused user change: `key` names the message in the catalogue (crm_data.i18n),
    str() is the English text the command line prints."""

    def __init__(self, key: str, message: str, **params):
        super().__init__(message)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class LoginResult:
    scope: Scope | None
    display_name: str = ""
    retry_after: int = 0  # seconds before the next try is checked (same for every username)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    """A hash to check unknown usernames against: the same cost whether or not one exists."""
    key = repr(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("no such user")
    return _dummy_hashes[key]


def normalise_username(username) -> str:
    return str(username or "").strip().lower()


def _valid_username(name: str) -> bool:
    return (0 < len(name) <= MAX_USERNAME_LENGTH
            and name.replace("_", "").replace(".", "").isalnum())


def _audit_name(name: str) -> str:
    """What a sign-in attempt is logged as: printable, fits the column."""
    printable = "".join(ch for ch in name if ch.isprintable())
    return printable[:MAX_USERNAME_LENGTH] or "?"


def authenticate(engine: Engine, username: str, password: str,
                 client: str | None = None) -> LoginResult:
    """Check a sign-in from `client` (an address; None for local); every checked attempt is
    audited. While a wait is running nothing is checked or written."""
    name = normalise_username(username)
    valid = _valid_username(name)
    keys = [throttle.user_key(name if valid else "?"), throttle.client_key(client)]
    password = password or ""
    at = clock.now()
    with engine.connect() as conn:
        wait = throttle.retry_after(conn, keys, at)
        if wait:
            return LoginResult(None, retry_after=wait)
        user = conn.execute(select(User.id, User.username, User.display_name, User.role,
                                   User.active, User.password_hash, User.version)
                            .where(User.username == name)).first() if valid else None
    usable = user is not None and user.active and len(password) <= MAX_PASSWORD_LENGTH
    ok = verify_password(user.password_hash if usable else _dummy_hash(), password[:MAX_PASSWORD_LENGTH])
    ok = ok and usable
    rehash = hash_password(password) if ok and _hasher.check_needs_rehash(user.password_hash) else None
    with unit_of_work(engine) as s:
        if ok:
            row = s.get(User, user.id)
            ok = row is not None and row.active and row.version == user.version
        if ok:
            row.last_login_at = at
            if rehash:
                row.password_hash = rehash  # same password, stronger parameters: no version bump
            throttle.clear(s, keys[:1])
            scope = Scope(row.id, row.username, row.role)
            audit.record(s, scope, "login", "user", row.id, detail={"client": client},
                         changes_data=False)
            return LoginResult(scope, row.display_name)
        wait = throttle.record_failure(s, keys, at)
        audit.record(s, Scope(None, _audit_name(name), "viewer"), "login_failed", "user",
                     user.id if user else None, detail={"client": client}, changes_data=False)
    return LoginResult(None, retry_after=wait)


# --------------------------------------------------------------------------------------
# User management (admin only; the command line acts as SYSTEM)

def _require_admin(actor: Scope) -> None:
    if not actor.can_admin:
        raise AuthError("users.err.not_admin", "only an administrator can manage users")


def _check_password(password: str) -> None:
    if not (MIN_PASSWORD_LENGTH <= len(password or "") <= MAX_PASSWORD_LENGTH):
        raise AuthError("users.err.password", f"password must have {MIN_PASSWORD_LENGTH} to "
                        f"{MAX_PASSWORD_LENGTH} characters", min=MIN_PASSWORD_LENGTH)


def _clean_display_name(value, fallback: str) -> str:
    text = " ".join("".join(ch for ch in str(value or "") if ch.isprintable()).split())
    return text[:MAX_DISPLAY_NAME_LENGTH] or fallback


def _get(s: Session, username: str) -> User:
    name = normalise_username(username)
    user = s.scalar(select(User).where(User.username == name)) if _valid_username(name) else None
    if user is None:
        raise AuthError("users.err.unknown", f"no user {name!r}")
    return user


def _other_active_admins(s: Session, user: User) -> int:
    return s.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id))


def _changed(s: Session, actor: Scope, action: str, user: User, before: dict, after: dict) -> None:
    user.version += 1
    audit.record(s, actor, action, "user", user.id, before=before, after=after)


def add_user(engine: Engine, username: str, password: str, role: str,
             display_name: str | None = None, actor: Scope = SYSTEM) -> int:
    _require_admin(actor)
    username = normalise_username(username)
    if not _valid_username(username):
        raise AuthError("users.err.username", f"username must be 1 to {MAX_USERNAME_LENGTH} "
                        "letters, digits, '.' or '_'", max=MAX_USERNAME_LENGTH)
    if role not in ROLES:
        raise AuthError("users.err.role", f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    password_hash = hash_password(password)  # before the write lock
    with unit_of_work(engine) as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise AuthError("users.err.exists", f"user {username!r} already exists")
        user = User(username=username, display_name=_clean_display_name(display_name, username),
                    role=role, password_hash=password_hash, active=True)
        s.add(user)
        s.flush()
        audit.record(s, actor, "create", "user", user.id,
                     after={"username": username, "role": role, "display_name": user.display_name})
        return user.id


def set_active(engine: Engine, username: str, active: bool, actor: Scope = SYSTEM) -> None:
    """Disable (ending the user's sessions) or enable a user; the last active admin stays."""
    from crm_data.accounts import sessions

    _require_admin(actor)
    with unit_of_work(engine) as s:
        user = _get(s, username)
        if user.active == bool(active):
            return
        if not active and user.role == "admin" and not _other_active_admins(s, user):
            raise AuthError("users.err.last_admin", "the last active administrator cannot be disabled")
        user.active = bool(active)
        if not active:
            sessions.revoke_all(s, user.id)
        _changed(s, actor, "enable" if active else "disable", user,
                 {"active": not active}, {"active": bool(active)})


def set_role(engine: Engine, username: str, role: str, actor: Scope = SYSTEM) -> None:
    _require_admin(actor)
    if role not in ROLES:
        raise AuthError("users.err.role", f"role must be one of {', '.join(ROLES)}")
    with unit_of_work(engine) as s:
        user = _get(s, username)
        if user.role == role:
            return
        if user.role == "admin" and user.active and not _other_active_admins(s, user):
            raise AuthError("users.err.last_admin",
                            "the last active administrator cannot be given another role")
        before = user.role
        user.role = role
        _changed(s, actor, "set_role", user, {"role": before}, {"role": role})


def reset_password(engine: Engine, username: str, password: str, actor: Scope = SYSTEM) -> None:
    """A new password; open sessions of the user end, and the sign-in wait is cleared."""
    from crm_data.accounts import sessions

    _require_admin(actor)
    _check_password(password)
    password_hash = hash_password(password)
    with unit_of_work(engine) as s:
        user = _get(s, username)
        user.password_hash = password_hash
        sessions.revoke_all(s, user.id)
        throttle.clear(s, [throttle.user_key(user.username)])
        _changed(s, actor, "reset_password", user, {}, {"password": "changed"})


def _recent_clients(s: Session, username: str) -> list[str]:
    """Client keys that recently failed to sign in as `username` (from the audit log)."""
    since = clock.now() - throttle.FORGET
    details = s.scalars(select(AuditLog.detail).where(
        AuditLog.action == "login_failed", AuditLog.username == username, AuditLog.at >= since))
    clients = set()
    for detail in details:
        try:
            clients.add(throttle.client_key(json.loads(detail or "{}").get("client")))
        except (ValueError, AttributeError):
            continue
    return sorted(clients)


def unlock(engine: Engine, username: str, actor: Scope = SYSTEM) -> None:
    """Clear the sign-in waits of a user and of the addresses that recently failed as them."""
    _require_admin(actor)
    with unit_of_work(engine) as s:
        user = _get(s, username)
        cleared = throttle.clear(s, [throttle.user_key(user.username),
                                     *_recent_clients(s, user.username)])
        audit.record(s, actor, "unlock", "user", user.id, detail={"cleared": cleared})


def list_users(engine: Engine) -> list[dict]:
    """Every user with the sign-in wait now running for their username."""
    at = clock.now()
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(User.id, User.username, User.display_name, User.role, User.active,
                   User.last_login_at, User.version).order_by(User.username)).mappings()]
        waits = throttle.waits(conn, [throttle.user_key(r["username"]) for r in rows], at)
    for r in rows:
        failures, left = waits.get(throttle.user_key(r["username"]), (0, 0))
        r["failed_logins"], r["retry_after"] = failures, left
    return rows


def has_users(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(User.id).limit(1)).first() is not None


def user_names(engine: Engine) -> dict[int, str]:
    """id → display name, for owner labels."""
    with engine.connect() as conn:
        return dict(conn.execute(select(User.id, User.display_name)).all())
