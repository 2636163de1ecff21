"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys

from sqlalchemy import Engine, text


def describe(engine: Engine) -> dict:
    info = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": _mem_gb(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        # Other work on the machine skews the timings: say how busy it was.
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "speed_probe_ms": speed_probe_ms(),
    }
    try:
        import sqlalchemy

        info["sqlalchemy"] = sqlalchemy.__version__
        import pandas

        info["pandas"] = pandas.__version__
        import duckdb

        info["duckdb"] = duckdb.__version__
    except ImportError:
        pass
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
    return info


def speed_probe_ms() -> float:
    """Milliseconds of a fixed piece of work (a Python loop and an SQLite GROUP BY in memory),
    best of three: the same code measured on two days differs by up to 2x on this kind of
    shared virtual machine (2026-11-30 → 12-01), and the load average does not show it."""
    import time

    def once() -> float:
        t0 = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i % 7
        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE t (k INTEGER, v INTEGER)")
        con.executemany("INSERT INTO t VALUES (?, ?)", ((i % 97, i) for i in range(200_000)))
        con.execute("SELECT k, sum(v), count(*) FROM t GROUP BY k").fetchall()
        con.close()
        return (time.perf_counter() - t0) * 1000

    return round(min(once() for _ in range(3)), 1)


def code_version() -> dict:
    """The commit measured, and whether the data layer had uncommitted changes."""
    import subprocess

    from benchmarks.config import HERE

    def git(*args):
        done = subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    dirty = git("status", "--porcelain", "--", "crm_data", "migrations")
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_data_layer_files": None if dirty is None else len(dirty.splitlines())}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _mem_gb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None
    return None


def peak_mb() -> float:
    """VmHWM, the peak resident set of this process image: unlike ru_maxrss it does not
    carry over the parent's peak through fork + exec (a child started by a 450 MB benchmark
    would report at least 450 MB)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
