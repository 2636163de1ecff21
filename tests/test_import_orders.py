"""Order and interaction import: customers by code or phone, --create-missing-customers,
amounts, order codes, multi-line orders, duplicates; summary refreshed; both backends."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.accounts.scope import SYSTEM
from crm_data.imports import import_file
from tests.test_import_customers import CLEAN, csv_bytes

O_HEAD = ["Mã đơn", "Mã KH", "Ngày mua", "Sản phẩm", "Số lượng", "Đơn giá", "Giảm giá",
          "Thành tiền", "Đã thanh toán", "Hình thức thanh toán"]


@pytest.fixture
def with_customers(engine):
    import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers")
    return engine


def table(engine, name):
    key = "customer_id" if name == "customer_stats" else "id"
    return pd.read_sql(f"select * from {name} order by {key}", engine)  # noqa: S608


def test_plain_transaction_log_creates_missing_customers(engine):
    head = ["Mã KH", "Ngày mua", "Thành tiền", "Số lượng"]
    rows = [["KH100", "01/10/2026", "1.500.000", "2"], ["KH100", "05/10/2026", "300k", "1"],
            ["KH200", "2026-11-01", "2tr", "1"]]
    r = import_file(engine, SYSTEM, csv_bytes(rows, head=head), "orders")
    assert r.aborted and r.rejected == 3
    assert {i.key for x in r.rejects for i in x.issues} == {"import.customer.unknown"}
    assert table(engine, "orders").empty
    r = import_file(engine, SYSTEM, csv_bytes(rows, head=head), "orders",
                    create_missing_customers=True)
    assert (r.inserted, r.created_customers, r.rejected) == (3, 2, 0)
    cust = table(engine, "customers").set_index("code")
    assert list(cust.index) == ["KH100", "KH200"] and cust.loc["KH100"].full_name == "KH100"
    orders = table(engine, "orders")
    assert list(orders.code) == ["DH000001", "DH000002", "DH000003"]
    assert list(orders.amount) == [1_500_000, 300_000, 2_000_000]
    assert list(orders.paid_amount) == list(orders.amount)  # paid defaults to amount
    assert list(orders.subtotal) == list(orders.amount)
    lines = table(engine, "order_lines")
    assert list(lines.quantity) == [2, 1, 1] and list(lines.unit_price) == [750_000, 300_000, 2_000_000]
    # The summary of the touched customers, against a plain computation over the rows.
    stats = table(engine, "customer_stats").set_index("customer_id")
    expected = orders.groupby("customer_id").amount.agg(["sum", "count"])
    for cid, row in expected.iterrows():
        assert stats.loc[cid].total_spend == row["sum"] and stats.loc[cid].orders_count == row["count"]


def test_orders_with_lines_amounts_and_bad_cells(with_customers):
    engine = with_customers
    rows = [
        ["DH000010", "KH000001", "01/10/2026", "Áo", "2", "150.000", "0", "300.000", "300000", "Tiền mặt"],
        ["DH000010", "KH000001", "01/10/2026", "Quần", "1", "200,000 ₫", "20k", "180000", "", "Tiền mặt"],
        ["", "KH000007", "45900", "Giày", "1", "", "", "1,2tr", "1000000", "Chuyển khoản"],
        ["", "KH000001", "02/10/2026", "x", "1", "100", "200", "", "", ""],  # discount > subtotal
        ["", "KH000001", "02/10/2026", "x", "2", "100", "", "150", "", ""],  # mismatch
        ["", "KH000001", "02/10/2026", "x", "1.5", "100", "", "", "", ""],  # quantity
        ["", "KH000001", "02/10/2099", "x", "1", "100", "", "", "", ""],  # future
        ["", "KH000001", "02/10/2026", "x", "1", "", "", "1,5", "", ""],  # ambiguous amount
        ["", "KH000001", "02/10/2026", "x", "1", "100", "", "", "500", ""],  # overpaid
        ["", "KH000001", "02/10/2026", "x", "1", "100", "", "", "", "bitcoin"],  # method
    ]
    r = import_file(engine, SYSTEM, csv_bytes(rows, head=O_HEAD), "orders", on_error="skip")
    assert [i.key for x in r.rejects for i in x.issues] == [
        "import.invalid.discount_too_big", "import.invalid.amount_mismatch",
        "import.invalid.quantity", "invalid.future_date", "invalid.amount",
        "import.invalid.overpaid", "invalid.choice"]
    assert (r.inserted, r.rejected) == (3, 7)
    orders = table(engine, "orders").set_index("code")
    assert list(orders.index) == ["DH000010", "DH000011"]
    o = orders.loc["DH000010"]
    assert (o.subtotal, o.discount, o.amount, o.paid_amount, o.items_count) == (
        500_000, 20_000, 480_000, 480_000, 3)
    assert o.payment_method == "cash"
    g = orders.loc["DH000011"]
    assert str(g.order_date)[:10] == "2025-08-31" and g.amount == 1_200_000
    assert g.paid_amount == 1_000_000 and g.payment_method == "transfer"
    lines = table(engine, "order_lines")
    assert sorted(lines.description) == ["Giày", "Quần", "Áo"]
    stats = table(engine, "customer_stats").set_index("customer_id")
    cust = table(engine, "customers").set_index("code")
    assert stats.loc[cust.loc["KH000007"].id].debt == 200_000
    assert stats.loc[cust.loc["KH000001"].id].total_spend == 480_000


@pytest.mark.parametrize("mode", ["skip", "update", "abort"])
def test_order_duplicates(with_customers, mode):
    engine = with_customers
    first = [["DH1", "KH000001", "01/10/2026", "Áo", "1", "100000", "", "", "", ""]]
    import_file(engine, SYSTEM, csv_bytes(first, head=O_HEAD), "orders")
    again = [["DH1", "KH000007", "02/10/2026", "Mũ", "2", "50000", "", "", "", ""],
             ["DH2", "KH000001", "03/10/2026", "Áo", "1", "100000", "", "", "", ""],
             ["DH2", "KH000001", "03/10/2026", "Áo", "1", "100000", "", "", "", ""]]  # same row
    r = import_file(engine, SYSTEM, csv_bytes(again, head=O_HEAD), "orders", duplicates=mode)
    orders = table(engine, "orders").set_index("code")
    if mode == "abort":
        assert r.aborted and list(orders.index) == ["DH1"]
        return
    assert list(orders.index) == ["DH1", "DH2"]
    assert orders.loc["DH2"].amount == 100_000  # the repeated row did not double it
    cust = table(engine, "customers").set_index("code")
    if mode == "skip":
        assert orders.loc["DH1"].customer_id == cust.loc["KH000001"].id
    else:
        assert orders.loc["DH1"].customer_id == cust.loc["KH000007"].id
        assert orders.loc["DH1"].amount == 100_000
        lines = table(engine, "order_lines")
        assert list(lines[lines.order_id == orders.loc["DH1"].id].description) == ["Mũ"]
        stats = table(engine, "customer_stats").set_index("customer_id")
        assert stats.loc[cust.loc["KH000001"].id].orders_count == 1  # moved away, refreshed


def test_orders_by_phone(with_customers):
    head = ["SĐT", "Ngày mua", "Thành tiền"]
    rows = [["0912 345 678", "01/11/2026", "100000"], ["0900000001", "01/11/2026", "1"]]
    r = import_file(with_customers, SYSTEM, csv_bytes(rows, head=head), "orders", on_error="skip")
    assert (r.inserted, r.rejected) == (1, 1)
    r = import_file(with_customers, SYSTEM, csv_bytes(rows[1:], head=head), "orders",
                    create_missing_customers=True)
    assert r.created_customers == 1
    new = table(with_customers, "customers").iloc[-1]
    assert new.phone == "+84900000001" and new.code == "KH000009"


def test_interactions(with_customers):
    head = ["Mã KH", "Thời gian", "Loại", "Kết quả", "Ghi chú", "Ngày hẹn"]
    rows = [["KH000001", "15/11/2026 09:30", "Gọi điện", "Đã tư vấn", "=hỏi giá", "20/11/2026"],
            ["KH000007", "2026-11-16", "zalo", "Không nghe máy", "", ""],
            ["KH000007", "2026-11-16", "bay", "?", "", ""]]
    r = import_file(with_customers, SYSTEM, csv_bytes(rows, head=head), "interactions",
                    on_error="skip")
    assert (r.inserted, r.rejected) == (2, 1)
    assert [i.key for i in r.rejects[0].issues] == ["invalid.choice", "invalid.choice"]
    df = table(with_customers, "interactions")
    assert list(df.kind) == ["call", "zalo"] and list(df.outcome) == ["consulted", "no_answer"]
    assert df.note[0] == "=hỏi giá" and str(df.occurred_at[0]).startswith("2026-11-15 09:30")
    stats = table(with_customers, "customer_stats")
    assert stats.interactions_count.sum() == 2


def test_templates_import_cleanly_through_the_cli(db_url, engine):
    from crm_data.cli import main
    from tests.conftest import ROOT

    assert main(["import", "customers", str(ROOT / "sample_data/mau_nhap_khach_hang.csv"),
                 "--database-url", db_url, "--quiet"]) == 0
    assert main(["import", "orders", str(ROOT / "sample_data/mau_nhap_don_hang.csv"),
                 "--database-url", db_url, "--quiet"]) == 0
    assert len(table(engine, "customers")) == 3
    orders = table(engine, "orders")
    assert list(orders.amount) == [650_000, 1_200_000, 890_000]
    assert list(orders.paid_amount) == [650_000, 500_000, 890_000]


def test_cli_dry_run_rejects_report_and_saved_mapping(db_url, engine, tmp_path, capsys):
    from crm_data.cli import main
    src = tmp_path / "k.csv"
    head = ["Cột 1", "Cột 2"]  # headers nobody could guess: a saved mapping names them
    src.write_bytes(csv_bytes([["An", "0912345678"], ["Bình", "12345"]], head=head))
    mapping = tmp_path / "m.json"
    mapping.write_text('{"kind": "customers", "columns": {"Cột 1": "full_name", "Cột 2": "phone"}}',
                       encoding="utf-8")
    args = ["import", "customers", str(src), "--database-url", db_url, "--quiet"]
    assert main(args) == 2  # no name column without the mapping
    assert "Thiếu cột bắt buộc" in capsys.readouterr().err
    rejects = tmp_path / "loi.csv"
    assert main([*args, "--mapping", str(mapping), "--rejects", str(rejects)]) == 1  # abort
    assert table(engine, "customers").empty
    report = pd.read_csv(rejects, dtype=str)
    assert list(report["Dòng"]) == ["3"] and report["Cột 2"][0] == "12345"
    assert main([*args, "--mapping", str(mapping), "--on-error", "skip", "--dry-run"]) == 0
    assert table(engine, "customers").empty
    assert main([*args, "--mapping", str(mapping), "--on-error", "skip"]) == 0
    assert list(table(engine, "customers").full_name) == ["An"]
