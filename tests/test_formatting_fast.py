"""Money and whole numbers are written without babel on the hot path (crm_data/domain/formatting.py):
the text must stay exactly babel's, in both languages."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from crm_data.domain import formatting

VALUES = [0, 1, -1, 7, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -1_234_567, 586_884,
          10**9, 2**31 + 5, -(10**12) - 1, 1234.4, 1234.5, 1235.5, -2.5, 99_999.9]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_money_and_whole_numbers_read_as_babel_writes_them(lang):
    loc = formatting.LOCALES[lang]
    for value in VALUES:
        whole = round(value)
        babel_number = format_decimal(whole, format="#,##0", locale=loc)
        expected = (format_currency(whole, "VND", locale=loc, format_type="standard",
                                    currency_digits=True) if lang == "vi" else f"{babel_number}\xa0₫")
        assert formatting.vnd(value, lang) == expected, value
        assert formatting.vnd(np.int64(whole), lang) == expected, value
        assert formatting.number(whole, lang) == babel_number, value
        assert formatting.number(np.int64(whole), lang) == babel_number, value
        assert formatting.number(float(whole), lang) == babel_number, value
    for day in (dt.date(2026, 11, 20), dt.date(2000, 1, 1), dt.date(999, 12, 31), dt.date(2031, 2, 28)):
        assert formatting.date(day, lang) == format_date(day, "dd/MM/yyyy", locale=loc), day
        assert formatting.date(dt.datetime.combine(day, dt.time(23, 59)), lang) == formatting.date(day, lang)
    assert formatting.number(1234.5, lang) == format_decimal(1234.5, format="#,##0", locale=loc)
    assert formatting.number(1234.56, lang, digits=1) == format_decimal(1234.56, format="#,##0.0", locale=loc)


def test_whole_amounts_skip_babel(monkeypatch):
    """A cash book of thousands of entries formats every amount on each run: whole numbers
    must not go through babel's pattern machinery (~0.3 ms each)."""
    def babel(*_a, **_k):
        raise AssertionError("babel called for a whole number")

    monkeypatch.setattr(formatting, "_apply", babel)  # the babel pattern path
    assert formatting.vnd(1_234_567.4) == "1.234.567\xa0₫"
    assert formatting.vnd(-5, "en") == "-5\xa0₫"
    assert formatting.number(np.int64(12_345), "en") == "12,345"
    monkeypatch.setattr("babel.dates.format_date", babel)
    assert formatting.date(dt.date(2026, 11, 2)) == "02/11/2026"
