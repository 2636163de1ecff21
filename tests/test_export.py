"""Export: exactly the filtered rows, CSV with BOM, XLSX that openpyxl opens, formulas
neutralised, audited; `crm export customers` does the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.cli import main
from crm_data.customers import export as exports
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.writes import customer as cw

EVIL = "=cmd|' /C calc'!A0"


def _export(engine, scope, flt, fmt, buf) -> int:
    """The export without its audit row: the seeded database is shared read-only."""
    rows = exports.iter_rows(engine, scope, flt)
    return exports.write_xlsx(rows, buf) if fmt == "xlsx" else exports.write_csv(rows, buf)


def _expected_codes(engine, where: str) -> list[str]:
    base = "SELECT c.code FROM customers c JOIN customer_stats s ON s.customer_id = c.id"
    sql = f"{base} WHERE c.deleted_at IS NULL AND {where} ORDER BY c.code"  # noqa: S608 (test)
    df = pd.read_sql(sql, engine)
    return df["code"].tolist()


def test_filtered_csv_has_exactly_the_filtered_rows(seeded):
    flt = CustomerFilter(regions=("south",), tiers=("vip",))
    buf = io.BytesIO()
    n = _export(seeded, SYSTEM, flt, "csv", buf)
    data = buf.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã KH", "Họ tên", "Điện thoại"]
    codes = [r[0] for r in rows[1:]]
    assert codes == _expected_codes(seeded, "c.region = 'south' AND s.tier = 'vip'")
    assert n == len(codes) > 0


def test_filtered_xlsx_opens_in_openpyxl(seeded):
    flt = CustomerFilter(has_debt=True)
    buf = io.BytesIO()
    n = _export(seeded, SYSTEM, flt, "xlsx", buf)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã KH"
    assert [r[0] for r in rows[1:]] == _expected_codes(seeded, "s.debt > 0") and n == len(rows) - 1
    debt_col = rows[0].index("Công nợ (₫)")
    assert all(isinstance(r[debt_col], int | float) and r[debt_col] > 0 for r in rows[1:])


def test_selected_ids_and_staff_scope(seeded):
    ids = tuple(pd.read_sql("SELECT id FROM customers ORDER BY id LIMIT 5", seeded)["id"])
    buf = io.BytesIO()
    assert _export(seeded, SYSTEM, CustomerFilter(ids=ids), "csv", buf) == 5
    staff_id = pd.read_sql("SELECT id FROM users WHERE username = 'staff'", seeded).iloc[0, 0]
    staff = Scope(int(staff_id), "staff", "staff")
    n = _export(seeded, staff, None, "csv", io.BytesIO())
    assert n == len(_expected_codes(seeded, f"c.owner_id = {int(staff_id)}"))
    with pytest.raises(PermissionError):
        _export(seeded, Scope(99, "viewer", "viewer"), None, "csv", io.BytesIO())


@pytest.fixture
def evil(engine):
    auth.add_user(engine, "admin", "password123", "admin")
    cw.create_customer(engine, SYSTEM, {"full_name": EVIL, "company": "+SUM(1)", "phone": "0912345678"})
    cw.create_customer(engine, SYSTEM, {"full_name": "@bad", "notes": "x"})
    return engine


def test_formula_injection_is_neutralised(evil):
    """XLSX: formula-like text is a string cell (never evaluated) shown as typed, with no
    apostrophe; CSV has no cell types, so there it keeps the apostrophe."""
    buf = io.BytesIO()
    exports.export_customers(evil, SYSTEM, None, "xlsx", buf)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    names = [sheet.cell(row=r, column=2) for r in (2, 3)]
    assert [c.value for c in names] == [EVIL, "@bad"]
    assert all(c.data_type == "s" for c in names)
    company = sheet.cell(row=2, column=11)
    assert (company.value, company.data_type) == ("+SUM(1)", "s")
    phone = sheet.cell(row=2, column=3)
    assert (phone.value, phone.data_type) == ("0912345678", "s")  # as written, not +84… or a number
    buf = io.BytesIO()
    exports.export_customers(evil, SYSTEM, None, "csv", buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8-sig"))))
    assert rows[1][1] == "'" + EVIL and rows[1][10] == "'+SUM(1)"
    assert rows[1][exports.COLUMNS.index("orders_count")] == "0"  # numbers stay numbers


def test_xlsx_cells_keep_their_types(engine):
    cw.create_customer(engine, SYSTEM, {"full_name": "=1+2", "phone": "0912345678",
                                        "company": "007", "birth_date": "1990-05-17"})
    buf = io.BytesIO()
    exports.export_customers(engine, SYSTEM, None, "xlsx", buf)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    cell = {k: sheet.cell(row=2, column=exports.COLUMNS.index(k) + 1) for k in exports.COLUMNS}
    assert (cell["full_name"].value, cell["full_name"].data_type) == ("=1+2", "s")
    assert (cell["phone"].value, cell["phone"].data_type) == ("0912345678", "s")
    assert (cell["company"].value, cell["company"].data_type) == ("007", "s")
    birth = cell["birth_date"]
    assert (birth.value, birth.data_type, birth.number_format) == (
        dt.datetime(1990, 5, 17), "d", "dd/mm/yyyy")
    assert cell["created_at"].data_type == "d" and cell["created_at"].number_format == "dd/mm/yyyy hh:mm"
    for key in ("orders_count", "total_spend", "debt", "points"):
        assert cell[key].data_type == "n" and cell[key].value == 0, key
    assert cell["total_spend"].number_format == "#,##0"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:Z2"


def test_multi_chunk_export_equals_single_chunk(seeded):
    flt = CustomerFilter(regions=("central",), tiers=("vip",))

    def cells(chunk):
        buf = io.BytesIO()
        n = exports.write_xlsx(exports.iter_rows(seeded, SYSTEM, flt, chunk=chunk), buf)
        rows = list(openpyxl.load_workbook(io.BytesIO(buf.getvalue()), read_only=True)
                    .active.iter_rows(values_only=True))
        return n, rows

    n, single = cells(exports.CHUNK)
    assert n > 3 * 7 and n == len(single) - 1  # several chunks of 7 below
    assert cells(7) == (n, single)


def test_export_is_audited_with_filter_and_count(evil):
    flt = CustomerFilter(search="bad")
    exports.export_customers(evil, SYSTEM, flt, "csv", io.BytesIO())
    row = pd.read_sql("SELECT * FROM audit_log WHERE action = 'export'", evil).iloc[-1]
    assert json.loads(row["detail"]) == {"filter": "search=bad", "rows": 1, "format": "csv"}


def test_cli_export_matches_the_function(evil, db_url, tmp_path):
    cw.create_customer(evil, SYSTEM, {"full_name": "Trần Văn C", "province": "Huế"})
    out = tmp_path / "x.xlsx"
    assert main(["export", "customers", "--database-url", db_url, "--filter",
                 "regions=central&regions=north", "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out, read_only=True).active
    codes = [r[0] for r in list(sheet.iter_rows(values_only=True))[1:]]
    assert codes == _expected_codes(evil, "c.region IN ('central', 'north')") == ["KH000003"]
    out = tmp_path / "s.csv"
    assert main(["export", "customers", "--database-url", db_url, "--search", "bad",
                 "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == 2
    assert pd.read_sql("SELECT count(*) FROM audit_log WHERE action = 'export'", evil).iloc[0, 0] == 2


def test_reject_report_xlsx_shows_formula_like_text_as_typed(engine):
    """The import's reject report: the user's cells are string cells in the XLSX (no
    apostrophe), while its CSV keeps the apostrophe."""
    from crm_data.imports import import_file
    from crm_data.imports.rejects import report_csv, report_xlsx
    from tests.test_import_customers import CLEAN, csv_bytes

    bad = ["", "=1+2", "012345", *[""] * 8]  # a phone that is no phone: rejected
    result = import_file(engine, SYSTEM, csv_bytes([*CLEAN[:1], bad]), "customers", on_error="skip",
                         dry_run=True)
    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx(result))).active
    header = [c.value for c in sheet[1]]
    name, phone = (sheet.cell(2, header.index(h) + 1) for h in ("Họ và tên", "Số điện thoại"))
    assert (name.value, name.data_type, phone.value, phone.data_type) == ("=1+2", "s", "012345", "s")
    assert "'=1+2" in report_csv(result).decode("utf-8-sig")
