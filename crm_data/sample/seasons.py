"""The trading calendar: weekends, Tết and the shopping days as relative day weights."""

from __future__ import annotations

import datetime as dt

import numpy as np

# Lunar New Year (Tết Nguyên Đán) in Vietnam.
TET_DATES = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
}
TET_PEAK_DAYS = 21


def _tet(year: int) -> dt.date:
    return TET_DATES.get(year, dt.date(year, 2, 5))


def _black_friday(year: int) -> dt.date:
    nov1 = dt.date(year, 11, 1)
    first_friday = nov1 + dt.timedelta(days=(4 - nov1.weekday()) % 7)
    return first_friday + dt.timedelta(days=21)


def _day_weights(start: dt.date, n_days: int) -> np.ndarray:
    """Relative trading intensity of every day: weekends, Tết and the shopping days."""
    w = np.ones(n_days, dtype=float)
    index = {start + dt.timedelta(days=i): i for i in range(n_days)}

    def scale(day: dt.date, factor: float) -> None:
        i = index.get(day)
        if i is not None:
            w[i] *= factor

    for i in range(n_days):
        wd = (start + dt.timedelta(days=i)).weekday()
        w[i] = (0.92, 0.92, 0.92, 0.95, 1.0, 1.22, 1.15)[wd]
    for year in range(start.year, start.year + n_days // 365 + 2):
        tet = _tet(year)
        for k in range(1, TET_PEAK_DAYS + 1):  # rising to ~2.6× on the eve
            scale(tet - dt.timedelta(days=k), 1.6 + 1.0 * (TET_PEAK_DAYS - k) / TET_PEAK_DAYS)
        for k in range(TET_PEAK_DAYS + 1, TET_PEAK_DAYS + 15):  # gift season warming up
            scale(tet - dt.timedelta(days=k), 1.25)
        for k in range(0, 4):  # the holiday itself: most shops are closed
            scale(tet + dt.timedelta(days=k), 0.3)
        for k in range(4, 10):
            scale(tet + dt.timedelta(days=k), 0.8)
        for d in range(1, 9):  # Quốc tế Phụ nữ 8/3
            scale(dt.date(year, 3, d), 1.35 if d < 8 else 1.6)
        for d in range(13, 21):  # Phụ nữ Việt Nam 20/10
            scale(dt.date(year, 10, d), 1.3 if d < 20 else 1.5)
        for m in (11, 12):  # 11/11 and 12/12
            scale(dt.date(year, m, m), 1.9)
            scale(dt.date(year, m, m - 1), 1.25)
            scale(dt.date(year, m, m + 1), 1.25)
        bf = _black_friday(year)
        scale(bf, 1.9)
        scale(bf + dt.timedelta(days=1), 1.4)
        scale(bf + dt.timedelta(days=2), 1.3)
        scale(bf + dt.timedelta(days=3), 1.3)  # Cyber Monday
    return w


def _tet_window_mask(start: dt.date, n_days: int) -> np.ndarray:
    mask = np.zeros(n_days, dtype=bool)
    for year in range(start.year, start.year + n_days // 365 + 2):
        first = (_tet(year) - dt.timedelta(days=TET_PEAK_DAYS) - start).days
        lo, hi = max(first, 0), min(first + TET_PEAK_DAYS, n_days)
        if lo < hi:
            mask[lo:hi] = True
    return mask
