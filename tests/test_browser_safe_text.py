"""Issue 11, finding 4 in a real browser: a customer whose every text field (name, code,
address, company, tags, notes, order line, interaction note, complaint, appointment title),
its owner's display name and a shared saved segment's name are Markdown images, links, bare
URLs and raw <img> / <a> pointing at a loopback listener. An admin opens the customer list,
the customer 360 page (every tab), the edit form, the saved segments, and the segment,
revenue and funnel reports split by owner and tag, hovering the charts. The listener must
receive no request and no page may hold an <img> or <a> pointing at it; the hostile text
must still be on screen, as the characters typed."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import hostile
from tests.browserkit import (
    CHROMIUM,
    demo_password,
    launch,
    login,
    nav_links,
    open_tab,
    settle,
    start_app,
    stop,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

STEP_MS = 30_000
WJ = "\u2060"  # crm_ui.safe.md's autolink breaker; invisible, removed before comparing text


def _listen():
    """A loopback HTTP server that records every request it gets: (host:port, hits)."""
    hits: list[str] = []

    class Record(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_POST = do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def listener():
    yield from _listen()


@pytest.fixture(scope="module")
def probe_listener():
    yield from _listen()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, listener):
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine

    host, _hits = listener
    path = tmp_path_factory.mktemp("safe_text") / "crm.db"
    url = f"sqlite:///{path}"
    eng = make_engine(url)
    schema.upgrade(eng)
    seeded = hostile.seed(eng, host)
    eng.dispose()
    proc, base = start_app(url, tmp_path_factory.mktemp("streamlit") / "server.log")
    yield base, seeded
    stop(proc)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def page(browser_context, hostile_app):
    pg = browser_context.new_page()
    login(pg, hostile_app[0], "admin", demo_password("admin"))
    return pg


def _assert_inert(page, listener, where: str) -> None:
    host, hits = listener
    page.wait_for_timeout(400)  # let any image request leave the browser
    found = page.evaluate(
        """(host) => Array.from(document.querySelectorAll('img, a, image, [src], [href]'))
             .map(e => e.getAttribute('src') || e.getAttribute('href')
                       || e.getAttribute('xlink:href') || '')
             .filter(v => v.includes(host))""", host)
    assert found == [], f"{where}: elements pointing at the listener: {found}"
    assert hits == [], f"{where}: the browser fetched {hits}"
    assert page.locator('[data-testid="stException"]').count() == 0, f"{where}: exception shown"


def _text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text().replace(WJ, "")


def _open_nav(page, title: str) -> None:
    links = nav_links(page)
    links.filter(has_text=title).first.click()
    settle(page)


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").first.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    settle(page)
    chosen = box.locator("input").first.input_value() or box.inner_text()
    assert option in chosen, f"{label}: {option} not chosen ({chosen})"


def _hover_charts(page) -> None:
    for plot in page.locator(".js-plotly-plot").all():
        box = plot.bounding_box()
        if not box:
            continue
        for fx in (0.2, 0.35, 0.5, 0.65, 0.8):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.7)
            page.wait_for_timeout(60)


def test_hostile_customer_text_renders_as_text(page, listener, hostile_app):
    from crm_data.i18n import t

    _base, h = hostile_app
    _assert_inert(page, listener, "overview")

    # The customer list: one row, the hostile customer.
    _open_nav(page, t("page.customers", "vi"))
    _assert_inert(page, listener, "customer list")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=STEP_MS)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the row's selection checkbox
    settle(page)
    open_button = page.get_by_role("button", name=t("customers.open", "vi"), exact=True)
    sync_api.expect(open_button).to_be_enabled(timeout=STEP_MS)
    open_button.click()
    settle(page)
    page.wait_for_selector("h1", timeout=STEP_MS)

    # Customer 360: title, profile, notes, tags, owner, open complaint, appointments.
    _assert_inert(page, listener, "customer 360")
    shown = _text(page)
    for field in ("full_name", "address", "company", "notes", "owner"):
        assert h.texts[field] in shown, f"{field} is not shown as typed"
    assert h.code in page.locator("h1").first.inner_text().replace(WJ, "")
    for name in ("customer.timeline", "customer.stages", "customer.actions",
                 "customer.tab_feedback", "customer.tab_appointment"):
        page.get_by_role("tab", name=t(name, "vi"), exact=True).click()
        settle(page)
        _assert_inert(page, listener, f"customer 360, tab {name}")
    assert h.texts["appointment"] in _text(page)

    page.get_by_text(t("customer.edit", "vi"), exact=True).first.click()
    settle(page)
    _assert_inert(page, listener, "customer form")

    _open_nav(page, t("page.saved_segments", "vi"))
    assert h.texts["segment"] in _text(page)
    _assert_inert(page, listener, "saved segments")

    _open_nav(page, t("page.segments", "vi"))
    for dim in ("owner", "tag"):
        _choose(page, t("segments.by", "vi"), t(f"rdim.{dim}", "vi"))
        page.locator(".js-plotly-plot").first.wait_for(timeout=STEP_MS)
        _hover_charts(page)
        _assert_inert(page, listener, f"segments by {dim}")
        expected = "owner.png" if dim == "owner" else "tag.png"
        assert expected in page.locator(".js-plotly-plot").first.text_content(), \
            f"segments by {dim}: the hostile label is not drawn as text"

    _open_nav(page, t("page.revenue", "vi"))
    open_tab(page, "revenue.tab.segments")
    _choose(page, t("segments.by", "vi"), t("rdim.owner", "vi"))
    _hover_charts(page)
    _assert_inert(page, listener, "revenue by owner")

    _open_nav(page, t("page.funnel", "vi"))
    page.locator('[data-testid="stButtonGroup"]').get_by_text(
        t("funnel.split_owner", "vi"), exact=True).first.click()
    settle(page)
    _hover_charts(page)
    _assert_inert(page, listener, "funnel by owner")


def test_hostile_display_name_in_the_sidebar_renders_as_text(browser_context, listener, hostile_app):
    base, h = hostile_app
    page = browser_context.new_page()
    login(page, base, "evil_owner", hostile.OWNER_PASSWORD)
    _assert_inert(page, listener, "sidebar of the hostile owner")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace(WJ, "")
    assert h.texts["owner"] in sidebar


def probe_payloads(host: str) -> list[str]:
    return [
        f"![img](http://{host}/img.png)",
        f"[link](http://{host}/link)",
        f"<http://{host}/angle>",
        f"bare http://{host}/bare and HTTPS://{host}/upper",
        f"www.{host}/www",
        f'<img src="http://{host}/raw.png"> <a href="http://{host}/raw-a">a</a>',
        ":red[red] :material/home: :smile: $x^2$ **bold** ~~strike~~ `code`",
        f"# heading\n- item\n[ref][1]\n\n[1]: http://{host}/ref",
        "mail someone@example.com end",
    ]


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory, probe_listener):
    host, _hits = probe_listener
    tmp = tmp_path_factory.mktemp("safe_text_probe")
    proc, base = start_app(f"sqlite:///{tmp / 'unused.db'}", tmp / "server.log", env={
        "SAFE_TEXT_HOST": host, "SAFE_TEXT_PAYLOADS": json.dumps(probe_payloads(host))},
        script="tests/safe_text_app.py")
    yield base
    stop(proc)


@pytest.mark.parametrize("mode", ["raw", "safe"])
def test_safe_md_neutralises_every_markdown_element(browser_context, probe_listener, probe_app, mode):
    """crm_ui.safe.md against Streamlit's own renderer: titles, captions, messages, metric
    labels and help, widget / expander / tab / page-link labels, radio / pills / segmented
    options, a toast; and charts.show against Plotly. As typed, the same page fetches the
    listener's images and shows its links (each element is a real sink); escaped, nothing."""
    host, hits = probe_listener
    hits.clear()
    page = browser_context.new_page()
    page.goto(f"{probe_app}/?mode={mode}")
    page.get_by_text("probe ready").wait_for(timeout=STEP_MS)
    settle(page)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=STEP_MS)
    _hover_charts(page)
    page.wait_for_timeout(500)
    found = page.evaluate(
        """(host) => Array.from(document.querySelectorAll('img, a, image, [src], [href]'))
             .map(e => e.getAttribute('src') || e.getAttribute('href')
                       || e.getAttribute('xlink:href') || '')
             .filter(v => v.includes(host))""", host)
    if mode == "raw":
        assert hits and found, "the hostile text did not render: the probe checks nothing"
        assert any("plot-a" in f for f in found), "Plotly did not render the raw <a>"
        return
    assert hits == [], f"fetched: {hits}"
    assert found == [], f"links / images: {found}"
    shown = page.locator("body").inner_text().replace(WJ, "")
    for value in probe_payloads(host):
        assert " ".join(value.split("\n")) in shown, value
