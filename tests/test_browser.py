"""The real app in a real browser: `streamlit run app.py` (as `make run`) on a loopback port against a
small seeded SQLite database, driven by Debian's Chromium through Playwright.

Every demo role logs in through the form and opens every page its navigation offers; no
page may show an exception; the Overview shows the numbers crm_data computes; charts are
drawn; English can be switched on; an anonymous visit to a page sees only the login form.
Screenshots are kept in a temporary directory (its path is printed) for a look afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browserkit import (
    CHROMIUM,
    chromium,
    demo_password,
    link_title,
    login,
    nav_links,
    running_app,
    sample_db,
    settle,
)

CUSTOMERS = 300
SEED = 11
STEP_MS = 30_000

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return sample_db(tmp_path_factory.mktemp("browser"), customers=CUSTOMERS, seed=SEED)


@pytest.fixture(scope="module")
def base_url(db_url, tmp_path_factory):
    with running_app(db_url, tmp_path_factory.mktemp("streamlit")) as base:
        yield base


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    path = Path(os.environ.get("CRM_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {path}")
    return path


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    pg = context.new_page()
    yield pg
    context.close()


def assert_no_error(page, where: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: exception shown: {boxes.first.inner_text()[:800]}"
    assert "Traceback" not in page.locator("body").inner_text(), f"{where}: traceback on page"


# Streamlit's defaults shown when a widget gets no text of ours (a selectbox's empty choice
# without a placeholder; the navigation collapsed after ten pages).
STREAMLIT_ENGLISH = ("Choose an option", "View more", "View less")


@pytest.mark.parametrize("role", ["admin", "manager", "staff", "viewer"])
def test_every_page_of_every_role_renders(page, base_url, role):
    from crm_data.accounts.scope import Scope
    from crm_data.i18n import t
    from crm_ui.nav import specs_for

    login(page, base_url, role, demo_password(role))
    assert_no_error(page, f"{role} after login")
    links = nav_links(page)
    titles = [link_title(links.nth(i)) for i in range(links.count())]
    expected = [t(s.title_key, "vi") for s in specs_for(Scope(1, role, role)) if not s.hidden]
    assert titles == expected, f"{role} sees {titles}, navigation registry says {expected}"
    # Every page in the real frontend as the admin (who may open them all) and the viewer (whose
    # pages show aggregates and refusals instead); the manager's and staff's versions of each
    # page run in AppTest (tests/test_pages_smoke.py), here their navigation and first page.
    visit = titles if role in ("admin", "viewer") else titles[:1]
    for i, title in enumerate(visit):
        links.nth(i).click()
        settle(page)
        assert_no_error(page, f"{role} on {title}")
        shown = page.locator("body").inner_text()
        for english in STREAMLIT_ENGLISH:  # Streamlit's own defaults, not through the catalogue
            assert english not in shown, f"{role} on {title}: {english!r} shown"


def test_overview_shows_the_data_layer_numbers_and_a_chart(page, base_url, db_url, shots):
    from crm_data.accounts.scope import Scope
    from crm_data.domain.formatting import compact_money, number
    from crm_data.domain.periods import preset
    from crm_data.reports import overview
    from crm_data.storage.db import make_engine
    from tests.apptest import auth_for

    who = auth_for(db_url, "manager")
    eng = make_engine(db_url)
    kpis = overview.kpis(eng, Scope(who["user_id"], "manager", "manager"), preset("this_month"))
    eng.dispose()

    login(page, base_url, "manager", demo_password("manager"))
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=STEP_MS)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    values = [v.replace("\xa0", " ").strip() for v in values]
    assert number(kpis.total_customers, "vi") in values, values
    assert kpis.revenue > 0, "the sample has no revenue this month: the check below is empty"
    assert compact_money(kpis.revenue, "vi").replace("\xa0", " ") in values, values
    svg = page.locator(".js-plotly-plot svg.main-svg").first
    svg.wait_for(state="visible", timeout=STEP_MS)
    assert page.locator(".js-plotly-plot .plot path, .js-plotly-plot .bars path").count() > 0
    page.screenshot(path=str(shots / "overview-vi.png"), full_page=True)


def test_english_switch(page, base_url, shots):
    from crm_data.i18n import t

    login(page, base_url, "viewer", demo_password("viewer"))
    page.locator('[data-testid="stSidebar"] button', has_text="English").click()
    settle(page)
    page.get_by_role("heading", name=t("overview.title", "en")).first.wait_for(timeout=STEP_MS)
    assert page.get_by_text(t("kpi.total_customers", "en"), exact=True).count() > 0
    assert link_title(nav_links(page).first) == t("page.overview", "en")
    assert page.get_by_text(t("kpi.total_customers", "vi"), exact=True).count() == 0
    assert_no_error(page, "viewer in English")
    page.screenshot(path=str(shots / "overview-en.png"), full_page=True)


def test_anonymous_visit_sees_only_the_login_form(page, base_url, shots):
    from crm_data.i18n import t

    page.goto(base_url + "/customers")
    page.get_by_label(t("login.username", "vi"), exact=True).wait_for(timeout=STEP_MS)
    settle(page)
    assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stMetric"]').count() == 0
    assert page.locator(".js-plotly-plot").count() == 0
    assert_no_error(page, "anonymous")
    page.screenshot(path=str(shots / "anonymous.png"), full_page=True)

