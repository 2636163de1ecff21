"""The Today page in the real browser (Chromium through Playwright, the app on a loopback
port, a small seeded SQLite database): staff signs in, opens Today, selects the first item,
marks it done, and sees it leave the list."""

from __future__ import annotations

import os

import pytest

from tests.browserkit import (
    CHROMIUM,
    STEP_MS,
    demo_password,
    launch,
    login,
    running_app,
    sample_db,
    settle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ROLE = "staff"


def _items(db_url: str):
    from crm_data.accounts.scope import Scope
    from crm_data.daily import today
    from crm_data.storage.db import make_engine
    from tests.apptest import auth_for

    who = auth_for(db_url, ROLE)
    eng = make_engine(db_url)
    try:
        return today.items(eng, Scope(who["user_id"], ROLE, ROLE))
    finally:
        eng.dispose()


def test_mark_done_and_the_item_leaves_the_list(tmp_path_factory):
    from crm_data.i18n import t

    db_url = sample_db(tmp_path_factory.mktemp("today"), customers=300, seed=11)
    before = _items(db_url)
    assert not before.empty
    first = before.iloc[0]
    kind, n = first["kind"], int(first["kind_total"])
    heading = f"{t('today.count', 'vi', n=n)} · {t(f'today.kind.{kind}', 'vi')}"
    with running_app(db_url, tmp_path_factory.mktemp("streamlit")) as base, \
            sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN").new_page()
        login(page, base, ROLE, demo_password(ROLE))
        page.locator('[data-testid="stSidebarNavLink"]', has_text=t("page.today", "vi")).first.click()
        settle(page)
        sync_api.expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=STEP_MS)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=STEP_MS)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection checkbox
        settle(page)
        page.get_by_role("button", name=t("today.done.submit", "vi"), exact=True).click()
        settle(page)
        done = t("today.done.ok", "vi", code=first["code"], kind=t(f"today.kind.{kind}", "vi"))
        sync_api.expect(page.get_by_text(done)).to_be_visible(timeout=STEP_MS)
        left = f"{t('today.count', 'vi', n=n - 1)} · {t(f'today.kind.{kind}', 'vi')}"
        if n > 1:
            sync_api.expect(page.get_by_role("heading", name=left)).to_be_visible(timeout=STEP_MS)
        else:
            sync_api.expect(page.get_by_role("heading", name=heading)).to_have_count(0)
        browser.close()
    after = _items(db_url)
    gone = (after["kind"] == kind) & (after["customer_id"] == first["customer_id"]) \
        & (after["source_id"] == first["source_id"])
    assert not gone.any() and len(after) == len(before) - 1
