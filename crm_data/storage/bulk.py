"""Statements over many rows inside one long write (an import, a summary refresh):

- among(session, column, values): "column is one of these values" (ids, days). On
  PostgreSQL one array parameter (`= ANY(%(param)s)`): an `IN (…)` list of 500 parameters
  costs more to render (SQLAlchemy) and to parse (psycopg) than the server takes to run it.
  On SQLite the plain `IN (…)` list, which its planner reads as index probes.
- analyze(session, tables): fresh planner statistics for tables a write has just filled,
  inside its transaction (PostgreSQL counts the transaction's own rows). Without them the
  planner takes a freshly loaded table for an empty one and scans it for each chunk.
- unmapped(session): SQLite only, the session's connection stops mapping the database file
  while a long write runs (see there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from crm_data.storage.db import SQLITE_MMAP_BYTES


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column, values: Iterable):
    values = list(values)
    if is_postgresql(session):
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def analyze(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL only: SQLite picked the same index plans for an import without it, and
    its ANALYZE reads every index whole."""
    if is_postgresql(session):
        session.execute(text("ANALYZE " + ", ".join(tables)))


@contextmanager
def unmapped(session: Session) -> Iterator[None]:
    """The app's connections map up to SQLITE_MMAP_BYTES of the file: page cache the OS
    shares, but resident in the process, so a million-row import looked 350 MB bigger than
    it was (docs/performance.md). Its connection reads through the page cache instead, and
    goes back to the pool as it was."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        if not conn.closed and not conn.invalidated:
            conn.exec_driver_sql(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
