"""The non-page figures: summary rebuild (rules applied to every customer), the per-write
summary refresh, export and import of 100,000 rows. Each returns a result row."""

from __future__ import annotations

import time
from importlib import import_module

from sqlalchemy import Engine, select

from benchmarks.config import IMPORT_ROWS


def _row(name: str, seconds: float | None, rows: int | None = None, note: str = "",
         status: str = "ok") -> dict:
    return {"task": name, "status": status, "seconds": None if seconds is None else round(seconds, 3),
            "rows": rows, "note": note}


def _available(module: str, names: tuple[str, ...]) -> str | None:
    try:
        mod = import_module(module)
    except ImportError as exc:
        return f"not available yet: {exc}"
    missing = [n for n in names if not hasattr(mod, n)]
    return f"{module} has no {', '.join(missing)}" if missing else None


def summary_rebuild(engine: Engine, today) -> dict:
    """Every customer's figures, RFM scores, tier and groups recomputed (crm rebuild)."""
    from crm_data import summaries

    started = time.perf_counter()
    count = summaries.rebuild_all(engine, today)
    return _row("summary_rebuild", time.perf_counter() - started, count,
                "crm_data.summaries.rebuild_all: rules applied to every customer")


def rules_apply(engine: Engine, today) -> dict:
    """`crm rules apply`: the rules in force re-applied to every customer (budget 10 s at 100k
    on SQLite)."""
    from crm_data.rules import apply as apply_mod

    started = time.perf_counter()
    count = apply_mod.apply_all(engine, today)
    return _row("rules_apply", time.perf_counter() - started, count,
                "crm_data.rules.apply.apply_all: one UPDATE of the classification + journey stages")


def summary_refresh(engine: Engine, today, n: int = 1000) -> dict:
    """The per-write path: refresh_customers for n customers inside one unit of work."""
    from crm_data.storage.db import unit_of_work
    from crm_data.storage.models import Customer
    from crm_data.summaries import refresh_customers

    with engine.connect() as conn:
        ids = list(conn.execute(select(Customer.id).order_by(Customer.id).limit(n)).scalars())
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        refresh_customers(session, ids, today)
    return _row(f"summary_refresh_{n}", time.perf_counter() - started, len(ids),
                "crm_data.summaries.refresh_customers in one transaction")


def clv_fit(engine: Engine, today) -> dict:
    """crm model fit: BG/NBD + Gamma-Gamma fitted, checked on the holdout, every buyer scored
    and stored (budget 30 s at 100,000 customers on SQLite)."""
    from crm_data.clv import fit

    started = time.perf_counter()
    fit_id = fit.fit_and_store(engine, ref=today)
    elapsed = time.perf_counter() - started
    last = fit.latest(engine)
    assert last is not None and last["id"] == fit_id
    err = last["holdout_error"]
    check = "no holdout check" if err is None else f"holdout error {err:+.1%}"
    return _row("clv_fit", elapsed, last["n_customers"],
                f"crm_data.clv.fit.fit_and_store: {last['n_customers']:,} buyers scored, {check}")


def lookalike_fit(engine: Engine, today) -> dict:
    """crm model lookalike --best vip: lead-time features, time-split evaluation, refit and
    every lead without a purchase scored and stored."""
    from crm_data.lookalike import fit

    started = time.perf_counter()
    fit.fit_and_store(engine, best="vip", ref=today)
    elapsed = time.perf_counter() - started
    last = fit.latest(engine)
    auc = "no test AUC" if last["auc"] is None else f"test AUC {last['auc']:.3f}"
    return _row("lookalike_fit", elapsed, last["n_train"] + last["n_test"],
                f"crm_data.lookalike.fit.fit_and_store: {last['n_scored']:,} leads scored, "
                f"{auc}, {last['verdict']}")


def export_rows(engine: Engine, scope, tmpdir) -> dict:
    why = _available("crm_data.customers.export", ("export_customers",))
    if why:
        return _row("export_csv", None, None, why, "skipped")
    from crm_data.customers import export as exports
    from crm_data.filters.customer_filter import CustomerFilter

    path = tmpdir / "export.csv"
    started = time.perf_counter()
    n = exports.export_customers(engine, scope, CustomerFilter(), "csv", path)
    elapsed = time.perf_counter() - started
    return _row("export_csv", elapsed, n,
                f"crm_data.customers.export.export_customers, every customer, CSV "
                f"{path.stat().st_size / 1e6:.1f} MB")


def export_xlsx(engine: Engine) -> dict:
    """Every customer into the XLSX the customer list downloads (crm_data.customers.export.write_xlsx),
    in a child process: its seconds and peak resident memory are the export's alone."""
    why = _available("crm_data.customers.export", ("write_xlsx",))
    if why:
        return _row("export_xlsx", None, None, why, "skipped")
    from benchmarks.xlsx_writers import measure

    m = measure("rustpy", engine.url.render_as_string(hide_password=False))
    if "error" in m:
        return _row("export_xlsx", None, None, m["error"], "error")
    return _row("export_xlsx", m["seconds"], m["rows"],
                f"crm_data.customers.export.write_xlsx (rustpy-xlsxwriter, streamed), every customer, "
                f"{m['file_mb']} MB, {m['cpu_s']} s CPU; child peak RSS {m['peak_rss_mb']} MB "
                f"({m['before_mb']} MB before the export)") | {"peak_rss_mb": m["peak_rss_mb"]}


def import_rows(engine: Engine, tmpdir) -> dict:
    """import_file of IMPORT_ROWS customers (the export's first rows, so the columns are the
    app's own) into an empty database at the schema head, in one transaction."""
    why = _available("crm_data.imports", ("import_file",))
    if why:
        return _row("import_csv", None, None, why, "skipped")
    source = tmpdir / "export.csv"
    if not source.exists():
        return _row("import_csv", None, None, "needs the export task's file", "skipped")
    import csv
    import os

    from crm_data import sample
    from crm_data.accounts.scope import SYSTEM
    from crm_data.imports import import_file
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine

    part = tmpdir / "import.csv"
    with open(source, newline="", encoding="utf-8-sig") as fin, \
            open(part, "w", newline="", encoding="utf-8-sig") as fout:
        reader, writer = csv.reader(fin), csv.writer(fout)
        for n, row in enumerate(reader):
            if n > IMPORT_ROWS:
                break
            writer.writerow(row)
    target_url, drop = _scratch_database(engine, tmpdir)
    os.environ.setdefault("CRM_IMPORT_MAX_MB", "1000")
    target = make_engine(target_url)
    try:
        schema.upgrade(target)
        sample.ensure_demo_users(target)
        started = time.perf_counter()
        result = import_file(target, SYSTEM, part, "customers", on_error="skip")
        elapsed = time.perf_counter() - started
    finally:
        target.dispose()
        drop()
    return _row("import_csv", elapsed, result.inserted,
                f"crm_data.imports.import_file, customers CSV {part.stat().st_size / 1e6:.1f} MB "
                f"into an empty database: read {result.read:,}, inserted {result.inserted:,}, "
                f"rejected {result.rejected:,}")


def _scratch_database(engine: Engine, tmpdir):
    """An empty database on the same engine kind: (url, drop function)."""
    if engine.dialect.name == "sqlite":
        return f"sqlite:///{tmpdir / 'import.db'}", lambda: None
    from benchmarks.database import pg_scratch

    return pg_scratch(engine.url, "crm_bench_import_scratch")


def duplicate_finder(engine: Engine, seed: int) -> dict:
    """The duplicate finder over every customer (crm_data.dedupe.finder.refresh: read,
    block, score, store the pairs), and its precision / recall on the sample's planted
    duplicates (crm_data.sample.duplicates, recomputed from the customer count and the seed)."""
    from sqlalchemy import func

    from crm_data.accounts.scope import SYSTEM
    from crm_data.dedupe import finder
    from crm_data.sample import duplicates
    from crm_data.storage.models import Customer, DuplicatePair

    with engine.connect() as conn:
        n = conn.execute(select(func.max(Customer.id))).scalar() or 0
    started, cpu = time.perf_counter(), time.process_time()
    stored = finder.refresh(engine, SYSTEM)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    with engine.connect() as conn:
        found = {(a, b) for a, b in conn.execute(select(DuplicatePair.a_id, DuplicatePair.b_id))}
    truth = {tuple(sorted(p[:2])) for p in duplicates.planted(n, seed)}
    hit = len(found & truth)
    precision = hit / len(found) if found else 0.0
    recall = hit / len(truth) if truth else 0.0
    return _row("duplicate_finder", seconds, stored,
                f"crm_data.dedupe.finder.refresh ({cpu:.1f} s CPU); planted pairs {len(truth):,}: precision "
                f"{precision:.1%}, recall {recall:.1%} (found {len(found):,})")
