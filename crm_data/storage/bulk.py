"""Statements over many rows inside one long write (an import, a summary refresh):

- among(session, column, values): "column is one of these values" (ids, days). On
  PostgreSQL one array parameter (`= ANY(%(param)s)`): an `IN (…)` list of 500 parameters
  costs more to render (SQLAlchemy) and to parse (psycopg) than the server takes to run it.
  On SQLite the plain `IN (…)` list, which its planner reads as index probes.
- analyze(session, tables): fresh planner statistics for tables a write has just filled,
  inside its transaction (PostgreSQL counts the transaction's own rows). Without them the
  planner takes a freshly loaded table for an empty one and scans it for each chunk.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


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
