import datetime as dt
import re

import pytest

from crm_data.domain import formatting
from crm_data.i18n import LANGS, catalogue, choices, label, t


def test_vnd_vietnamese_and_english():
    assert formatting.vnd(1234567) == "1.234.567\xa0₫"
    assert formatting.vnd(0) == "0\xa0₫"
    assert formatting.vnd(None) == "—"
    assert "1,234,567" in formatting.vnd(1234567, "en")


def test_dates_are_dd_mm_yyyy():
    assert formatting.date(dt.date(2026, 1, 5)) == "05/01/2026"
    assert formatting.date(dt.datetime(2026, 12, 31, 23, 59)) == "31/12/2026"


def test_numbers_and_percent():
    assert formatting.number(1234567) == "1.234.567"
    assert formatting.percent(0.1234) == "12,3%"
    assert formatting.number(1234567, "en") == "1,234,567"


@pytest.mark.parametrize("gran, label_vi", [("day", "24/11/2026"), ("week", "24/11/2026"),
                                            ("month", "11/2026"), ("quarter", "Quý 4/2026"),
                                            ("year", "2026")])
def test_bucket_labels(gran, label_vi):
    assert formatting.bucket_label(dt.date(2026, 11, 24), gran) == label_vi


def test_catalogue_complete_in_both_languages():
    placeholder = re.compile(r"{(\w+)}")
    for key, pair in catalogue().items():
        assert len(pair) == len(LANGS), key
        vi, en = pair
        assert vi.strip() and en.strip(), key
        assert set(placeholder.findall(vi)) == set(placeholder.findall(en)), key


def test_t_and_label():
    assert t("login.title") == "Đăng nhập"
    assert t("login.title", "en") == "Sign in"
    assert label("region", "south") == "Miền Nam"
    assert label("region", "south", "en") == "South"
    assert label("region", None) == "(chưa rõ)"
    assert "north" in choices("region")


@pytest.mark.parametrize("amount, vi, en", [
    (1_234_567, "1.234.567\xa0₫", "1,234,567\xa0₫"), (807_575_000, "807,6 triệu ₫", "807.6M ₫"),
    (3_085_189_000, "3,09 tỷ ₫", "3.09B ₫"), (12_500_000_000, "12,5 tỷ ₫", "12.5B ₫"),
    (-250_000_000, "-250,0 triệu ₫", "-250.0M ₫"),
])
def test_compact_money(amount, vi, en):
    assert formatting.compact_money(amount) == vi
    assert formatting.compact_money(amount, "en") == en


@pytest.mark.parametrize("e164, shown", [("+84912345678", "0912 345 678"), ("+842838123456", "02838123456"),
                                         (None, ""), ("+14155550100", "+14155550100")])
def test_phone_display(e164, shown):
    assert formatting.phone(e164) == shown
