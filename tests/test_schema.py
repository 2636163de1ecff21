"""Migrations: upgrade on an empty and on a populated database, idempotent, and in step
with the ORM models."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from crm_data.storage import schema
from crm_data.storage.db import make_engine
from crm_data.storage.models import Base, Customer, Order


def test_upgrade_creates_every_table(engine):
    assert schema.current_revision(engine) == schema.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent_on_populated_database(seeded_url):
    eng = make_engine(seeded_url)
    with eng.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        orders = conn.execute(select(func.count()).select_from(Order)).scalar_one()
    schema.upgrade(eng)
    with eng.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == before
        assert conn.execute(select(func.count()).select_from(Order)).scalar_one() == orders
    assert before > 0 and orders > 0
    eng.dispose()


def test_upgrade_from_nothing_then_again(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert schema.current_revision(eng) is None
    schema.upgrade(eng)
    schema.upgrade(eng)
    assert schema.current_revision(eng) == schema.head_revision()


def test_sqlite_pragmas(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_an_old_sqlite_is_refused_at_once(monkeypatch):
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(RuntimeError, match="3.31.1 is too old"):
        make_engine("sqlite:///:memory:")
