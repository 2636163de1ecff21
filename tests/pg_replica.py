"""A throwaway PostgreSQL primary and a hot-standby streaming replica of it, on free loopback
ports, for the replica test (CRM_DATABASE_READ_URL).

The primary allows replication from 127.0.0.1 only; the standby is made by
`pg_basebackup -R` over loopback (it writes standby.signal and primary_conninfo) and
started on its own port. As root both run as the `postgres` system user (tests/pg.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from tests import pg

# Durability is not the point here; replication is (fsync=off is per server and still
# streams WAL).
_COMMON = ("-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
           "-c max_connections=50 -c shared_buffers=32MB")


@dataclass
class ReplicaPair:
    base: str
    primary: pg.PgCluster
    standby: pg.PgCluster

    def urls(self, database: str = "postgres") -> tuple[str, str]:
        return self.primary.url_for(database), self.standby.url_for(database)

    def stop(self) -> None:
        for cluster in (self.standby, self.primary):
            pg._run(cluster, [os.path.join(cluster.bin_dir, "pg_ctl"), "-D", cluster.datadir,
                              "-m", "immediate", "stop"], check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def _pg_ctl_start(cluster: pg.PgCluster, base: str, extra: str = "") -> None:
    opts = f"-p {cluster.port} -k {base} {_COMMON} {extra}".strip()
    pg._run(cluster, [os.path.join(cluster.bin_dir, "pg_ctl"), "-D", cluster.datadir, "-o", opts,
                      "-w", "-t", "60", "-l", cluster.datadir + ".log", "start"])


class Unavailable(RuntimeError):
    """PostgreSQL cannot run here at all (no binaries, or root without a user to run it):
    the replica test skips, as the other PostgreSQL tests do. Any other failure fails."""


def _scratch() -> str | None:
    """tmpfs when there is room: the pair's ~60 MB are written and removed in milliseconds
    instead of seconds on a disk shared with a busy test run."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        st = os.statvfs(shm)
        if st.f_bavail * st.f_frsize > 1 << 30:
            return shm
    return None


def start() -> ReplicaPair:
    """Primary + streaming standby; Unavailable, or RuntimeError saying why not."""
    bin_dir = pg.find_bin_dir()
    if not bin_dir or not os.path.exists(os.path.join(bin_dir, "pg_basebackup")):
        raise Unavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    run_as = None
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            raise Unavailable("running as root without runuser: cannot start PostgreSQL")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise Unavailable("running as root and no 'postgres' user to run the server") from exc
        run_as = "postgres"
    base = tempfile.mkdtemp(prefix="crm-pgrep-", dir=_scratch())
    if run_as:
        shutil.chown(base, user=run_as)
        os.chmod(base, 0o755)
    primary = pg.PgCluster(os.path.join(base, "primary"), pg._free_port(), bin_dir, run_as)
    standby = pg.PgCluster(os.path.join(base, "standby"), pg._free_port(), bin_dir, run_as)
    pair = ReplicaPair(base, primary, standby)
    try:
        pg._run(primary, [os.path.join(bin_dir, "initdb"), "-D", primary.datadir, "-U", "postgres",
                          "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
                          "--wal-segsize=1"])
        with open(os.path.join(primary.datadir, "pg_hba.conf"), "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        _pg_ctl_start(primary, base, "-c wal_level=replica -c max_wal_senders=4")
        pg._run(standby, [os.path.join(bin_dir, "pg_basebackup"), "-h", "127.0.0.1",
                          "-p", str(primary.port), "-U", "postgres", "-D", standby.datadir,
                          "-R", "-X", "stream", "-c", "fast", "--no-sync"])
        _pg_ctl_start(standby, base, "-c hot_standby=on")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pair.stop()
        detail = getattr(exc, "stderr", None) or getattr(exc, "stdout", None) or exc
        raise RuntimeError(f"could not start a PostgreSQL primary and replica: {detail}") from exc
    return pair


def wait_caught_up(primary_url: str, standby_url: str, timeout: float = 15.0) -> None:
    """Poll until the standby has replayed everything the primary has written so far."""
    p, s = create_engine(primary_url), create_engine(standby_url)
    try:
        with p.connect() as conn:
            target = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar()
        deadline = time.monotonic() + timeout
        with s.connect() as conn:
            while True:
                behind = conn.execute(text("SELECT pg_wal_lsn_diff(CAST(:t AS pg_lsn), "
                                           "pg_last_wal_replay_lsn())"), {"t": target}).scalar()
                conn.rollback()  # a new snapshot on the next poll
                if behind <= 0:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"replica still {behind} bytes behind after {timeout} s")
                time.sleep(0.02)
    finally:
        p.dispose()
        s.dispose()
