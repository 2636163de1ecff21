"""Sessions in a real browser (Debian's Chromium, `streamlit run app.py` on loopback):
reload keeps you signed in on the same page, a shared list link opened signed out comes
back after the sign-in with its filter, logout clears the cookie and is audited, disabling
a signed-in user ends the session on the next click; the server's headers."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

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
    return sample_db(tmp_path_factory.mktemp("browser_sessions"), customers=CUSTOMERS, seed=SEED)


@pytest.fixture(scope="module")
def base_url(db_url, tmp_path_factory):
    with running_app(db_url, tmp_path_factory.mktemp("streamlit")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    yield ctx
    ctx.close()


def _heading(page) -> str:
    page.locator("h1").first.wait_for(timeout=STEP_MS)
    return page.locator("h1").first.inner_text().strip()


def _no_page_not_found(page) -> None:
    assert page.locator('[data-testid="stDialog"]').count() == 0, "a modal is shown"
    assert "Page not found" not in page.locator("body").inner_text()


def _first_of_each_section(titles: list[str]) -> list[tuple[int, str]]:
    """(index in the navigation, title) of the first page of each section, from the registry."""
    from crm_data.accounts.scope import Scope
    from crm_data.i18n import t
    from crm_ui.nav import specs_for

    seen, out = set(), []
    for spec in specs_for(Scope(1, "admin", "admin")):
        if not spec.hidden and spec.section not in seen:
            seen.add(spec.section)
            out.append((titles.index(t(spec.title_key, "vi")), t(spec.title_key, "vi")))
    return out


def test_reload_keeps_every_section_signed_in_on_the_same_page(context, base_url):
    page = context.new_page()
    login(page, base_url, "admin", demo_password("admin"))
    cookie = next(c for c in context.cookies() if c["name"] == "crm_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    links = nav_links(page)
    titles = [link_title(links.nth(i)) for i in range(links.count())]
    assert "Người dùng" in titles
    # the first page of each navigation section (reports, daily work, customers, data, admin):
    # the cookie and the address, not the page's content, decide what a reload shows
    firsts = _first_of_each_section(titles)
    assert len(firsts) >= 4, firsts
    for i, title in firsts:
        nav_links(page).nth(i).click()
        settle(page)
        url = page.url
        before = _heading(page)
        page.reload()
        settle(page)
        assert page.url == url, title
        assert _heading(page) == before, f"{title}: after reload {page.url}"
        assert nav_links(page).count() == len(titles), f"{title}: signed out by the reload"
        _no_page_not_found(page)
    # a new tab of the same browser is signed in too
    tab = context.new_page()
    tab.goto(base_url + "/revenue")
    settle(tab)
    assert nav_links(tab).count() == len(titles)


def test_a_shared_list_link_opened_signed_out_comes_back_after_sign_in(context, base_url, db_url):
    from crm_data.accounts.scope import Scope
    from crm_data.customers.listing import count_customers
    from crm_data.domain.formatting import number
    from crm_data.filters.customer_filter import CustomerFilter
    from crm_data.i18n import t
    from crm_data.storage.db import make_engine

    query = {"regions": ["north"], "search": "nguyen"}
    eng = make_engine(db_url)
    expected = count_customers(eng, Scope(None, "manager", "manager"), CustomerFilter.from_query(query))
    eng.dispose()
    assert 0 < expected < CUSTOMERS, "the filter must narrow the list for the check to mean anything"

    page = context.new_page()
    page.goto(base_url + "/customers?regions=north&search=nguyen")
    settle(page)
    assert _heading(page) == t("login.title", "vi")
    _no_page_not_found(page)
    page.get_by_label(t("login.username", "vi"), exact=True).fill("manager")
    page.get_by_label(t("login.password", "vi"), exact=True).fill(demo_password("manager"))
    page.get_by_role("button", name=t("login.submit", "vi"), exact=True).click()
    page.wait_for_selector('[data-testid="stSidebarNavLink"]', timeout=STEP_MS)
    settle(page)
    assert page.url.endswith("/customers?regions=north&search=nguyen"), page.url
    assert _heading(page) == t("page.customers", "vi")
    total = t("customers.total", "vi", n=number(expected, "vi"))
    page.get_by_text(total, exact=False).first.wait_for(timeout=STEP_MS)


def test_logout_clears_the_cookie_and_is_audited(context, base_url, db_url):
    from crm_data.i18n import t
    from crm_data.storage.db import make_engine
    from crm_data.storage.models import AuditLog

    page = context.new_page()
    login(page, base_url, "viewer", demo_password("viewer"))
    page.get_by_role("button", name=t("app.logout", "vi")).click()
    page.get_by_label(t("login.username", "vi"), exact=True).wait_for(timeout=STEP_MS)
    assert not [c for c in context.cookies() if c["name"] == "crm_session"]
    page.reload()
    settle(page)
    assert _heading(page) == t("login.title", "vi")
    eng = make_engine(db_url)
    with eng.connect() as conn:
        who = conn.execute(select(AuditLog.username).where(AuditLog.action == "logout")).scalars().all()
    eng.dispose()
    assert who.count("viewer") == 1


def test_disabling_a_signed_in_user_ends_the_session_on_the_next_click(context, base_url, db_url):
    from crm_data.accounts import auth
    from crm_data.i18n import t
    from crm_data.storage.db import make_engine

    eng = make_engine(db_url)
    auth.add_user(eng, "tam", "mat-khau-tam-1", "staff", "Lê Văn Tâm")
    page = context.new_page()
    login(page, base_url, "tam", "mat-khau-tam-1")
    auth.set_active(eng, "tam", False)
    eng.dispose()
    nav_links(page).nth(1).click()
    settle(page)
    assert _heading(page) == t("login.title", "vi")
    page.reload()  # the cookie names a revoked session now
    settle(page)
    assert _heading(page) == t("login.title", "vi")


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback test server
            return r.status, r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def test_the_server_refuses_framing_and_hides_metrics(base_url):
    for path in ("/", "/customers", "/_stcore/health"):
        status, headers = _get(base_url + path)
        assert status == 200, path
        assert headers.get("X-Frame-Options") == "DENY", path
        assert headers.get("Content-Security-Policy") == "frame-ancestors 'none'", path
    assert _get(base_url + "/_stcore/metrics")[0] == 404
    assert _get(base_url + "//_stcore//metrics/")[0] == 404


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_cookie_route_only_sends_the_browser_to_this_site(base_url, target):
    from urllib.parse import quote

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{base_url}/_crm/session?code=nope&next={quote(target)}", timeout=10)
        raise AssertionError("no redirect")
    except urllib.error.HTTPError as exc:
        assert exc.code == 303
        assert exc.headers["Location"] == "/"
        assert "crm_session" not in (exc.headers.get("Set-Cookie") or "")


def test_a_sign_in_code_works_only_in_the_browser_that_signed_in(browser, base_url):
    """Login CSRF: a code captured from one browser and opened in another signs nobody in."""
    from crm_data.i18n import t

    mine = browser.new_context(locale="vi-VN")
    other = browser.new_context(locale="vi-VN")
    try:
        captured = []
        page = mine.new_page()
        page.route("**/_crm/session*", lambda route: (captured.append(route.request.url), route.abort()))
        page.goto(base_url + "/")
        settle(page)
        page.get_by_label(t("login.username", "vi"), exact=True).fill("viewer")
        page.get_by_label(t("login.password", "vi"), exact=True).fill(demo_password("viewer"))
        page.get_by_role("button", name=t("login.submit", "vi"), exact=True).click()
        page.wait_for_timeout(100)
        for _ in range(100):
            if captured:
                break
            page.wait_for_timeout(100)
        assert captured, "the sign-in did not go through the cookie route"
        theirs = other.new_page()
        theirs.goto(base_url + "/")  # a visit first: the other browser has its own XSRF cookie
        settle(theirs)
        theirs.goto(captured[0])
        settle(theirs)
        assert not [c for c in other.cookies() if c["name"] == "crm_session"]
        assert _heading(theirs) == t("login.title", "vi")
    finally:
        mine.close()
        other.close()


def test_a_link_beyond_the_role_says_so_in_vietnamese_and_is_audited(context, base_url, db_url):
    """Staff following a link to the Users page: a refusal in the session's language (not
    Streamlit's English "Page not found"), the navigation of their role, an audit row."""
    import pandas as pd

    from crm_data.i18n import t
    from crm_data.storage.db import make_engine

    page = context.new_page()
    login(page, base_url, "staff", demo_password("staff"))
    own = nav_links(page).count()
    page.goto(base_url + "/users")
    settle(page)
    _no_page_not_found(page)
    page.get_by_text(t("nav.refused", "vi"), exact=False).first.wait_for(timeout=STEP_MS)
    assert nav_links(page).count() == own, "the refusal is not listed in the navigation"
    eng = make_engine(db_url)
    rows = pd.read_sql("SELECT username, detail FROM audit_log WHERE action = 'denied' "
                       "AND entity = 'page'", eng)
    eng.dispose()
    assert (rows["username"] == "staff").any() and rows["detail"].str.contains("users").any()
