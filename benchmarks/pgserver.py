"""PostgreSQL for the benchmark: CRM_BENCH_PG_URL, or a local cluster whose data directory
is kept under benchmarks/cache/pg so that a large database is built once.

The cluster listens on a free loopback port only while the benchmark runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from benchmarks.config import CACHE_DIR
from tests import pg as test_pg

PG_DIR = CACHE_DIR / "pg"
# Modest settings for a 2-core machine; written into docs/performance.md.
SETTINGS = ("-c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c work_mem=32MB "
            "-c maintenance_work_mem=256MB -c max_wal_size=4GB -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")


@dataclass
class Server:
    url: str  # a URL of the server's maintenance database (postgres)
    stop: callable
    description: str
    key: str  # names the server in the cache: the local cluster's port changes every run


def server() -> Server:
    env = os.environ.get("CRM_BENCH_PG_URL", "").strip()
    if env:
        from sqlalchemy.engine import make_url

        u = make_url(env)
        return Server(env, lambda: None, "CRM_BENCH_PG_URL", f"{u.host or 'local'}_{u.port}")
    return _local()


def _run_as() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


def _local() -> Server:
    bin_dir = test_pg.find_bin_dir()
    if not bin_dir:
        raise RuntimeError("no PostgreSQL: set CRM_BENCH_PG_URL or apt-get install postgresql "
                           "(bash scripts/system-test-deps.sh)")
    run_as = _run_as()
    datadir = PG_DIR / "data"
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if run_as:
        shutil.chown(PG_DIR, user=run_as)
    if not (datadir / "PG_VERSION").exists():
        _cmd(run_as, [os.path.join(bin_dir, "initdb"), "-D", str(datadir), "-U", "postgres",
                      "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
    port = test_pg._free_port()
    _cmd(run_as, [os.path.join(bin_dir, "pg_ctl"), "-D", str(datadir), "-w", "-t", "120",
                  "-o", f"-p {port} -k {PG_DIR} {SETTINGS}", "-l", str(PG_DIR / "log"), "start"])

    def stop():
        _cmd(run_as, [os.path.join(bin_dir, "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w",
                      "stop"], check=False)

    return Server(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop,
                  f"local cluster in {datadir} ({SETTINGS})", "local")


def _cmd(run_as, cmd, check=True):
    if run_as:
        cmd = ["runuser", "-u", run_as, "--", *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr or done.stdout}")
    return done
