"""The benchmark database: built once per (scale, seed, today, backend) and reused; a
cached database behind the schema head is migrated in place, as a deployment would be (an
L database takes minutes to seed). Seeding runs in a child process so that its memory does
not count as the app's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from benchmarks.config import CACHE_DIR, SCALES


@dataclass
class BenchDB:
    url: str
    backend: str
    scale: str
    customers: int
    seed: int
    today: str
    revision: str
    meta: dict = field(default_factory=dict)  # seed time, row counts, built_at
    built_now: bool = False


def key(scale: str, seed: int, today: str) -> str:
    return f"crm_{scale.lower()}_s{seed}_{today.replace('-', '')}"


def _meta_path(name: str, backend: str, server: str = "") -> Path:
    suffix = f"-{server}" if server else ""
    return CACHE_DIR / f"{name}-{backend}{suffix}.json"


def obtain(scale: str, seed: int, today: str, backend: str, server_url: str | None,
           rebuild: bool = False, server_key: str = "") -> BenchDB:
    from crm_data.storage import schema

    revision = schema.head_revision()
    name = key(scale, seed, today)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        path = CACHE_DIR / f"{name}.db"
        url = f"sqlite:///{path}"
        meta_file = _meta_path(name, backend)
        exists = path.exists() and meta_file.exists()
        if rebuild or not exists:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), meta_file):
                p.unlink(missing_ok=True)
    else:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        meta_file = _meta_path(name, backend, server_key or f"{admin.url.host}_{admin.url.port}")
        with admin.connect() as conn:
            there = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": name}).scalar()
            exists = bool(there) and meta_file.exists()
            if there and (rebuild or not exists):
                conn.execute(text(f'DROP DATABASE "{name}"'))
            if rebuild or not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                meta_file.unlink(missing_ok=True)
        admin.dispose()
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    db = BenchDB(url, backend, scale, SCALES[scale], seed, today, revision)
    if rebuild or not exists:
        db.meta = _build(db)
        meta_file.write_text(json.dumps(db.meta, indent=2))
        db.built_now = True
    else:
        db.meta = json.loads(meta_file.read_text())
        if _migrate(db):
            meta_file.write_text(json.dumps(db.meta, indent=2))
    return db


def _migrate(db: BenchDB) -> bool:
    """Upgrade a cached database to the schema head, then rebuild the summaries when the
    migration asked for it, as the first page after a deployment's upgrade does
    (summaries.ensure_fresh); the times are kept in its metadata."""
    import datetime as dt

    from crm_data import summaries
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine

    engine = make_engine(db.url)
    try:
        before = schema.current_revision(engine)
        if before == db.revision:
            return False
        print(f"migrating the cached {db.scale} database {before} → {db.revision} …", flush=True)
        started = time.perf_counter()
        schema.upgrade(engine)
        seconds = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        rebuilt = summaries.ensure_fresh(engine, dt.date.fromisoformat(db.today))
        rebuild_s = round(time.perf_counter() - started, 2)
    finally:
        engine.dispose()
    print(f"  migrated in {seconds} s" + (f"; summaries rebuilt in {rebuild_s} s" if rebuilt else ""),
          flush=True)
    db.meta.setdefault("migrations", []).append(
        {"from": before, "to": db.revision, "seconds": seconds, "rebuild_s": rebuild_s if rebuilt else None,
         "at": time.strftime("%Y-%m-%d %H:%M:%S")})
    return True


def _build(db: BenchDB) -> dict:
    """Schema + sample data in a child process; returns its timings and peak memory."""
    print(f"building the {db.scale} database ({db.customers:,} customers, seed {db.seed}) "
          f"on {db.backend} …", flush=True)
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.build", db.url, str(db.customers), str(db.seed), db.today],
        env={**os.environ, "CRM_TODAY": db.today}, capture_output=True, text=True,
    )
    if child.returncode:
        raise RuntimeError(f"seeding failed:\n{child.stderr[-4000:]}")
    meta = json.loads(child.stdout.strip().splitlines()[-1])
    meta["wall_s"] = round(time.perf_counter() - started, 2)
    meta["built_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"  seeded in {meta['seed_s']:.1f} s; {meta['counts']}", flush=True)
    return meta


def row_counts(engine) -> dict[str, int]:
    from crm_data.storage.models import Customer, Interaction, Order, OrderLine, Payment

    out = {}
    with engine.connect() as conn:
        for model in (Customer, Order, OrderLine, Payment, Interaction):
            out[model.__tablename__] = int(conn.execute(select(func.count()).select_from(model)).scalar())
    return out


def pg_scratch(url, name: str):
    """An empty PostgreSQL database `name` on the server of `url` (dropped first if a killed
    run left it): (its url, a function that drops it)."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop_sql = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop_sql)
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(drop_sql)
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop
