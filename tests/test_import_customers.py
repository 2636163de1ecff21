"""Customer import against a database (SQLite and PostgreSQL): clean file, bad cells,
duplicates in every mode, encodings, XLSX, formula-looking cells, abort vs skip."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import Workbook

from crm_data.accounts.scope import SYSTEM
from crm_data.imports import import_file
from crm_data.imports.rejects import frame, report_csv, report_xlsx

HEAD = ["Mã KH", "Họ và tên", "Số điện thoại", "Email", "Giới tính", "Ngày sinh",
        "Tỉnh/Thành phố", "Địa chỉ", "Nguồn", "Kênh ưa thích", "Ghi chú"]
CLEAN = [
    ["KH000001", "Nguyễn Văn An", "0912345678", "an@example.vn", "Nam", "15/03/1990",
     "Hà Nội", "12 Láng Hạ", "Giới thiệu", "Zalo", ""],
    ["", "Trần Thị Bình", "+84 987 654 321", "", "Nữ", "1985-07-01", "TP HCM", "", "Website",
     "Điện thoại", ""],
    ["KH000007", "Lê Văn Cường", "01662345678", "CUONG@Example.vn", "male", "", "Bình Dương",
     "", "referral", "email", "khách quen"],
]


def csv_bytes(rows, head=HEAD, encoding="utf-8", sep=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep).writerows([head, *rows])
    return buf.getvalue().encode(encoding)


def customers(engine) -> pd.DataFrame:
    return pd.read_sql("select * from customers order by code", engine)


def counts(engine) -> dict:
    return {t: int(pd.read_sql(f"select count(*) as n from {t}", engine)["n"][0])  # noqa: S608
            for t in ("customers", "customer_stats", "orders", "order_lines", "audit_log")}


def test_clean_file(engine):
    r = import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers", name="k.csv")
    assert r.counts() == {"read": 3, "inserted": 3, "updated": 0, "skipped": 0, "rejected": 0,
                          "created_customers": 0}
    df = customers(engine).set_index("code")
    assert list(df.index) == ["KH000001", "KH000007", "KH000008"]  # next free KH code
    an = df.loc["KH000001"]
    assert (an.full_name, an.phone, an.email, an.gender, an.source, an.preferred_channel) == (
        "Nguyễn Văn An", "+84912345678", "an@example.vn", "male", "referral", "zalo")
    assert str(an.birth_date)[:10] == "1990-03-15"
    assert an.province_code == 1 and an.region == "north"
    assert "nguyen van an" in an.search_text and "0912345678" in an.search_text
    binh = df.loc["KH000008"]
    assert binh.phone == "+84987654321" and binh.province_code == 79 and binh.region == "south"
    cuong = df.loc["KH000007"]
    assert cuong.phone == "+84362345678" and cuong.email == "cuong@example.vn"
    assert cuong.province_code == 79  # Bình Dương merged into Hồ Chí Minh
    notes = {(n, i.key) for n, i in r.notes}
    assert (4, "import.note.phone_converted") in notes
    assert (4, "import.note.province_mapped") in notes
    assert counts(engine)["customer_stats"] == 3
    audit = pd.read_sql("select action, entity, detail from audit_log", engine)
    assert list(audit.action) == ["import"]
    assert '"inserted": 3' in audit.detail[0] and '"file": "k.csv"' in audit.detail[0]


BAD = [
    ["", "", "0912345678", "", "", "", "", "", "", "", ""],  # name required
    ["", "Bad Phone", "0241234567", "", "", "", "", "", "", "", ""],
    ["", "Bad Email", "", "x@y", "", "", "", "", "", "", ""],
    ["", "Bad Date", "", "", "", "31/02/1990", "", "", "", "", ""],
    ["", "Future", "", "", "", "01/01/2099", "", "", "", "", ""],
    ["", "Bad Province", "", "", "", "", "Atlantis", "", "", "", ""],
    ["", "Bad Gender", "", "", "robot", "", "", "", "", "", ""],
    ["", "Bad Source", "", "", "", "", "", "", "tivi", "", ""],
    ["", "Bad Channel", "", "", "", "", "", "", "", "bồ câu", ""],
    ["KH" + "9" * 40, "Long Code", "", "", "", "", "", "", "", "", ""],
]
BAD_KEYS = ["invalid.required", "invalid.phone", "invalid.email", "invalid.date",
            "invalid.future_date", "invalid.province", "invalid.choice", "invalid.choice",
            "invalid.choice", "invalid.too_long"]
BAD_COLUMNS = ["Họ và tên", "Số điện thoại", "Email", "Ngày sinh", "Ngày sinh", "Tỉnh/Thành phố",
               "Giới tính", "Nguồn", "Kênh ưa thích", "Mã KH"]


def test_every_kind_of_bad_cell_is_reported_and_abort_writes_nothing(engine):
    before = counts(engine)
    r = import_file(engine, SYSTEM, csv_bytes(CLEAN + BAD), "customers")
    assert r.aborted and r.abort_reason.key == "import.abort.errors"
    assert r.inserted == 0 and r.rejected == len(BAD)
    # nothing written but the failed import's audit row
    assert counts(engine) == {**before, "audit_log": before["audit_log"] + 1}
    for report, key, column in zip(r.rejects, BAD_KEYS, BAD_COLUMNS, strict=True):
        assert [(i.key, i.column) for i in report.issues] == [(key, column)], report
    assert [x.row for x in r.rejects] == list(range(5, 5 + len(BAD)))


def test_skip_imports_good_rows_and_reports_bad_ones(engine):
    r = import_file(engine, SYSTEM, csv_bytes(CLEAN + BAD), "customers", on_error="skip")
    assert (r.inserted, r.rejected, r.aborted) == (3, len(BAD), False)
    assert len(customers(engine)) == 3
    df = frame(r, "en")
    assert list(df.columns[:3]) == ["Row", "Result", "Reason"]
    assert list(df.columns[3:]) == HEAD
    assert df["Reason"][1].startswith("Số điện thoại: Not a valid Vietnamese phone number")
    assert df["Họ và tên"][1] == "Bad Phone"  # original row kept
    assert report_csv(r).startswith(b"\xef\xbb\xbf")
    back = pd.read_excel(io.BytesIO(report_xlsx(r)), dtype=str)
    assert len(back) == len(BAD)


def test_dry_run_writes_nothing(engine):
    r = import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers", dry_run=True)
    assert r.inserted == 3 and r.dry_run
    assert counts(engine)["customers"] == 0 and counts(engine)["audit_log"] == 0


DUP_FILE = [
    ["KH000001", "An", "0912345678", "", "", "", "", "", "", "", ""],
    ["", "An lặp", "0912 345 678", "", "", "", "", "", "", "", "ghi chú mới"],  # phone as row 2
    ["KH000001", "An lặp mã", "", "", "", "", "", "", "", "", ""],  # code as row 2
    ["", "Chị Hoa", "", "hoa@x.vn", "", "", "", "", "", "", ""],
    ["", "Hoa lặp", "", "HOA@x.vn", "Nữ", "", "", "", "", "", ""],  # email as row 5
]


@pytest.mark.parametrize("mode", ["skip", "update", "abort"])
def test_duplicates_within_the_file(engine, mode):
    r = import_file(engine, SYSTEM, csv_bytes(DUP_FILE), "customers", duplicates=mode)
    df = customers(engine)
    if mode == "abort":
        assert r.aborted and r.abort_reason.key == "import.abort.duplicates"
        assert df.empty
        return
    assert r.inserted == 2 and len(df) == 2
    an = df[df.code == "KH000001"].iloc[0]
    hoa = df[df.email == "hoa@x.vn"].iloc[0]
    if mode == "skip":
        assert r.skipped == 3 and an.full_name == "An" and an.notes is None
        assert {i.key for x in r.rows for i in x.issues} == {"import.dup.in_file"}
        assert hoa.gender is None
    else:
        assert r.updated == 3 and an.full_name == "An lặp mã" and an.notes == "ghi chú mới"
        assert hoa.full_name == "Hoa lặp" and hoa.gender == "female"


@pytest.mark.parametrize("mode", ["skip", "update", "abort"])
def test_duplicates_against_the_database(engine, mode):
    import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers")
    before = customers(engine)
    again = [
        ["KH000001", "An Mới", "", "", "", "", "Đà Nẵng", "", "", "", ""],  # by code
        ["", "Bình Mới", "0987654321", "", "", "", "", "", "", "", ""],  # by phone
        ["", "Cường Mới", "", "cuong@example.vn", "", "", "", "", "", "", ""],  # by email
        ["", "Người mới", "0933333333", "", "", "", "", "", "", "", ""],
    ]
    r = import_file(engine, SYSTEM, csv_bytes(again), "customers", duplicates=mode)
    after = customers(engine).set_index("code")
    if mode == "abort":
        assert r.aborted and len(after) == 3
        return
    assert r.inserted == 1 and len(after) == 4
    if mode == "skip":
        assert r.skipped == 3
        assert after.loc["KH000001"].full_name == "Nguyễn Văn An"
        assert {i.key for x in r.rows for i in x.issues} == {"import.dup.in_db"}
    else:
        assert r.updated == 3
        an = after.loc["KH000001"]
        assert an.full_name == "An Mới" and an.province_code == 48 and an.region == "central"
        assert an.phone == "+84912345678"  # blank cells never erase
        assert "an moi" in an.search_text
        assert int(an.version) == int(before.set_index("code").loc["KH000001"].version) + 1
        assert after.loc["KH000008"].full_name == "Bình Mới"
        assert after.loc["KH000007"].full_name == "Cường Mới"


def test_row_matching_two_customers_is_rejected(engine):
    import_file(engine, SYSTEM, csv_bytes(CLEAN), "customers")
    row = [["KH000001", "X", "0987654321", "", "", "", "", "", "", "", ""]]
    r = import_file(engine, SYSTEM, csv_bytes(row), "customers", duplicates="update",
                    on_error="skip")
    assert r.rejected == 1 and r.rejects[0].issues[0].key == "import.dup.conflict"


@pytest.mark.parametrize("encoding, sep", [("utf-8-sig", ","), ("utf-16", "\t"),
                                           ("utf-8", ";"), ("utf-16", ";")])
def test_encodings_and_separators(engine, encoding, sep):
    r = import_file(engine, SYSTEM, csv_bytes(CLEAN, encoding=encoding, sep=sep), "customers")
    assert r.inserted == 3
    assert set(customers(engine).full_name) == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}


def test_formula_looking_cells_are_stored_as_typed(engine):
    rows = [["", "=HYPERLINK(\"http://x\")", "", "", "", "", "", "-5 Lý Thường Kiệt", "", "",
             "+ khách VIP"], ["", "@Minh", "", "", "", "", "", "", "", "", "=1+2"]]
    r = import_file(engine, SYSTEM, csv_bytes(rows), "customers")
    assert r.inserted == 2
    df = customers(engine)
    assert set(df.full_name) == {"=HYPERLINK(\"http://x\")", "@Minh"}
    assert set(df.notes) == {"+ khách VIP", "=1+2"}
    assert "-5 Lý Thường Kiệt" in set(df.address)


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Khách hàng"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_vietnamese_headers_and_excel_date_serials(engine):
    import datetime as dt

    rows = [HEAD,
            ["KH1", "Phạm Thu Hà", 912345678, None, "Nữ", 32947, "Huế", None, "Sự kiện", "SMS", None],
            ["KH2", "Đỗ Minh", "0987654321", None, "Nam", dt.datetime(1992, 5, 1), "Hà Giang",
             None, None, None, "=1+2"]]
    r = import_file(engine, SYSTEM, _xlsx(rows), "customers", name="k.xlsx")
    assert (r.inserted, r.rejected) == (2, 0)
    df = customers(engine).set_index("code")
    # A phone typed as a number loses its leading 0 in Excel; it is still a valid number.
    assert df.loc["KH1"].phone == "+84912345678"
    assert str(df.loc["KH1"].birth_date)[:10] == "1990-03-15"  # serial 32947
    assert str(df.loc["KH2"].birth_date)[:10] == "1992-05-01"
    assert df.loc["KH2"].notes == "=1+2"
    assert df.loc["KH2"].province_code == 8  # Hà Giang → Tuyên Quang


def test_owner_column_and_staff_scope(engine):
    from crm_data.accounts.auth import add_user
    from crm_data.accounts.scope import Scope

    lan = add_user(engine, "lan", "password123", "staff", "Nguyễn Thị Lan")
    head = ["Họ và tên", "Nhân viên phụ trách"]
    rows = [["A", "lan"], ["B", "Nguyễn Thị Lan"], ["C", ""], ["D", "nobody"]]
    r = import_file(engine, SYSTEM, csv_bytes(rows, head=head), "customers", on_error="skip")
    assert r.rejects[0].issues[0].key == "import.invalid.user"
    df = customers(engine).set_index("full_name")
    assert df.loc["A"].owner_id == lan and df.loc["B"].owner_id == lan
    assert pd.isna(df.loc["C"].owner_id)
    staff = Scope(lan, "lan", "staff")
    import_file(engine, staff, csv_bytes([["E", ""]], head=head), "customers")
    assert customers(engine).set_index("full_name").loc["E"].owner_id == lan
    viewer = Scope(None, "v", "viewer")
    from crm_data.imports import FileProblem

    with pytest.raises(FileProblem):
        import_file(engine, viewer, csv_bytes(CLEAN), "customers")
