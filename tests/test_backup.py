"""crm backup / crm restore: a round trip gives back every row of every table, on SQLite
(online backup API) and PostgreSQL (pg_dump -Fc / pg_restore); a restore needs --yes and a
crm-dashboard backup at a known schema revision; both are audited."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import inspect, text

from crm_data import sample
from crm_data.accounts.scope import SYSTEM
from crm_data.admin import backup
from crm_data.cli import main
from crm_data.storage.db import is_sqlite
from crm_data.writes import customer as cw
from tests.conftest import FIXED_TODAY


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), but the restore's own audit row and the data
    version it replaces so that no cached result of other data is served."""
    out = {}
    with engine.connect() as conn:
        for name in sorted(inspect(engine).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()  # noqa: S608
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    out["audit_log"] = [r for r in out["audit_log"] if "restore" not in r]
    out["app_meta"] = [r for r in out["app_meta"] if r[0] != "data_version"]
    return out


@pytest.fixture
def filled(engine):
    sample.generate(engine, customers=120, seed=3, ref=FIXED_TODAY)
    return engine


def _audit(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT username, entity, detail FROM audit_log WHERE action = :a"),
                            {"a": action}).all()


def test_round_trip_is_identical(filled, tmp_path):
    before = snapshot(filled)
    assert sum(len(rows) for rows in before.values()) > 1000
    path = tmp_path / ("backup.db" if is_sqlite(filled) else "backup.dump")
    done = backup.backup(filled, path)
    assert path.is_file() and done.rows > 1000
    assert [(u, e) for u, e, _ in _audit(filled, "backup")] == [("system", "database")]
    # what happens after the backup is undone by the restore
    cw.create_customer(filled, SYSTEM, {"full_name": "Khách Sau Sao Lưu"})
    with filled.begin() as conn:
        conn.execute(text("DELETE FROM interactions"))
    restored = backup.restore(filled, path, confirm=True)
    assert restored.revision == done.revision
    after = snapshot(filled)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    assert [(u, e) for u, e, _ in _audit(filled, "restore")] == [("system", "database")]


def test_restore_needs_confirmation(filled, tmp_path):
    path = tmp_path / "b"
    backup.backup(filled, path)
    cw.create_customer(filled, SYSTEM, {"full_name": "Vẫn Còn"})
    before = snapshot(filled)
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(filled, path)
    assert caught.value.key == "backup.confirm"
    assert snapshot(filled) == before


def test_backup_does_not_overwrite_without_consent(filled, tmp_path):
    path = tmp_path / "b"
    path.write_bytes(b"keep me")
    with pytest.raises(backup.BackupError) as caught:
        backup.backup(filled, path)
    assert caught.value.key == "backup.exists" and path.read_bytes() == b"keep me"
    backup.backup(filled, path, overwrite=True)
    assert path.read_bytes() != b"keep me"
    if is_sqlite(filled):  # never onto the live database itself
        with pytest.raises(backup.BackupError) as caught:
            backup.backup(filled, filled.url.database, overwrite=True)
        assert caught.value.key == "backup.same_file"


def test_restore_refuses_what_is_not_a_crm_backup(filled, tmp_path):
    before = snapshot(filled)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all" * 10)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path in (junk, other, tmp_path / "missing"):
        with pytest.raises(backup.BackupError) as caught:
            backup.restore(filled, path, confirm=True)
        assert caught.value.key in ("backup.not_crm", "backup.not_found")
    assert snapshot(filled) == before


def test_restore_refuses_an_unknown_schema_revision(engine, tmp_path):
    if not is_sqlite(engine):
        pytest.skip("the revision check is shared; editing a dump needs the SQLite file")
    path = tmp_path / "future.db"
    backup.backup(engine, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(engine, path, confirm=True)
    assert caught.value.key == "backup.unknown_revision"


def test_sqlite_backup_is_consistent_while_a_write_is_open(engine, tmp_path, monkeypatch):
    """A colleague's write is open during the copy and commits after it: the backup holds
    the data as it was, and neither waits for the other's copy."""
    if not is_sqlite(engine):
        pytest.skip("SQLite online backup")
    cw.create_customer(engine, SYSTEM, {"full_name": "Đã Lưu"})
    writing, copied = threading.Event(), threading.Event()

    def colleague():
        conn = sqlite3.connect(engine.url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE customers SET full_name = 'Lưu Sau'")
        writing.set()
        copied.wait(60)
        conn.execute("COMMIT")
        conn.close()

    real_check = backup._check_file
    monkeypatch.setattr(backup, "_check_file",
                        lambda p, sqlite: (real_check(p, sqlite=sqlite), copied.set())[0])
    thread = threading.Thread(target=colleague)
    thread.start()
    writing.wait(60)
    path = tmp_path / "online.db"
    try:
        backup.backup(engine, path)  # its audit row waits for the colleague's commit
    finally:
        copied.set()
        thread.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT full_name FROM customers")).scalar() == "Lưu Sau"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT full_name FROM customers").fetchall() == [("Đã Lưu",)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_cli_backup_and_restore(filled, db_url, tmp_path, capsys):
    path = tmp_path / "cli.backup"
    assert main(["backup", str(path), "--database-url", db_url, "--lang", "en"]) == 0
    assert "Backed up" in capsys.readouterr().out
    assert main(["restore", str(path), "--database-url", db_url]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["restore", str(path), "--database-url", db_url, "--yes"]) == 0
    assert "Đã khôi phục" in capsys.readouterr().out
