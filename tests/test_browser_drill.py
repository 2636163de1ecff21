"""Click-through in the real browser: one click on a mark of each chart kind lands on the
customer list, whose total equals the mark's value (Chromium through Playwright, the app on a
loopback port, a small seeded SQLite database). One app and one signed-in page serve every
test of the module, in order: each test goes to its page through the navigation."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browserkit import (
    CHROMIUM,
    STEP_MS,
    demo_password,
    launch,
    login,
    open_tab,
    running_app,
    sample_db,
    settle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ROLE = "manager"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return sample_db(tmp_path_factory.mktemp('drill'), customers=300, seed=11)


@pytest.fixture(scope="module")
def base_url(db_url, tmp_path_factory):
    with running_app(db_url, tmp_path_factory.mktemp("streamlit")) as base:
        yield base


@pytest.fixture(scope="module")
def page(base_url):
    """Signed in once: a new page load would be a new, signed-out session, so every test
    moves through the sidebar navigation of this one page."""
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        pg = context.new_page()
        login(pg, base_url, ROLE, demo_password(ROLE))
        yield pg
        browser.close()


@pytest.fixture(scope="module")
def scope(db_url):
    from crm_data.accounts.scope import Scope
    from tests.apptest import auth_for

    who = auth_for(db_url, ROLE)
    return Scope(who["user_id"], ROLE, ROLE)


# A trace's data as drawn (Streamlit sends typed arrays; _fullData holds them decoded).
_DATA = """([key, curve]) => {
  const d = document.querySelector(`.st-key-${key} .js-plotly-plot`)._fullData[curve];
  const arr = v => v ? Array.from(v, r => (r && r.length !== undefined && typeof r !== 'string') ? Array.from(r) : r) : null;
  return {type: d.type, x: arr(d.x), y: arr(d.y), z: arr(d.z)};
}"""

# The screen centre of the i-th mark of a trace: a bar (or funnel step), or a scatter marker.
_CENTRE = """([key, curve, i]) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const family = t => ['bar', 'funnel'].includes(t.type) ? 'bars' : t.type;
  const mine = family(gd._fullData[curve]);
  const nth = gd._fullData.slice(0, curve).filter(t => family(t) === mine).length;
  const trace = gd.querySelectorAll(mine === 'bars' ? '.trace.bars' : '.scatterlayer .trace')[nth];
  const marks = trace.querySelectorAll(mine === 'bars' ? '.point path' : '.points path.point');
  const r = marks[i].getBoundingClientRect();
  return {x: r.x + r.width / 2, y: r.y + r.height / 2, marks: marks.length};
}"""


def open_page(page, title_key: str) -> None:
    from crm_data.i18n import t

    page.locator('[data-testid="stSidebarNavLink"]').filter(
        has_text=re.compile(re.escape(t(title_key, "vi")) + "$")).first.click()


def idle(page) -> None:
    """The script run is over (called once the new page's own content is there, so no
    need to wait for the run to start, as browserkit.settle must)."""
    page.wait_for_selector(_IDLE, timeout=STEP_MS)


_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def chart(page, key: str, curve: int = 0) -> dict:
    box = page.locator(f".st-key-{key} .js-plotly-plot")  # keys are unique to their page
    box.wait_for(timeout=STEP_MS)
    idle(page)
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the chart's layout after scrolling
    return page.evaluate(_DATA, [key, curve])


def click(page, key: str, curve: int, i: int, count: int) -> None:
    at = page.evaluate(_CENTRE, [key, curve, i])
    assert at["marks"] == count, at  # the i-th mark drawn is the i-th value
    page.mouse.click(at["x"], at["y"])


def lands_on(page, db_url, scope, value: int):
    """The customer list opened, its total says `value`, and the filter in its URL counts
    `value` in the data layer too; returns that filter."""
    from crm_data.customers.listing import count_customers
    from crm_data.domain.formatting import number
    from crm_data.filters.customer_filter import CustomerFilter
    from crm_data.i18n import t
    from crm_data.storage.db import make_engine

    page.wait_for_url("**/customers?**", timeout=STEP_MS)
    page.get_by_text(t("customers.total", "vi", n=number(value, "vi"))).first.wait_for(timeout=STEP_MS)
    idle(page)
    flt = CustomerFilter.from_query(parse_qs(urlparse(page.url).query))
    eng = make_engine(db_url)
    try:
        assert count_customers(eng, scope, flt) == value
    finally:
        eng.dispose()
    return flt


def _drawn(v) -> bool:
    return isinstance(v, int | float) and v == v  # not a gap (None / NaN)


def _largest(values) -> int:
    nums = [v if _drawn(v) else -1 for v in values]
    return nums.index(max(nums))


def test_overview_bar(page, db_url, scope):
    # the Overview opens after sign-in; its customers-per-bucket chart, new customers
    d = chart(page, "customer_bars")
    i = _largest(d["y"])
    assert d["y"][i] > 0
    click(page, "customer_bars", 0, i, len(d["y"]))
    flt = lands_on(page, db_url, scope, int(d["y"][i]))
    assert flt.created_from is not None and flt.created_to is not None


def test_revenue_pareto_point(page, db_url, scope):
    from crm_data.reports import revenue
    from crm_data.storage.db import make_engine

    open_page(page, "page.revenue")
    open_tab(page, "revenue.tab.pareto")
    d = chart(page, "pareto")
    eng = make_engine(db_url)
    par = revenue.pareto(eng, scope, None)  # lifetime spend: no period
    eng.dispose()
    i = next(k for k, x in enumerate(d["x"]) if x >= 0.2)  # the top fifth of buyers
    assert d["x"][i] == pytest.approx(par["customer_share"].iloc[i])
    click(page, "pareto", 0, i, len(d["x"]))
    flt = lands_on(page, db_url, scope, int(par["customers"].iloc[i]))
    assert flt.spend_rank_until and flt.has_purchased is True


def test_retention_cohort_cell(page, db_url, scope):
    open_page(page, "page.retention")
    open_tab(page, "retention.tab.cohorts")
    heat = chart(page, "cohorts", 0)
    cells = chart(page, "cohorts", 1)  # the clear markers over the cells take the clicks
    z = heat["z"]
    where = [(i, j) for i in range(len(z)) for j in range(len(z[i])) if _drawn(z[i][j])]
    assert len(where) == len(cells["x"])
    pick = next(k for k, (i, j) in enumerate(where) if j == 1 and z[i][j] > 0)  # a month on
    i, j = where[pick]
    size = int(re.search(r"\(([\d.]+)\)$", heat["y"][i]).group(1).replace(".", ""))
    click(page, "cohorts", 1, pick, len(cells["x"]))
    flt = lands_on(page, db_url, scope, round(z[i][j] * size))
    assert flt.first_order_from is not None and flt.bought_from is not None


def test_retention_recency_band(page, db_url, scope):
    open_page(page, "page.retention")
    d = chart(page, "recency")
    i = _largest(d["y"][:-1])  # a band of days (the last one: never bought)
    click(page, "recency", 0, i, len(d["y"]))
    flt = lands_on(page, db_url, scope, int(d["y"][i]))
    assert flt.days_since_min is not None


def test_retention_churn_bar(page, db_url, scope):
    open_page(page, "page.retention")
    d = chart(page, "churn", 0)  # the whole buckets (a cut one is drawn by its own trace)
    i = _largest(d["y"])
    assert d["y"][i] > 0
    click(page, "churn", 0, i, len(d["y"]))
    flt = lands_on(page, db_url, scope, int(d["y"][i]))
    assert flt.last_order_from is not None


def test_retention_churn_reason_bar(page, db_url, scope):
    open_page(page, "page.retention")
    d = chart(page, "reasons")  # horizontal: the count is x
    click(page, "reasons", 0, 0, len(d["x"]))
    flt = lands_on(page, db_url, scope, int(d["x"][0]))
    assert flt.churn_reason


def test_funnel_stage_cohort(page, db_url, scope):
    open_page(page, "page.funnel")
    d = chart(page, "funnel")  # the cohort view by default; the count is x
    assert d["type"] == "funnel" and d["x"][1] > 0
    click(page, "funnel", 0, 1, len(d["x"]))
    flt = lands_on(page, db_url, scope, int(d["x"][1]))
    assert flt.pipeline_reached and flt.created_from is not None


def test_funnel_lost_reason_bar(page, db_url, scope):
    open_page(page, "page.funnel")
    d = chart(page, "lost")
    click(page, "lost", 0, 0, len(d["x"]))
    flt = lands_on(page, db_url, scope, int(d["x"][0]))
    assert flt.lost_reason_now


def test_segments_bar(page, db_url, scope):
    """After other drills (the list's date widgets were set by the funnel's): the segment's
    list is still exactly the segment."""
    from crm_data.i18n import t

    open_page(page, "page.segments")
    d = chart(page, "seg_bar")
    i = _largest(d["y"])
    click(page, "seg_bar", 0, i, len(d["y"]))
    settle(page)  # the segment's members below the chart, and the link to the full list
    page.get_by_role("button", name=t("segments.open_list", "vi")).click()
    lands_on(page, db_url, scope, int(d["y"][i]))


def test_journey_stage_bar(page, db_url, scope):
    open_page(page, "page.journey")
    d = chart(page, "dist")
    i = _largest(d["y"])
    click(page, "dist", 0, i, len(d["y"]))
    flt = lands_on(page, db_url, scope, int(d["y"][i]))
    assert len(flt.lifecycle_stages) == 1
