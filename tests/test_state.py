"""The dashboard process brings the summary up to date on the first page of each new day
(recency scores, tiers and groups age with the calendar), not only when it starts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from crm_data import sample
from crm_data.storage.db import make_engine
from crm_data.storage.models import AppMeta
from crm_data.summaries import STATS_DAY
from tests.apptest import errors, run_page
from tests.conftest import FIXED_TODAY


def _stats_day(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(AppMeta.value).where(AppMeta.key == STATS_DAY)).scalar()


def test_summary_is_rebuilt_on_the_first_page_of_each_day(db_url, backend, monkeypatch):
    engine = make_engine(db_url)
    sample.generate(engine, customers=60, seed=3, ref=FIXED_TODAY)
    assert _stats_day(engine) == FIXED_TODAY.isoformat()
    for days in (1, 2):  # the same process, two midnights
        day = FIXED_TODAY + dt.timedelta(days=days)
        monkeypatch.setenv("CRM_TODAY", day.isoformat())
        at = run_page(db_url, "pages/overview.py", "admin")
        assert not errors(at)
        assert _stats_day(engine) == day.isoformat()
    engine.dispose()
