"""Presets "last week / month / quarter / year", partial buckets and the clamp of absurd
periods (issue 12, finding 10)."""

import datetime as dt

import pytest

from crm_data.domain.periods import (
    EARLIEST,
    Period,
    bucket_days,
    partial_buckets,
    preset,
    sane_period,
)

REF = dt.date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize("name,ref,start,end", [
    ("last_week", REF, dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
    ("last_month", REF, dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    ("last_month", dt.date(2026, 1, 31), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ("last_month", dt.date(2024, 3, 31), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("last_quarter", REF, dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ("last_quarter", dt.date(2026, 2, 3), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ("last_year", REF, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("last_year", dt.date(2026, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
])
def test_last_presets_are_whole_calendar_periods(name, ref, start, end):
    assert preset(name, ref) == Period(start, end)


def test_partial_buckets_are_the_cut_first_and_last_weeks():
    quarter = preset("this_quarter", REF)  # 01/10/2026 (a Thursday) – 20/11/2026 (a Friday)
    assert partial_buckets(quarter, "week") == [dt.date(2026, 9, 28), dt.date(2026, 11, 16)]
    assert bucket_days(dt.date(2026, 11, 16), "week", quarter) == (5, 7)
    assert bucket_days(dt.date(2026, 10, 5), "week", quarter) == (7, 7)
    assert partial_buckets(quarter, "month") == [dt.date(2026, 11, 1)]
    assert partial_buckets(preset("last_quarter", REF), "month") == []
    assert partial_buckets(preset("this_month", REF), "day") == []
    assert partial_buckets(Period(dt.date(2026, 11, 9), dt.date(2026, 11, 15)), "week") == []


def test_absurd_periods_are_clamped():
    period, fixed = sane_period(dt.date(1, 1, 1), dt.date(9999, 12, 31), REF)
    assert fixed and period.start == EARLIEST and period.end <= REF + dt.timedelta(days=366)
    period, fixed = sane_period(dt.date(2026, 3, 1), dt.date(2026, 1, 1), REF)
    assert fixed and period == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert sane_period(dt.date(2025, 1, 1), dt.date(2025, 6, 30), REF) == \
        (Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), False)
