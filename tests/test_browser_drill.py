"""Click-through in the real browser: a click on a bar of the Overview's customers-per-bucket
chart lands on the customer list, whose total equals the bar's value (Chromium through
Playwright, the app on a loopback port, a small seeded SQLite database)."""

from __future__ import annotations

import os
import re

import pytest

from tests.browserkit import (
    CHROMIUM,
    STEP_MS,
    demo_password,
    launch,
    login,
    settle,
    start_app,
    stop,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    from crm_data import sample, schema
    from crm_data.db import make_engine
    from tests.conftest import FIXED_TODAY

    url = f"sqlite:///{tmp_path_factory.mktemp('drill') / 'crm.db'}"
    eng = make_engine(url)
    schema.upgrade(eng)
    sample.generate(eng, customers=300, seed=11, ref=FIXED_TODAY)
    eng.dispose()
    return url


@pytest.fixture(scope="module")
def base_url(db_url, tmp_path_factory):
    proc, base = start_app(db_url, tmp_path_factory.mktemp("streamlit") / "server.log")
    yield base
    stop(proc)


@pytest.fixture
def page():
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        yield context.new_page()
        browser.close()


# The value and the screen centre of the tallest bar of a trace of the n-th Plotly chart.
_TALLEST = """([n, curve]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[n];
  const ys = Array.from(gd._fullData[curve].y);  // decoded (Streamlit sends typed arrays)
  const i = ys.indexOf(Math.max(...ys));
  const bar = gd.querySelectorAll('.barlayer .trace.bars')[curve].querySelectorAll('.point path')[i];
  const r = bar.getBoundingClientRect();
  return {value: ys[i], x: r.x + r.width / 2, y: r.y + r.height / 2};
}"""


def test_overview_bar_click_lands_on_its_customers(page, base_url, db_url):
    from crm_data.customers import count_customers
    from crm_data.db import make_engine
    from crm_data.filters import CustomerFilter
    from crm_data.formatting import number
    from crm_data.i18n import t
    from crm_data.scope import Scope
    from tests.apptest import auth_for

    login(page, base_url, "manager", demo_password("manager"))
    # the Overview opens after login (a new page load would be a new, signed-out session)
    title = t("drill.customers_title", "vi", gran="")  # of whichever granularity is shown
    page.get_by_text(re.compile("^" + re.escape(title))).first.scroll_into_view_if_needed()
    charts = page.locator(".js-plotly-plot")
    charts.nth(1).locator(".barlayer .point path").first.wait_for(state="attached", timeout=STEP_MS)
    page.wait_for_timeout(500)  # the chart's layout after scrolling
    bar = page.evaluate(_TALLEST, [1, 0])  # the new-customers bars
    assert bar["value"] > 0
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url("**/customers?**", timeout=STEP_MS)
    settle(page)

    total = page.get_by_text(t("customers.total", "vi", n=number(bar["value"], "vi")), exact=False)
    total.first.wait_for(timeout=STEP_MS)
    # the URL holds the mark's filter: the data layer counts the same for the manager
    from urllib.parse import parse_qs, urlparse

    flt = CustomerFilter.from_query(parse_qs(urlparse(page.url).query))
    assert flt.created_from is not None and flt.created_to is not None
    who = auth_for(db_url, "manager")
    eng = make_engine(db_url)
    assert count_customers(eng, Scope(who["user_id"], "manager", "manager"), flt) == bar["value"]
    eng.dispose()
