"""Child process of the imports-at-scale task:
`python -m benchmarks.import_child URL KIND PATH [--create-missing]`. Imports one file into
the database (schema already at head) and prints one JSON line: seconds, the counts and the
process's peak resident memory (what a `crm import` of that file costs)."""

from __future__ import annotations

import json
import sys
import time

from benchmarks.machine import peak_mb

PROGRESS_ROWS = 100_000


def main(url: str, kind: str, path: str, create_missing: bool) -> None:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.imports import import_file
    from crm_data.storage.db import make_bulk_engine

    engine = make_bulk_engine(url)  # as `crm import`
    anon = [0]
    started = time.perf_counter()

    def sample(done: int, total: int) -> None:
        anon[0] = max(anon[0], _rss_anon_kb())
        if done % PROGRESS_ROWS == 0 or done == total:  # a long run shows where it is
            print(f"    {kind}: {done:,} / {total:,} rows in {time.perf_counter() - started:.0f} s, "
                  f"own memory {anon[0] / 1024:.0f} MB", file=sys.stderr, flush=True)

    result = import_file(engine, SYSTEM, path, kind, on_error="skip", duplicates="skip",
                         create_missing_customers=create_missing, progress=sample)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({
        "seconds": round(seconds, 2), **result.counts(),
        "peak_rss_mb": round(peak_mb(), 1),
        # The process's own memory after each chunk (peak RSS also counts the pages of the
        # SQLite file it reads through mmap, which the OS shares and reclaims).
        "chunk_anon_mb": round(max(anon[0], _rss_anon_kb()) / 1024, 1),
    }))


def _rss_anon_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], "--create-missing" in sys.argv[4:])
