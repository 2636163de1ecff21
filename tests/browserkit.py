"""Driving the real app in Debian's Chromium: start `streamlit run app.py` (as `make run`
does: the dashboard with its sign-in cookie routes and security headers) on a free
loopback port, wait for script runs to finish, log in through the form. Shared by
tests/test_browser.py and scripts/screenshots.py. Never downloads a browser."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent
STEP_MS = 30_000  # one script run, worst case


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "streamlit"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "streamlit"]


def start_app(db_url: str, log_path: Path, env: dict | None = None,
              script: str = "app.py") -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` (as `make run` does, or another script of the project) on a
    free loopback port; returns (process, base URL)."""
    port = free_port()
    full_env = {**os.environ, "CRM_DATABASE_URL": db_url,
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    log = open(log_path, "wb")  # noqa: SIM115 - the child holds it; closed when it exits
    proc = subprocess.Popen(
        [*streamlit_cmd(), "run", script, "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"
    wait_healthy(proc, base, Path(log_path), "streamlit", 45)
    return proc, base


def wait_healthy(proc: subprocess.Popen, base: str, log_path: Path, what: str,
                 seconds: float) -> None:
    """Until `base`/_stcore/health answers "ok" (the app itself, or through a proxy); stops
    `proc` and raises if it exits or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:  # noqa: S310
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"{what} did not become healthy within {seconds:g} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def sample_db(directory: Path, customers: int, seed: int) -> str:
    """A new SQLite database `directory/crm.db` with sample data as of the tests' today."""
    from crm_data import sample
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine
    from tests.conftest import FIXED_TODAY

    url = f"sqlite:///{directory / 'crm.db'}"
    eng = make_engine(url)
    schema.upgrade(eng)
    sample.generate(eng, customers=customers, seed=seed, ref=FIXED_TODAY)
    eng.dispose()
    return url


@contextmanager
def running_app(db_url: str, log_dir: Path) -> Iterator[str]:
    """The app on `db_url` for the duration of the block; yields its base URL."""
    proc, base = start_app(db_url, log_dir / "server.log")
    try:
        yield base
    finally:
        stop(proc)


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium through Playwright for the duration of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


_RUNNING = '[data-testid="stApp"]:not([data-test-script-state="notRunning"])'
_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def ends_run(msg) -> bool:
    """Whether a ForwardMsg ends a script run (not the early end of one that asked for a rerun)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return msg.WhichOneof("type") == "script_finished" \
        and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN


def run_ended(payload: str | bytes) -> bool:
    """Whether a WebSocket frame from the server ends a script run."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if not isinstance(payload, bytes):
        return False
    msg = ForwardMsg()
    msg.ParseFromString(payload)
    return ends_run(msg)


class RunEnds:
    """How many script runs have ended on a page's WebSockets (every socket it opens): what
    settle() waits for here, and the concurrency benchmark's probe awaits (`after`)."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = asyncio.Event()

    def attach(self, page) -> RunEnds:
        page.on("websocket", lambda ws: ws.on("framereceived", self.frame))
        return self

    def frame(self, payload: str | bytes) -> None:
        if run_ended(payload):
            self.count += 1
            self._changed.set()

    async def after(self, seen: int) -> None:
        """Until a run has ended since `count` was `seen`."""
        while self.count <= seen:
            self._changed.clear()
            await self._changed.wait()


_TRACKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page → [RunEnds, count settled]


def track(page) -> None:
    """Count the script runs that end on `page` from now on (its next page load onwards)."""
    if page not in _TRACKED:
        _TRACKED[page] = [RunEnds().attach(page), 0]


def settle(page) -> None:
    """Wait until the script run the last interaction started has finished. On a tracked
    page: until the server's "run finished" has arrived since the last settle (a run too
    fast for the page to show "running" costs no wait); else, and when an interaction
    starts no run at all, the run has a second to show "running" first."""
    tracked = _TRACKED.get(page)
    if tracked is None:
        track(page)
        try:
            page.wait_for_selector(_RUNNING, timeout=1000)
        except Exception:  # noqa: S110 - the run started and ended before we looked
            pass
    else:  # a run longer than the second is shown "running" by then: the wait below holds
        t0 = time.monotonic()
        while tracked[0].count <= tracked[1] and time.monotonic() - t0 < 1.0:
            page.wait_for_timeout(20)
    page.wait_for_selector(_IDLE, timeout=STEP_MS)
    page.wait_for_timeout(100)
    if tracked is not None:
        tracked[1] = tracked[0].count


def login(page, base_url: str, username: str, password: str) -> None:
    from crm_data.i18n import t

    track(page)
    page.goto(base_url + "/")
    page.get_by_label(t("login.username", "vi"), exact=True).fill(username)
    page.get_by_label(t("login.password", "vi"), exact=True).fill(password)
    page.get_by_role("button", name=t("login.submit", "vi"), exact=True).click()
    page.wait_for_selector('[data-testid="stSidebarNavLink"]', timeout=STEP_MS)
    settle(page)


def open_tab(page, label_key: str, lang: str = "vi") -> None:
    """Click a tab of the page (its label's i18n key) and wait for the run it starts."""
    from crm_data.i18n import t

    page.get_by_role("tab", name=t(label_key, lang), exact=True).click()
    settle(page)


def nav_links(page):
    return page.locator('[data-testid="stSidebarNavLink"]')


def link_title(link) -> str:
    """A navigation link's label (its text also holds the icon's ligature name first)."""
    return link.inner_text().strip().split("\n")[-1].strip()


def full_screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main container, not the document, so
    Playwright's full_page sees one screen; grow the viewport to the content instead."""
    size = page.viewport_size or {"width": 1440, "height": 1000}
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stAppViewContainer', 'stSidebarContent']"
        ".map(id => document.querySelector(`[data-testid=\"${id}\"]`)?.scrollHeight || 0))")
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height + 40), 12000)})
    page.wait_for_timeout(300)  # charts re-layout to the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def demo_password(role: str) -> str:
    from crm_data.sample import DEMO_USERS

    return next(pw for user, pw, _role, _name in DEMO_USERS if user == role)
