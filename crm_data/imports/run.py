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
from itertools import chain
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.imports import customers, interactions, orders
from crm_data.imports.cells import Context, Row
from crm_data.imports.customer_job import CustomerJob
from crm_data.imports.errors import FileProblem, Issue
from crm_data.imports.history_job import InteractionJob, OrderJob
from crm_data.imports.lookup import CodeSequence, users_by_name
from crm_data.imports.mapping import (
    Mapping,
    apply_saved,
    check_kind,
    detect,
    missing_required,
)
from crm_data.imports.reading import Table
from crm_data.imports.streaming import Source, open_source
from crm_data.records import validation as v
from crm_data.records.validation import Invalid
from crm_data.storage import bulk
from crm_data.storage.db import unit_of_work
from crm_data.summaries import refresh_customers

CHUNK = 2000  # file rows converted, planned and written at a time
REFRESH_BATCH = 10_000  # touched ids handed to the summary refresh at a time (one call)
ANALYZE_ROWS = 10_000  # rows written from which the import refreshes planner statistics
ON_ERROR = ("abort", "skip")
DUPLICATES = ("skip", "update", "abort")
# Seconds to sleep after each written chunk: lets a test kill an import mid-write.
DELAY_ENV = "CRM_IMPORT_CHUNK_DELAY"
MODULES = {"customers": customers, "orders": orders, "interactions": interactions}
JOBS = {"customers": CustomerJob, "orders": OrderJob, "interactions": InteractionJob}

Progress = Callable[[int, int], None]  # (rows done, rows in the file)


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
    """Chunks of the file, the progress callback after each, and the test delay."""

    def __init__(self, progress: Progress | None, chunk_size: int):
        self.progress = progress
        self.chunk_size = max(1, chunk_size)
        self.total = 0
        self.done = 0
        try:
            self.delay = float(os.environ.get(DELAY_ENV, "0") or 0)
        except ValueError:
            self.delay = 0.0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)
        if self.delay:
            time.sleep(self.delay)


class _Rollback(Exception):
    pass


def resolve_mapping(table: Table | Source, kind: str, mapping: dict | None) -> Mapping:
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
    return convert_chunk(table.headers, table.row_numbers[:limit], table.rows[:limit], kind,
                         mapping, ctx)


def convert_chunk(headers: list[str], numbers: list[int], raws: list[list], kind: str,
                  mapping: Mapping, ctx: Context) -> list[Row]:
    module = MODULES[kind]
    fields = [(i, h, f) for i, h in enumerate(headers) if (f := mapping.get(h))]
    width = len(headers)
    out = []
    for raw, number in zip(raws, numbers, strict=True):
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
    src, name = open_source(source, name, sheet)
    used = resolve_mapping(src, kind, mapping)
    ctx = context(engine, scope)
    result = ImportResult(kind, name, src.headers, used, dry_run=dry_run)
    job_class = JOBS[kind]
    steps = Steps(progress, chunk_size)
    sequences, steps.total = _prescan(src, used, job_class.code_fields, steps.chunk_size)
    tally = _Tally()
    try:
        # A dry run writes too, and rolls back: it answers exactly as the import would.
        with unit_of_work(engine, write=True) as s, bulk.unmapped(s):
            job = job_class(s, ctx, duplicates, sequences, create_missing_customers)
            try:
                for numbers, raws in src.chunks(steps.chunk_size):
                    rows = convert_chunk(src.headers, numbers, raws, kind, used, ctx)
                    result.read += len(rows)
                    for row in rows:
                        result.notes.extend((row.number, n) for n in row.notes)
                    plan = job.plan(s, [(r.number, r.values) for r in rows if not r.issues])
                    tally.add(dict(zip(numbers, raws, strict=True)),
                              {r.number: list(r.issues) for r in rows if r.issues}, plan)
                    del rows, raws
                    job.write(s, plan)
                    steps.advance(len(numbers))
                job.finish(s)
                result.notes.extend(job.similar)
                result.rows = tally.reports()
                result.rejected, result.skipped = len(tally.bad), tally.skipped
                result.inserted, result.updated = job.inserted, job.updated
                result.created_customers = job.created_customers
                if on_error == "abort" and tally.bad:
                    result.aborted = True
                    result.abort_reason = Issue("import.abort.errors", {
                        "n": len(tally.bad), "row": min(tally.bad)})
                elif duplicates == "abort" and tally.duplicates:
                    result.aborted = True
                    result.abort_reason = Issue("import.abort.duplicates", {
                        "n": tally.duplicates, "row": tally.first_duplicate})
                if result.aborted or dry_run:
                    raise _Rollback
                touched = job.complete(s)
                if result.inserted + result.updated + result.created_customers >= ANALYZE_ROWS:
                    bulk.analyze(s, job.tables)  # the refresh's plans see the new rows
                refresh_customers(s, chain.from_iterable(touched.batches(REFRESH_BATCH)),
                                  presorted=True)
                audit.record(s, scope, "import", kind, None, detail={
                    "file": name, **result.counts(), "on_error": on_error,
                    "duplicates": duplicates,
                    "create_missing_customers": create_missing_customers})
            finally:
                job.close()
    except _Rollback:
        pass
    if result.aborted:
        result.inserted = result.updated = result.created_customers = 0
    result.seconds = time.perf_counter() - started
    return result


class _Tally:
    """The rows not imported (rejected or skipped, with their original cells: all the
    reject report needs) and the duplicates found, gathered chunk by chunk."""

    def __init__(self):
        self.bad: dict[int, list[Issue]] = {}
        self.skips: dict[int, list[Issue]] = {}
        self.originals: dict[int, list] = {}
        self.duplicates = 0
        self.first_duplicate: int | None = None

    @property
    def skipped(self) -> int:
        return len(self.skips)

    def add(self, originals: dict[int, list], bad: dict[int, list[Issue]], plan) -> None:
        for number, issue in plan.rejected:
            bad.setdefault(number, []).append(issue)
        for number, issues in bad.items():
            self.bad.setdefault(number, []).extend(issues)
            self.originals[number] = originals[number]
        for number, issue in plan.skipped:
            self.skips.setdefault(number, []).append(issue)
            self.originals[number] = originals[number]
        if plan.duplicates and self.first_duplicate is None:
            self.first_duplicate = plan.duplicates[0][0]
        self.duplicates += len(plan.duplicates)

    def reports(self) -> list[RowReport]:
        return sorted(
            [RowReport(n, "rejected", issues, self.originals[n]) for n, issues in self.bad.items()]
            + [RowReport(n, "skipped", issues, self.originals[n])
               for n, issues in self.skips.items()],
            key=lambda r: r.row)


def _prescan(src: Source, mapping: Mapping, code_fields: dict[str, str], size: int
             ) -> tuple[dict[str, CodeSequence], int]:
    """One quick pass over the file before the import: its data rows (the progress total)
    and the codes it gives (codes the import assigns must not take them)."""
    sequences = {f: CodeSequence(prefix) for f, prefix in code_fields.items()}
    columns = [(i, sequences[f]) for i, h in enumerate(src.headers)
               if (f := mapping.get(h)) in sequences]
    total = 0
    for _numbers, raws in src.chunks(size):
        total += len(raws)
        for i, seq in columns:
            seq.see(code for raw in raws if (code := _code(raw[i])))
    return sequences, total


def _code(cell) -> str | None:
    try:
        return v.optional_text(cell, 32)
    except Invalid:
        return None
