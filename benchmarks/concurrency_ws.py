"""Reader sessions that speak Streamlit's own protocol over the WebSocket, as the browser's
client does (BackMsg `rerun_script` with the page's script hash → ForwardMsg deltas →
`script_finished`), without drawing anything: the server does all the work a browser
session costs it, but the benchmark's 2 cores are not spent on 20 Chromium renderers
(which could not even load the page within 30 s here, docs/performance.md). A session is
signed in through the app's own cookie (crm_data.accounts.sessions.start), as a reload would be.

A click's time runs from sending the rerun to receiving `script_finished`: the server's run
and the transfer of every delta, not the browser's drawing (the Chromium sessions of
benchmarks/concurrency_load.py measure that under the same load)."""

from __future__ import annotations

import asyncio
import time

from benchmarks.concurrency_load import SIGN_IN_MS, STEP_S, Gate, Tally
from tests.browserkit import ends_run

STREAM = "/_stcore/stream"


def session_cookies(db_url: str, users: list[str]) -> list[str]:
    """One server-side session (cookie value) per entry of `users`, as a sign-in makes."""
    from sqlalchemy import select

    from crm_data.accounts import sessions
    from crm_data.accounts.scope import Scope
    from crm_data.storage.db import make_engine
    from crm_data.storage.models import User

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            found = {u.username: u for u in conn.execute(select(User.id, User.username, User.role))}
        return [sessions.start(engine, Scope(found[u].id, u, found[u].role), "benchmark") for u in users]
    finally:
        engine.dispose()


def _rerun(page_hash: str = "", page_name: str = "") -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = page_hash
    msg.rerun_script.page_name = page_name
    return msg.SerializeToString()


async def _until_finished(ws) -> tuple[list, int]:
    """Read until the run ends; returns (the navigation's pages if sent, exceptions shown)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    pages, exceptions = [], 0
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            pages = list(msg.navigation.app_pages)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                and msg.delta.new_element.WhichOneof("type") == "exception":
            exceptions += 1
        elif ends_run(msg):
            return pages, exceptions


async def reader(base: str, n: int, user: str, cookie: str, gate: Gate, think_s: float,
                 tally: Tally) -> None:
    import websockets

    who = f"session {n} ({user}, protocol)"
    url = base.replace("http://", "ws://", 1) + STREAM
    # ping_interval=None: a browser never pings the server either
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, ping_interval=None,
                                  additional_headers={"Cookie": f"crm_session={cookie}",
                                                      "Origin": base}) as ws:
        await ws.send(_rerun())  # the first run: opening the app's address
        pages, _exc = await asyncio.wait_for(_until_finished(ws), SIGN_IN_MS / 1000)
        pages = [p for p in pages if not p.is_hidden]
        if len(pages) < 2:
            raise RuntimeError(f"{who}: not signed in (no navigation)")
        here = n % len(pages)  # sessions start on different pages
        await ws.send(_rerun(pages[here].page_script_hash, pages[here].url_pathname))
        await asyncio.wait_for(_until_finished(ws), SIGN_IN_MS / 1000)
        gate.ready += 1
        await gate.start.wait()
        seen: set[str] = set()
        while gate.open():
            here = (here + 1) % len(pages)
            page = pages[here]
            started = time.perf_counter()
            try:
                await ws.send(_rerun(page.page_script_hash, page.url_pathname))
                _pages, exceptions = await asyncio.wait_for(_until_finished(ws), STEP_S)
            except (TimeoutError, websockets.ConnectionClosed) as exc:
                tally.failed(who, page.page_name, exc,
                             (n, user, page.page_name, page.page_name not in seen, "protocol"))
                seen.add(page.page_name)
                if isinstance(exc, websockets.ConnectionClosed):
                    return
                # the late run's messages must not end the next click's wait
                await asyncio.wait_for(_until_finished(ws), SIGN_IN_MS / 1000)
                continue
            ms = (time.perf_counter() - started) * 1000
            if exceptions:
                tally.errors.append(f"{who}: {page.page_name}: exception shown")
            if gate.open():
                tally.click(n, user, page.page_name, ms, page.page_name not in seen, "protocol")
            seen.add(page.page_name)
            if think_s:
                await asyncio.sleep(think_s)
