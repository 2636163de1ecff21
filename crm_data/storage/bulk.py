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

from sqlalchemy import any_, bindparam, insert, text, update
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
    goes back to the pool as it was. (Sorts: storage.db.make_bulk_engine.)"""
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


def insert_returning_ids(session: Session, table, rows: list[dict]) -> list[int]:
    """Insert rows (dicts with the same keys) and return their new ids, in the rows' order.
    PostgreSQL: the ids are drawn from the table's sequence first and the rows go in by
    COPY (10.6 of 28 s of statements of 100,000 order lines were the rendered and parsed
    INSERT … RETURNING of 15,000 parameters each). SQLite: one INSERT … RETURNING."""
    if not rows:
        return []
    if not is_postgresql(session):
        return list(session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                    rows).scalars())
    ids = list(session.scalars(text(
        "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n) ORDER BY 1"),
        {"t": table.name, "n": len(rows)}))
    copy_rows(session, table, [dict(r, id=i) for r, i in zip(rows, ids, strict=True)])
    return ids


def insert_rows(session: Session, table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if is_postgresql(session):
        copy_rows(session, table, rows)
    else:
        session.execute(insert(table), rows)


def copy_rows(session: Session, table, rows: list[dict]) -> None:
    """PostgreSQL COPY inside the session's transaction; the columns' Python-side defaults
    (what an INSERT through SQLAlchemy would add) are filled in first."""
    keys = list(rows[0])
    extra = {c.name: c.default.arg(None) if c.default.is_callable else c.default.arg
             for c in table.columns
             if c.name not in rows[0] and c.default is not None and not c.default.is_sequence}
    cols = keys + list(extra)
    session.flush()
    raw = session.connection().connection.driver_connection
    names = ", ".join(f'"{c}"' for c in cols)
    tail = tuple(extra.values())
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row(tuple(r[k] for k in keys) + tail)


def update_by_id(session: Session, table, rows: list[dict], column: str) -> None:
    """Set one column per id ({"id": …, column: …} rows): one UPDATE … FROM unnest of two
    arrays on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    col = table.c[column]
    if is_postgresql(session):
        # names from the model, values bound
        sql = f'UPDATE "{table.name}" AS t SET "{column}" = u.v FROM unnest(:ids, :vs) AS u(id, v) WHERE t.id = u.id'  # noqa: S608,E501
        stmt = text(sql).bindparams(
            bindparam("ids", type_=ARRAY(table.c.id.type)), bindparam("vs", type_=ARRAY(col.type)))
        session.execute(stmt, {"ids": [r["id"] for r in rows], "vs": [r[column] for r in rows]})
        return
    session.execute(update(table).where(table.c.id == bindparam("_id")).values(
        {column: bindparam("_v")}), [{"_id": r["id"], "_v": r[column]} for r in rows])
