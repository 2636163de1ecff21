"""The period follows the user in a real browser (issue 12, findings 1 and 10): Debian's
Chromium through Playwright against `streamlit run dashboard.py` on a loopback port.

Changing the period on the Overview shows it selected on every report page reached through
the sidebar navigation (and in each page's URL); custom dates show their full year."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browserkit import (
    CHROMIUM,
    chromium,
    demo_password,
    full_screenshot,
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
REPORT_PAGES = ("page.segments", "page.funnel", "page.journey", "page.retention", "page.revenue",
                "page.overview")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return sample_db(tmp_path_factory.mktemp("browser-period"), customers=CUSTOMERS, seed=SEED)


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


def _period_box(page, lang: str = "vi"):
    from crm_data.i18n import t

    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]',
                        has_text=t("common.period", lang)).first


def _choose_period(page, key: str, lang: str = "vi") -> None:
    from crm_data.i18n import t

    name = t(f"period.{key}", lang)
    _period_box(page, lang).click()
    # typed: the list is virtualised, an option far down a short dropdown is not in the DOM
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).click()
    settle(page)


def _shown_period(page) -> str:
    return _period_box(page).locator("input").input_value()


def _open(page, title_key: str) -> None:
    from crm_data.i18n import t

    links = nav_links(page)
    title = t(title_key, "vi")
    for i in range(links.count()):
        if link_title(links.nth(i)) == title:
            links.nth(i).click()
            settle(page)
            page.get_by_role("heading").first.wait_for(timeout=STEP_MS)
            return
    raise AssertionError(f"no navigation link {title!r}")


def test_period_chosen_on_overview_is_selected_on_every_report_page(page, base_url, shots):
    from crm_data.i18n import t

    login(page, base_url, "manager", demo_password("manager"))
    assert _shown_period(page) == t("period.this_month", "vi")  # the Overview's own default
    _choose_period(page, "this_year")
    assert _shown_period(page) == t("period.this_year", "vi")
    for key in REPORT_PAGES:
        _open(page, key)
        assert page.locator('[data-testid="stException"]').count() == 0, key
        assert _shown_period(page) == t("period.this_year", "vi"), key
        assert "period=this_year" in page.url, (key, page.url)
        page.screenshot(path=str(shots / f"period-this-year-{key}.png"))


def test_page_default_until_chosen_then_last_month_follows(page, base_url, shots):
    from crm_data.i18n import t

    login(page, base_url, "viewer", demo_password("viewer"))
    _open(page, "page.funnel")
    assert _shown_period(page) == t("period.this_quarter", "vi")  # the Funnel's own default
    _open(page, "page.retention")
    assert _shown_period(page) == t("period.last_12m", "vi")
    _choose_period(page, "last_month")
    _open(page, "page.funnel")
    assert _shown_period(page) == t("period.last_month", "vi")
    _open(page, "page.overview")
    assert _shown_period(page) == t("period.last_month", "vi")


def test_custom_dates_show_the_full_year(page, base_url, shots):
    login(page, base_url, "manager", demo_password("manager"))
    _choose_period(page, "last_quarter")
    _choose_period(page, "custom")
    fields = page.locator('[data-testid="stSidebar"] [data-testid="stDateInputField"]')
    assert fields.count() == 2
    for i, want in enumerate(("01 / 07 / 2026", "30 / 09 / 2026")):
        field = fields.nth(i)
        assert " ".join(field.inner_text().split()) == want
        year = field.locator('[data-type="year"]')
        box, inner = field.bounding_box(), year.bounding_box()
        # the year is drawn inside the box, not scrolled away or cut
        assert inner["x"] >= box["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"], \
            (want, box, inner)
        scroller = field.locator('[data-testid="stDateInputFieldsScroller"]')
        assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), want
    full_screenshot(page, shots / "period-custom-dates.png")
    _open(page, "page.revenue")
    fields = page.locator('[data-testid="stSidebar"] [data-testid="stDateInputField"]')
    assert [" ".join(fields.nth(i).inner_text().split()) for i in range(2)] == \
        ["01 / 07 / 2026", "30 / 09 / 2026"]
    assert "from=2026-07-01" in page.url and "to=2026-09-30" in page.url


def test_a_language_switch_keeps_a_pages_choice(page, base_url):
    """English re-labels a choice's options, a new widget to Streamlit: the choice must
    survive the next click, not fall back to the first option (Revenue's segment
    dimension went from Owner to Region after English and a period change)."""
    from crm_data.i18n import t

    login(page, base_url, "manager", demo_password("manager"))
    page.goto(base_url + "/revenue?tab=segments&dim=owner")
    settle(page)
    page.locator('[data-testid="stSidebar"] button', has_text="English").click()
    settle(page)
    _choose_period(page, "last_month", "en")
    query = parse_qs(urlparse(page.url).query)
    assert query.get("dim") == ["owner"] and query.get("tab") == ["segments"], page.url
    shown = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    assert shown.locator("input").input_value() == t("rdim.owner", "en")
