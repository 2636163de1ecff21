import datetime as dt
import random

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, insert, select

from crm_data.domain.periods import (
    GRANULARITIES,
    Period,
    as_date,
    bucket,
    bucket_start,
    buckets,
    days_between,
    preset,
)


def test_presets_and_comparisons():
    ref = dt.date(2026, 11, 20)  # a Friday
    assert preset("this_week", ref) == Period(dt.date(2026, 11, 16), ref)
    assert preset("this_month", ref).start == dt.date(2026, 11, 1)
    assert preset("this_quarter", ref).start == dt.date(2026, 10, 1)
    q = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert q.previous() == Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert q.last_year() == Period(dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    week = Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert week.previous() == Period(dt.date(2026, 11, 9), dt.date(2026, 11, 15))


def test_buckets_cover_period_with_monday_weeks():
    b = buckets(Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31)), "week")
    assert b[0] == dt.date(2025, 12, 29) and all(d.weekday() == 0 for d in b)
    assert len(buckets(Period(dt.date(2025, 1, 1), dt.date(2026, 12, 31)), "quarter")) == 8


def test_sql_buckets_equal_python_on_both_engines(engine):
    md = MetaData()
    tbl = Table("bucket_probe", md, Column("id", Integer, primary_key=True),
                Column("d", Date), Column("ts", DateTime))
    md.create_all(engine)
    rng = random.Random(3)
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1400)) for _ in range(300)]
    days += [dt.date(2024, 12, 29), dt.date(2024, 12, 30), dt.date(2025, 1, 5), dt.date(2024, 2, 29)]
    rows = [{"id": i, "d": d, "ts": dt.datetime.combine(d, dt.time(23, 59, 59))}
            for i, d in enumerate(days)]
    with engine.begin() as conn:
        conn.execute(insert(tbl), rows)
        for g in GRANULARITIES:
            got = conn.execute(select(tbl.c.id, bucket(tbl.c.d, g), bucket(tbl.c.ts, g))).all()
            for row_id, from_date, from_ts in got:
                expected = bucket_start(days[row_id], g)
                assert as_date(from_date) == expected, (g, days[row_id])
                assert as_date(from_ts) == expected, (g, days[row_id])
        got = conn.execute(select(tbl.c.id, days_between(tbl.c.d, dt.date(2027, 1, 1)))).all()
    for row_id, n in got:
        assert n == (dt.date(2027, 1, 1) - days[row_id]).days


@pytest.mark.parametrize("bad", ["hour", "", "decade"])
def test_unknown_granularity(bad):
    with pytest.raises(ValueError):
        bucket_start(dt.date(2026, 1, 1), bad)
