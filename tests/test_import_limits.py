"""Issue 11, finding 9 (and the file part of 8): an upload cannot make the dashboard parse
hundreds of megabytes, expand XML entities, or build a million columns. Each limit is a
clear FileProblem before any row is parsed or written; a file is parsed only once."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import openpyxl.xml
import pytest
from openpyxl import Workbook
from sqlalchemy import text

from crm_data.accounts.scope import SYSTEM
from crm_data.imports import FileProblem, import_file, reading
from crm_data.imports.reading import read_table
from crm_data.imports.rejects import message

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"
HEADER_ROW = ('<row><c t="inlineStr"><is><t>Họ và tên</t></is></c>'
              '<c t="inlineStr"><is><t>Số điện thoại</t></is></c></row>')
# One customer row of ~240 bytes of sheet XML.
BIG_ROW = ('<row><c t="inlineStr"><is><t>Nguyễn Văn An</t></is></c>'
           '<c t="inlineStr"><is><t>0912345678</t></is></c>'
           '<c t="inlineStr"><is><t>Thành phố Hà Nội</t></is></c>'
           '<c t="inlineStr"><is><t>Khách quen, mua đều</t></is></c>'
           '<c t="n"><v>1250000</v></c></row>')


def xlsx_with_sheet(parts) -> bytes:
    """A valid workbook (made by openpyxl) whose first sheet's XML is `parts` streamed."""
    wb = Workbook()
    wb.active.append(["Họ và tên"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != SHEET:
                dst.writestr(item, src.read(item))
                continue
            info = zipfile.ZipInfo(SHEET)
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w", force_zip64=True) as f:
                for part in parts:
                    f.write(part.encode() if isinstance(part, str) else part)
    return out.getvalue()


def _rows(n: int, row: str = BIG_ROW):
    chunk = row * 10_000
    yield SHEET_HEAD + HEADER_ROW
    for _ in range(n // 10_000):
        yield chunk
    yield row * (n % 10_000) + SHEET_TAIL


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """~1 MB on disk, ~240 MB of sheet XML: one million rows."""
    return xlsx_with_sheet(_rows(1_000_000))


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if openpyxl is asked to parse the workbook."""
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", refuse)


def _problem(data: bytes, name: str) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        read_table(data, name)
    return caught.value


def test_expanding_xlsx_is_refused_before_parsing(bomb, no_parsing):
    assert len(bomb) < 2 * 1024 * 1024
    unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert unpacked > 230 * 1024 * 1024
    problem = _problem(bomb, "bomb.xlsx")
    assert problem.key == "import.file.unzipped_too_large"
    assert problem.values["max"] == reading.MAX_UNZIPPED_MB
    assert "MB" in message(problem, "vi") and "giải nén" in message(problem, "vi")


def test_expanding_xlsx_writes_nothing(engine, bomb, no_parsing):
    with pytest.raises(FileProblem):
        import_file(engine, SYSTEM, bomb, "customers", name="bomb.xlsx")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == 0


def test_abnormal_compression_is_refused_before_parsing(no_parsing):
    data = xlsx_with_sheet(_rows(100_000))  # ~24 MB of identical rows, under the size cap
    problem = _problem(data, "ratio.xlsx")
    assert problem.key == "import.file.compression"
    assert problem.values["ratio"] > reading.MAX_RATIO


ENTITY_SHEET = ('<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<sheetData><row><c t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')


def test_xml_entity_declaration_is_refused(no_parsing):
    problem = _problem(xlsx_with_sheet([ENTITY_SHEET]), "entities.xlsx")
    assert problem.key == "import.file.xml_dtd"


def test_entity_hidden_past_the_head_is_refused_by_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True  # openpyxl parses with defusedxml
    hidden = ENTITY_SHEET.replace("\n", "\n<!--" + "x" * (reading.XML_HEAD * 2) + "-->\n", 1)
    problem = _problem(xlsx_with_sheet([hidden]), "hidden.xlsx")
    assert problem.key == "import.file.xml_dtd"


def test_row_cap_xlsx_and_csv(monkeypatch):
    monkeypatch.setenv("CRM_IMPORT_MAX_ROWS", "50")
    ok = xlsx_with_sheet(_rows(50))
    assert len(read_table(ok, "ok.xlsx").rows) == 50
    problem = _problem(xlsx_with_sheet(_rows(51)), "many.xlsx")
    assert (problem.key, problem.values["max"]) == ("import.file.too_many_rows", 50)
    csv_rows = "Họ và tên,Số điện thoại\n" + "Lê Văn A,0912345678\n" * 51
    assert _problem(csv_rows.encode(), "many.csv").key == "import.file.too_many_rows"


def test_million_column_csv_is_refused():
    data = (",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2\n").encode()
    problem = _problem(data, "wide.csv")
    assert problem.key == "import.file.too_many_columns"
    assert problem.values == {"n": 1_000_000, "max": reading.MAX_COLUMNS}


def test_wide_data_row_is_refused():
    data = ("Họ và tên\nA" + ",x" * (reading.MAX_COLUMNS + 5) + "\n").encode()
    assert _problem(data, "wide_row.csv").key == "import.file.too_many_columns"


def test_ten_megabyte_csv_field_is_refused():
    data = ('Họ và tên,Ghi chú\nLê Văn A,"' + "x" * (10 * 1024 * 1024) + '"\n').encode()
    problem = _problem(data, "field.csv")
    assert problem.key == "import.file.field_too_long"
    assert problem.values["row"] == 2
    assert "ký tự" in message(problem, "vi")


def test_long_note_cell_is_read_whole():
    note = "ghi chú dài " * 12_500  # 150,000 characters: over the csv module's default limit
    data = f'Họ và tên,Ghi chú\nLê Văn A,"{note}"\n'.encode()
    assert read_table(data, "note.csv").rows[0][1] == note


def test_file_is_parsed_once(monkeypatch):
    calls = []
    real = reading._read_table
    monkeypatch.setattr(reading, "_read_table", lambda *a: calls.append(1) or real(*a))
    data = "Họ và tên,Số điện thoại\nLê Văn Một,0912345678\n".encode()
    first = read_table(data, "once.csv")
    assert read_table(data, "once.csv") is first
    assert read_table(bytes(data), "once.csv") is first
    assert len(calls) == 1


def test_headers_lose_control_characters():
    data = "Họ và\x00 tên,Số\x07 điện thoại\nLê Văn A,0912345678\n".encode()
    assert read_table(data, "ctrl.csv").headers == ["Họ và tên", "Số điện thoại"]


def test_far_row_number_is_refused_without_walking_to_it(monkeypatch):
    """openpyxl pads the rows a sheet skips: one row numbered 999,999,999 was a billion
    empty rows to walk through."""
    monkeypatch.setenv("CRM_IMPORT_MAX_ROWS", "50")
    far = ('<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>Lê Văn A</t></is></c>'
           '</row>')
    problem = _problem(xlsx_with_sheet([SHEET_HEAD + HEADER_ROW + far + SHEET_TAIL]), "far.xlsx")
    assert problem.key == "import.file.too_many_rows"
