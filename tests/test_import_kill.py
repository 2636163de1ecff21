"""An import killed midway (SIGKILL while inserting) leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pandas as pd

from crm_data.accounts.scope import SYSTEM
from crm_data.imports import import_file
from crm_data.imports.bench import customers_csv
from tests.conftest import ROOT


def _counts(engine) -> dict:
    return {t: int(pd.read_sql(f"select count(*) as n from {t}", engine)["n"][0])  # noqa: S608
            for t in ("customers", "customer_stats", "audit_log")}


def test_killed_import_leaves_row_counts_unchanged(engine, db_url, tmp_path):
    import_file(engine, SYSTEM, customers_csv(50, seed=3, start=900_000), "customers")
    before = _counts(engine)
    path = tmp_path / "big.csv"
    path.write_bytes(customers_csv(6000, seed=5))
    env = dict(os.environ, CRM_IMPORT_CHUNK_DELAY="30", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "crm_data.cli", "import", "customers", str(path),
         "--database-url", db_url, "--lang", "en"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # printed after the first chunk is inserted
        assert line.startswith("Importing… 2000/6000"), (line, proc.stderr.read())
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    engine.dispose()
    assert _counts(engine) == before
    # The database is usable: the same file imports in full afterwards.
    r = import_file(engine, SYSTEM, path.read_bytes(), "customers")
    assert r.inserted == 6000 and _counts(engine)["customers"] == before["customers"] + 6000
