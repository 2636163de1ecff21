"""Report reads on a PostgreSQL streaming replica (CRM_DATABASE_READ_URL), writes on the
primary, and this session's write against a lagging replica: wait, then say so.

One primary + hot standby pair for the module (tests/pg_replica.py), made with
pg_basebackup over loopback. Skips only when PostgreSQL cannot run here (no binaries)."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, text
from streamlit.testing.v1 import AppTest

from crm_data import summaries
from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.customers.listing import count_customers
from crm_data.i18n import t
from crm_data.storage import replica, schema
from crm_data.storage.db import make_engine, make_read_engine, primary_of
from crm_data.storage.meta import data_version
from crm_data.writes import activity
from crm_data.writes import customer as cw
from crm_ui import replica_lag
from tests import pg_replica
from tests.apptest import app, errors

pytestmark = pytest.mark.xdist_group(__name__)


@pytest.fixture(scope="module")
def pair(request):
    if "postgresql" not in (request.config.getoption("--backend") or ["postgresql"]):
        pytest.skip("--backend without postgresql")
    try:
        started = pg_replica.start()
    except pg_replica.Unavailable as exc:
        if os.environ.get("CRM_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required but unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    # Any other RuntimeError (a replica that will not start) fails the tests.
    yield started
    started.stop()


@pytest.fixture(scope="module")
def dbs(pair):
    """(primary engine, read engine, admin scope) on a schema made on the primary and
    replayed to the standby."""
    primary_url, standby_url = pair.urls()
    primary = make_engine(primary_url)
    schema.upgrade(primary)
    admin = Scope(auth.add_user(primary, "admin", "password123", "admin"), "admin", "admin")
    for name in ("Nguyễn Văn An", "Đỗ Thị Bình"):
        saved = cw.create_customer(primary, admin, {"full_name": name, "province": "Hà Nội"})
        activity.add_order(primary, admin, saved.id, {
            "paid_amount": 150_000, "lines": [{"description": "Trà", "quantity": 1, "unit_price": 150_000}]})
    summaries.ensure_fresh(primary)  # today's rebuild done: the page run below only reads
    read = make_read_engine(standby_url, primary)
    pg_replica.wait_caught_up(primary_url, standby_url)
    yield primary, read, admin
    read.dispose()
    primary.dispose()


@contextmanager
def replica_env(pair):
    primary_url, standby_url = pair.urls()
    saved = {k: os.environ.get(k) for k in ("CRM_DATABASE_URL", "CRM_DATABASE_READ_URL")}
    os.environ.update(CRM_DATABASE_URL=primary_url, CRM_DATABASE_READ_URL=standby_url)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def statements():
    """(server port, SQL) of every statement any engine runs meanwhile."""
    seen: list[tuple[int, str]] = []

    def capture(conn, _cursor, statement, *_):
        seen.append((conn.engine.url.port, statement))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", capture)


def _in_recovery(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_is_in_recovery()")).scalar()


def _customer(primary, admin, name: str) -> None:
    cw.create_customer(primary, admin, {"full_name": name, "province": "Hà Nội"})


def test_report_page_reads_on_the_replica(pair, dbs):
    primary, read, _ = dbs
    assert _in_recovery(read) and not _in_recovery(primary)
    with replica_env(pair), statements() as seen:
        at = app(pair.urls()[0], "admin")
        at.run()
    assert errors(at) == [] and not at.error
    on = {port: [s for p, s in seen if p == port] for port in (pair.primary.port, pair.standby.port)}
    assert [s for s in on[pair.standby.port] if "FROM orders" in s], "the figures come from the replica"
    # The primary serves the sign-in check and the day's freshness mark, no report query.
    report_tables = re.compile(r"\b(FROM|JOIN) (customers|customer_stats|orders)\b")
    assert not [s for s in on[pair.primary.port] if report_tables.search(s)], on[pair.primary.port]
    # The cache key is the version the replica has.
    assert any("app_meta" in s for s in on[pair.standby.port])


def test_write_lands_on_primary_and_shows_after_catch_up(pair, dbs):
    primary, read, admin = dbs
    before = count_customers(read, admin)
    _customer(primary, admin, "Trần Thị Mai")
    assert count_customers(primary, admin) == before + 1
    pg_replica.wait_caught_up(*pair.urls())
    assert count_customers(read, admin) == before + 1
    assert data_version(read) == data_version(primary)


def test_a_write_handed_the_read_engine_still_goes_to_the_primary(pair, dbs):
    primary, read, admin = dbs
    assert primary_of(read) is primary
    before = count_customers(primary, admin)
    _customer(read, admin, "Lê Văn Nam")  # unit_of_work routes the write to the primary
    assert count_customers(primary, admin) == before + 1


def test_lagging_replica_waits_then_says_so(pair, dbs):
    primary, read, admin = dbs
    primary_url, standby_url = pair.urls()
    pg_replica.wait_caught_up(primary_url, standby_url)
    with read.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        old = data_version(read)
        _customer(primary, admin, "Phạm Minh Châu")
        position = replica.write_position(primary)
        assert replica.wait_for(read, position, timeout=0.3) == replica.BEHIND
        # Reports keep being keyed on what the replica has, not on the primary's new version.
        assert data_version(read) == old != data_version(primary)
        with replica_env(pair):
            at = app(primary_url, "admin")
            at.session_state[replica_lag.PENDING_KEY] = {"pos": position, "waited": True}
            at.run()
        assert t("replica.behind") in [i.value for i in at.info]
    finally:
        with read.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
    assert replica.wait_for(read, position) == replica.CAUGHT_UP
    with replica_env(pair):
        at.run()
    assert t("replica.behind") not in [i.value for i in at.info]
    assert replica_lag.PENDING_KEY not in at.session_state
    assert data_version(read) == data_version(primary)


def _clear_cache_script():
    from crm_ui import cache

    cache.clear()  # what every page does after its write


def test_own_write_is_remembered_only_with_a_replica(pair, dbs):
    primary, _, _ = dbs
    before = replica.write_position(primary)
    with replica_env(pair):
        at = AppTest.from_function(_clear_cache_script)
        at.run()
    pending = at.session_state[replica_lag.PENDING_KEY]
    assert pending["waited"] is False
    with primary.connect() as conn:
        assert conn.execute(text("SELECT pg_wal_lsn_diff(CAST(:a AS pg_lsn), CAST(:b AS pg_lsn))"),
                            {"a": pending["pos"], "b": before}).scalar() >= 0
    with replica_env(pair):
        os.environ.pop("CRM_DATABASE_READ_URL")  # unset: reads use the primary, nothing to wait for
        at = AppTest.from_function(_clear_cache_script)
        at.run()
    assert replica_lag.PENDING_KEY not in at.session_state


def test_read_engine_is_the_primary_unless_a_read_url_is_set(tmp_path, monkeypatch):
    from crm_data.storage.db import get_engine, get_read_engine

    primary_url, read_url = (f"sqlite:///{tmp_path / n}" for n in ("p.db", "r.db"))
    monkeypatch.setenv("CRM_DATABASE_URL", primary_url)
    monkeypatch.delenv("CRM_DATABASE_READ_URL", raising=False)
    assert get_read_engine() is get_engine()
    assert not replica.has_replica(get_read_engine())
    monkeypatch.setenv("CRM_DATABASE_READ_URL", read_url)
    read = get_read_engine()
    assert str(read.url) == read_url and primary_of(read) is get_engine()
    assert replica.wait_for(get_engine(), "0/0") == replica.CAUGHT_UP  # no replica: no wait
