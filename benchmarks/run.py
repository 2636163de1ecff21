"""Orchestration: database, page cases, DuckDB, tasks, memory, table and JSON."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from fnmatch import fnmatch
from pathlib import Path

from benchmarks.config import BUDGET_MS, DEFAULT_BACKEND, RESULTS_DIR


def _rss_mb() -> float:
    """Peak resident set so far (includes pages of the SQLite file mapped with mmap)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_now() -> dict:
    """Resident set now, split: anonymous (the process's own) and file-backed (mmap)."""
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("RssAnon", "RssFile", "VmRSS")):
                    key, value = line.split(":", 1)
                    out[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _repeat(fn, runs: int, budget_s: float) -> list[float]:
    """Up to `runs` timings, fewer (at least 3) once `budget_s` is spent: a page that takes
    seconds needs no ten runs to show it."""
    out: list[float] = []
    started = time.perf_counter()
    while len(out) < runs and (len(out) < 3 or time.perf_counter() - started < budget_s):
        out.append(fn())
    return out


def _wanted(only, name: str) -> bool:
    return not only or any(fnmatch(name, pat) for pat in only)


def run(args) -> int:
    if getattr(args, "concurrency", False):  # `python -m benchmarks` and `crm bench` alike
        from benchmarks import concurrency

        return concurrency.run(args)
    os.environ["CRM_TODAY"] = args.today.isoformat()  # periods and recency match the data
    backend = args.backend or DEFAULT_BACKEND[args.scale]
    server = None
    if backend == "postgresql":
        from benchmarks import pgserver

        server = pgserver.server()
        print(f"PostgreSQL: {server.description}")
    try:
        if getattr(args, "browser", False):
            from benchmarks import browser

            return browser.run(args, backend, server)
        return _run(args, backend, server)
    finally:
        if server is not None:
            server.stop()


def _run(args, backend: str, server) -> int:
    from benchmarks import cases as case_mod
    from benchmarks import database, duck, imports_scale, machine, report, tasks
    from benchmarks.capture import plans, replay_once, statements, timed
    from crm_data import summaries
    from crm_data.accounts.scope import Scope
    from crm_data.clv import nightly
    from crm_data.storage.db import make_engine

    db = database.obtain(args.scale, args.seed, args.today.isoformat(), backend,
                         server.url if server else None, rebuild=args.rebuild,
                         server_key=server.key if server else "")
    engine = make_engine(db.url)
    code = machine.code_version()  # before the run: the code that was imported
    rss = {"start": _rss_mb()}
    load_start = [round(x, 2) for x in os.getloadavg()]
    summaries.ensure_fresh(engine, args.today)  # what the dashboard does when it starts
    nightly.refit_if_stale(engine, args.today)  # the nightly fit: the pages show its scores

    from sqlalchemy import select

    from crm_data.storage.models import User

    with engine.connect() as conn:
        users = dict(conn.execute(select(User.username, User.id)).all())
    scopes = {"admin": Scope(users.get("admin"), "admin", "admin")}
    if "staff" in users:
        scopes["staff"] = Scope(users["staff"], "staff", "staff")
    budget = BUDGET_MS[backend]
    counts = db.meta.get("counts", {})
    print(f"\n{args.scale} on {backend}: {counts.get('customers', 0):,} customers, "
          f"{counts.get('orders', 0):,} orders; seed took {db.meta.get('seed_s', '?')} s "
          f"({'now' if db.built_now else 'cached, ' + db.meta.get('built_at', '')}); "
          f"today pinned to {args.today}; {args.runs} warm runs\n")

    rows: list[dict] = []
    for case in case_mod.selected(args.only):
        why = case.missing()
        for scope_name in case.scopes:
            if scope_name not in scopes:
                continue
            row = {"case": case.name, "page": case.page, "scope": scope_name,
                   "calls": [c.target for c in case.calls], "duckdb": list(case.duck)}
            if why:
                rows.append(row | {"status": "skipped", "note": why})
                continue
            ctx = case_mod.Ctx(engine, scopes[scope_name], args.today)
            try:
                cold, result = timed(lambda ctx=ctx, case=case: case.run(ctx))
                with statements(engine) as stmts:
                    case.run(ctx)
                per_call: dict[str, list[float]] = {}
                warm = _repeat(lambda ctx=ctx, case=case, per_call=per_call:
                               timed(lambda: case.run(ctx, per_call))[0],
                               args.runs, args.case_seconds)
                raw = _repeat(lambda stmts=stmts: replay_once(engine, stmts), len(warm),
                              args.case_seconds)
            except Exception as exc:  # a case that breaks is reported, not fatal
                rows.append(row | {"status": "error", "note": f"{type(exc).__name__}: {exc}"})
                continue
            median = statistics.median(warm) * 1000
            raw_ms = statistics.median(raw) * 1000
            row |= {
                "status": "ok", "note": case.note, "cold_ms": round(cold * 1000, 2),
                "median_ms": round(median, 2), "p95_ms": round(_p95(warm) * 1000, 2),
                "runs_ms": [round(w * 1000, 2) for w in warm],
                "raw_runs_ms": [round(r * 1000, 2) for r in raw],
                "rows": sum(case_mod.count_rows(r) for r in result),
                "statements": len(stmts), "raw_ms": round(raw_ms, 2),
                "ratio_raw": round(median / raw_ms, 2) if raw_ms else None,
                "within_budget": median <= budget,
                "calls_ms": {t: round(statistics.median(v) * 1000, 2) for t, v in per_call.items()},
            }
            if args.plans or median > budget:
                row["plans"] = plans(engine, stmts)
            rows.append(row)
            slowest = max(row["calls_ms"].items(), key=lambda kv: kv[1])
            print(f"  {case.name:<18} {scope_name:<6} median {median:8.1f} ms  raw {raw_ms:8.1f} ms"
                  f"  slowest call {slowest[0].rpartition('.')[2]} {slowest[1]:.1f} ms", flush=True)
    rss["after_pages"] = _rss_mb()
    rss["after_pages_now"] = _rss_now()

    duck_rows = {}
    duck_load_s = None
    wanted_duck = {q for r in rows if r["status"] == "ok" for q in r["duckdb"]}
    if wanted_duck and not args.skip_duckdb:
        try:
            con, duck_load_s = duck.load(engine)
        except ImportError:
            con = None
            print("duckdb is not installed (pip install -e '.[bench]'): no DuckDB ratios")
        if con is not None:
            for scope_name, scope in scopes.items():
                ctx = case_mod.Ctx(engine, scope, args.today)
                for q in sorted(wanted_duck):
                    fn = duck.QUESTIONS[q]
                    fn(con, ctx)  # cold
                    times = [timed(lambda fn=fn, ctx=ctx: fn(con, ctx))[0] for _ in range(args.runs)]
                    duck_rows[(q, scope_name)] = round(statistics.median(times) * 1000, 3)
            con.close()
        for r in rows:
            if r["status"] == "ok" and r["duckdb"]:
                parts = [duck_rows.get((q, r["scope"])) for q in r["duckdb"]]
                if all(p is not None for p in parts):
                    r["duckdb_ms"] = round(sum(parts), 3)
                    r["ratio_duckdb"] = round(r["median_ms"] / r["duckdb_ms"], 1) if r["duckdb_ms"] else None
    rss["after_duckdb"] = _rss_mb()

    task_rows = []
    if db.meta.get("seed_s") is not None and _wanted(args.only, "seed"):
        n = counts.get("customers", 0)
        task_rows.append({"task": "seed", "status": "ok", "seconds": db.meta["seed_s"], "rows": n,
                          "note": f"crm_data.sample.generate, {counts.get('orders', 0):,} orders; "
                                  f"child peak {db.meta.get('seed_peak_rss_mb')} MB"})
    if duck_load_s is not None:
        task_rows.append({"task": "duckdb_load", "status": "ok", "seconds": round(duck_load_s, 2),
                          "rows": None, "note": "tables copied into in-memory DuckDB via pandas"})
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        tmpdir = Path(tmp)
        steps = (("export", lambda: tasks.export_rows(engine, scopes["admin"], tmpdir)),
                 ("export_xlsx", lambda: tasks.export_xlsx(engine)),
                 ("import", lambda: tasks.import_rows(engine, tmpdir)),
                 ("import_scale", lambda: imports_scale.run(tmpdir, server)),
                 ("summary_refresh", lambda: tasks.summary_refresh(engine, args.today)),
                 ("summary_rebuild", lambda: tasks.summary_rebuild(engine, args.today)),
                 ("rules_apply", lambda: tasks.rules_apply(engine, args.today)),
                 ("clv_fit", lambda: tasks.clv_fit(engine, args.today)),
                 ("duplicate_finder", lambda: tasks.duplicate_finder(engine, args.seed)),
                 ("lookalike_fit", lambda: tasks.lookalike_fit(engine, args.today)))
        for name, step in steps:
            if not _wanted(args.only, name):
                continue
            try:
                done = step()
                task_rows.extend(done if isinstance(done, list) else [done])
            except Exception as exc:
                task_rows.append({"task": name, "status": "error", "seconds": None, "rows": None,
                                  "note": f"{type(exc).__name__}: {exc}"})
    rss["end"] = _rss_mb()

    print()
    report.print_cases(rows, budget)
    report.print_tasks(task_rows)
    now = rss["after_pages_now"]
    print(f"\npeak resident memory of this process: after the pages {rss['after_pages']} MB "
          f"(then {now.get('RssAnon', '?')} MB own + {now.get('RssFile', '?')} MB mapped file), "
          f"with DuckDB {rss['after_duckdb']} MB, at the end {rss['end']} MB")
    over = [f"{r['case']} ({r['scope']})" for r in rows if r["status"] == "ok" and not r["within_budget"]]
    if over:
        print(f"over the {budget:.0f} ms budget: {', '.join(over)} (plans in the JSON)")
    if args.plans:
        for r in rows:
            for p in r.get("plans", []):
                print(f"\n[{r['case']} / {r['scope']}] {p['ms']} ms  {p['sql'][:300]}")
                print("\n".join("    " + line for line in p["plan"]))

    doc = {
        "scale": args.scale, "backend": backend, "seed": args.seed, "today": args.today,
        "runs": args.runs, "budget_ms": budget, "revision": db.revision, "code": code,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine.describe(engine) | {"loadavg_at_start": load_start},
        "database": db.meta,
        "cases": rows, "tasks": task_rows, "peak_rss_mb": rss,
    }
    if server is not None:
        doc["postgresql_server"] = server.description
    print(f"machine speed probe: {doc['machine']['speed_probe_ms']} ms (benchmarks.machine.speed_probe_ms)")
    if not args.no_json:
        path = Path(args.json) if args.json else (
            RESULTS_DIR / f"{args.scale}-{backend}-{time.strftime('%Y%m%d-%H%M')}.json")
        report.write(path, doc)
        print(f"\nresults: {path}")
    engine.dispose()
    return 0
