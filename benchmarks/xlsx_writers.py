"""XLSX writers side by side on the customer export: the same rows from the database
(crm_data.customers.export.iter_rows, every customer) into each candidate writer, each in a fresh
child process so that its time and peak resident memory are its own.

    python -m benchmarks.xlsx_writers [--url sqlite:///benchmarks/cache/crm_s_s42_20261120.db]

`rows` is the floor (database + row shaping, no file). The choice and the figures are in
docs/performance.md, section "XLSX export"."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from benchmarks.config import BENCH_TODAY, CACHE_DIR, HERE
from benchmarks.machine import peak_mb

CANDIDATES = ("rows", "xlsxwriter", "pyexcelerate", "rustpy")
URL_VAR = "CRM_BENCH_EXPORT_URL"


def _typed(rows):
    """Rows as a generic writer wants them: dates as date / datetime objects."""
    from crm_data.customers import export as exports

    for row in rows:
        for i in exports.DATE_COLUMNS:
            row[i] = row[i] and dt.date.fromisoformat(row[i][:10])
        v = row[exports.STAMP_COLUMN]
        row[exports.STAMP_COLUMN] = v and dt.datetime.fromisoformat(v[:19])
        yield row


def _xlsxwriter(rows, path):
    """xlsxwriter in constant_memory mode, one write_* call per cell (the export until
    issue 16)."""
    import xlsxwriter

    from crm_data.customers import export as exports

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet("export")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, exports.headers())
    dates = set(exports.DATE_COLUMNS)
    n = 0
    for n, row in enumerate(_typed(rows), start=1):
        for col, v in enumerate(row):
            if v is None:
                continue
            if col in dates:
                sheet.write_datetime(n, col, v, day)
            elif col == exports.STAMP_COLUMN:
                sheet.write_datetime(n, col, v, stamp)
            elif isinstance(v, str):
                sheet.write_string(n, col, v)
            else:
                sheet.write_number(n, col, v)
    book.close()
    return n


def _pyexcelerate(rows, path):
    """PyExcelerate: the whole sheet as a list of rows in memory, then one save. It writes
    a str starting with '=' as a formula, so such cells would need the apostrophe back."""
    from pyexcelerate import Workbook

    from crm_data.customers import export as exports

    data = [exports.headers(), *_typed(rows)]
    Workbook().new_sheet("export", data=data).workbook.save(path)
    return len(data) - 1


def _rustpy(rows, path):
    """rustpy-xlsxwriter as the app uses it (crm_data.customers.export.write_xlsx)."""
    from crm_data.customers import export as exports

    return exports.write_xlsx(rows, path)


def _one(name: str, url: str) -> dict:
    os.environ["CRM_TODAY"] = BENCH_TODAY.isoformat()
    from crm_data.accounts.scope import SYSTEM
    from crm_data.customers import export as exports
    from crm_data.filters.customer_filter import CustomerFilter
    from crm_data.storage.db import make_engine

    engine = make_engine(url)
    base = peak_mb()
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/export.xlsx"
        started, cpu = time.perf_counter(), time.process_time()
        rows = exports.iter_rows(engine, SYSTEM, CustomerFilter())
        if name == "rows":
            n = sum(1 for _ in rows)
        else:
            n = {"xlsxwriter": _xlsxwriter, "pyexcelerate": _pyexcelerate, "rustpy": _rustpy}[name](rows, path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = os.path.getsize(path) / 1e6 if os.path.exists(path) else 0.0
    peak = peak_mb()
    return {"writer": name, "rows": n, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "peak_rss_mb": round(peak, 1), "before_mb": round(base, 1), "file_mb": round(size, 1)}


def measure(name: str, url: str) -> dict:
    """One candidate in a child process (its peak RSS is not mixed with the caller's)."""
    # The URL goes by environment, not argv: a PostgreSQL password stays out of `ps`.
    out = subprocess.run([sys.executable, "-m", "benchmarks.xlsx_writers", "--one", name],
                         capture_output=True, text=True, check=False, cwd=HERE.parent,
                         env={**os.environ, URL_VAR: url})
    if out.returncode:
        # The exception's own line, not the SQL and links SQLAlchemy prints after it.
        lines = [ln for ln in out.stderr.splitlines() if re.match(r"[\w.]+(Error|Exception)\b", ln)]
        return {"writer": name, "error": (lines or [f"exit {out.returncode}"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--url", default=os.environ.get(
        URL_VAR, f"sqlite:///{CACHE_DIR / 'crm_s_s42_20261120.db'}"))
    p.add_argument("--one", choices=CANDIDATES, help=argparse.SUPPRESS)
    p.add_argument("--runs", type=int, default=1)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(_one(args.one, args.url)))
        return 0
    for _ in range(args.runs):
        for name in CANDIDATES:
            print(json.dumps(measure(name, args.url)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
