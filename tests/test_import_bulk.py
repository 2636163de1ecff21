"""What keeps a large import's summary refresh linear (docs/performance.md, "Imports at
scale"): customer_rollup is read and written once per refresh, not once per chunk of ids;
on PostgreSQL the ids go as one array parameter, not an IN list, and the import refreshes
the planner's statistics before its refresh."""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import event

from crm_data.accounts.scope import SYSTEM
from crm_data.imports import import_file
from crm_data.imports import run as import_run
from crm_data.imports.bench import customers_csv
from crm_data.summaries import rebuild_all
from crm_data.summaries import refresh as summary_refresh

ROLLUP_READ = re.compile(r"FROM customer_rollup\b", re.I)
ID_LIST = re.compile(r"(customer_id|\.id) IN \(", re.I)


def test_refresh_reads_customer_rollup_once_and_ids_bind_as_one_array(engine, backend, monkeypatch):
    monkeypatch.setattr(summary_refresh, "_CHUNK", 4)  # 12 customers: 3 chunks of ids
    monkeypatch.setattr(import_run, "ANALYZE_ROWS", 1)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    result = import_file(engine, SYSTEM, customers_csv(12), "customers", name="c.csv",
                         on_error="abort", chunk_size=5)
    assert result.inserted == 12 and result.written

    assert len([s for s in seen if ROLLUP_READ.search(s)]) == 1
    if backend == "postgresql":
        assert any(s.startswith("ANALYZE customers") for s in seen)
        assert [s for s in seen if ID_LIST.search(s)] == []
        assert any("= ANY (" in s for s in seen)
    else:
        assert not any(s.startswith("ANALYZE") for s in seen)

    # The once-written cells are the ones a rebuild computes.
    with engine.connect() as conn:
        cells = pd.read_sql("SELECT kind, day, owner_id, region, customers, debt FROM customer_rollup "
                            "ORDER BY kind, day, owner_id, region", conn)
    rebuild_all(engine)
    with engine.connect() as conn:
        rebuilt = pd.read_sql("SELECT kind, day, owner_id, region, customers, debt FROM customer_rollup "
                              "ORDER BY kind, day, owner_id, region", conn)
    assert cells["customers"].sum() == 12
    pd.testing.assert_frame_equal(cells, rebuilt)


def test_sqlite_import_does_not_map_the_database_file(engine, backend):
    """The app maps up to 256 MB of the SQLite file per connection (shared page cache, but
    counted in the process's resident set); the import's own connection does not, so a
    million-row import's RSS is its real footprint. The pooled connection gets it back."""
    if backend != "sqlite":
        return
    during: list[int] = []

    def probe(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO customers"):
            during.append(cursor.connection.execute("PRAGMA mmap_size").fetchone()[0])

    event.listen(engine, "before_cursor_execute", probe)
    result = import_file(engine, SYSTEM, customers_csv(4), "customers", name="c.csv",
                         on_error="abort")
    event.remove(engine, "before_cursor_execute", probe)
    assert result.inserted == 4 and during and set(during) == {0}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() > 0


def test_cli_import_sorts_through_a_file_the_app_in_memory(db_url, backend, monkeypatch, tmp_path):
    """`crm import` on SQLite: its engine's sorts and temporary tables go to a file (the
    million-customer import's peak was an in-memory GROUP BY); the app's stay in memory."""
    if backend != "sqlite":
        return
    from crm_data.cli import main
    from crm_data.storage import db

    seen = []
    made = db.make_bulk_engine

    def spy(url=None):
        engine = made(url)
        with engine.connect() as conn:
            seen.append(conn.exec_driver_sql("PRAGMA temp_store").scalar())
        return engine

    monkeypatch.setattr(db, "make_bulk_engine", spy)
    src = tmp_path / "c.csv"
    src.write_bytes(customers_csv(3))
    assert main(["import", "customers", str(src), "--database-url", db_url, "--quiet"]) == 0
    assert seen == [1]  # FILE
    app = db.make_engine(db_url)
    with app.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
    app.dispose()


def test_orders_go_in_by_copy_on_postgresql(engine, backend, tmp_path):
    """PostgreSQL: order ids from the sequence, orders and lines by COPY, the customers' move
    to their earliest order as one UPDATE over arrays; the same rows as the file on both."""
    from crm_data.imports.bench import write_orders_csv

    import_file(engine, SYSTEM, customers_csv(12), "customers", name="c.csv", on_error="abort")
    path = tmp_path / "o.csv"
    write_orders_csv(path, 30, 12)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    result = import_file(engine, SYSTEM, path.read_bytes(), "orders", name="o.csv",
                         on_error="abort", create_missing_customers=True, chunk_size=10)
    file = pd.read_csv(path, encoding="utf-8-sig")
    assert result.written and result.inserted + result.skipped == 30 and not result.rejected
    with engine.connect() as conn:
        n_orders, n_lines = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines)").one()
        late = conn.exec_driver_sql(
            "SELECT count(*) FROM customers c WHERE c.created_at > "
            "(SELECT min(o.ordered_at) FROM orders o WHERE o.customer_id = c.id)").scalar()
        moved = conn.exec_driver_sql(
            "SELECT count(*) FROM stage_changes WHERE kind = 'lifecycle'").scalar()
    assert (n_orders, n_lines, late) == (file.iloc[:, 0].nunique(), result.inserted, 0)
    assert moved > 0
    inserts = [s for s in seen if re.match(r"INSERT INTO (orders|order_lines|stage_changes)\b", s)]
    if backend == "postgresql":
        assert inserts == [] and any("nextval" in s for s in seen)
        assert not any(re.match(r"UPDATE customers SET (created_at|lifecycle_stage)", s) for s in seen)
    else:
        assert inserts
