"""Read an uploaded CSV or XLSX into a header row and data rows of raw cells.

CSV: UTF-8 (with or without BOM) or UTF-16 (Excel's "Unicode text"), separator `,` `;`
or tab detected from the header line. Cells stay text exactly as typed.
XLSX: first sheet or a chosen one, read streaming (openpyxl read_only). Dates and numbers
come as Python values; a formula cell gives the value Excel computed when it has one and
otherwise its text as typed.

Limits, each refused with a FileProblem before anything is written: the upload size, the
number of rows and columns, a CSV cell's length; for XLSX, before any XML is parsed, the
unpacked size of the archive, abnormal compression ratios, and DTD / entity declarations
(openpyxl parses with defusedxml too). A file is parsed once: the page's preview, dry
run and import reuse the same Table (treat it as read-only).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field

from crm_data.imports.errors import FileProblem
from crm_data.records.validation import LONG_TEXT, clean_text

DEFAULT_MAX_MB = 50
DEFAULT_MAX_ROWS = 300_000
MAX_COLUMNS = 1_000
# A cell may hold a long note (validation.LONG_TEXT) and then some; a 10 MB "cell" is not data.
MAX_FIELD_CHARS = 2 * LONG_TEXT
# XLSX: the archive's members unpacked (declared sizes; zipfile never yields more than a
# member declares), and the ratio above which one big member is a decompression bomb.
MAX_UNZIPPED_MB = 200
MAX_RATIO = 150
RATIO_CHECKED_FROM = 10 * 1024 * 1024
# The head of each XML member searched for DTD / entity declarations (they precede the
# root element; defusedxml refuses any that hide further in).
XML_HEAD = 64 * 1024
SEPARATORS = (",", ";", "\t")


def max_bytes() -> int:
    """Upload size limit: CRM_IMPORT_MAX_MB (default 50 MB)."""
    try:
        mb = float(os.environ.get("CRM_IMPORT_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def max_rows() -> int:
    """Data rows an import may hold: CRM_IMPORT_MAX_ROWS (default 300,000)."""
    try:
        return max(1, int(os.environ.get("CRM_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)))
    except ValueError:
        return DEFAULT_MAX_ROWS


@dataclass
class Table:
    headers: list[str]
    rows: list[list]  # raw cells, one list per data row, as long as headers
    row_numbers: list[int]  # row number in the file (header = 1), for the reject report
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    separator: str | None = None


def is_xlsx(data: bytes, name: str | None = None) -> bool:
    return data[:4] == b"PK\x03\x04" or bool(name and name.lower().endswith((".xlsx", ".xlsm")))


_parsed: OrderedDict[tuple, Table | FileProblem] = OrderedDict()
_parsed_lock = threading.Lock()
PARSED_KEPT = 2  # the upload being worked on, and the one before it


def read_table(data: bytes, name: str | None = None, sheet: str | None = None,
               limit: int | None = None) -> Table:
    """The table in a CSV or XLSX file (bytes). The same bytes are parsed once: the import
    page's inspect, preview, dry run and import all call this."""
    limit = max_bytes() if limit is None else limit
    kind = "xlsx" if is_xlsx(data, name) else "xls" if (name or "").lower().endswith(".xls") else "csv"
    key = (hashlib.sha256(data).digest(), kind, sheet, limit, max_rows())
    with _parsed_lock:
        hit = _parsed.get(key)
        if hit is not None:
            _parsed.move_to_end(key)
    if hit is None:
        try:
            hit = _read_table(data, name, sheet, limit)
        except FileProblem as exc:
            hit = exc
        with _parsed_lock:
            _parsed[key] = hit
            while len(_parsed) > PARSED_KEPT:
                _parsed.popitem(last=False)
    if isinstance(hit, FileProblem):
        raise hit
    return hit


def cached_table(data: bytes, name: str | None = None, sheet: str | None = None) -> Table | None:
    """The Table read_table already parsed from these bytes, if it still holds it."""
    kind = "xlsx" if is_xlsx(data, name) else "xls" if (name or "").lower().endswith(".xls") else "csv"
    key = (hashlib.sha256(data).digest(), kind, sheet, max_bytes(), max_rows())
    with _parsed_lock:
        hit = _parsed.get(key)
    return hit if isinstance(hit, Table) else None


def _read_table(data: bytes, name: str | None, sheet: str | None, limit: int) -> Table:
    if len(data) > limit:
        raise FileProblem("import.file.too_large", {
            "size": round(len(data) / 1024 / 1024, 1), "max": round(limit / 1024 / 1024, 1)})
    if not data.strip():
        raise FileProblem("import.file.empty")
    if is_xlsx(data, name):
        return _read_xlsx(data, sheet)
    if name and name.lower().endswith(".xls"):
        raise FileProblem("import.file.old_xls")
    return _read_csv(data)


# --- CSV -------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    head = data[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le", errors="strict"), "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return data.decode("utf-16-be", errors="strict"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # Guessing a legacy code page (Windows-1258, TCVN3) would garble names silently.
        raise FileProblem("import.file.encoding") from exc


def sniff_separator(header_line: str) -> str:
    """The candidate separator that splits the header line into the most columns."""
    best, best_count = ",", 0
    for sep in SEPARATORS:
        count = len(next(csv.reader([header_line], delimiter=sep), []))
        if count > best_count:
            best, best_count = sep, count
    return best


def _read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    sep = sniff_separator(first[:MAX_FIELD_CHARS])
    # The limit is process-wide in the csv module; this is the only reader that sets it.
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    headers: list[str] | None = None
    rows, numbers = [], []
    most = max_rows()
    try:
        for number, row in enumerate(reader, start=1):
            _check_width(row)
            if headers is None:
                if not any(c.strip() for c in row):
                    continue
                headers = _clean_headers(row)
                continue
            if not any(c.strip() for c in row):
                continue
            if len(rows) >= most:
                raise FileProblem("import.file.too_many_rows", {"max": most})
            rows.append(_fit(row, len(headers)))
            numbers.append(number)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise FileProblem("import.file.field_too_long", {
                "max": MAX_FIELD_CHARS, "row": reader.line_num}) from exc
        raise FileProblem("import.file.bad_csv", {"reason": str(exc)}) from exc
    if headers is None:
        raise FileProblem("import.file.empty")
    return Table(headers, rows, numbers, encoding=encoding, separator=sep)


def _check_width(cells: list) -> None:
    """Refuse a row wider than MAX_COLUMNS filled cells (a million-column CSV would make
    a million mapping widgets)."""
    if len(cells) > MAX_COLUMNS:
        width = len(cells)
        while width > MAX_COLUMNS and not _filled(cells[width - 1]):
            width -= 1
        if width > MAX_COLUMNS:
            raise FileProblem("import.file.too_many_columns", {
                "n": width, "max": MAX_COLUMNS})


def _clean_headers(row: list) -> list[str]:
    headers = []
    for i, cell in enumerate(row):
        text = "" if cell is None else clean_text(cell).strip().lstrip("\ufeff")
        headers.append(text or f"#{i + 1}")
    # Two columns with one name: the second one gets a suffix so both can be mapped.
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h in seen:
            seen[h] += 1
            headers[i] = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
    return headers


def _fit(row: list, width: int) -> list:
    if len(row) < width:
        return list(row) + [None] * (width - len(row))
    if len(row) > width and not any(_filled(c) for c in row[width:]):
        return list(row[:width])
    return list(row)  # extra filled cells: the row is rejected later with a reason


def _filled(cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


# --- XLSX ------------------------------------------------------------------------------

def sheet_names(data: bytes) -> list[str]:
    wb = _open_workbook(data, data_only=False)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def check_archive(data: bytes) -> None:
    """Refuse an XLSX whose members unpack too large, compress abnormally well, or declare
    a DTD / XML entities — from the zip directory and each XML member's head, before
    openpyxl parses anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem("import.file.bad_xlsx") from exc
    with archive:
        members = archive.infolist()
        unzipped = sum(m.file_size for m in members)
        cap = MAX_UNZIPPED_MB * 1024 * 1024
        if unzipped > cap:
            raise FileProblem("import.file.unzipped_too_large", {
                "size": round(unzipped / 1024 / 1024), "max": MAX_UNZIPPED_MB})
        for m in members:
            if m.file_size >= RATIO_CHECKED_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise FileProblem("import.file.compression", {
                    "ratio": m.file_size // max(m.compress_size, 1)})
        for m in members:
            if not m.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(m) as member:
                    head = member.read(XML_HEAD).upper()
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                raise FileProblem("import.file.bad_xlsx") from exc
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise FileProblem("import.file.xml_dtd")


def _open_workbook(data: bytes, data_only: bool):
    from openpyxl import load_workbook

    check_archive(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise _xlsx_problem(exc) from exc


def _xml_refused() -> tuple[type[Exception], ...]:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # a declared dependency; check_archive still refuses DTDs
        return ()
    return (DefusedXmlException,)


_XML_REFUSED = _xml_refused()


def _xlsx_problem(exc: BaseException) -> FileProblem:
    """defusedxml's refusal (an entity hidden past XML_HEAD) arrives wrapped by openpyxl."""
    seen = exc
    while seen is not None:
        if isinstance(seen, _XML_REFUSED):
            return FileProblem("import.file.xml_dtd")
        seen = seen.__cause__ or seen.__context__
    return FileProblem("import.file.bad_xlsx")


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    wb = _open_workbook(data, data_only=False)
    try:
        return _read_sheet(data, wb, sheet)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise _xlsx_problem(exc) from exc  # XML ParseError is a SyntaxError


def _read_sheet(data: bytes, wb, sheet: str | None) -> Table:
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            sheet = names[0]
        elif sheet not in names:
            raise FileProblem("import.file.no_sheet", {"sheet": sheet, "sheets": ", ".join(names)})
        headers: list[str] | None = None
        rows, numbers, formulas = [], [], []
        most = max_rows()
        for number, cells in enumerate(wb[sheet].iter_rows(), start=1):
            if number > 2 * most + 1:
                # openpyxl yields an empty row for each one a sheet skips: <row r="999999999">
                # alone would be a billion rows. Blank rows count, up to as many as data rows.
                raise FileProblem("import.file.too_many_rows", {"max": most})
            values = [getattr(c, "value", None) for c in cells]
            _check_width(values)
            if headers is None:
                if not any(_filled(v) for v in values):
                    continue
                while values and not _filled(values[-1]):
                    values.pop()
                headers = _clean_headers(values)
                continue
            if not any(_filled(v) for v in values):
                continue
            if len(rows) >= most:
                raise FileProblem("import.file.too_many_rows", {"max": most})
            for col, c in enumerate(cells):
                if getattr(c, "data_type", None) == "f" and col < len(headers):
                    formulas.append((len(rows), col))
            rows.append(_fit(values, len(headers)))
            numbers.append(number)
    finally:
        wb.close()
    if headers is None:
        raise FileProblem("import.file.empty")
    if formulas:
        _use_computed_values(data, sheet, rows, numbers, formulas)
    return Table(headers, rows, numbers, sheet=sheet, sheets=names)


def _use_computed_values(data: bytes, sheet: str, rows: list, numbers: list,
                         formulas: list[tuple[int, int]]) -> None:
    """A formula cell shows the user a value: take the one Excel saved when it is a number
    or a date; otherwise (never calculated, or a text that merely starts with '=') the
    cell's text stays as typed."""
    wanted = {numbers[r]: r for r, _c in formulas}
    cols_by_row: dict[int, list[int]] = {}
    for r, c in formulas:
        cols_by_row.setdefault(r, []).append(c)
    wb = _open_workbook(data, data_only=True)
    try:
        for number, cells in enumerate(wb[sheet].iter_rows(max_row=max(wanted)), start=1):
            r = wanted.get(number)
            if r is None:
                continue
            for c in cols_by_row[r]:
                value = cells[c].value if c < len(cells) else None
                if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
                    rows[r][c] = value
    finally:
        wb.close()
