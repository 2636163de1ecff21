"""Login throttling instead of a lockout: every failed sign-in lengthens the wait before the
next try, per username and per client address, each with a cap. The per-username wait stays
short, so a stranger's guesses cannot keep the owner out; the long wait is per client, so
one client cannot guess fast. Refused tries are not counted (no write while waiting)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_data.storage.models import LoginThrottle

FREE_FAILURES = 2  # failures before any wait: a typo or two costs nothing
USER_CAP = dt.timedelta(seconds=30)
CLIENT_CAP = dt.timedelta(minutes=15)
FORGET = dt.timedelta(hours=1)  # a key with no failure for this long starts afresh
LOCAL_CLIENT = "local"  # Streamlit reports no address for loopback clients


def user_key(username: str) -> str:
    return f"user:{username}"


def client_key(client: str | None) -> str:
    return f"client:{(client or LOCAL_CLIENT)[:64]}"


def _cap(key: str) -> dt.timedelta:
    return USER_CAP if key.startswith("user:") else CLIENT_CAP


def wait_for(key: str, failures: int) -> int:
    """Seconds to wait after `failures` recent failures of `key`: 2, 4, 8 … up to the cap."""
    if failures <= FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), _cap(key).total_seconds()))


def _remaining(key: str, failures: int, last: dt.datetime, at: dt.datetime) -> int:
    if at - last >= FORGET:
        return 0
    left = wait_for(key, failures) - (at - last).total_seconds()
    return max(0, int(left + 0.999))


def retry_after(conn, keys: list[str], at: dt.datetime) -> int:
    """Seconds before the next try may be checked (0: now)."""
    rows = conn.execute(select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.last_failed_at)
                        .where(LoginThrottle.key.in_(keys))).all()
    return max((_remaining(r.key, r.failures, r.last_failed_at, at) for r in rows), default=0)


def record_failure(session: Session, keys: list[str], at: dt.datetime) -> int:
    """Count a failure against each key (one upsert each, safe under concurrent failures);
    returns the wait before the next try."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failed_at < at - FORGET))
    for key in keys:
        stmt = dialect.insert(LoginThrottle).values(key=key, failures=1, last_failed_at=at)
        recent = LoginThrottle.last_failed_at > at - FORGET
        stmt = stmt.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={
            "failures": case((recent, LoginThrottle.failures + 1), else_=1),
            "last_failed_at": at,
        })
        session.execute(stmt)
    return retry_after(session, keys, at)


def clear(session: Session, keys: list[str]) -> int:
    return session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys))).rowcount


def waits(conn, keys: list[str], at: dt.datetime) -> dict[str, tuple[int, int]]:
    """{key: (recent failures, seconds left)} for the keys that have any."""
    rows = conn.execute(select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.last_failed_at)
                        .where(LoginThrottle.key.in_(keys))).all()
    return {r.key: (r.failures if at - r.last_failed_at < FORGET else 0,
                    _remaining(r.key, r.failures, r.last_failed_at, at)) for r in rows}
