"""A throwaway PostgreSQL cluster on a free loopback port, for the test suite.

Debian's server binaries (apt-get install postgresql) are found under
/usr/lib/postgresql/*/bin or on PATH. PostgreSQL refuses to run as root, so as root the
cluster runs as the `postgres` system user through runuser.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


@dataclass
class PgCluster:
    datadir: str
    port: int
    bin_dir: str
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        _run(self, [os.path.join(self.bin_dir, "pg_ctl"), "-D", self.datadir, "-m", "immediate",
                    "stop"], check=False)
        shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def find_bin_dir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return os.path.dirname(candidates[0])
    initdb = shutil.which("initdb")
    return os.path.dirname(os.path.realpath(initdb)) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cluster_or_user, cmd: list[str], check: bool = True):
    run_as = cluster_or_user.run_as if isinstance(cluster_or_user, PgCluster) else cluster_or_user
    if run_as:
        cmd = ["runuser", "-u", run_as, "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)


def start() -> PgCluster:
    """Start a cluster or raise RuntimeError saying why it cannot."""
    bin_dir = find_bin_dir()
    if not bin_dir:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    run_as = None
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            raise RuntimeError("running as root without runuser: cannot start PostgreSQL")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root and no 'postgres' user to run the server") from exc
        run_as = "postgres"
    base = tempfile.mkdtemp(prefix="crm-pg-")
    datadir = os.path.join(base, "data")
    if run_as:
        shutil.chown(base, user=run_as)
        os.chmod(base, 0o755)
    port = _free_port()
    cluster = PgCluster(datadir, port, bin_dir, run_as)
    try:
        _run(cluster, [os.path.join(bin_dir, "initdb"), "-D", datadir, "-U", "postgres", "-A", "trust",
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                "-c shared_buffers=128MB")
        _run(cluster, [os.path.join(bin_dir, "pg_ctl"), "-D", datadir, "-o", opts, "-w", "-t", "60",
                       "-l", os.path.join(base, "log"), "start"])
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc.stdout}") from exc
    return cluster
