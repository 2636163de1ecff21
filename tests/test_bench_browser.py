"""The browser benchmark's bookkeeping: its table / JSON from (fake) click timings, and the
app's CRM_TIMING instrumentation (one JSON line per script run, nothing when off)."""

from __future__ import annotations

import json

import pytest

from benchmarks import browser_report
from crm_ui import timing
from tests import apptest


def _s(page, kind, ms, script=None, data=None, misses=0, role="admin"):
    return {"page": page, "role": role, "kind": kind, "ms": ms, "script_ms": script,
            "data_ms": data, "misses": misses}


def test_rows_table_and_budgets_from_click_timings():
    warm = [(300, 120, 20), (350, 140, 25), (320, 130, 30), (900, 400, 300)]
    samples = [_s("today", "first", 1200, 800, 600, misses=9)]
    samples += [_s("today", "warm", ms, script, data) for ms, script, data in warm]
    samples += [_s("overview", "first", 700, 300, 100, misses=4), _s("overview", "warm", 250, 90, 10),
                _s("overview", "filter", 450), _s("overview", "filter", 520),
                _s("overview", "period", 300), _s("overview", "period", 310),
                {"page": "audit", "role": "admin", "kind": "first", "error": "TimeoutError: x"}]
    rows = {r["page"]: r for r in browser_report.summarise(samples)}

    today = rows["today"]
    assert today["first_ms"] == 1200 and today["first_misses"] == 9
    assert today["warm_ms"] == 335.0  # median of 300, 320, 350, 900
    assert today["warm_p95_ms"] == 900
    assert (today["script_ms"], today["data_ms"], today["rest_ms"]) == (135.0, 27.5, 200.0)
    assert today["over"] == ["first"] and not today["within_budget"]

    overview = rows["overview"]
    assert (overview["filter_ms"], overview["period_ms"]) == (520, 310)  # the worse of each pair
    assert overview["over"] == ["filter"]
    assert rows["audit"]["errors"] == ["first: TimeoutError: x"] and not rows["audit"]["within_budget"]

    text = browser_report.table(list(rows.values()))
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["page", "role", "first", "ms"]
    assert any(line.startswith("today") and line.rstrip().endswith("NO first") for line in lines)
    assert any(line.startswith("overview") and line.rstrip().endswith("NO filter") for line in lines)
    assert "audit (admin): first: TimeoutError: x" in text
    doc = browser_report.document(list(rows.values()), roles=["admin"])
    assert doc["over_budget"] == ["today (admin)", "overview (admin)", "audit (admin)"]
    assert doc["budgets_ms"] == {"warm": 400.0, "first": 1000.0, "change": 500.0}


def test_crm_timing_writes_one_line_per_script_run(backend, request, tmp_path, monkeypatch):
    if backend != "sqlite":  # as the page tests (tests/conftest.py): pages hold no SQL
        pytest.skip("AppTest page runs are SQLite's")
    from crm_data import sample

    db_url = request.getfixturevalue("db_url")
    sample.ensure_demo_users(request.getfixturevalue("engine"))
    out = tmp_path / "timing.jsonl"
    timing.begin()
    timing.end("off")  # off by default: nothing is written anywhere
    monkeypatch.setattr(timing, "PATH", str(out))
    with apptest.database(db_url):
        for _ in range(2):  # two sessions: AppTest reruns a multipage app without its entry script
            at = apptest.app(db_url, "admin")
            at.run()
            assert not at.exception
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert line["page"] == ""  # the default page (Overview) has no URL path of its own
        assert line["calls"] > 0  # its numbers come through crm_ui.cache.query
        assert 0 < line["data_ms"] <= line["script_ms"]
    assert lines[1]["misses"] == 0  # the second session's run is served from the cache
    assert lines[0]["start"] < lines[1]["start"]
