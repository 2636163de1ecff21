"""The period follows the user from page to page (issue 12, findings 1 and 10): the choice
is kept in the session and in each page's URL; a page's own default holds until the user
has chosen; links with absurd dates are clamped with a message."""

from __future__ import annotations

import pytest

from crm_data.domain.periods import preset
from tests.apptest import database, errors, run_page

REPORTS = ["pages/funnel.py", "pages/retention.py", "pages/revenue.py", "pages/segments.py",
           "pages/journey.py"]


def _url(at, key):
    value = at.query_params.get(key) if hasattr(at.query_params, "get") else None
    return value[-1] if isinstance(value, list) and value else value


def test_choice_on_overview_follows_to_every_report_page(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager")
    with database(seeded_url):
        at.selectbox(key="period").set_value("this_year").run()
        for page in REPORTS:
            at.switch_page(page).run()
            assert errors(at) == [], page
            assert at.selectbox(key="period").value == "this_year", page
            assert _url(at, "period") == "this_year", page
        at.switch_page("pages/overview.py").run()
        assert at.selectbox(key="period").value == "this_year"


def test_page_default_holds_until_the_user_chooses(seeded_url, backend):
    at = run_page(seeded_url, "pages/funnel.py", "manager")
    assert at.selectbox(key="period").value == "this_quarter"
    with database(seeded_url):
        at.switch_page("pages/retention.py").run()
        assert at.selectbox(key="period").value == "last_12m"
        at.switch_page("pages/overview.py").run()
        assert at.selectbox(key="period").value == "this_month"


def test_custom_dates_and_granularity_follow(seeded_url, backend):
    import datetime as dt

    at = run_page(seeded_url, "pages/overview.py", "manager")
    with database(seeded_url):
        at.selectbox(key="period").set_value("last_quarter").run()
        at.selectbox(key="period").set_value("custom").run()
        # custom starts from the period that was on screen
        q = preset("last_quarter")
        assert at.date_input(key="from").value == q.start
        assert at.date_input(key="to").value == q.end
        at.date_input(key="from").set_value(dt.date(2025, 7, 1)).run()
        at.selectbox(key="gran").set_value("week").run()
        at.switch_page("pages/revenue.py").run()
        assert at.selectbox(key="period").value == "custom"
        assert at.date_input(key="from").value == dt.date(2025, 7, 1)
        assert at.date_input(key="to").value == q.end
        assert at.selectbox(key="gran").value == "week"
        assert _url(at, "from") == "2025-07-01" and _url(at, "gran") == "week"


@pytest.mark.parametrize("name", ["last_week", "last_month", "last_quarter", "last_year"])
def test_new_presets_are_offered(seeded_url, name, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager")
    assert name in at.selectbox(key="period").options or \
        at.selectbox(key="period").format_func(name) in at.selectbox(key="period").options
    with database(seeded_url):
        at.selectbox(key="period").set_value(name).run()
    assert errors(at) == []
    assert _url(at, "period") == name


def test_absurd_link_dates_are_clamped_with_a_message(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager",
                  query={"period": "custom", "from": "0001-01-01", "to": "9999-12-31"})
    assert errors(at) == []
    assert at.sidebar.warning, "the user is told the link's dates were adjusted"
    start = at.date_input(key="from").value
    end = at.date_input(key="to").value
    assert start.year == 2000 and end.year <= 2028


def test_unreadable_link_dates_are_ignored_with_a_message(seeded_url, backend):
    at = run_page(seeded_url, "pages/funnel.py", "manager",
                  query={"period": "custom", "from": "yesterday", "to": "2026-11-10"})
    assert errors(at) == []
    assert at.sidebar.warning


def test_sidebar_filters_follow_too(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager")
    with database(seeded_url):
        at.multiselect(key="regions").set_value(["south"]).run()
        at.multiselect(key="tiers").set_value(["vip", "regular"]).run()
        for page in REPORTS:
            at.switch_page(page).run()
            assert errors(at) == [], page
            assert at.multiselect(key="regions").value == ["south"], page
            assert sorted(at.multiselect(key="tiers").value) == ["regular", "vip"], page
            assert _url(at, "regions") == "south", page
        at.multiselect(key="regions").set_value([]).run()  # cleared on the Journey page
        at.switch_page("pages/overview.py").run()
        assert at.multiselect(key="regions").value == []
        assert sorted(at.multiselect(key="tiers").value) == ["regular", "vip"]
