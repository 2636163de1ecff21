"""Replica lag: has the read engine (CRM_DATABASE_READ_URL) replayed a write of ours yet?

After a write the UI takes the primary's WAL position (write_position) and, before its next
report reads, waits briefly for the replica to replay up to it (wait_for). Positions are
PostgreSQL LSNs: unlike data_version (a random token) they are ordered, so "at or past my
write" holds even when other writers moved the primary on since. Without a replica (the
read engine is the primary) every position is reached at once.
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, text

from crm_data.storage.db import primary_of

CAUGHT_UP = "caught_up"
BEHIND = "behind"
# How long a page waits for the replica after this session's own write before it says the
# figures may be a few seconds behind.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05


def has_replica(read_engine: Engine) -> bool:
    return primary_of(read_engine) is not read_engine


def write_position(primary: Engine) -> str | None:
    """The primary's WAL position now (just after a commit: at or past it); None when there
    is nothing to wait for (no replica, or not PostgreSQL)."""
    if primary.dialect.name != "postgresql":
        return None
    with primary.connect() as conn:
        return str(conn.execute(text("SELECT pg_current_wal_lsn()")).scalar())


def bytes_behind(read_engine: Engine, position: str) -> int:
    """How far the replica's replay is short of `position` (≤ 0: reached)."""
    with read_engine.connect() as conn:
        behind = conn.execute(
            text("SELECT pg_wal_lsn_diff(CAST(:pos AS pg_lsn), "
                 "COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()))"),
            {"pos": position},
        ).scalar()
    return int(behind)


def wait_for(read_engine: Engine, position: str | None, timeout: float = WAIT_SECONDS) -> str:
    """CAUGHT_UP as soon as the read engine has replayed `position`, BEHIND if it has not
    within `timeout` seconds."""
    if position is None or not has_replica(read_engine):
        return CAUGHT_UP
    deadline = time.monotonic() + timeout
    while bytes_behind(read_engine, position) > 0:
        if time.monotonic() >= deadline:
            return BEHIND
        time.sleep(POLL_SECONDS)
    return CAUGHT_UP
