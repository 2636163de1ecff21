"""The load of the concurrency benchmark: browser contexts in one Debian Chromium, each
signed in as a demo user and clicking through its navigation, plus one writer saving the
customer page's call form. Every click is timed inside the page, from the click event to
the end of the script run it started, known from the server's own "run finished" message
(benchmarks/concurrency_probe.py): no fixed sleeps, no Playwright round trip in the figure."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from benchmarks import concurrency_probe as probe
from benchmarks.concurrency_probe import STEP_S
from tests import browserkit

NAV = '[data-testid="stSidebarNavLink"]'
EXCEPTION = '[data-testid="stException"]'
NOT_RUNNING = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SIGN_IN_MS = 180_000  # unmeasured; a loaded machine serves the first page slowly
WRITER_NOTE = "concurrency benchmark"
PROBES = ("/_stcore/health", "/_stcore/host-config")


@dataclass
class Tally:
    """What all sessions saw; appended to from one event loop, so no lock."""
    clicks: list[dict] = field(default_factory=list)
    saves: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    measuring: bool = False

    def click(self, n: int, user: str, page: str, ms: float, first: bool, client: str,
              timed_out: bool = False, to_last_change: bool = False) -> None:
        self.clicks.append({"session": n, "user": user, "page": page, "ms": round(ms, 1),
                            "first": first, "client": client, "timed_out": timed_out,
                            "to_last_change": to_last_change})

    def failed(self, who: str, what: str, exc: BaseException, click: tuple | None = None) -> None:
        """An error. A click that timed out also counts in the timings, at the time limit
        (a lower bound), so the percentiles do not hide it; `click` is (n, user, page,
        first, client) as for click()."""
        self.errors.append(f"{who}: {what}: {type(exc).__name__} {str(exc)[:200]}")
        if click is not None and type(exc).__name__ == "TimeoutError" and self.measuring:
            n, user, page, first, client = click
            self.click(n, user, page, STEP_S * 1000, first, client, timed_out=True)


@dataclass
class Gate:
    """Sessions sign in unmeasured, count themselves ready, then click until stop_at."""
    start: asyncio.Event = field(default_factory=asyncio.Event)
    ready: int = 0
    stop_at: float = float("inf")

    def open(self) -> bool:
        return time.monotonic() < self.stop_at


def _t(key: str, **kw) -> str:
    from crm_data.i18n import t

    return t(key, "vi", **kw)


async def _recover(page) -> None:
    """After a failed click: wait for the app to be idle again, however long it takes."""
    try:
        await page.wait_for_selector(NOT_RUNNING, timeout=SIGN_IN_MS)
    except Exception:  # noqa: BLE001, S110 - the next click's own wait reports it
        pass


async def _login(page, base: str, user: str, password: str) -> None:
    """browserkit.login, waiting out the cookie route's redirect (a full page load)."""
    await page.goto(base + "/", timeout=SIGN_IN_MS)
    await page.get_by_label(_t("login.username"), exact=True).fill(user, timeout=SIGN_IN_MS)
    await page.get_by_label(_t("login.password"), exact=True).fill(password)
    async with page.expect_response(lambda r: "/_crm/session" in r.url, timeout=SIGN_IN_MS):
        await page.get_by_role("button", name=_t("login.submit"), exact=True).click()
    await page.wait_for_load_state("load", timeout=SIGN_IN_MS)
    await page.wait_for_selector(NAV, timeout=SIGN_IN_MS)
    await page.wait_for_selector(NOT_RUNNING, timeout=SIGN_IN_MS)


def _watch(page, base: str, who: str, tally: Tally, websocket_closes: bool) -> None:
    """HTTP errors, and (for sessions that never leave the page) a dropped WebSocket."""
    def on_response(resp):
        # Opened at a page's address (/customer?id=…), Streamlit's client first looks for
        # the server under that path, gets 404 and then finds it at the root: not an error.
        probe = resp.status == 404 and resp.url.endswith(PROBES) and not resp.url.startswith(
            tuple(f"{base}{p}" for p in PROBES))
        if resp.status >= 400 and tally.measuring and not probe:
            tally.errors.append(f"{who}: HTTP {resp.status} {resp.url}")

    def on_socket(ws):
        if websocket_closes:
            ws.on("close", lambda _ws: tally.measuring and tally.errors.append(f"{who}: WebSocket closed"))

    page.on("response", on_response)
    page.on("websocket", on_socket)


async def reader(browser, base: str, n: int, user: str, password: str, gate: Gate,
                 think_s: float, tally: Tally) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = await context.new_page()
        who = f"session {n} ({user})"
        _watch(page, base, who, tally, websocket_closes=True)
        ends = probe.RunEnds().attach(page)
        await _login(page, base, user, password)
        links = page.locator(NAV)
        # a link's text holds its icon's ligature name first
        titles = [text.strip().split("\n")[-1].strip() for text in await links.all_inner_texts()]
        count = len(titles)
        here = n % count  # sessions start on different pages; unmeasured (may be the current one)
        seen_runs = ends.count
        await links.nth(here).click()  # the current page's link reruns it too
        await asyncio.wait_for(ends.after(seen_runs), SIGN_IN_MS / 1000)
        gate.ready += 1
        await gate.start.wait()
        seen: set[str] = set()
        while gate.open():
            target = here = (here + 1) % count  # the next page: never the one we are on
            title = titles[target]
            try:
                ms, quiet = await probe.timed(page, ends, lambda i=target: links.nth(i).click())
            except Exception as exc:  # noqa: BLE001 - counted, not fatal
                tally.failed(who, title, exc, (n, user, title, title not in seen, "browser"))
                seen.add(title)
                await _recover(page)
                continue
            if await page.locator(EXCEPTION).count():
                tally.errors.append(f"{who}: {title}: exception shown")
            if gate.open():
                tally.click(n, user, title, ms, title not in seen, "browser", to_last_change=quiet)
            seen.add(title)
            if think_s:
                await asyncio.sleep(think_s)
    finally:
        await context.close()


async def writer(browser, base: str, customer_ids: list[int], gate: Gate, think_s: float,
                 tally: Tally) -> None:
    """The manager logs a call on one customer after another (the customer page's first
    form): time from the submit click to the saved message with the run finished."""
    from tests.browserkit import demo_password

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = await context.new_page()
        who = "writer (manager)"
        _watch(page, base, who, tally, websocket_closes=False)
        ends = probe.RunEnds().attach(page)
        await _login(page, base, "manager", demo_password("manager"))
        gate.ready += 1
        await gate.start.wait()
        n = 0
        while gate.open():
            cid = customer_ids[n % len(customer_ids)]
            n += 1
            submitted = False
            try:
                await probe.loaded(page, ends, f"{base}/customer?id={cid}")
                await page.get_by_role("tab", name=_t("customer.actions"), exact=True).click()
                await page.get_by_label(_t("customer.note"), exact=True).locator("visible=true") \
                    .first.fill(f"{WRITER_NOTE} #{n}")
                submit = page.get_by_role("button", name=_t("customer.submit"), exact=True) \
                    .locator("visible=true").first
                submitted = True
                # the save asks for a rerun that shows its message: done when that run ended
                ms, quiet = await probe.timed(page, ends, submit.click)
                await page.get_by_text(_t("customer.saved"), exact=True).wait_for(timeout=1000)
            except Exception as exc:  # noqa: BLE001 - counted, not fatal
                tally.failed(who, f"customer {cid}", exc)
                if submitted and type(exc).__name__ == "TimeoutError" and tally.measuring:
                    tally.saves.append({"customer_id": cid, "ms": STEP_S * 1000, "timed_out": True})
                await _recover(page)
                continue
            if await page.locator(EXCEPTION).count():
                tally.errors.append(f"{who}: customer {cid}: exception shown")
            if gate.open():
                tally.saves.append({"customer_id": cid, "ms": round(ms, 1), "to_last_change": quiet})
            if think_s:
                await asyncio.sleep(think_s)
    finally:
        await context.close()


async def drive(base: str, browser_users: list[tuple[str, str]], protocol_users: list[tuple[str, str]],
                customer_ids: list[int], seconds: float, think_s: float, mark, tally: Tally) -> None:
    """All sessions sign in (browser: user, password; protocol: user, session cookie), then
    click for `seconds`; `mark("before")` and `mark("after")` run when the measured window
    opens and closes (CPU counters)."""
    from playwright.async_api import async_playwright

    from benchmarks import concurrency_ws

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=browserkit.CHROMIUM,
                                           args=browserkit.CHROMIUM_ARGS, headless=True)
        try:
            gate = Gate()
            # sign-ins are not measured: the browsers first (their page loads are the
            # slowest), then the protocol sessions
            tasks = [asyncio.create_task(writer(browser, base, customer_ids, gate, think_s, tally))]
            tasks += [asyncio.create_task(reader(browser, base, n, user, password, gate, think_s, tally))
                      for n, (user, password) in enumerate(browser_users)]
            await _signed_in(gate, tasks)
            tasks += [asyncio.create_task(concurrency_ws.reader(base, n, user, cookie, gate, think_s, tally))
                      for n, (user, cookie) in enumerate(protocol_users, start=len(browser_users))]
            await _signed_in(gate, tasks)
            print(f"  {len(tasks)} sessions signed in; measuring for {seconds:.0f} s …", flush=True)
            mark("before")
            tally.measuring = True
            gate.stop_at = time.monotonic() + seconds
            gate.start.set()
            await asyncio.sleep(seconds)
            mark("after")  # before contexts close and their processes are gone
            tally.measuring = False
            for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(outcome, BaseException):  # a session that broke off: counted
                    tally.errors.append(f"session ended: {type(outcome).__name__} {str(outcome)[:200]}")
        finally:
            await browser.close()


async def _signed_in(gate: Gate, tasks: list) -> None:
    while gate.ready < len(tasks):
        await asyncio.sleep(0.2)
        for task in tasks:
            if task.done():
                task.result()  # a session that could not sign in stops the run
