"""Scales, budgets and where things live."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE_DIR = HERE / "cache"  # git-ignored: databases and the persistent PostgreSQL cluster
RESULTS_DIR = HERE / "results"  # committed: one JSON per recorded run

# customers per scale; the sample generator makes ~10 orders per customer.
SCALES = {"tiny": 2_000, "S": 100_000, "M": 300_000, "L": 1_000_000}
DEFAULT_BACKEND = {"tiny": "sqlite", "S": "sqlite", "M": "sqlite", "L": "postgresql"}
# Server-side budget of one page, warm (DESIGN.md "Performance budgets").
BUDGET_MS = {"sqlite": 300.0, "postgresql": 1000.0}
# The benchmark pins "today" so that "this month" always lands on the same data.
BENCH_TODAY = dt.date(2026, 11, 20)
DEFAULT_SEED = 42
IMPORT_ROWS = 100_000
# Imports at scale: customers and orders files of these sizes. 1,000,000 rows take ~15 more
# minutes per engine: CRM_BENCH_IMPORT_ROWS=100000,1000000 (benchmarks/imports_scale.py).
IMPORT_SCALE_ROWS = (100_000,)
