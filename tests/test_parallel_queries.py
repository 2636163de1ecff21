"""crm_ui.parallel: a report page's cached calls started at once give the numbers of the
calls run one by one, each under its own name, and a failing call fails the page as before
(when the page takes its result, not before)."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.accounts.scope import SYSTEM
from crm_data.domain.periods import preset
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import journey, retention, revenue, segments
from crm_data.storage.db import make_engine
from crm_ui import parallel
from tests.apptest import database
from tests.conftest import FIXED_TODAY

REGION = CustomerFilter(regions=("north",))  # what the browser bench's filter change picks


def test_queries_at_once_equal_one_by_one(seeded_url, backend):
    period = preset("last_12m", FIXED_TODAY)
    calls = {
        "trend": (revenue.by_bucket, SYSTEM, period, "month", REGION),
        "top": (revenue.top_customers, SYSTEM, period, 20, REGION),
        "pareto": (revenue.pareto, SYSTEM, period, REGION),
        "seg": (segments.segment_counts, SYSTEM, period, "tier", None, REGION),
        "cohorts": (retention.cohorts, SYSTEM, period, REGION),
        "over_time": (journey.over_time, SYSTEM, period, "month", REGION),
    }
    with database(seeded_url):
        pending = parallel.start(**calls)
        got = {name: pending.get(name) for name in reversed(calls)}  # any order of taking
    engine = make_engine(seeded_url)
    try:
        for name, (fn, *args) in calls.items():
            pd.testing.assert_frame_equal(got[name], fn(engine, *args), obj=name)
        assert got["trend"]["orders"].sum() > 0  # the filter leaves something to compare
    finally:
        engine.dispose()


def test_a_failing_call_fails_the_page(seeded_url, backend):
    period = preset("last_12m", FIXED_TODAY)
    with database(seeded_url):
        pending = parallel.start(ranks=(revenue.ranking, SYSTEM, period, "no-such-metric", 20, REGION),
                                 pareto=(revenue.pareto, SYSTEM, period, REGION))
        assert not pending.get("pareto").empty  # the others are unaffected
        with pytest.raises(ValueError, match="unknown ranking"):
            pending.get("ranks")


def test_the_run_counts_the_workers_calls_and_misses(seeded_url, backend, tmp_path, monkeypatch):
    """CRM_TIMING (the browser bench's data share): calls made in the workers count for the run."""
    import json

    import streamlit as st

    from crm_ui import timing

    out = tmp_path / "timing.jsonl"
    monkeypatch.setattr(timing, "PATH", str(out))
    period = preset("last_12m", FIXED_TODAY)
    st.cache_data.clear()
    with database(seeded_url):
        timing.begin()
        pending = parallel.start(pareto=(revenue.pareto, SYSTEM, period, REGION),
                                 dist=(journey.distribution, SYSTEM, period, REGION))
        pending.get("dist")
        pending.get("pareto")
        timing.end("test")
    line = json.loads(out.read_text())
    assert (line["calls"], line["misses"]) == (2, 2)
    assert 0 < line["data_ms"] <= line["script_ms"]
