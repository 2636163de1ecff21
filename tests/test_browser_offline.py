"""The dashboard loads nothing from other hosts: the login page and a report page, in
Chromium, request only the app's own loopback server (the page icon was a Material
Symbols SVG fetched from fonts.gstatic.com on every load)."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

from crm_data.i18n import t
from tests.browserkit import (
    CHROMIUM,
    demo_password,
    launch,
    link_title,
    login,
    nav_links,
    running_app,
    sample_db,
    settle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    url = sample_db(tmp_path_factory.mktemp("offline"), customers=150, seed=5)
    with running_app(url, tmp_path_factory.mktemp("streamlit")) as base:
        yield base


def _foreign(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme not in LOCAL_SCHEMES
            and urlparse(u).hostname not in LOOPBACK]


def test_login_and_report_pages_request_only_loopback(base_url):
    requested: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.goto(base_url + "/")
            settle(page)
            page.wait_for_selector('[data-testid="stTextInput"]', timeout=30_000)
            icon = page.eval_on_selector("link[rel='shortcut icon']", "e => e.href")
            login(page, base_url, "manager", demo_password("manager"))
            revenue = t("page.revenue", "vi")
            links = nav_links(page)
            next(links.nth(i) for i in range(links.count())
                 if link_title(links.nth(i)) == revenue).click()
            settle(page)
            page.wait_for_selector('[data-testid="stMetric"], [data-testid="stPlotlyChart"]',
                                   timeout=30_000)
        finally:
            browser.close()
    assert requested, "the browser made requests"
    assert _foreign(requested) == []
    assert icon.startswith("data:image/svg+xml")  # the emoji page icon, drawn locally
