"""Finding 7: the executive viewer gets aggregates only. Every data-layer function that
returns per-customer rows refuses a scope without personal data (and the refusal is in
the audit log); every report page, opened as the viewer, shows no per-customer table and
no exception, but a short note where the list would be."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.customers import listing as customers
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import retention, revenue, segments
from tests.apptest import database, errors, open_tab, report_tabs, run_page

REPORT_PAGES = ["pages/overview.py", "pages/segments.py", "pages/funnel.py", "pages/journey.py",
                "pages/retention.py", "pages/revenue.py"]
# Headers (and raw names) of per-customer columns, in both languages.
PER_CUSTOMER = {"code", "full_name", "phone", "email", "owner", "owner_id", "total_spend", "debt",
                "tags", "Mã KH", "Họ tên", "Điện thoại", "Tổng chi tiêu", "Code", "Name", "Phone",
                "Total spend"}


def _period():
    import datetime as dt

    return Period(dt.date(2026, 1, 1), dt.date(2026, 11, 20))


CALLS = {
    "at_risk": lambda e, s: retention.at_risk(e, s, _period()),
    "top_customers": lambda e, s: revenue.top_customers(e, s, _period(), 5),
    "ranking_purchases": lambda e, s: revenue.ranking(e, s, _period(), "purchases", 5),
    "ranking_visits": lambda e, s: revenue.ranking(e, s, _period(), "visits", 5),
    "ranking_interactions": lambda e, s: revenue.ranking(e, s, _period(), "interactions", 5),
    "segment_members": lambda e, s: segments.segment_members(e, s, CustomerFilter(), 5),
    "members": lambda e, s: segments.members(e, s, CustomerFilter(), 5),
    "list_customers": lambda e, s: customers.list_customers(e, s, None, limit=5),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_data_layer_refuses_per_customer_rows_to_the_viewer(engine, name):
    viewer_id = auth.add_user(engine, "sep", "password123", "viewer")
    viewer = Scope(viewer_id, "sep", "viewer")
    with pytest.raises(PermissionError):
        CALLS[name](engine, viewer)
    denied = pd.read_sql("SELECT * FROM audit_log WHERE action = 'denied'", engine)
    assert len(denied) == 1
    row = denied.iloc[0]
    assert (row["username"], row["user_id"], row["entity"]) == ("sep", viewer_id, "customer_rows")
    # A manager gets the rows (an empty frame here), without a refusal.
    manager = Scope(auth.add_user(engine, "quan", "password123", "manager"), "quan", "manager")
    CALLS[name](engine, manager)
    assert pd.read_sql("SELECT count(*) n FROM audit_log WHERE action = 'denied'", engine)["n"][0] == 1


def _per_customer_frames(at) -> list[list[str]]:
    return [list(map(str, df.value.columns)) for df in at.dataframe
            if PER_CUSTOMER & set(map(str, df.value.columns))]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", REPORT_PAGES)
def test_viewer_report_pages_show_no_per_customer_rows(seeded_url, page, lang, backend):
    at = run_page(seeded_url, page, "viewer", lang=lang)
    notes = []
    for tab in report_tabs(page):  # every lazy tab
        open_tab(at, seeded_url, page, tab, lang)
        assert errors(at) == [] and not at.error
        assert at.title, "the page ran"
        assert _per_customer_frames(at) == [], tab
        notes += [i.value for i in at.info]
    if page in ("pages/retention.py", "pages/revenue.py"):
        assert any("tổng hợp" in n or "aggregates" in n for n in notes), notes


def test_viewer_segment_drill_down_shows_a_note_not_members(seeded_url, backend):
    at = run_page(seeded_url, "pages/segments.py", "viewer")
    with database(seeded_url):
        at.selectbox(key="pick1").set_value(0).run()
    assert errors(at) == [] and not at.error
    assert _per_customer_frames(at) == []
    assert any("tổng hợp" in i.value for i in at.info)


def test_manager_still_sees_the_lists(seeded_url, backend):
    at = run_page(seeded_url, "pages/revenue.py", "manager", query={"tab": "customers"})
    assert errors(at) == []
    assert len(_per_customer_frames(at)) == 2, "top customers and the ranking are listed for a manager"


def test_customer_record_refusal_is_audited(engine):
    viewer = Scope(auth.add_user(engine, "sep", "password123", "viewer"), "sep", "viewer")
    for fn in (customers.get_customer, customers.timeline, customers.stage_history):
        with pytest.raises(PermissionError):
            fn(engine, viewer, 1)
    denied = pd.read_sql("SELECT * FROM audit_log WHERE action = 'denied'", engine)
    assert list(denied["entity"]) == ["personal_data"] * 3 and set(denied["username"]) == {"sep"}
