"""Import cell parsing, header mapping and file reading (no database)."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from crm_data.imports import parsing
from crm_data.imports.errors import FileProblem
from crm_data.imports.mapping import apply_saved, detect, from_json, missing_required, to_json
from crm_data.imports.reading import read_table
from crm_data.records.validation import Invalid


@pytest.mark.parametrize("raw, expected", [
    ("1.234.567", 1234567), ("1,234,567 ₫", 1234567), ("1 234 567đ", 1234567),
    ("1234567", 1234567), ("1.500", 1500), ("1,500", 1500), ("1.2tr", 1_200_000),
    ("1,5 triệu", 1_500_000), ("2tr5", 2_500_000), ("500k", 500_000), ("1 tỷ", 1_000_000_000),
    ("1.234.567 VND", 1234567), ("₫1,234,567", 1234567), (1234567, 1234567),
    (1234567.0, 1234567), ("", 0), (None, 0), ("0", 0),
])
def test_amounts(raw, expected):
    assert parsing.amount(raw) == expected


@pytest.mark.parametrize("raw, key", [
    ("1,5", "invalid.amount"), ("12.50", "invalid.amount"), ("1.234,5", "invalid.amount"),
    ("abc", "invalid.amount"), ("-100", "invalid.negative"), ("(1.000)", "invalid.negative"),
    (12.5, "invalid.amount"), ("1.2345678tr", "invalid.amount"), ("1.2.3tr", "invalid.amount"),
    ("1,5tr5", "invalid.amount"), (True, "invalid.amount"),
])
def test_bad_amounts_are_rejected_not_guessed(raw, key):
    with pytest.raises(Invalid) as exc:
        parsing.amount(raw)
    assert exc.value.key == key


@pytest.mark.parametrize("raw, expected", [
    ("15/03/2024", dt.datetime(2024, 3, 15)), ("2024-03-15", dt.datetime(2024, 3, 15)),
    ("5/3/2024", dt.datetime(2024, 3, 5)), ("15-03-2024", dt.datetime(2024, 3, 15)),
    ("15.03.2024", dt.datetime(2024, 3, 15)), ("15/03/2024 14:30", dt.datetime(2024, 3, 15, 14, 30)),
    ("2024-03-15 08:05:09", dt.datetime(2024, 3, 15, 8, 5, 9)),
    ("2024-03-15T08:05", dt.datetime(2024, 3, 15, 8, 5)),
    (45366, dt.datetime(2024, 3, 15)), ("45366", dt.datetime(2024, 3, 15)),
    (45366.5, dt.datetime(2024, 3, 15, 12, 0)), (dt.date(2024, 3, 15), dt.datetime(2024, 3, 15)),
    (dt.datetime(2024, 3, 15, 9), dt.datetime(2024, 3, 15, 9)), ("15/03/24", dt.datetime(2024, 3, 15)),
])
def test_dates(raw, expected):
    assert parsing.timestamp(raw) == expected


@pytest.mark.parametrize("raw", ["12/25/2024", "32/01/2024", "2024-13-01", "hôm qua", "20240315", 12])
def test_bad_dates(raw):
    with pytest.raises(Invalid):
        parsing.timestamp(raw)


def test_future_dates_rejected_when_asked():
    with pytest.raises(Invalid) as exc:
        parsing.date("01/01/2099", not_future=True)
    assert exc.value.key == "invalid.future_date"


@pytest.mark.parametrize("raw, expected", [("2", 2), (3.0, 3), ("", 1), (None, 1)])
def test_quantity(raw, expected):
    assert parsing.quantity(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "x"])
def test_bad_quantity(raw):
    with pytest.raises(Invalid):
        parsing.quantity(raw)


def test_formula_looking_text_is_kept_as_typed():
    for raw in ("=SUM(A1:A3)", "+84 là mã vùng", "-giảm giá", "@khach"):
        assert parsing.text(raw) == raw


# --- mapping ---------------------------------------------------------------------------

def test_detects_vietnamese_and_english_headers_with_or_without_diacritics():
    headers = ["Mã KH", "Họ và tên", "SĐT", "E-mail", "Ngày sinh", "Tỉnh/Thành phố", "Địa chỉ",
               "Nguon", "Kenh ua thich", "Ghi chú", "Cột lạ"]
    m = detect(headers, "customers")
    assert m == {"Mã KH": "code", "Họ và tên": "full_name", "SĐT": "phone", "E-mail": "email",
                 "Ngày sinh": "birth_date", "Tỉnh/Thành phố": "province", "Địa chỉ": "address",
                 "Nguon": "source", "Kenh ua thich": "preferred_channel", "Ghi chú": "notes",
                 "Cột lạ": None}
    assert detect(["Ho ten", "Điện thoại"], "customers") == {"Ho ten": "full_name",
                                                            "Điện thoại": "phone"}
    assert detect(["Tên khách hàng", "Số điện thoại"], "customers")["Tên khách hàng"] == "full_name"
    assert detect(["Full name", "Phone number", "Province"], "customers") == {
        "Full name": "full_name", "Phone number": "phone", "Province": "province"}
    orders = detect(["Mã đơn", "Mã KH", "Ngày mua", "Thành tiền", "Số lượng"], "orders")
    assert orders == {"Mã đơn": "code", "Mã KH": "customer_code", "Ngày mua": "order_date",
                      "Thành tiền": "amount", "Số lượng": "quantity"}
    assert missing_required(orders, "orders") == []
    assert missing_required({"Mã KH": "customer_code"}, "orders") == [("order_date",),
                                                                     ("amount", "unit_price")]


def test_saved_mapping_round_trip_and_override():
    headers = ["Cột A", "Cột B"]
    saved = from_json(to_json({"Cột A": "full_name", "Cột B": "phone"}, "customers"))
    assert apply_saved(headers, "customers", saved) == {"Cột A": "full_name", "Cột B": "phone"}
    # Saved under another spelling of the header (no diacritics) still applies.
    assert apply_saved(["Cot A"], "customers", {"columns": {"Cột A": "full_name"}}) == {
        "Cot A": "full_name"}
    with pytest.raises(FileProblem):
        apply_saved(headers, "customers", {"columns": {"Cột A": "full_name", "Cột B": "full_name"}})
    with pytest.raises(FileProblem):
        apply_saved(headers, "orders", saved)
    with pytest.raises(FileProblem):
        from_json(b"not json")


# --- reading ---------------------------------------------------------------------------

ROWS = [["Họ và tên", "SĐT", "Ghi chú"], ["Nguyễn Văn Đức", "0912345678", "a,b; c"],
        ["Trần Thị Ánh", "0987654321", ""]]


def _csv(sep: str) -> str:
    import csv

    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(ROWS)
    return buf.getvalue()


@pytest.mark.parametrize("encoding, sep", [
    ("utf-8", ","), ("utf-8-sig", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("utf-16", ","),
    ("utf-16-le", "\t"), ("utf-8", "\t"),
])
def test_csv_encodings_and_separators(encoding, sep):
    data = _csv(sep).encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    table = read_table(data, "x.csv")
    assert table.headers == ROWS[0]
    assert table.rows == [ROWS[1], ROWS[2]]
    assert table.row_numbers == [2, 3]
    assert table.separator == sep


def test_unknown_encoding_and_size_limit_are_clear():
    with pytest.raises(FileProblem) as exc:
        read_table("Họ tên\nĐức\n".encode().replace(b"\xc3", b"\xe3"), "x.csv")
    assert exc.value.key == "import.file.encoding"
    with pytest.raises(FileProblem) as exc:
        read_table(b"a,b\n1,2\n" * 1000, "x.csv", limit=100)
    assert exc.value.key == "import.file.too_large"
    with pytest.raises(FileProblem):
        read_table(b"   \n", "x.csv")


def test_xlsx_first_or_chosen_sheet_with_dates_and_formulas():
    wb = Workbook()
    ws = wb.active
    ws.title = "Khác"
    ws.append(["x"])
    ws2 = wb.create_sheet("Khách hàng")
    ws2.append(["Họ và tên", "Ngày sinh", "Ghi chú", "Số"])
    ws2.append(["An", dt.datetime(1990, 3, 15), "=1+2", 5])
    ws2.append(["Bình", 32947, "@abc", "=D2*2"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    assert read_table(data, "k.xlsx").headers == ["x"]
    table = read_table(data, "k.xlsx", sheet="Khách hàng")
    assert table.sheets == ["Khác", "Khách hàng"]
    assert table.rows[0] == ["An", dt.datetime(1990, 3, 15), "=1+2", 5]
    # A formula never calculated by Excel has no saved value: its text stays as typed.
    assert table.rows[1] == ["Bình", 32947, "@abc", "=D2*2"]
    with pytest.raises(FileProblem) as exc:
        read_table(data, "k.xlsx", sheet="Nope")
    assert exc.value.key == "import.file.no_sheet"
