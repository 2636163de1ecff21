"""Cells that are safe to open in Excel, CSV bytes Excel reads as UTF-8, and the finish of
an XLSX sheet (column widths, frozen header row, filter buttons)."""

from __future__ import annotations

import io

import pandas as pd

# A text cell starting with one of these is run as a formula by Excel / LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that Excel would read as a formula gets a leading apostrophe; numbers,
    dates and everything else pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            # Only the formula-like cells change: a column of ints and blanks stays ints
            # (Series.map would re-infer it as floats and write 3 as "3.0").
            risky = out[col].map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
            if risky.any():
                out.loc[risky.astype(bool), col] = out.loc[risky.astype(bool), col].map(neutralise)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel shows Vietnamese correctly."""
    buf = io.StringIO()
    safe_frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def finish_sheet(sheet, headers: list[str], rows: int, widths: dict[int, int] | None = None) -> None:
    """An xlsxwriter sheet made readable: each column at least as wide as its header (or
    `widths`), the header row frozen and bold filter buttons over the data (rows below
    the header: `rows`). Works in constant_memory mode (no cell is rewritten)."""
    for i, header in enumerate(headers):
        sheet.set_column(i, i, max((widths or {}).get(i, 0), min(len(header) + 3, 40)))
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, max(rows, 1), len(headers) - 1)


def content_widths(df: pd.DataFrame, most: int = 60) -> dict[int, int]:
    """Column index → a width that fits the longest cell (within `most` characters)."""
    return {i: min(most, max([len(str(c)), *(len(str(v)) for v in df[c].tolist())]) + 2)
            for i, c in enumerate(df.columns)}
