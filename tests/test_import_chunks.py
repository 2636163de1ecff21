"""Imports stream a chunk at a time inside one transaction: a file imported in chunks of
three rows leaves exactly the database (and the report) one chunk leaves, duplicates and
orders' lines spread across chunks included; a failure in a later chunk leaves nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import inspect

from crm_data.accounts.scope import SYSTEM
from crm_data.imports import customers as customer_rows
from crm_data.imports import import_file
from crm_data.storage.db import make_engine
from crm_data.storage.models import Base
from tests.conftest import fresh_url
from tests.test_import_customers import CLEAN, HEAD, csv_bytes
from tests.test_import_orders import O_HEAD

_ = ""
# Chunks of 3: rows 2-4, 5-7, 8-10, 11-13 (row 1 is the header).
PEOPLE = [
    ["", "Phạm Thị Dung", "0903000001", "dung@example.vn", "Nữ", _, "Huế", _, _, _, _],
    ["KH000001", "Nguyễn Văn An", "0912000002", _, _, _, _, "5 Lý Thường Kiệt", _, _, _],
    ["", "Vũ Minh Hải", "0903000003", _, _, _, "Đà Nẵng", _, _, _, _],
    ["", "Đặng Thu Hà", _, "ha@example.vn", "Nữ", "02/02/1992", _, _, _, _, _],
    ["", "Dung (cũ)", "0903000001", _, _, _, _, "9 Hàng Bài", _, _, "gọi sau"],  # row 2
    ["", "Không Tên Hợp Lệ", "0241234567", _, _, _, _, _, _, _, _],  # bad phone
    ["", "Hà bis", "0903000050", "ha@example.vn", _, _, _, _, "Website", _, _],  # row 5
    ["", "Lê Văn Cường", "0903000003", "cuong2@example.vn", _, _, _, _, _, _, _],  # row 4
    ["", "Bình mới", "0987654321", _, _, _, _, "1 Trần Phú", _, _, _],  # Bình in the database
    ["KH000050", "Quốc Bảo", "0903000010", _, "Nam", _, _, _, _, _, _],  # codes skip it
    ["", "Hải ba", _, "cuong2@example.vn", _, _, "Hà Nội", _, _, _, _],  # row 9 by email
    ["KH000001", "An lần hai", _, "an2@example.vn", _, _, _, _, _, _, _],  # row 3 by code
]
ORDERS = [
    ["DH1", "KH000001", "10/10/2026", "Cà phê", "1", "100000", "0", "100000", "100000", "Tiền mặt"],
    ["DH2", "KH900", "05/09/2026", "Trà", "2", "50000", "0", "100000", "", "Chuyển khoản"],
    ["DH3", "KH000007", "01/11/2026", "Mật ong", "1", "300000", "0", "300000", "", "Thẻ"],
    ["DH1", "KH000001", "10/10/2026", "Trà", "3", "50000", "10000", "140000", "", "Tiền mặt"],
    ["DH1", "KH000001", "10/10/2026", "Cà phê", "1", "100000", "0", "100000", "", "Tiền mặt"],
    ["", "KH901", "03/03/2026", "Bánh", "1", "65000", "0", "65000", "", "Tiền mặt"],
    ["DH2", "KH900", "05/09/2026", "Bánh", "1", "65000", "", "65000", "0", "Chuyển khoản"],
    ["DH9", "KH900", "01/01/2026", "Cà phê", "2", "100000", "0", "200000", "", "Tiền mặt"],
    ["DH3", "KH000008", "01/11/2026", "Trà", "1", "50000", "0", "50000", "", "Thẻ"],
    ["", "KH901", "01/02/2026", "Trà", "1", "50000", "0", "50000", "", "Tiền mặt"],
    ["DH1", "KH000001", "10/10/2026", "Mật ong", "1", "300000", "", "", "", "Tiền mặt"],
]


@pytest.fixture
def other_engine(backend, tmp_path, _session_tmp):
    """A second fresh database beside `engine`."""
    eng = make_engine(fresh_url(backend, _session_tmp, tmp_path / "other.db"))
    yield eng
    eng.dispose()


def _run(engine, chunk_size: int) -> list:
    """The same imports into `engine`; their reports."""
    import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers")
    people = import_file(engine, SYSTEM, csv_bytes(PEOPLE), "customers", on_error="skip",
                         duplicates="update", chunk_size=chunk_size)
    orders = import_file(engine, SYSTEM, csv_bytes(ORDERS, head=O_HEAD), "orders",
                         on_error="skip", create_missing_customers=True, chunk_size=chunk_size)
    return [(r.counts(), [(x.row, x.status, [(i.key, i.values) for i in x.issues]) for x in r.rows],
             [(n, i.key, i.values) for n, i in r.notes]) for r in (people, orders)]


# History rows written in another order by chunks (the lines of an order that spans chunks,
# journey stage changes): their surrogate ids, and the pointer to the latest, are not compared.
_SURROGATE = {"order_lines": ["id"], "stage_changes": ["id"],
              "customer_stats": ["max_stage_change_id"]}


def _database(engine, since: dt.datetime) -> dict:
    """Every table's rows; stamps of the run itself as NOW, history rows without their ids."""
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "app_meta" or not inspect(engine).has_table(table.name):  # data_version
            continue
        df = pd.read_sql(table.select(), engine)
        df = df.drop(columns=_SURROGATE.get(table.name, []))
        rows = []
        for rec in df.astype(object).where(df.notna(), None).itertuples(index=False):
            rows.append(tuple("NOW" if isinstance(v, dt.datetime | pd.Timestamp)
                              and pd.Timestamp(v) >= since else v for v in rec))
        out[table.name] = sorted(rows, key=repr)
    return out


def test_chunked_import_gives_the_database_of_one_chunk(engine, other_engine):
    since = pd.Timestamp.now().floor("D") - pd.Timedelta(days=2)
    one = _run(engine, 1000)
    chunked = _run(other_engine, 3)
    assert chunked == one
    people, orders = one
    assert people[0] == {"read": 12, "inserted": 4, "updated": 7, "skipped": 0, "rejected": 1,
                         "created_customers": 0}
    assert orders[0]["inserted"] == 9 and orders[0]["created_customers"] == 2
    a, b = _database(engine, since), _database(other_engine, since)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    lines = pd.read_sql("select o.code, count(*) as n, max(o.amount) as amount from orders o "
                        "join order_lines l on l.order_id = o.id group by o.code", other_engine)
    dh1 = lines.set_index("code").loc["DH1"]
    assert (dh1.n, dh1.amount) == (3, 100000 + 140000 + 300000)  # lines from three chunks
    new = pd.read_sql("select code, created_at from customers where code in ('KH900', 'KH901')",
                      other_engine).set_index("code")
    assert str(new.loc["KH901", "created_at"])[:10] == "2026-02-01"  # its earliest row, chunk 4


def _counts(engine) -> dict:
    return {t: int(pd.read_sql(f"select count(*) as n from {t}", engine)["n"][0])  # noqa: S608
            for t in ("customers", "customer_stats", "audit_log")}


def test_a_failure_in_a_later_chunk_leaves_nothing(engine, monkeypatch):
    import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers")
    before = _counts(engine)
    calls = []
    real = customer_rows.insert_rows

    def fails_in_chunk_three(session, planned):
        calls.append(len(planned))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(session, planned)

    monkeypatch.setattr(customer_rows, "insert_rows", fails_in_chunk_three)
    rows = [[_, f"Khách {i}", f"09030001{i:02d}", _, _, _, _, _, _, _, _] for i in range(9)]
    with pytest.raises(RuntimeError):
        import_file(engine, SYSTEM, csv_bytes(rows, head=HEAD), "customers", chunk_size=3)
    assert calls == [3, 3, 3]
    after = _counts(engine)
    assert after["customers"] == before["customers"]
    assert after["customer_stats"] == before["customer_stats"]
    assert after["audit_log"] == before["audit_log"] + 1  # the failure, no import row
    monkeypatch.setattr(customer_rows, "insert_rows", real)
    # A bad row in the last chunk aborts the import: the chunks written before are undone.
    rows[8][2] = "0241234567"
    r = import_file(engine, SYSTEM, csv_bytes(rows, head=HEAD), "customers", chunk_size=3)
    assert r.aborted and r.abort_reason.values == {"n": 1, "row": 10}
    assert _counts(engine)["customers"] == before["customers"]
