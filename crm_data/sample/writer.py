"""The bulk load: executemany on SQLite, COPY on PostgreSQL, secondary indexes built after."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sqlalchemy import func, insert, select

from crm_data.sample.columns import _DATE, _DT, _Col, _TableData
from crm_data.sample.common import _DAY

_CHUNK = 40_000
_DROP_INDEX_ROWS = 50_000  # tables this big get their secondary indexes built after the load


class _Writer:
    """Bulk inserts of one `insert(table)` per chunk, in the caller's connection.

    SQLite: the statement compiled once and executed by the driver's executemany with values
    already in the form SQLAlchemy stores them (ISO dates, datetimes with microseconds), so
    that millions of rows skip the per-row bind processing. PostgreSQL with psycopg 3: COPY
    in the same transaction. Other databases: Core executemany with Python values."""

    def __init__(self, conn, start: dt.date):
        self.conn = conn
        self.fast = conn.dialect.name == "sqlite"
        self.day0 = np.datetime64(start, "D")
        self._days: dict[tuple[bool, str], tuple[int, np.ndarray]] = {}
        self._span = (-101 * 366, 60 * 366)  # from birth dates to appointments, in days
        self._times: np.ndarray | None = None

    def _day_table(self, lo: int, hi: int, fast: bool, suffix: str = "") -> tuple[int, np.ndarray]:
        """Day offset → "yyyy-mm-dd" (or a date) for every day in [lo, hi], cached."""
        key = (fast, suffix)
        have = self._days.get(key)
        if have is None or lo < have[0] or hi >= have[0] + len(have[1]):
            lo, hi = min(lo, self._span[0]), max(hi, self._span[1])
            if have is not None:  # widen the cached range
                lo, hi = min(lo, have[0]), max(hi, have[0] + len(have[1]) - 1)
            days = self.day0 + np.arange(lo, hi + 1).astype("timedelta64[D]")
            values = (np.datetime_as_string(days, unit="D").astype(object) + suffix if fast
                      else np.array(days.tolist(), dtype=object))
            self._days[key] = have = (lo, values)
        return have

    def _time_table(self) -> np.ndarray:
        if self._times is None:
            self._times = np.array([f"{h:02d}:{m:02d}:{s:02d}.000000" for h in range(24)
                                    for m in range(60) for s in range(60)], dtype=object)
        return self._times

    def _convert(self, col: _Col, lo: int, hi: int, fast: bool) -> list:
        """Rows lo … hi-1 of a column as driver values (`fast`: SQLite's stored text for
        dates and datetimes) or Python values."""
        n = hi - lo
        if np.isscalar(col.values) or col.values is None:
            out = [col.values] * n
        elif col.kind == _DATE:
            days = np.asarray(col.values[lo:hi], dtype=np.int64)
            first, table = self._day_table(int(days.min()), int(days.max()), fast)
            out = table[days - first].tolist()
        elif col.kind == _DT:
            secs = np.asarray(col.values[lo:hi], dtype=np.int64)
            if fast:
                days, tod = np.divmod(secs, _DAY)
                first, table = self._day_table(int(days.min()), int(days.max()), True, " ")
                out = (table[days - first] + self._time_table()[tod]).tolist()
            else:
                out = (np.datetime64(self.day0, "s") + secs.astype("timedelta64[s]")).tolist()
        elif isinstance(col.values, np.ndarray):
            out = col.values[lo:hi].tolist()
        else:
            out = list(col.values[lo:hi])
        if col.null is not None:
            for i in np.flatnonzero(col.null[lo:hi]).tolist():
                out[i] = None
        return out

    def write(self, data: _TableData) -> int:
        # Building an index (or checking a foreign key) once over the loaded table is much
        # cheaper than keeping it up to date row by row: drop the table's secondary indexes
        # (and on PostgreSQL its foreign keys) and create them again exactly as the schema
        # defined them, in the same transaction.
        drop, create = self._secondary(data.table.name) if data.n >= _DROP_INDEX_ROWS else ([], [])
        for sql in drop:
            self.conn.exec_driver_sql(sql)
        written = self._write(data)
        for sql in create:
            self.conn.exec_driver_sql(sql)
        return written

    def _secondary(self, table: str) -> tuple[list[str], list[str]]:
        """(drop statements, create statements) for a table's secondary indexes / keys."""
        name = self.conn.dialect.name
        q = self.conn.dialect.identifier_preparer.quote
        if name == "sqlite":
            rows = self.conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL ORDER BY name", (table,)).all()
            return [f"DROP INDEX {q(n)}" for n, _ in rows], [sql for _, sql in rows]
        if name == "postgresql":
            fks = self.conn.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = to_regclass(%(t)s) AND contype = 'f' ORDER BY conname",
                {"t": table}).all()
            indexes = self.conn.exec_driver_sql(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = %(t)s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conrelid = to_regclass(%(t)s) AND c.conname = i.indexname) "
                "ORDER BY i.indexname", {"t": table}).all()
            drop = [f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(n)}" for n, _ in fks]
            drop += [f"DROP INDEX {q(n)}" for n, _ in indexes]
            create = [sql for _, sql in indexes]
            create += [f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(n)} {d}" for n, d in fks]
            return drop, create
        return [], []

    def _write(self, data: _TableData) -> int:
        names = list(data.cols)
        stmt = insert(data.table)
        copy = None
        if self.conn.dialect.name == "postgresql" and self.conn.dialect.driver == "psycopg":
            # COPY … FROM STDIN in the same transaction: far faster than INSERTs over the wire.
            quote = self.conn.dialect.identifier_preparer
            copy = (f"COPY {quote.format_table(data.table)} "
                    f"({', '.join(quote.quote(k) for k in names)}) FROM STDIN")
        if self.fast:
            compiled = stmt.compile(dialect=self.conn.dialect, column_keys=names)
            order = list(compiled.positiontup or [])
            if sorted(order) != sorted(names):  # defaults would be missing: use Core
                self.fast = False
            else:
                sql = str(compiled)
                self._check_formats(data)
        keys = order if self.fast else names

        def rows(lo: int) -> list[tuple]:
            hi = min(lo + _CHUNK, data.n)
            done: dict[tuple | None, list] = {}  # one conversion for columns sharing values
            columns = []
            for k in keys:
                col = data.cols[k]
                key = (id(col.values), col.kind) if col.null is None else None
                if key is None or key not in done:
                    done[key] = self._convert(col, lo, hi, self.fast)
                columns.append(done[key])
            return list(zip(*columns, strict=True))

        # The next chunk is converted in a second thread while the database takes this one
        # (sqlite3 and psycopg release the GIL while they work).
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = pool.submit(rows, 0) if data.n else None
            for lo in range(0, data.n, _CHUNK):
                chunk = ahead.result()
                if lo + _CHUNK < data.n:
                    ahead = pool.submit(rows, lo + _CHUNK)
                if self.fast:
                    self.conn.exec_driver_sql(sql, chunk)
                elif copy:
                    with self.conn.connection.driver_connection.cursor() as cur, \
                            cur.copy(copy) as cp:
                        for row in chunk:
                            cp.write_row(row)
                else:
                    self.conn.execute(stmt, [dict(zip(names, row, strict=True)) for row in chunk])
        return data.n

    def _check_formats(self, data: _TableData) -> None:
        """The pre-formatted dates must be exactly what SQLAlchemy itself would store."""
        if data.n == 0:
            return
        for name, col in data.cols.items():
            if col.kind not in (_DATE, _DT) or np.isscalar(col.values):
                continue
            process = data.table.c[name].type._cached_bind_processor(self.conn.dialect)
            fast, slow = self._convert(col, 0, 1, True)[0], self._convert(col, 0, 1, False)[0]
            if fast is not None and process is not None and process(slow) != fast:
                raise RuntimeError(f"date format mismatch for {data.table.name}.{name}: "
                                   f"{fast!r} != {process(slow)!r}")


def _after_load(conn, tables: list[_TableData]) -> None:
    """PostgreSQL: explicit ids do not move the id sequences, so move them past the rows;
    and give the planner statistics of the loaded tables (the summary rebuild that follows
    picks bad plans without them)."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        top = select(func.max(t.table.c.id)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(t.table.name, "id"),
                                        func.coalesce(top, 0) + 1, False)))
        conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.quote(t.table.name)}")
