"""The rows of an import file a chunk at a time, so that an import never holds the whole
file: a CSV is decoded and split as it is read (from the path, or from the upload's bytes),
and only `size` rows are alive at once. The cells are the ones reading.read_table gives
(same encodings, separator, limits, row numbers). An XLSX is read by read_table (openpyxl
read-only, formulas resolved in a second pass) and handed out in chunks.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crm_data.imports import reading
from crm_data.imports.errors import FileProblem

HEAD_BYTES = 64 * 1024


@dataclass
class Source:
    """An import file: its header and, on demand, its data rows in chunks of
    (row numbers, raw cells); chunks() may be called more than once (each reads anew)."""

    headers: list[str]
    path: Path | None = None
    data: bytes | None = None
    table: reading.Table | None = None  # XLSX, or a CSV the page has parsed already
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)

    def chunks(self, size: int) -> Iterator[tuple[list[int], list[list]]]:
        if self.table is not None:
            t = self.table
            for start in range(0, len(t.rows), size):
                yield t.row_numbers[start:start + size], t.rows[start:start + size]
            return
        numbers, rows = [], []
        for number, row in _csv_rows(self._binary(), self.encoding, self.separator, self.headers):
            numbers.append(number)
            rows.append(row)
            if len(rows) >= size:
                yield numbers, rows
                numbers, rows = [], []
        if rows:
            yield numbers, rows

    def _binary(self):
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.data)  # noqa: SIM115


def open_source(source, name: str | None, sheet: str | None) -> tuple[Source, str]:
    """(Source, file name) for a path or bytes; FileProblem for a file that cannot be read
    (size, encoding, no header...) before anything is written."""
    if isinstance(source, bytes | bytearray | memoryview):
        data, path, name = bytes(source), None, name or "upload"
    else:
        path = Path(source)
        if not path.is_file():
            raise FileProblem("import.file.not_found", {"path": str(path)})
        data, name = None, name or path.name
    size = len(data) if data is not None else path.stat().st_size
    limit = reading.max_bytes()
    if size > limit:
        raise FileProblem("import.file.too_large", {
            "size": round(size / 1024 / 1024, 1), "max": round(limit / 1024 / 1024, 1)})
    with (open(path, "rb") if path is not None else io.BytesIO(data)) as f:  # noqa: SIM115
        head = f.read(HEAD_BYTES)
    if reading.is_xlsx(head, name) or name.lower().endswith(".xls") or not head.strip():
        table = reading.read_table(data if data is not None else path.read_bytes(), name, sheet)
        return Source(table.headers, table=table, sheet=table.sheet, sheets=table.sheets,
                      encoding=table.encoding, separator=table.separator), name
    if data is not None:
        cached = reading.cached_table(data, name, sheet)
        if cached is not None:  # the page parsed this upload for its preview
            return Source(cached.headers, table=cached, encoding=cached.encoding,
                          separator=cached.separator), name
    encoding = _encoding(head)
    text_head = _decode_head(head, encoding)
    first = next((line for line in io.StringIO(text_head.replace("\r\n", "\n").replace("\r", "\n"))
                  if line.strip()), "")
    sep = reading.sniff_separator(first[:reading.MAX_FIELD_CHARS])
    src = Source([], path=path, data=data, encoding=encoding, separator=sep)
    src.headers = _read_headers(src)
    return src, name


def _encoding(head: bytes) -> str:
    """The encoding reading.decode would pick, from the file's first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:200]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    return "utf-8"


def _decode_head(head: bytes, encoding: str) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise FileProblem("import.file.encoding") from exc


def _read_headers(src: Source) -> list[str]:
    for _number, row in _csv_rows(src._binary(), src.encoding, src.separator, None):
        return row
    raise FileProblem("import.file.empty")


def _newlines(cell: str) -> str:
    # read_table turns every \r\n and \r into \n before splitting, quoted cells included.
    return cell.replace("\r\n", "\n").replace("\r", "\n") if "\r" in cell else cell


def _csv_rows(binary, encoding: str, sep: str, headers: list[str] | None):
    """(row number, cells) of the header (headers=None: the header row, cleaned, then stop)
    or of the data rows, with read_table's rules and limits."""
    csv.field_size_limit(reading.MAX_FIELD_CHARS)
    with binary, io.TextIOWrapper(binary, encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=sep)
        seen_header = False
        count, most = 0, reading.max_rows()
        try:
            for number, row in enumerate(reader, start=1):
                reading._check_width(row)
                if not any(c.strip() for c in row):
                    continue
                row = [_newlines(c) for c in row]
                if not seen_header:
                    seen_header = True
                    if headers is None:
                        yield number, reading._clean_headers(row)
                        return
                    continue
                count += 1
                if count > most:
                    raise FileProblem("import.file.too_many_rows", {"max": most})
                yield number, reading._fit(row, len(headers))
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise FileProblem("import.file.field_too_long", {
                    "max": reading.MAX_FIELD_CHARS, "row": reader.line_num}) from exc
            raise FileProblem("import.file.bad_csv", {"reason": str(exc)}) from exc
        except UnicodeDecodeError as exc:
            raise FileProblem("import.file.encoding") from exc
