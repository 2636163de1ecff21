"""One XLSX sheet streamed from an iterator of rows, in constant memory (rustpy-xlsxwriter:
the Rust rust_xlsxwriter behind a Python call; the choice is measured in docs/performance.md,
"XLSX export").

Every str becomes a string cell (an inline string), which Excel and LibreOffice never
evaluate: "=1+2" stays the text "=1+2" without the apostrophe a CSV needs, and "0912345678"
keeps its leading zero. Numbers stay numbers, date / datetime objects become dates in the
column's number format. The sheet is finished like spreadsheet.finish_sheet: bold header
frozen, filter buttons, each column at least as wide as its header."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import BinaryIO

DAY = "dd/mm/yyyy"
STAMP = "dd/mm/yyyy hh:mm"
MONEY = "#,##0"


def write_sheet(rows: Iterable[Sequence], out: BinaryIO | str, sheet: str, headers: list[str],
                formats: dict[int, str] | None = None,
                widths: dict[int, int] | None = None) -> int:
    """Write `headers` then `rows` (sequences in header order) to `out` (a path or a
    binary file); returns the number of data rows. `formats`: column index → Excel number
    format; `widths`: column index → width in characters. Headers must be distinct."""
    from rustpy_xlsxwriter import Format, write_worksheet

    if len(set(headers)) != len(headers):
        raise ValueError("XLSX headers must be distinct")
    count = 0

    def records():
        nonlocal count
        for row in rows:
            count += 1
            yield dict(zip(headers, row, strict=True))
        if not count:  # the writer takes its header from the first record
            yield dict.fromkeys(headers)

    write_worksheet(
        records(), out, sheet_name=sheet[:31], freeze_row=1, bold_headers=True, autofilter=True,
        column_formats={headers[i]: Format().set_num_format(f) for i, f in (formats or {}).items()},
        column_widths={h: max((widths or {}).get(i, 0), min(len(h) + 3, 40))
                       for i, h in enumerate(headers)},
    )
    return count
