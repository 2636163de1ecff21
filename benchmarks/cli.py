"""Command-line options, shared by `python -m benchmarks` and `crm bench`."""

from __future__ import annotations

import argparse

from benchmarks.config import BENCH_TODAY, DEFAULT_SEED, SCALES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", choices=list(SCALES), default="S",
                   help="tiny=2k, S=100k, M=300k, L=1M customers (~10 orders each); default S")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="sample data seed (default 42)")
    p.add_argument("--backend", choices=("sqlite", "postgresql"),
                   help="default: sqlite, postgresql for L (CRM_BENCH_PG_URL or a local cluster)")
    p.add_argument("--runs", type=int, default=10, help="warm runs per case (default 10)")
    p.add_argument("--case-seconds", type=float, default=20.0,
                   help="stop repeating a case after this long (at least 3 runs; default 20)")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="only these cases / tasks (shell patterns, e.g. 'overview*' seed)")
    p.add_argument("--json", metavar="PATH",
                   help="write results here (default benchmarks/results/<scale>-<backend>-<date>.json)")
    p.add_argument("--no-json", action="store_true", help="do not write a result file")
    p.add_argument("--today", type=lambda s: __import__("datetime").date.fromisoformat(s),
                   default=BENCH_TODAY, help=f"pinned today of the data (default {BENCH_TODAY})")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    p.add_argument("--plans", action="store_true",
                   help="print the query plans of every case (always stored for cases over budget)")
    p.add_argument("--skip-duckdb", action="store_true", help="do not load the data into DuckDB")
    p.add_argument("--concurrency", action="store_true",
                   help="instead of the page cases: many sessions and a writer on the real app (benchmarks/concurrency.py)")
    p.add_argument("--sessions", type=int, default=20, help="--concurrency: reader sessions (default 20)")
    p.add_argument("--browser-sessions", type=int, default=2,
                   help="--concurrency: how many of the sessions are Chromium (the rest: WebSocket clients)")
    p.add_argument("--processes", type=int, choices=(1, 2), default=1,
                   help="--concurrency: app processes; 2 runs them behind HAProxy (default 1)")
    p.add_argument("--seconds", type=float, default=120.0, help="--concurrency: measured time (default 120)")
    p.add_argument("--think", type=float, default=2.0,
                   help="--concurrency: a session's pause after each click, seconds (default 2; 0: flat out)")
    p.add_argument("--browser", action="store_true",
                   help="instead of the data layer: click to finished page in Chromium, per page "
                        "and role (--runs warm rounds; --only filters page names)")
    p.add_argument("--roles", nargs="+", choices=("admin", "manager", "staff", "viewer"),
                   help="with --browser: only these roles (default all four)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    from benchmarks.run import run

    return run(args)
