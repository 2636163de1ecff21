"""A report CSV downloaded in a real browser leaves its audit row: Streamlit generates the
file only when the button is clicked (a deferred `data` callable, crm_ui.widgets.audited),
and that generation records who, which file, how many rows and the page's filter."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from tests.browserkit import (
    CHROMIUM,
    demo_password,
    launch,
    login,
    nav_links,
    open_tab,
    sample_db,
    settle,
    start_app,
    stop,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_report_download_in_the_browser_is_audited(tmp_path):
    from crm_data.storage.db import make_engine

    url = sample_db(tmp_path, customers=150, seed=5)
    eng = make_engine(url)
    proc, base = start_app(url, tmp_path / "server.log")
    try:
        with sync_api.sync_playwright() as pw:
            browser = launch(pw)
            context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            login(page, base, "manager", demo_password("manager"))
            nav_links(page).filter(has_text="Doanh thu").first.click()
            settle(page)
            open_tab(page, "revenue.tab.customers")  # the top customers and the ranking
            buttons = page.locator('[data-testid="stDownloadButton"] button')
            assert buttons.count() == 2
            assert pd.read_sql("SELECT count(*) n FROM audit_log WHERE action = 'download'", eng)["n"][0] == 0
            with page.expect_download() as download:
                buttons.nth(0).click()
            name = download.value.suggested_filename
            body = open(download.value.path(), encoding="utf-8-sig").read()
            browser.close()
    finally:
        stop(proc)
    logged = pd.read_sql("SELECT * FROM audit_log WHERE action = 'download'", eng)
    eng.dispose()
    assert len(logged) == 1
    row = logged.iloc[0]
    detail = json.loads(row["detail"])
    assert row["username"] == "manager" and detail["file"] == name
    assert detail["rows"] == body.strip().count("\n") and detail["page"] == "revenue"
