"""Shared fixtures. Every test that takes `engine`, `db_url` or `seeded` runs on SQLite and
on PostgreSQL (a throwaway cluster on a loopback port, see tests/pg.py); the PostgreSQL
runs skip with a visible reason when the server is not available.

Today is pinned (CRM_TODAY) so that periods and recency are reproducible.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import pytest

FIXED_TODAY = dt.date(2026, 11, 20)
os.environ["CRM_TODAY"] = FIXED_TODAY.isoformat()
os.environ.pop("CRM_DATABASE_URL", None)
os.environ.pop("CRM_DATABASE_READ_URL", None)

from sqlalchemy import create_engine, text  # noqa: E402

from crm_data.storage import schema  # noqa: E402
from crm_data.storage.db import make_engine  # noqa: E402
from tests import pg  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")
SEED_CUSTOMERS = 1200
SEED = 7

_pg_cluster = None
_pg_error: str | None = None


def pytest_addoption(parser):
    parser.addoption("--backend", action="append", choices=BACKENDS,
                     help="run database tests only on these backends (default: both)")


def pytest_report_header(config):
    if os.environ.get("CRM_TEST_PG_URL"):
        return "postgresql: CRM_TEST_PG_URL"
    return f"postgresql binaries: {pg.find_bin_dir() or 'not found: PostgreSQL tests will skip'}"


def _pg():
    """The session's cluster (one per xdist worker), started on first use."""
    global _pg_cluster, _pg_error
    if os.environ.get("CRM_TEST_PG_URL"):
        return os.environ["CRM_TEST_PG_URL"]
    if _pg_cluster is None and _pg_error is None:
        try:
            _pg_cluster = pg.start()
        except RuntimeError as exc:
            _pg_error = str(exc)
    if _pg_cluster is None:
        if os.environ.get("CRM_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required but unavailable: {_pg_error}")
        pytest.skip(f"PostgreSQL unavailable: {_pg_error}")
    return _pg_cluster.url


def pytest_sessionfinish(session, exitstatus):
    if _pg_cluster is not None:
        _pg_cluster.stop()


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--backend") or BACKENDS
        metafunc.parametrize("backend", chosen, scope="session")


# Page tests (AppTest) run on SQLite; on PostgreSQL every page runs once, as the admin, in
# the words scan (tests/test_words_all_pages.py), so each page's queries still reach
# PostgreSQL. Pages hold no SQL (a guard test greps them) and each role's scope is tested
# in the data layer on both backends; repeating every page test per role on PostgreSQL cost
# ~4 minutes of a suite that must stay under 10.
PAGE_MODULES = ("test_pages_", "test_words_")
PG_PAGE_RUN = "test_page_shows_no_raw_word_in_vietnamese"


def _sqlite_only(item, params: dict) -> bool:
    if params.get("backend") != "postgresql":
        return False
    if not item.module.__name__.rsplit(".", 1)[-1].startswith(PAGE_MODULES):
        return False
    return not (item.originalname == PG_PAGE_RUN and params.get("role") == "admin")


def pytest_collection_modifyitems(config, items):
    keep, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        (dropped if _sqlite_only(item, params) else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _admin_url(base_url: str) -> str:
    return base_url


def _new_pg_database(template: str | None = None) -> str:
    base = _pg()
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


_templates: dict[str, str] = {}


def _template(backend: str, tmp_root: Path) -> str:
    """A database at the schema head, made once per session and copied for each test."""
    if backend not in _templates:
        if backend == "sqlite":
            path = tmp_root / "template.db"
            eng = make_engine(f"sqlite:///{path}")
            schema.upgrade(eng)
            eng.dispose()
            _templates[backend] = str(path)
        else:
            url = _new_pg_database()
            eng = make_engine(url)
            schema.upgrade(eng)
            eng.dispose()
            _templates[backend] = url.rsplit("/", 1)[1]
    return _templates[backend]


@pytest.fixture(scope="session")
def _session_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("crm")


def fresh_url(backend: str, session_tmp: Path, path: Path) -> str:
    """A new empty database at the schema head (SQLite: at `path`)."""
    if backend == "sqlite":
        shutil.copyfile(_template("sqlite", session_tmp), path)
        return f"sqlite:///{path}"
    return _new_pg_database(_template("postgresql", session_tmp))


@pytest.fixture
def db_url(backend, tmp_path, _session_tmp) -> str:
    """A fresh, empty database at the schema head."""
    return fresh_url(backend, _session_tmp, tmp_path / "crm.db")


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


_seeded: dict[str, str] = {}


@pytest.fixture(scope="session")
def seeded_url(backend, _session_tmp) -> str:
    """A database with sample data (SEED_CUSTOMERS customers, seed SEED), shared read-only
    by the tests of one session. Tests that write must use `engine` instead."""
    if backend not in _seeded:
        from crm_data import sample

        url = fresh_url(backend, _session_tmp, _session_tmp / "seeded.db")
        eng = make_engine(url)
        sample.generate(eng, customers=SEED_CUSTOMERS, seed=SEED, ref=FIXED_TODAY)
        eng.dispose()
        _seeded[backend] = url
    return _seeded[backend]


@pytest.fixture(scope="session")
def seeded(seeded_url):
    eng = make_engine(seeded_url)
    yield eng
    eng.dispose()
