"""The benchmark behind `make bench` / `python -m benchmarks` / `crm bench`.

It builds (or reuses) a sample database at a named scale, then times every page's
data-layer calls against the raw engine time of the same SQL and against DuckDB answering
the same questions, plus seeding, import, export, summary rebuild and peak memory.
See docs/performance.md for the figures and how to read them.
"""
