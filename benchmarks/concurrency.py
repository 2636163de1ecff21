"""Many users at once (`python -m benchmarks --concurrency [--sessions 20] [--processes 1|2]`):
the real app (`streamlit run app.py`, loopback, free port) on a copy of the benchmark's
SQLite database, `--sessions` signed-in browser sessions clicking through their pages and
one writer saving the customer page's call form, for `--seconds`; with `--processes 2`
two app processes behind HAProxy with sticky sessions (benchmarks/proxy.py).

Prints p50 / p95 / max click-to-done (all clicks, first visits, warm, per page, the
writer's saves), the errors (exceptions on a page, HTTP errors, dropped WebSockets, runs
that never ended, "database is locked" and tracebacks in the server logs) and where the
CPU went (app processes, Chromium, the proxy, everything else on the machine); stores them
under "concurrency" in the results JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks import machine
from benchmarks.config import DEFAULT_BACKEND, RESULTS_DIR

BUDGET_P95_MS = 2000.0
LOG_MARKERS = {"database_locked": "database is locked", "pool_timeouts": "QueuePool limit",
               "tracebacks": "Traceback (most recent call last)"}
WRITER_CUSTOMERS = 300


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100), nearest rank on the sorted values, as the page
    benchmark's p95 (benchmarks/run.py); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summarize(ms: list[float]) -> dict:
    """Count, p50, p95 and max of timings in milliseconds."""
    def r(v):
        return None if v is None else round(v, 1)

    return {"clicks": len(ms), "p50_ms": r(percentile(ms, 50)), "p95_ms": r(percentile(ms, 95)),
            "max_ms": r(max(ms) if ms else None)}


def summary(clicks: list[dict], saves: list[dict]) -> dict:
    """The figures of a run from its raw clicks and saves."""
    by_page: dict[str, list[float]] = defaultdict(list)
    for c in clicks:
        by_page[c["page"]].append(c["ms"])
    everything = [c["ms"] for c in clicks] + [s["ms"] for s in saves]
    return {
        "all": summarize(everything),
        "reads": summarize([c["ms"] for c in clicks]),
        "reads_browser": summarize([c["ms"] for c in clicks if c["client"] == "browser"]),
        "reads_protocol": summarize([c["ms"] for c in clicks if c["client"] == "protocol"]),
        "first_visits": summarize([c["ms"] for c in clicks if c["first"]]),
        "warm": summarize([c["ms"] for c in clicks if not c["first"]]),
        "saves": summarize([s["ms"] for s in saves]),
        "timed_out": sum(1 for c in [*clicks, *saves] if c.get("timed_out")),
        # Chromium runs too short for the page to ever show "running" (concurrency_probe.py)
        "timed_to_last_change": sum(1 for c in [*clicks, *saves] if c.get("to_last_change")),
        "pages": {page: summarize(ms) for page, ms in sorted(by_page.items())},
    }


# --- where the CPU went ---------------------------------------------------------------

def _procs() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds so far) of every process we may read."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "(comm)", field 3 onwards
        out[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return out


def _tree(procs: dict, root: int) -> set[int]:
    kids: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _cpu) in procs.items():
        kids[ppid].append(pid)
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in procs and pid not in seen:
            seen.add(pid)
            todo.extend(kids[pid])
    return seen


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (/proc/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts[:8]) - idle) / tick, sum(parts[:8]) / tick


def cpu_snapshot(app_pids: list[int], proxy_pid: int | None) -> dict:
    """CPU seconds so far of each process of ours, by part, and of the whole machine."""
    procs = _procs()
    apps = set().union(*(_tree(procs, p) for p in app_pids))
    proxy = _tree(procs, proxy_pid) if proxy_pid else set()
    me = os.getpid()
    part = {pid: "app" for pid in apps} | {pid: "proxy" for pid in proxy} | {me: "driver"}
    for pid in _tree(procs, me) - set(part):
        part[pid] = "browser"  # Playwright's driver and Chromium's processes
    busy, total = _machine_busy()
    return {"procs": {pid: (part[pid], procs[pid][1]) for pid in part},
            "machine_busy": busy, "machine_total": total, "at": time.monotonic(),
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def cpu_shares(before: dict, after: dict) -> dict:
    """CPU seconds per part over the window (processes that started meanwhile count from
    zero), and the rest of the machine: other work that competed for the cores."""
    d = dict.fromkeys(("app", "browser", "proxy", "driver"), 0.0)
    for pid, (part, cpu) in after["procs"].items():
        d[part] += cpu - before["procs"].get(pid, (part, 0.0))[1]
    wall = after["at"] - before["at"]
    busy = after["machine_busy"] - before["machine_busy"]
    out = {k: round(v, 1) for k, v in d.items()}
    out["others"] = round(max(busy - sum(d.values()), 0.0), 1)
    out["machine_busy"] = round(busy, 1)
    out["wall_s"] = round(wall, 1)
    out["cores"] = round((after["machine_total"] - before["machine_total"]) / wall) if wall else 0
    return out


# --- the run ---------------------------------------------------------------------------

def _copy_database(src_url: str, workdir: Path) -> str:
    """The writer adds calls: run on a copy, so the cached benchmark database stays as built."""
    src = Path(src_url.split("///", 1)[1])
    dst = workdir / "crm.db"
    shutil.copyfile(src, dst)
    if Path(f"{src}-wal").exists():
        shutil.copyfile(f"{src}-wal", f"{dst}-wal")
    return f"sqlite:///{dst}"


def _prepare(url: str, today) -> list[int]:
    """What the dashboard does when it starts (fresh summary, nightly fit), so no measured
    click waits for it; returns the customers the writer logs calls on."""
    from sqlalchemy import select

    from crm_data import summaries as stats
    from crm_data.clv import nightly
    from crm_data.storage.db import make_engine
    from crm_data.storage.models import Customer

    engine = make_engine(url)
    try:
        stats.ensure_fresh(engine, today)
        nightly.refit_if_stale(engine, today)
        with engine.connect() as conn:
            return list(conn.scalars(select(Customer.id).where(Customer.erased_at.is_(None))
                                     .order_by(Customer.id).limit(WRITER_CUSTOMERS)))
    finally:
        engine.dispose()


def _users(sessions: int) -> list[tuple[str, str]]:
    """Sessions spread over the four roles' demo users (several sessions share a user)."""
    from crm_data.sample import DEMO_USERS

    roles = ("admin", "manager", "staff", "viewer")
    known = {u: pw for u, pw, _role, _name in DEMO_USERS}
    return [(roles[i % len(roles)], known[roles[i % len(roles)]]) for i in range(sessions)]


def _log_counts(paths: list[Path]) -> dict:
    text = "\n".join(p.read_text(errors="replace") for p in paths if p.exists())
    return {name: text.count(marker) for name, marker in LOG_MARKERS.items()}


def measure(db_url: str, sessions: int, browsers: int, processes: int, seconds: float,
            think_s: float, today) -> dict:
    from benchmarks import concurrency_load as load
    from benchmarks import concurrency_ws
    from benchmarks import proxy as proxy_mod
    from tests import browserkit

    env = {"CRM_TODAY": today.isoformat(),
           # every process signs Streamlit's XSRF cookie with the same secret (docs/deploy.md)
           "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32)}
    with tempfile.TemporaryDirectory(prefix="crm-conc-") as tmp:
        work = Path(tmp)
        print(f"copying the database into {work} …", flush=True)
        url = _copy_database(db_url, work)
        customer_ids = _prepare(url, today)
        users = _users(sessions)
        browser_users = users[:browsers]
        cookies = concurrency_ws.session_cookies(url, [u for u, _pw in users[browsers:]])
        protocol_users = [(u, c) for (u, _pw), c in zip(users[browsers:], cookies, strict=True)]
        apps, logs, proxy = [], [], None
        try:
            for n in range(processes):
                logs.append(work / f"server{n + 1}.log")
                apps.append(browserkit.start_app(url, logs[-1], env=env))
            base = apps[0][1]
            if processes > 1:
                ports = [int(b.rsplit(":", 1)[1]) for _p, b in apps]
                proxy, base = proxy_mod.start(browserkit.free_port(), ports, work)
            print(f"{processes} app process(es) at {base}; {sessions} sessions ({len(browser_users)} in "
                  "Chromium) + 1 writer in Chromium sign in …", flush=True)
            tally = load.Tally()
            marks: dict[str, dict] = {}
            app_pids = [p.pid for p, _b in apps]
            proxy_pid = proxy.pid if proxy else None
            started = time.perf_counter()
            asyncio.run(load.drive(
                base, browser_users, protocol_users, customer_ids, seconds, think_s,
                lambda mark: marks.__setitem__(mark, cpu_snapshot(app_pids, proxy_pid)), tally))
            total_s = time.perf_counter() - started
        finally:
            if proxy is not None:
                proxy.terminate()
                proxy.wait(timeout=10)
            for proc, _base in apps:
                browserkit.stop(proc)
        saved = _count_saved(url)
        log_counts = _log_counts(logs)
        if processes > 1:  # HAProxy's view: a process it took out of service
            log_counts["proxy_server_down"] = (work / "haproxy.log").read_text(errors="replace").count(" is DOWN")
    out = {"sessions": sessions, "browser_sessions": len(browser_users), "writers": 1,
           "processes": processes,
           "proxy": "haproxy (cookie stickiness)" if processes > 1 else None,
           "seconds": seconds, "think_s": think_s, "run_s": round(total_s, 1),
           "load_model": "readers: WebSocket clients speaking Streamlit's protocol, "
                         f"{len(browser_users)} of them Chromium contexts; writer: Chromium",
           **summary(tally.clicks, tally.saves), "cpu_s": cpu_shares(marks["before"], marks["after"]),
           "errors": len(tally.errors) + sum(log_counts.values()), "error_samples": tally.errors[:20],
           "server_log": log_counts, "writer_rows_saved": saved,
           "loadavg_at_start": marks["before"]["loadavg"], "loadavg_at_end": marks["after"]["loadavg"],
           "speed_probe_ms": machine.speed_probe_ms()}
    out["within_budget"] = bool(out["all"]["p95_ms"] is not None and out["all"]["p95_ms"] <= BUDGET_P95_MS
                                and out["errors"] == 0)
    return out


def _count_saved(url: str) -> int:
    """Calls the writer's saves left in the database (each save must be there)."""
    from sqlalchemy import func, select

    from benchmarks.concurrency_load import WRITER_NOTE
    from crm_data.storage.db import make_engine
    from crm_data.storage.models import Interaction

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Interaction)
                                   .where(Interaction.note.like(f"{WRITER_NOTE} #%"))))
    finally:
        engine.dispose()


def print_result(r: dict) -> None:
    def row(name, s):
        print(f"  {name:<34} {s['clicks']:>6} {_f(s['p50_ms']):>9} {_f(s['p95_ms']):>9} {_f(s['max_ms']):>9}")

    print(f"\n{r['sessions']} sessions + {r['writers']} writer, {r['processes']} process(es)"
          f"{' behind ' + r['proxy'] if r['proxy'] else ''}, {r['seconds']:.0f} s, think {r['think_s']} s")
    print(f"  {'':<34} {'clicks':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name in ("all", "reads", "reads_browser", "reads_protocol", "first_visits", "warm", "saves"):
        row(name, r[name])
    for page, s in r["pages"].items():
        row("  " + page, s)
    cpu = r["cpu_s"]
    print(f"  load average (1, 5, 15 min) when the window opened {r['loadavg_at_start']}, "
          f"closed {r['loadavg_at_end']}; machine speed probe {r.get('speed_probe_ms')} ms")
    print(f"  CPU seconds over {cpu['wall_s']} s on {cpu['cores']} cores: app {cpu['app']}, "
          f"Chromium {cpu['browser']}, proxy {cpu['proxy']}, this driver {cpu['driver']}, "
          f"other work on the machine {cpu['others']}")
    print(f"  Chromium clicks and saves timed to the page's last change (never shown running): "
          f"{r['timed_to_last_change']} of {r['reads_browser']['clicks'] + r['saves']['clicks']}")
    print(f"  errors: {r['errors']} (server log: {r['server_log']}); writer saves in the database: "
          f"{r['writer_rows_saved']} of {r['saves']['clicks']} timed")
    for e in r["error_samples"]:
        print(f"    {e}")
    verdict = "yes" if r["within_budget"] else "NO"
    print(f"  p95 ≤ {BUDGET_P95_MS:.0f} ms and no error: {verdict}")


def _f(v) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _store(path: Path, result: dict, scale: str) -> None:
    """Add the run under "concurrency" → "processes_N" of the results JSON (an existing file
    keeps its other keys, so both runs and the page figures can share one file)."""
    from benchmarks import machine, report

    doc = json.loads(path.read_text()) if path.exists() else {
        "scale": scale, "backend": "sqlite", "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "code": machine.code_version()}
    doc.setdefault("concurrency", {})[f"processes_{result['processes']}"] = result
    report.write(path, doc)


def run(args) -> int:
    from benchmarks import database, proxy
    from tests import browserkit

    backend = args.backend or DEFAULT_BACKEND[args.scale]
    if backend != "sqlite":
        print("--concurrency measures the SQLite database of the scale (one server at S)")
        return 2
    if not Path(browserkit.CHROMIUM).exists():
        print(f"{browserkit.CHROMIUM} is missing: run `make system-test-deps` (as root)")
        return 1
    if args.processes > 1 and not proxy.available():
        print("haproxy is missing: `apt-get install haproxy` (docs/deploy.md)")
        return 1
    os.environ["CRM_TODAY"] = args.today.isoformat()
    db = database.obtain(args.scale, args.seed, args.today.isoformat(), "sqlite", None)
    result = measure(db.url, args.sessions, min(args.browser_sessions, args.sessions), args.processes,
                     args.seconds, args.think, args.today)
    result["scale"] = args.scale
    print_result(result)
    if not args.no_json:
        path = Path(args.json) if args.json else (
            RESULTS_DIR / f"{args.scale}-sqlite-concurrency-{time.strftime('%Y%m%d-%H%M')}.json")
        _store(path, result, args.scale)
        print(f"\nresults: {path}")
    return 0
