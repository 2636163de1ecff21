"""Statements over many rows inside one long write (an import, a summary refresh):

- among(session, column, ids): "column is one of these ids". On PostgreSQL one array
  parameter (`= ANY(%(ids)s)`): an `IN (…)` list of 500 parameters costs more to render
  (SQLAlchemy) and to parse (psycopg) than the server takes to run it. On SQLite the plain
  `IN (…)` list, which its planner reads as index probes.
- analyze(session, tables): fresh planner statistics for tables a write has just filled,
  inside its transaction (PostgreSQL counts the transaction's own rows). Without them the
  planner takes a freshly loaded table for an empty one and scans it for each chunk.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column, ids: Iterable[int]):
    values = [int(i) for i in ids]
    if is_postgresql(session):
        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    return column.in_(values)


def analyze(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL only: SQLite picked the same index plans for an import without it, and
    its ANALYZE reads every index whole."""
    if is_postgresql(session):
        session.execute(text("ANALYZE " + ", ".join(tables)))
