"""import_file(): read → map → convert every row → plan against the database → write, as
one transaction. With on_error="abort" any bad row stops the import and nothing is
written; with "skip" the good rows go in and the bad ones are reported. A killed process
leaves the database as it was (the transaction never commits).

The page (pages/import.py), `crm import` and the benchmark all call this function.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.imports import customers, interactions, orders
from crm_data.imports.cells import Context, Row
from crm_data.imports.errors import FileProblem, Issue
from crm_data.imports.lookup import users_by_name
from crm_data.imports.mapping import (
    Mapping,
    apply_saved,
    check_kind,
    detect,
    missing_required,
)
from crm_data.imports.reading import Table, read_table
from crm_data.imports.similar import similar_notes
from crm_data.storage.db import unit_of_work
from crm_data.summaries import refresh_customers

CHUNK = 2000
ON_ERROR = ("abort", "skip")
DUPLICATES = ("skip", "update", "abort")
# Seconds to sleep after each written chunk: lets a test kill an import mid-write.
DELAY_ENV = "CRM_IMPORT_CHUNK_DELAY"
MODULES = {"customers": customers, "orders": orders, "interactions": interactions}

Progress = Callable[[int, int], None]  # (rows written, rows to write)


@dataclass
class RowReport:
    row: int  # row number in the file (header = 1)
    status: str  # rejected | skipped
    issues: list[Issue]
    original: list  # the row's cells as read


@dataclass
class ImportResult:
    kind: str
    file_name: str
    headers: list[str]
    mapping: Mapping
    dry_run: bool = False
    read: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    created_customers: int = 0
    aborted: bool = False
    abort_reason: Issue | None = None
    rows: list[RowReport] = field(default_factory=list)  # rejected and skipped rows
    notes: list[tuple[int, Issue]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rejects(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == "rejected"]

    @property
    def written(self) -> bool:
        return not (self.aborted or self.dry_run)

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "inserted": self.inserted, "updated": self.updated,
                "skipped": self.skipped, "rejected": self.rejected,
                "created_customers": self.created_customers}


class Steps:
    """Chunks of writes, the progress callback after each, and the test delay."""

    def __init__(self, progress: Progress | None, chunk_size: int):
        self.progress = progress
        self.chunk_size = max(1, chunk_size)
        self.total = 0
        self.done = 0
        try:
            self.delay = float(os.environ.get(DELAY_ENV, "0") or 0)
        except ValueError:
            self.delay = 0.0

    def chunks(self, items: list):
        for start in range(0, len(items), self.chunk_size):
            chunk = items[start:start + self.chunk_size]
            yield chunk
            self.done += len(chunk)
            if self.progress is not None:
                self.progress(self.done, self.total)
            if self.delay:
                time.sleep(self.delay)


class _Rollback(Exception):
    pass


def load_source(source, name: str | None = None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "upload"
    path = Path(source)
    if not path.is_file():
        raise FileProblem("import.file.not_found", {"path": str(path)})
    from crm_data.imports.reading import max_bytes

    size = path.stat().st_size
    if size > max_bytes():
        raise FileProblem("import.file.too_large", {
            "size": round(size / 1024 / 1024, 1), "max": round(max_bytes() / 1024 / 1024, 1)})
    return path.read_bytes(), name or path.name


def resolve_mapping(table: Table, kind: str, mapping: dict | None) -> Mapping:
    check_kind(kind)
    result = detect(table.headers, kind) if mapping is None else apply_saved(
        table.headers, kind, mapping)
    missing = missing_required(result, kind)
    if missing:
        raise FileProblem("import.file.missing_columns",
                          {"fields": "; ".join(" / ".join(alts) for alts in missing)})
    return result


def context(engine: Engine, scope: Scope) -> Context:
    from crm_data.leadscore.questionnaire import load

    with Session(engine) as s:
        return Context(scope, users_by_name(s), questions=load(s))


def convert_rows(table: Table, kind: str, mapping: Mapping, ctx: Context,
                 limit: int | None = None) -> list[Row]:
    """Every row of the table converted (issues and notes on each Row)."""
    module = MODULES[kind]
    fields = [(i, h, f) for i, h in enumerate(table.headers) if (f := mapping.get(h))]
    width = len(table.headers)
    out = []
    for raw, number in zip(table.rows[:limit], table.row_numbers[:limit], strict=True):
        row = Row(number, {f: (h, raw[i]) for i, h, f in fields}, ctx)
        row.values = module.convert(row)
        if len(raw) > width:
            row.issues.append(Issue("import.invalid.extra_cells", {"n": len(raw) - width}))
        out.append(row)
    return out


def import_file(engine: Engine, scope: Scope, source, kind: str, *, name: str | None = None,
                sheet: str | None = None, mapping: dict | None = None, on_error: str = "abort",
                duplicates: str = "skip", create_missing_customers: bool = False,
                dry_run: bool = False, progress: Progress | None = None,
                chunk_size: int = CHUNK) -> ImportResult:
    """Import a CSV / XLSX file (path or bytes) of `kind` (customers | orders | interactions).

    Raises FileProblem when the file as a whole cannot be imported; everything about single
    rows is in the result."""
    if on_error not in ON_ERROR or duplicates not in DUPLICATES:
        raise ValueError(f"on_error in {ON_ERROR}, duplicates in {DUPLICATES}")
    file_name = name or (Path(source).name if isinstance(source, str | Path) else "upload")
    if not scope.can_edit:
        audit.log(engine, scope, "denied", "import", None, detail={"kind": kind, "file": file_name})
        raise FileProblem("import.forbidden")
    try:
        result = _import(engine, scope, source, kind, name=name, sheet=sheet, mapping=mapping,
                         on_error=on_error, duplicates=duplicates,
                         create_missing_customers=create_missing_customers, dry_run=dry_run,
                         progress=progress, chunk_size=chunk_size)
    except FileProblem as exc:
        if not dry_run:
            _failed(engine, scope, kind, file_name, exc.key, exc.values)
        raise
    except Exception as exc:
        if not dry_run:
            _failed(engine, scope, kind, file_name, type(exc).__name__, {})
        raise
    if result.aborted and not dry_run:
        _failed(engine, scope, kind, file_name, result.abort_reason.key,
                {**result.abort_reason.values, "read": result.read, "rejected": result.rejected})
    return result


def _failed(engine: Engine, scope: Scope, kind: str, file_name: str, reason: str,
            values: dict) -> None:
    """A failed import (not a check: dry runs are not imports) leaves an audit row: what,
    which file, why; never the rows' data."""
    detail = {"kind": kind, "file": file_name, "reason": reason,
              **{k: v for k, v in values.items() if isinstance(v, int | float | str)}}
    audit.log(engine, scope, "import_failed", "import", None, detail=detail)


def _import(engine: Engine, scope: Scope, source, kind: str, *, name, sheet, mapping, on_error,
            duplicates, create_missing_customers, dry_run, progress, chunk_size) -> ImportResult:
    started = time.perf_counter()
    data, name = load_source(source, name)
    table = read_table(data, name, sheet)
    used = resolve_mapping(table, kind, mapping)
    ctx = context(engine, scope)
    rows = convert_rows(table, kind, used, ctx)
    result = ImportResult(kind, name, table.headers, used, dry_run=dry_run, read=len(rows))
    originals = dict(zip(table.row_numbers, table.rows, strict=True))
    for row in rows:
        result.notes.extend((row.number, n) for n in row.notes)
    good = [(r.number, r.values) for r in rows if not r.issues]
    bad = {r.number: list(r.issues) for r in rows if r.issues}
    steps = Steps(progress, chunk_size)
    module = MODULES[kind]
    try:
        with unit_of_work(engine, write=not dry_run) as s:
            plan = module.plan(s, ctx, good, duplicates,
                               **({"create_missing": create_missing_customers}
                                  if kind != "customers" else {}))
            if kind == "customers":  # likely duplicates the exact keys miss: a note
                result.notes.extend(similar_notes(s, [(p.number, p.values) for p in plan.inserts]))
            for number, issue in plan.rejected:
                bad.setdefault(number, []).append(issue)
            skipped = {}
            for number, issue in plan.skipped:
                skipped.setdefault(number, []).append(issue)
            result.rows = sorted(
                [RowReport(n, "rejected", issues, originals[n]) for n, issues in bad.items()]
                + [RowReport(n, "skipped", issues, originals[n]) for n, issues in skipped.items()],
                key=lambda r: r.row)
            result.rejected, result.skipped = len(bad), len(skipped)
            result.inserted, result.updated = module.counts(plan)
            result.created_customers = len(getattr(plan, "new_customers", []))
            if on_error == "abort" and bad:
                first = min(bad)
                result.aborted = True
                result.abort_reason = Issue("import.abort.errors", {"n": len(bad), "row": first})
            elif duplicates == "abort" and plan.duplicates:
                first = plan.duplicates[0]
                result.aborted = True
                result.abort_reason = Issue("import.abort.duplicates", {
                    "n": len(plan.duplicates), "row": first[0]})
            if result.aborted or dry_run:
                raise _Rollback
            touched = module.write(s, plan, steps)
            refresh_customers(s, touched)
            audit.record(s, scope, "import", kind, None, detail={
                "file": name, **result.counts(), "on_error": on_error,
                "duplicates": duplicates, "create_missing_customers": create_missing_customers})
    except _Rollback:
        pass
    if result.aborted:
        result.inserted = result.updated = result.created_customers = 0
    result.seconds = time.perf_counter() - started
    return result
