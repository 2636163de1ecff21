"""Back up the whole database to one file and restore it (`crm backup` / `crm restore`).

SQLite: the online backup API copies a consistent snapshot while the dashboard keeps
running; the copy is a self-contained file (rollback journal, not WAL) that is checked
before it replaces the previous one. Restoring copies it back the same way, page by page,
into the live database.
PostgreSQL: pg_dump in its custom format (-Fc) and pg_restore --clean in one transaction,
with the client programs of the newest installed version (or CRM_PG_BIN_DIR).

A file is restored only when it is a crm-dashboard database at a schema revision this
software knows; an older one is upgraded after the restore. Both are audited.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError as AlembicCommandError
from sqlalchemy import Engine, inspect, text

from crm_data import audit
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.storage import schema
from crm_data.storage.db import is_sqlite, unit_of_work

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
REQUIRED_TABLES = ("alembic_version", "customers", "orders", "audit_log")
PG_TIMEOUT_S = 3600


@dataclass
class BackupError(Exception):
    """A backup or restore that cannot be done; key and values are an i18n message."""

    key: str  # "backup.<what>"
    values: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Result:
    path: str
    revision: str
    tables: int
    rows: int


def backup(engine: Engine, path: str | Path, *, overwrite: bool = False,
           scope: Scope = SYSTEM) -> Result:
    """Write the whole database to `path` (refused when it exists, unless overwrite)."""
    target = Path(path)
    if is_sqlite(engine) and target.resolve() == Path(engine.url.database or "").resolve():
        raise BackupError("backup.same_file", {"path": str(target)})
    if target.exists() and not overwrite:
        raise BackupError("backup.exists", {"path": str(target)})
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if is_sqlite(engine):
            _sqlite_backup(engine, partial)
        else:
            _pg_dump(engine, partial)
        revision = _check_file(partial, sqlite=is_sqlite(engine))
        os.replace(partial, target)  # never a half-written file under the real name
    finally:
        partial.unlink(missing_ok=True)
    tables, rows = _size(engine)
    with unit_of_work(engine) as s:
        audit.record(s, scope, "backup", "database", None, changes_data=False, detail={
            "file": str(target.resolve()), "revision": revision, "tables": tables, "rows": rows})
    return Result(str(target), revision, tables, rows)


def restore(engine: Engine, path: str | Path, *, confirm: bool = False,
            scope: Scope = SYSTEM) -> Result:
    """Replace the whole database with the backup at `path` (refused without confirm)."""
    source = Path(path)
    if not source.is_file():
        raise BackupError("backup.not_found", {"path": str(source)})
    revision = _check_file(source, sqlite=is_sqlite(engine))
    if not confirm:
        raise BackupError("backup.confirm")
    if is_sqlite(engine):
        _sqlite_restore(engine, source)
    else:
        _pg_restore(engine, source)
    engine.dispose()  # no pooled connection keeps the old schema or pages
    schema.upgrade(engine)  # a backup from an older release comes up to this one
    tables, rows = _size(engine)
    with unit_of_work(engine) as s:
        # changes_data: a new data_version, so no cached result of the old data is served
        audit.record(s, scope, "restore", "database", None, detail={
            "file": str(source.resolve()), "revision": revision, "tables": tables, "rows": rows})
    return Result(str(source), revision, tables, rows)


def _size(engine: Engine) -> tuple[int, int]:
    names = inspect(engine).get_table_names()
    with engine.connect() as conn:
        rows = sum(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names)  # noqa: S608
    return len(names), rows


# --- checking a backup file ---------------------------------------------------------------

def _known(revision: str | None, path: Path) -> str:
    if not revision:
        raise BackupError("backup.not_crm", {"path": str(path), "reason": "no schema revision"})
    try:
        found = ScriptDirectory.from_config(schema.alembic_config()).get_revision(revision)
    except AlembicCommandError:
        found = None
    if found is None:
        raise BackupError("backup.unknown_revision", {"revision": revision})
    return revision


def _check_file(path: Path, *, sqlite: bool) -> str:
    """The schema revision of a crm-dashboard backup for this engine (BackupError if not)."""
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    wanted = SQLITE_MAGIC if sqlite else PG_DUMP_MAGIC
    if not head.startswith(wanted):
        reason = "SQLite" if sqlite else "pg_dump -Fc"
        raise BackupError("backup.not_crm", {"path": str(path), "reason": f"not a {reason} file"})
    return _sqlite_revision(path) if sqlite else _pg_revision(path)


def _sqlite_revision(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problem = conn.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError("backup.not_crm", {"path": str(path), "reason": problem})
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupError("backup.not_crm", {"path": str(path),
                                                 "reason": "no table " + ", ".join(missing)})
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError("backup.not_crm", {"path": str(path), "reason": str(exc)}) from exc
    finally:
        conn.close()
    return _known(row[0] if row else None, path)


# --- SQLite -------------------------------------------------------------------------------

def _sqlite_backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(str(target))
        try:
            raw.driver_connection.backup(dest)  # one step: a consistent snapshot
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
    finally:
        raw.close()


def _sqlite_restore(engine: Engine, source: Path) -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    raw = engine.raw_connection()
    try:
        src.backup(raw.driver_connection)
        # The copy carries the backup's journal mode; the live database runs in WAL.
        raw.driver_connection.execute("PRAGMA journal_mode=WAL")
    finally:
        raw.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------

def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: CRM_PG_BIN_DIR, else the newest /usr/lib/postgresql/*/bin
    (a dump needs a client at least as new as the server), else PATH."""
    candidates = []
    if os.environ.get("CRM_PG_BIN_DIR"):
        candidates.append(os.path.join(os.environ["CRM_PG_BIN_DIR"], name))
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                         key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)), reverse=True)
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if not found:
        raise BackupError("backup.tool_missing", {"tool": name})
    return found


def _pg_args(engine: Engine) -> tuple[list[str], dict]:
    url = engine.url
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432),
            "--username", url.username or "postgres", "--no-password"]
    env = {**os.environ, "PGDATABASE": url.database or ""}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if url.query.get("sslmode"):
        env["PGSSLMODE"] = str(url.query["sslmode"])
    return args, env


def _run(tool: str, args: list[str], env: dict) -> str:
    try:
        done = subprocess.run([pg_tool(tool), *args], env=env, capture_output=True, text=True,
                              timeout=PG_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError("backup.tool_failed", {"tool": tool, "reason": str(exc)}) from exc
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise BackupError("backup.tool_failed", {"tool": tool, "reason": reason})
    return done.stdout


def _pg_dump(engine: Engine, target: Path) -> None:
    args, env = _pg_args(engine)
    _run("pg_dump", [*args, "--format=custom", "--no-owner", "--no-privileges",
                     "--file", str(target), env["PGDATABASE"]], env)


def _pg_revision(path: Path) -> str:
    env = dict(os.environ)
    listing = _run("pg_restore", ["--list", str(path)], env)
    tables = set(re.findall(r"TABLE DATA \S+ (\S+) ", listing))
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError("backup.not_crm", {"path": str(path), "reason": "no table " + ", ".join(missing)})
    sql = _run("pg_restore", ["--data-only", "--table=alembic_version", "--file=-", str(path)], env)
    rows = re.search(r"COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)\n\\\.", sql, re.S)
    return _known(rows.group(1).strip() if rows else None, path)


def _pg_restore(engine: Engine, source: Path) -> None:
    args, env = _pg_args(engine)
    engine.dispose()  # the pool's idle connections would hold locks on the tables dropped
    _run("pg_restore", [*args, "--dbname", env["PGDATABASE"], "--clean", "--if-exists",
                        "--no-owner", "--no-privileges", "--single-transaction", str(source)], env)
