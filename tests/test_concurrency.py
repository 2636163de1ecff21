"""Many readers and one writer at once, as in a shop where several people have the
dashboard open while someone records payments: on SQLite (WAL, busy timeout, BEGIN
IMMEDIATE for writes) no call may fail with "database is locked", and every read must see
consistent numbers. Threads share one engine, as Streamlit sessions share the cached one.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from crm_data import audit, summaries
from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.domain.periods import preset
from crm_data.reports import overview, segments
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AuditLog, Customer, User
from tests.conftest import FIXED_TODAY

READERS = 20
WRITES = 10  # the writer's saves; readers read until it is done (a count, not a clock:
# how many saves fit in some seconds is the benchmark's business, not a test's)
MAX_LOOPS = 10_000  # bounds a reader if the writer hangs
JOIN_SECONDS = 120
CUSTOMERS = 300


@pytest.fixture
def busy_db(engine):
    from crm_data import sample

    sample.generate(engine, customers=CUSTOMERS, seed=5, ref=FIXED_TODAY)
    return engine


def test_twenty_readers_and_a_writer(busy_db):
    engine = busy_db
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
    period = preset("this_month")
    expected = overview.kpis(engine, SYSTEM, period)
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Customer.id).order_by(Customer.id).limit(50)))
    admin = Scope(None, "system", "admin")

    writing = threading.Event()
    writing.set()
    start = threading.Barrier(READERS + 1)
    errors: list[str] = []
    reads = [0] * READERS
    wrong: list[str] = []
    done = {"refresh": 0, "user": 0}

    def reader(n: int) -> None:
        start.wait()
        for i in range(MAX_LOOPS):
            if not writing.is_set() and reads[n] > 0:
                return
            try:
                if i % 2 == 0:
                    got = overview.compare(engine, admin, period).current
                    if got.total_customers != expected.total_customers or \
                            got.revenue != expected.revenue:
                        wrong.append(f"reader {n}: {got.total_customers}/{got.revenue}")
                else:
                    df = segments.segment_counts(engine, admin, period, "region")
                    if int(df["customers"].sum()) != expected.total_customers:
                        wrong.append(f"reader {n}: segments sum {int(df['customers'].sum())}")
                reads[n] += 1
            except Exception as exc:  # collected and asserted below
                errors.append(f"reader {n}: {type(exc).__name__}: {exc}")
                return

    def writer() -> None:
        start.wait()
        try:
            _write()
        finally:
            writing.clear()

    def _write() -> None:
        for i in range(WRITES):
            try:
                if i % 10 == 9:
                    auth.add_user(engine, f"conc_{i}", "mat-khau-dai", "staff")
                    done["user"] += 1
                else:
                    touched = ids[i % len(ids):i % len(ids) + 5]
                    with unit_of_work(engine) as session:
                        summaries.refresh_customers(session, touched, FIXED_TODAY)
                        audit.record(session, SYSTEM, "refresh", "customer", touched[0],
                                     detail={"ids": touched})
                    done["refresh"] += 1
            except Exception as exc:
                errors.append(f"writer: {type(exc).__name__}: {exc}")
                return

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    threads.append(threading.Thread(target=writer))
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=JOIN_SECONDS)
    assert not any(th.is_alive() for th in threads), "a thread did not finish"
    assert not errors, errors[:5]
    assert not wrong, wrong[:5]
    assert all(n > 0 for n in reads), reads
    assert done == {"refresh": WRITES - WRITES // 10, "user": WRITES // 10}, done
    # The writes really happened.
    with engine.connect() as conn:
        audited = conn.scalar(select(func.count()).select_from(AuditLog)
                              .where(AuditLog.action == "refresh"))
        users = conn.scalar(select(func.count()).select_from(User)
                            .where(User.username.like("conc\\_%", escape="\\")))
    assert audited == done["refresh"]
    assert users == done["user"]
