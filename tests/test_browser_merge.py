"""Merging two customers in the real browser: a manager opens Khách hàng trùng from the
navigation, finds the planted duplicates of a small sample database, picks a pair, takes
the other record's email, confirms and merges; the database then holds one record with every
row of both (Chromium through Playwright, the app on a loopback port)."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import func, select

from crm_data.i18n import t
from tests.browserkit import CHROMIUM, demo_password, launch, login, running_app, sample_db, settle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ROLE = "manager"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return sample_db(tmp_path_factory.mktemp("merge"), customers=300, seed=11)


def _rows(url, model, cid) -> int:
    from crm_data.storage.db import make_engine

    eng = make_engine(url)
    with eng.connect() as conn:
        n = conn.execute(select(func.count()).select_from(model).where(model.customer_id == cid)).scalar()
    eng.dispose()
    return int(n)


def _alive(url, cid) -> bool:
    from crm_data.storage.db import make_engine
    from crm_data.storage.models import Customer

    eng = make_engine(url)
    with eng.connect() as conn:
        deleted = conn.execute(select(Customer.deleted_at).where(Customer.id == cid)).scalar()
    eng.dispose()
    return deleted is None


def test_manager_merges_two_customers(db_url, tmp_path_factory):
    from crm_data.storage.models import Order

    with running_app(db_url, tmp_path_factory.mktemp("streamlit")) as base, \
            sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN").new_page()
        login(page, base, ROLE, demo_password(ROLE))
        page.locator('[data-testid="stSidebarNavLink"]').filter(
            has_text=re.compile(re.escape(t("page.duplicates", "vi")) + "$")).first.click()
        page.get_by_role("button", name=t("dupes.find", "vi")).click()
        settle(page)
        page.get_by_text(re.compile(r"^Đã tìm thấy \d+ cặp")).wait_for()

        page.locator('[data-testid="stSelectbox"]').filter(
            has_text=t("dupes.pair", "vi")).first.locator("input").first.click()
        option = page.get_by_role("option").first
        codes = re.findall(r"KH\d{6}", option.inner_text())
        option.click()
        settle(page)
        keep, gone = (int(c[2:]) for c in codes)  # sample codes are KH + the id
        orders = _rows(db_url, Order, keep) + _rows(db_url, Order, gone)

        page.get_by_text(t("dupes.confirm", "vi")).click()
        page.get_by_role("button", name=t("dupes.merge", "vi")).click()
        settle(page)
        page.get_by_text(re.compile(r"^Đã gộp: \d+ dòng dữ liệu chuyển sang " + codes[0])).wait_for()
        browser.close()
    assert _alive(db_url, keep) and not _alive(db_url, gone)
    assert _rows(db_url, Order, gone) == 0 and _rows(db_url, Order, keep) == orders
