"""Engine and sessions from CRM_DATABASE_URL (default: SQLite file data/crm.db); report reads
from CRM_DATABASE_READ_URL (a PostgreSQL streaming replica) when it is set."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "crm.db"
# Writers wait this long for the SQLite lock instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15_000
# UPDATE … FROM (crm_data.summaries.stage_exits); window functions, FILTER and row values are older.
SQLITE_MIN_VERSION = (3, 33, 0)
# Each pooled connection maps up to this much of the file (reads skip the page cache copy).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
# Temporary tables and sort runs of the app's reads stay in memory (a CLI import: make_bulk_engine).
SQLITE_TEMP_STORE = "MEMORY"


def database_url() -> str:
    url = os.environ.get("CRM_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def read_database_url() -> str:
    """Where report reads go: CRM_DATABASE_READ_URL, else the primary."""
    return os.environ.get("CRM_DATABASE_READ_URL", "").strip() or database_url()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_conn, _record, temp_store: str = SQLITE_TEMP_STORE) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # NORMAL is durable across application crashes in WAL mode and much faster than FULL.
    cur.execute("PRAGMA synchronous=NORMAL")
    # 16 MB of page cache per pooled connection: reads go through the 256 MB mmap anyway;
    # 64 MB per connection took the dashboard to 478 MB at 100k customers (420 MB now,
    # no page slower: docs/performance.md).
    cur.execute("PRAGMA cache_size=-16384")
    cur.execute(f"PRAGMA temp_store={temp_store}")
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cur.close()


def _check_sqlite_version() -> None:
    import sqlite3

    if sqlite3.sqlite_version_info < SQLITE_MIN_VERSION:
        need = ".".join(map(str, SQLITE_MIN_VERSION))
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is too old: crm-dashboard needs {need} or "
                           "later (Python's sqlite3 module is linked against it; use a newer Python "
                           "build or PostgreSQL)")


def make_engine(url: str | None = None, *, sqlite_temp_store: str = SQLITE_TEMP_STORE,
                **kwargs) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        _check_sqlite_version()
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect",
                     lambda conn, record: _sqlite_pragmas(conn, record, sqlite_temp_store))

        # A deferred transaction that reads and then writes fails at once with "database is
        # locked" when another writer got in between (the busy timeout does not apply), so
        # write units of work take the write lock up front with BEGIN IMMEDIATE.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            immediate = conn.get_execution_options().get("sqlite_immediate")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    if url.startswith("postgresql"):
        # The reports are aggregates of a few hundred milliseconds over large tables: JIT
        # compiling them costs more than it saves (0.3 s of 1.1 s on the overview at 1M
        # customers, docs/performance.md). Startup option, so it holds on every connection.
        args = kwargs.setdefault("connect_args", {})
        args["options"] = " ".join(filter(None, [args.get("options"), "-c jit=off"]))
    return create_engine(url, **kwargs)


def make_bulk_engine(url: str | None = None) -> Engine:
    """An engine for one long write of its own process (`crm import`): on SQLite its sorts
    and temporary tables go to a temporary file, not memory. The funnel cells' GROUP BY over
    a million imported customers sorted 85 MB in memory at the end of the import, its peak
    (321 MB; docs/performance.md). A connection's temp_store cannot change once it holds a
    temporary table in a transaction, so it is set when the connection opens."""
    return make_engine(url, sqlite_temp_store="FILE")


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (the UI wraps this in st.cache_resource)."""
    return _engine_for(url or database_url())


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    # Keyed on the resolved URL: get_engine() and get_engine(<the same URL>) share a pool.
    return make_engine(url)


# read engine -> its primary: a write handed a read engine still lands on the primary
_PRIMARY: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def make_read_engine(read_url: str, primary: Engine, **kwargs) -> Engine:
    """An engine on a read replica, tied to its primary (see primary_of)."""
    if read_url == primary.url.render_as_string(hide_password=False):
        return primary
    engine = make_engine(read_url, **kwargs)
    _PRIMARY[engine] = primary
    return engine


def primary_of(engine: Engine) -> Engine:
    """The engine writes must use: the primary of a read engine, else the engine itself."""
    return _PRIMARY.get(engine, engine)


def get_read_engine(read_url: str | None = None, url: str | None = None) -> Engine:
    """The engine for report reads (the primary's own when no replica is configured)."""
    return _read_engine_for(read_url or read_database_url(), url or database_url())


@lru_cache(maxsize=8)
def _read_engine_for(read_url: str, url: str) -> Engine:
    return make_read_engine(read_url, get_engine(url))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. A write always goes to
    the primary, even when a read path (a refusal's audit row) hands in the read engine."""
    if write:
        engine = primary_of(engine)
    bind = engine.execution_options(sqlite_immediate=True) if write and is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def analyze(engine: Engine, vacuum: tuple[str, ...] = ()) -> None:
    """Refresh the planner's statistics after a bulk load (seed, import, rebuild): without
    them PostgreSQL picks plans 100× slower, and SQLite guesses table sizes.

    vacuum (PostgreSQL): tables a rebuild rewrote whole, VACUUMed first: their old rows stay
    dead, and their pages not all-visible (no index-only reads), until autovacuum comes by
    (L after the daily rebuild: 2.3 million dead rows in funnel_rollup, 2.0 million in
    customer_stats; the whole database's VACUUM took 5.8 s there)."""
    if vacuum and not is_sqlite(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM " + ", ".join(vacuum))
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA optimize")
        else:
            conn.exec_driver_sql("ANALYZE")
        conn.commit()


@contextmanager
def read_connection(engine: Engine) -> Iterator:
    with engine.connect() as conn:
        yield conn
