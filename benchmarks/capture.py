"""The SQL a data-layer call sends, replayed straight through the DBAPI cursor: the
difference between the two timings is the app's own overhead (SQLAlchemy, Python, pandas)."""

from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy import Engine, event

_TX = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
_PLAIN = (str, int, float, bool, type(None), bytes, dt.date, dt.time, decimal.Decimal, list, tuple)


@contextmanager
def statements(engine: Engine):
    """Collect (sql, parameters) of every statement sent while the block runs."""
    seen: list[tuple[str, object]] = []

    def on_execute(_conn, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith(_TX) or executemany:
            return
        # pandas' read_sql(Select) first asks the catalogue whether a table named after the
        # Select object exists: that probe is app overhead and cannot be replayed.
        values = parameters.values() if isinstance(parameters, dict) else (parameters or ())
        if all(isinstance(v, _PLAIN) for v in values):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def replay_once(engine: Engine, stmts: list[tuple[str, object]]) -> float:
    """Seconds to execute and fetch every statement on one raw DBAPI connection."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        for sql, params in stmts:
            cur.execute(sql, params or ())
            if cur.description is not None:
                cur.fetchall()
        elapsed = time.perf_counter() - started
        cur.close()
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def plans(engine: Engine, stmts: list[tuple[str, object]]) -> list[dict]:
    """EXPLAIN QUERY PLAN (SQLite) / EXPLAIN (PostgreSQL) of each statement, with the
    statement's own time (one run), so the slow one is named."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    out = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for sql, params in stmts:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            started = time.perf_counter()
            cur.execute(sql, params or ())
            cur.fetchall()
            ms = round((time.perf_counter() - started) * 1000, 2)
            cur.execute(prefix + sql, params or ())
            rows = cur.fetchall()
            lines = ([f"{r[0]}:{r[1]} {r[-1]}" for r in rows] if engine.dialect.name == "sqlite"
                     else [r[0] for r in rows])
            out.append({"ms": ms, "sql": " ".join(sql.split())[:2000], "params": repr(params)[:500],
                        "plan": lines})
        cur.close()
        raw.rollback()
    finally:
        raw.close()
    return out


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result
