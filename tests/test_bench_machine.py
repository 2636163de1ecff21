"""The benchmark's machine record: the speed probe that lets runs of different days be
compared (docs/performance.md, "Machine speed")."""

from __future__ import annotations

from sqlalchemy import create_engine


def test_describe_records_a_speed_probe_and_the_report_prints_it():
    from benchmarks import machine, report

    info = machine.describe(create_engine("sqlite://"))
    assert isinstance(info["speed_probe_ms"], float) and 0 < info["speed_probe_ms"] < 60_000
    doc = {"scale": "tiny", "backend": "sqlite", "database": {"counts": {}}, "code": {"commit": "x"},
           "measured_at": "now", "machine": info | {"loadavg_at_start": [0, 0, 0]},
           "budget_ms": 300, "cases": [], "tasks": [], "peak_rss_mb": {"after_pages": 1, "after_duckdb": 1, "end": 1}}
    assert f"speed probe {info['speed_probe_ms']} ms" in report.markdown(doc)
