"""Signed-in browsers: a random token in an HttpOnly cookie, signed with a server secret,
of which only the SHA-256 hash is stored (user_sessions). A session ends on logout, when
the user is disabled or gets a new password, after CRM_SESSION_IDLE_MINUTES without use
(default 30) and CRM_SESSION_MAX_HOURS after sign-in (default 12), whichever comes first.

check() runs on every script run: one primary-key read of the user (role, active flag and
version: role changes show at once) and of the session; last_seen_at is written at most
once a minute.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.domain import clock
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AppMeta, User, UserSession

COOKIE_NAME = "crm_session"
TOUCH_EVERY = dt.timedelta(minutes=1)
KEEP_ENDED = dt.timedelta(days=1)
_SECRET_KEY = "session_secret"  # app_meta row, made on first use unless CRM_SESSION_SECRET is set
_secrets: dict[str, bytes] = {}


def idle_timeout() -> dt.timedelta:
    return dt.timedelta(minutes=float(os.environ.get("CRM_SESSION_IDLE_MINUTES") or 30))


def max_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=float(os.environ.get("CRM_SESSION_MAX_HOURS") or 12))


@dataclass(frozen=True)
class Live:
    """The signed-in user as the database says now."""

    user_id: int
    username: str
    role: str
    display_name: str
    version: int
    session_id: int | None

    @property
    def scope(self) -> Scope:
        return Scope(self.user_id, self.username, self.role)


def _secret(engine: Engine) -> bytes:
    configured = os.environ.get("CRM_SESSION_SECRET")
    if configured:
        return configured.encode()
    url = engine.url.render_as_string(hide_password=False)
    if url not in _secrets:
        with engine.connect() as conn:
            value = conn.execute(select(AppMeta.value).where(AppMeta.key == _SECRET_KEY)).scalar()
        if value is None:
            try:
                with unit_of_work(engine) as s:
                    value = secrets.token_hex(32)
                    s.add(AppMeta(key=_SECRET_KEY, value=value, updated_at=clock.now()))
            except IntegrityError:  # another process made it first
                with engine.connect() as conn:
                    value = conn.execute(select(AppMeta.value).where(AppMeta.key == _SECRET_KEY)).scalar()
        _secrets[url] = value.encode()
    return _secrets[url]


def _sign(engine: Engine, token: str) -> str:
    digest = hmac.new(_secret(engine), token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(engine: Engine, cookie: str | None) -> str | None:
    """The token of a well-formed cookie with a good signature."""
    if not isinstance(cookie, str):
        return None
    token, _, signature = cookie.partition(".")
    if not token or len(cookie) > 200 or not hmac.compare_digest(signature, _sign(engine, token)):
        return None
    return token


def start(engine: Engine, scope: Scope, client: str | None = None) -> str:
    """A new session for a user who just signed in; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    at = clock.now()
    with unit_of_work(engine) as s:
        # Sessions over for a day are of no use; the audit log keeps the sign-ins.
        s.execute(delete(UserSession).where(
            (UserSession.expires_at < at - KEEP_ENDED)
            | (UserSession.revoked_at < at - KEEP_ENDED)
            | (UserSession.last_seen_at < at - KEEP_ENDED - idle_timeout())))
        s.add(UserSession(token_hash=token_hash(token), user_id=scope.user_id, created_at=at,
                          last_seen_at=at, expires_at=at + max_lifetime(),
                          client=(client or None) and client[:64]))
    return f"{token}.{_sign(engine, token)}"


def _live(engine: Engine, where, at: dt.datetime, seen_at: dt.datetime | None,
          with_session: bool) -> Live | None:
    cols = [User.id, User.username, User.role, User.display_name, User.version, User.active]
    if with_session:
        cols += [UserSession.id.label("sid"), UserSession.revoked_at, UserSession.expires_at,
                 UserSession.last_seen_at]
        stmt = select(*cols).join(UserSession, UserSession.user_id == User.id)
    else:
        stmt = select(*cols)
    with engine.connect() as conn:
        row = conn.execute(stmt.where(where)).first()
    if row is None or not row.active:
        return None
    if with_session:
        if row.revoked_at is not None or at >= row.expires_at:
            return None
        seen_at = row.last_seen_at
    if seen_at is not None and at - seen_at >= idle_timeout():
        return None
    if with_session and at - row.last_seen_at >= TOUCH_EVERY:
        with unit_of_work(engine) as s:
            s.execute(update(UserSession).where(UserSession.id == row.sid).values(last_seen_at=at))
    return Live(row.id, row.username, row.role, row.display_name, row.version,
                row.sid if with_session else None)


def resume(engine: Engine, cookie: str | None) -> Live | None:
    """The session a browser's cookie names, if it is still alive."""
    token = _token(engine, cookie)
    if token is None:
        return None
    return _live(engine, UserSession.token_hash == token_hash(token), clock.now(), None, True)


def check(engine: Engine, user_id: int, session_id: int | None,
          seen_at: dt.datetime | None = None) -> Live | None:
    """The signed-in user now (role, name, version), or None when the session is over.
    Without a server session (AppTest presets one in the session state) the idle time runs
    from `seen_at`."""
    at = clock.now()
    if session_id is None:
        return _live(engine, User.id == user_id, at, seen_at, False)
    return _live(engine, (UserSession.id == session_id) & (User.id == user_id), at, None, True)


def end(engine: Engine, session_id: int | None, scope: Scope) -> bool:
    """Logout: revoke the session and audit it; False when it had ended already."""
    with unit_of_work(engine) as s:
        if session_id is not None:
            ended = s.execute(update(UserSession).where(
                UserSession.id == session_id, UserSession.revoked_at.is_(None))
                .values(revoked_at=clock.now())).rowcount
            if not ended:
                return False
        audit.record(s, scope, "logout", "user", scope.user_id, changes_data=False)
    return True


def end_by_cookie(engine: Engine, cookie: str | None) -> bool:
    token = _token(engine, cookie)
    if token is None:
        return False
    with engine.connect() as conn:
        row = conn.execute(select(UserSession.id, User.id.label("uid"), User.username, User.role)
                           .join(User, User.id == UserSession.user_id)
                           .where(UserSession.token_hash == token_hash(token))).first()
    if row is None:
        return False
    return end(engine, row.id, Scope(row.uid, row.username, row.role))


def revoke_all(session: Session, user_id: int) -> None:
    """In the caller's transaction: end every open session of a user."""
    session.execute(update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now()))
