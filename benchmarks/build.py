"""Child process of benchmarks.database: `python -m benchmarks.build URL CUSTOMERS SEED TODAY`.
Prints one JSON line: schema and seed times, row counts, peak memory."""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time


def main(url: str, customers: int, seed: int, today: str) -> None:
    from benchmarks.database import row_counts
    from crm_data import sample
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine

    engine = make_engine(url)
    t0 = time.perf_counter()
    schema.upgrade(engine)
    t1 = time.perf_counter()
    sample.generate(engine, customers=customers, seed=seed, ref=dt.date.fromisoformat(today))
    t2 = time.perf_counter()
    if engine.dialect.name == "postgresql":
        # What autovacuum does to a live database in its first minutes; SQLite gets no
        # ANALYZE because the app never runs one.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    t3 = time.perf_counter()
    counts = row_counts(engine)
    engine.dispose()
    print(json.dumps({
        "schema_s": round(t1 - t0, 2), "seed_s": round(t2 - t1, 2), "analyze_s": round(t3 - t2, 2),
        "counts": counts,
        "seed_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
