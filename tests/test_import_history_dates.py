"""Imported history keeps its dates (issue 12, finding 6): customers created from an order
history start at their first order in the file, so new customers per month equal first-time
buyers per month; the customer import takes a creation-date column; the summaries and
rollups stay exact; `crm report new-customers` says which definition it counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import pytest

from crm_data.accounts.scope import SYSTEM
from crm_data.cli import main
from crm_data.imports.mapping import detect
from crm_data.imports.run import import_file
from tests.conftest import FIXED_TODAY
from tests.test_rollups import _assert_rollup_is_raw

START = dt.date(2023, 12, 1)
HEAD = ["Mã đơn", "Mã KH", "Số điện thoại", "Tên khách hàng", "Ngày mua", "Sản phẩm",
        "Số lượng", "Đơn giá", "Thành tiền"]


def _history(customers: int = 300, seed: int = 3) -> pd.DataFrame:
    """A sales system's export of three years: customers known by code or (a fifth) only by
    phone, several orders each, rows not in date order."""
    rng = np.random.default_rng(seed)
    span = (FIXED_TODAY - START).days
    rows = []
    number = 0
    for i in range(customers):
        first = int(rng.integers(0, span + 1))
        n = 1 + int(rng.poisson(3))
        days = sorted({first, *(first + int(d) for d in rng.integers(0, span - first + 1, n - 1))})
        by_phone = i % 5 == 4
        for day in days:
            number += 1
            when = dt.datetime.combine(START + dt.timedelta(days=day),
                                       dt.time(int(rng.integers(8, 21)), int(rng.integers(0, 60))))
            if when.date() == FIXED_TODAY:
                when = when.replace(hour=8)
            qty, price = int(rng.integers(1, 4)), int(rng.integers(10, 500)) * 1000
            rows.append({"Mã đơn": f"HD{number:06d}", "Mã KH": "" if by_phone else f"KL{i:05d}",
                         "Số điện thoại": f"09{12000000 + i:08d}" if by_phone else "",
                         "Tên khách hàng": f"Khách {i}", "when": when,
                         "Ngày mua": when.strftime("%d/%m/%Y %H:%M"), "Sản phẩm": "Hàng mẫu",
                         "Số lượng": qty, "Đơn giá": price, "Thành tiền": qty * price})
    df = pd.DataFrame(rows)
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # not in date order


def _write(df: pd.DataFrame, path) -> None:
    df[HEAD].to_csv(path, index=False, encoding="utf-8-sig")


def _first_buyers_per_month(df: pd.DataFrame) -> dict[str, int]:
    key = df["Mã KH"].where(df["Mã KH"] != "", df["Số điện thoại"])
    first = df.groupby(key)["when"].min()
    return {k.strftime("%Y-%m-01"): int(v)
            for k, v in first.dt.to_period("M").dt.start_time.value_counts().sort_index().items()}


def _new_customers(capsys, url) -> dict:
    assert main(["report", "new-customers", "--from", START.isoformat(), "--to",
                 FIXED_TODAY.isoformat(), "--granularity", "month", "--format", "json",
                 "--database-url", url]) == 0
    return json.loads(capsys.readouterr().out)


def test_history_import_new_customers_per_month_are_first_time_buyers(db_url, engine, tmp_path,
                                                                      capsys, backend):
    df = _history()
    path = tmp_path / "lich_su_don_hang.csv"
    _write(df, path)
    assert main(["import", "orders", str(path), "--create-missing-customers", "--quiet",
                 "--database-url", db_url]) == 0
    capsys.readouterr()
    doc = _new_customers(capsys, db_url)
    got = {r["bucket"]: r["new_customers"] for r in doc["rows"] if r["new_customers"]}
    expected = _first_buyers_per_month(df)
    assert len(expected) >= 30  # a multi-year history
    assert got == expected
    assert doc["total"] == df["Mã KH"].where(df["Mã KH"] != "", df["Số điện thoại"]).nunique()
    # each customer starts at the exact time of their first order in the file
    customers = pd.read_sql("SELECT id, created_at FROM customers", engine)
    first = pd.read_sql("SELECT customer_id, min(ordered_at) AS first FROM orders "
                        "GROUP BY customer_id", engine)
    both = customers.merge(first, left_on="id", right_on="customer_id")
    assert len(both) == len(customers)
    assert (pd.to_datetime(both["created_at"]) == pd.to_datetime(both["first"])).all()
    # the Overview of a past month counts the customers of then, not 0
    assert main(["report", "overview", "--from", "2024-06-01", "--to", "2024-06-30",
                 "--format", "json", "--database-url", db_url]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    assert kpis["new_customers"] == expected["2024-06-01"] == kpis["first_time_buyers"]
    assert kpis["total_customers"] == sum(v for k, v in expected.items() if k <= "2024-06-01")
    _assert_rollup_is_raw(engine)


def test_a_later_file_with_older_orders_moves_the_start_back(db_url, engine, tmp_path, capsys,
                                                             backend):
    """History imported a year at a time, newest first: a customer created from the later
    file starts at the earlier order once that file comes in."""
    df = _history(customers=120, seed=5)
    cut = pd.Timestamp("2025-06-01")
    for part in (df[df["when"] >= cut], df[df["when"] < cut]):
        path = tmp_path / "part.csv"
        _write(part, path)
        assert main(["import", "orders", str(path), "--create-missing-customers", "--quiet",
                     "--database-url", db_url]) == 0
    capsys.readouterr()
    got = {r["bucket"]: r["new_customers"] for r in _new_customers(capsys, db_url)["rows"]
           if r["new_customers"]}
    assert got == _first_buyers_per_month(df)
    _assert_rollup_is_raw(engine)


def test_new_customers_report_states_its_definition(db_url, capsys, backend):
    doc = _new_customers(capsys, db_url)
    assert "created" in doc["definition"]
    assert main(["report", "new-customers", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert doc["definition"] in out


@pytest.mark.parametrize("header", ["Ngày tạo", "Ngay tao", "Khách từ ngày", "khach tu ngay",
                                    "Ngày đăng ký", "created_at", "Created at", "customer since",
                                    "Customer Since"])
def test_creation_date_header_is_recognised(header):
    assert detect(["Họ và tên", header], "customers")[header] == "created_at"


def _customers_csv(dates: list[str], header: str = "Khách từ ngày") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Họ và tên", "Số điện thoại", header])
    for i, d in enumerate(dates):
        w.writerow([f"Khách {i}", f"0913{100000 + i:06d}", d])
    return buf.getvalue().encode("utf-8-sig")


def test_customer_import_takes_the_creation_date(engine, capsys, backend):
    data = _customers_csv(["15/03/2024", "2025-01-31", "01/02/2026 14:05", "", "31/02/2025",
                           (FIXED_TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y")])
    r = import_file(engine, SYSTEM, data, "customers", name="k.csv", on_error="skip")
    assert (r.inserted, r.rejected) == (4, 2)
    assert sorted(i.key for rep in r.rejects for i in rep.issues) == ["invalid.date",
                                                                     "invalid.future_date"]
    created = pd.read_sql("SELECT full_name, created_at FROM customers ORDER BY id", engine)
    stamps = dict(zip(created["full_name"], pd.to_datetime(created["created_at"]), strict=True))
    assert stamps["Khách 0"] == pd.Timestamp("2024-03-15")
    assert stamps["Khách 1"] == pd.Timestamp("2025-01-31")
    assert stamps["Khách 2"] == pd.Timestamp("2026-02-01 14:05")
    assert stamps["Khách 3"].year >= 2026  # no date: created now
    assert main(["report", "new-customers", "--from", "2024-03-01", "--to", "2024-03-31",
                 "--format", "json", "--database-url", engine.url.render_as_string(False)]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    _assert_rollup_is_raw_customers(engine)


def _assert_rollup_is_raw_customers(engine) -> None:
    from tests.test_rollups import _expected_customer_cells, _norm_customer_cells

    cells = _norm_customer_cells(pd.read_sql("SELECT * FROM customer_rollup", engine))
    pd.testing.assert_frame_equal(cells, _expected_customer_cells(engine), check_dtype=False)


def test_history_through_the_import_page(engine, db_url, tmp_path, backend):
    """The import page (same crm_data.imports): customers created from the orders start at
    their first order."""
    from crm_data.sample import ensure_demo_users
    from tests.apptest import app, database, errors

    ensure_demo_users(engine)
    df = _history(customers=40, seed=9)
    path = tmp_path / "h.csv"
    _write(df, path)
    with database(db_url):
        at = app(db_url, "manager")
        at.run()
        at.switch_page("pages/import.py")
        at.run()
        at.selectbox(key="import_kind").set_value("orders").run()
        at.file_uploader(key="import_file").set_value(("h.csv", path.read_bytes(), "text/csv"))
        at.run()
        at.checkbox(key="import_create_missing").check().run()
        at.button(key="import_run").click().run()
        assert errors(at) == [] and at.success, [e.value for e in at.error]
    customers = pd.read_sql("SELECT id, created_at FROM customers", engine)
    first = pd.read_sql("SELECT customer_id, min(ordered_at) AS first FROM orders "
                        "GROUP BY customer_id", engine)
    both = customers.merge(first, left_on="id", right_on="customer_id")
    assert len(both) == len(customers) == 40
    assert (pd.to_datetime(both["created_at"]) == pd.to_datetime(both["first"])).all()
