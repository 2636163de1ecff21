"""Imports at scale (issue 16): a customers file and an orders file (about 1.3 lines per
order, a fifth of the lines naming customers not in the customers file, created by the
import) of each size in IMPORT_SCALE_ROWS (100,000; CRM_BENCH_IMPORT_ROWS=100000,1000000 adds
a million), generated deterministically into the bench's temp dir, each imported by a child
process (`python -m benchmarks.import_child`) into an empty database on SQLite and on
PostgreSQL (the bench's server, or a throwaway local cluster): the import's seconds and the
child's peak resident memory, beside the budgets (100,000 rows ≤ 30 s, peak ≤ 300 MB at
1,000,000 rows)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.config import IMPORT_SCALE_ROWS

SECONDS_BUDGET = {100_000: 30.0}
RSS_BUDGET_MB = 300.0


def sizes() -> list[int]:
    """CRM_BENCH_IMPORT_ROWS=100000,1000000 overrides the sizes (default: 100,000 alone)."""
    env = os.environ.get("CRM_BENCH_IMPORT_ROWS", "").strip()
    return [int(x) for x in env.split(",") if x.strip()] if env else list(IMPORT_SCALE_ROWS)


def engines() -> list[str]:
    """CRM_BENCH_IMPORT_ENGINES=sqlite leaves PostgreSQL out (e.g. for a million rows)."""
    env = os.environ.get("CRM_BENCH_IMPORT_ENGINES", "").strip()
    return [x.strip() for x in env.split(",") if x.strip()] if env else ["sqlite", "postgresql"]


def run(tmpdir: Path, server=None) -> list[dict]:
    """One task row per size, kind and engine."""
    from crm_data.imports.bench import write_customers_csv, write_orders_csv

    own = None
    if server is None and "postgresql" in engines():
        try:
            from benchmarks import pgserver

            server = own = pgserver.server()
        except Exception as exc:  # no PostgreSQL here: SQLite alone, and say so
            print(f"imports at scale: no PostgreSQL ({exc})")
    rows: list[dict] = []
    try:
        for n in sizes():
            customers, orders = tmpdir / f"customers_{n}.csv", tmpdir / f"orders_{n}.csv"
            write_customers_csv(customers, n)
            write_orders_csv(orders, n, n)
            for backend in engines():
                if backend == "postgresql" and server is None:
                    continue
                rows.extend(_one(backend, n, customers, orders, tmpdir, server))
            customers.unlink()
            orders.unlink()
    finally:
        if own is not None:
            own.stop()
    return rows


def _one(backend: str, n: int, customers: Path, orders: Path, tmpdir: Path, server) -> list[dict]:
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine

    url, drop = _scratch(backend, tmpdir, server)
    out = []
    try:
        engine = make_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        for kind, path, extra in (("customers", customers, []),
                                  ("orders", orders, ["--create-missing"])):
            fig = _child(url, kind, path, extra)
            budget = SECONDS_BUDGET.get(n)
            within = fig["peak_rss_mb"] <= RSS_BUDGET_MB and (budget is None or fig["seconds"] <= budget)
            out.append({
                "task": f"import_{kind}_{n // 1000}k_{backend}", "status": "ok",
                "seconds": fig["seconds"], "rows": n, "peak_rss_mb": fig["peak_rss_mb"],
                "chunk_anon_mb": fig.get("chunk_anon_mb"),
                "within_budget": within, "counts": {k: fig[k] for k in (
                    "read", "inserted", "skipped", "rejected", "created_customers")},
                "note": f"crm import {kind} ({path.stat().st_size / 1e6:.0f} MB CSV) into "
                        f"{'the customers just imported' if kind == 'orders' else 'an empty database'}"
                        f": child peak {fig['peak_rss_mb']} MB, inserted {fig['inserted']:,}, "
                        f"created customers {fig['created_customers']:,}"})
            print(f"  {out[-1]['task']:<32} {fig['seconds']:8.1f} s  peak {fig['peak_rss_mb']:6.0f} MB",
                  flush=True)
    finally:
        drop()
    return out


def _child(url: str, kind: str, path: Path, extra: list[str]) -> dict:
    env = dict(os.environ, CRM_IMPORT_MAX_MB="2000", CRM_IMPORT_MAX_ROWS="2000000")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.import_child", url, kind, str(path),
                           *extra], env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:  # its traceback went to stderr with its progress lines
        raise RuntimeError(f"import child failed after {time.perf_counter() - started:.0f} s "
                           f"(exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _scratch(backend: str, tmpdir: Path, server):
    """An empty database: (url, drop function)."""
    if backend == "sqlite":
        path = tmpdir / "import_scale.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

        def drop():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return f"sqlite:///{path}", drop
    from benchmarks.database import pg_scratch

    return pg_scratch(server.url, "crm_bench_import_scale")
