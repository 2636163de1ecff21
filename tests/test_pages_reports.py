"""The report pages run without an exception as every role, on the sample data and on an
empty database, and their controls (dimensions, splits, churn days, drill-down) work."""

from __future__ import annotations

import pytest

from crm_data.accounts.auth import add_user
from tests.apptest import ROLES, app, database, errors, open_tab, report_tabs

PAGES = ["pages/overview.py", "pages/segments.py", "pages/funnel.py", "pages/journey.py",
         "pages/retention.py", "pages/revenue.py"]


def open_page(url: str, page: str, role: str):
    with database(url):
        at = app(url, role)
        at.run()
        at.switch_page(page).run()
    return at


def ok(at) -> None:
    assert errors(at) == []
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def empty_url(engine, db_url):
    for role in ROLES:
        add_user(engine, role, "password-123", role)
    return db_url


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_sample_data(seeded_url, page, role, backend):
    at = open_page(seeded_url, page, role)
    for tab in report_tabs(page):  # every lazy tab drawn once
        ok(open_tab(at, seeded_url, page, tab))
    assert at.title and not at.title[0].value.startswith(("segments.", "funnel.", "journey."))


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_empty_database(empty_url, page, backend):
    for role in ("manager", "viewer"):
        at = open_page(empty_url, page, role)
        for tab in report_tabs(page):
            ok(open_tab(at, empty_url, page, tab))
            assert at.info, f"an empty state is shown ({tab})"


def _set(at, url, key, value):
    with database(url):
        at.selectbox(key=key).set_value(value).run()
    ok(at)
    return at


@pytest.mark.parametrize("by,by2", [("tag", ""), ("age_band", ""), ("loyal_new", ""), ("owner", ""),
                                    ("region", "tier"), ("tag", "gender"), ("province", "owner")])
def test_segments_dimensions(seeded_url, by, by2, backend):
    at = open_page(seeded_url, "pages/segments.py", "manager")
    _set(at, seeded_url, "by", by)
    if by2:
        _set(at, seeded_url, "by2", by2)
    assert at.dataframe or by2


def test_segments_drill_down_lists_the_segment(seeded_url, backend):
    at = open_page(seeded_url, "pages/segments.py", "manager")
    _set(at, seeded_url, "by", "tier")
    _set(at, seeded_url, "pick1", 0)
    members = at.dataframe[-1].value
    assert len(members) > 0
    caption = " ".join(c.value for c in at.caption)
    assert "/" in caption
    # cross-tab: pick a row and a column
    _set(at, seeded_url, "by2", "region")
    _set(at, seeded_url, "pick_r", 0)
    _set(at, seeded_url, "pick_c", 0)
    assert len(at.dataframe[-1].value) > 0


def test_retention_churn_days_and_revenue_controls(seeded_url, backend):
    at = open_page(seeded_url, "pages/retention.py", "manager")
    with database(seeded_url):
        at.number_input(key="churn_days").set_value(90).run()
    ok(at)
    at = open_tab(open_page(seeded_url, "pages/revenue.py", "manager"), seeded_url, "pages/revenue.py",
                  "segments")
    _set(at, seeded_url, "dim", "tag")


@pytest.mark.parametrize("page,title", [("pages/segments.py", "Customer segments"),
                                        ("pages/funnel.py", "Lead funnel"),
                                        ("pages/journey.py", "Customer journey"),
                                        ("pages/retention.py", "Retention & churn"),
                                        ("pages/revenue.py", "Revenue per customer")])
def test_pages_in_english(seeded_url, page, title, backend):
    with database(seeded_url):
        at = app(seeded_url, "manager", lang="en")
        at.run()
        at.switch_page(page).run()
    ok(at)
    assert at.title[0].value == title


def test_report_tabs_are_lazy_follow_the_url_and_survive_a_language_switch(seeded_url, backend):
    page = "pages/revenue.py"
    at = open_page(seeded_url, page, "manager")
    # the first tab only: its chart, none of the others' (pareto, segments) nor their tables
    assert [c.proto.id for c in at.get("plotly_chart")] and len(at.get("plotly_chart")) == 1
    assert not at.dataframe and "tab" not in at.query_params
    open_tab(at, seeded_url, page, "customers")
    ok(at)
    assert len(at.dataframe) == 2 and not at.get("plotly_chart")
    assert at.query_params["tab"] == "customers"
    at.session_state["lang"] = "en"
    with database(seeded_url):
        at.run()
    ok(at)
    assert at.session_state["revenue_tab"] == "Top customers" and len(at.dataframe) == 2
    # a shared link opens its tab, whatever language the label was in
    with database(seeded_url):
        at = app(seeded_url, "manager", query={"tab": "segments"})
        at.run()
        at.switch_page(page)
        at.query_params["tab"] = "segments"
        at.run()
    ok(at)
    assert at.selectbox(key="dim").value == "tier" and at.session_state["revenue_tab"] == "Theo phân khúc"
