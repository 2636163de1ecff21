"""The concurrency benchmark's arithmetic (percentiles, the per-run summary, CPU shares) and
its HAProxy configuration: accepted by HAProxy, and sticky — a browser that got the
process cookie keeps reaching the same process (two tiny HTTP servers stand in for the
app processes)."""

from __future__ import annotations

import http.server
import threading
import urllib.request

import pytest

from benchmarks import proxy
from benchmarks.concurrency import cpu_shares, percentile, summarize, summary


def test_percentile_is_nearest_rank_on_sorted_values():
    values = [float(v) for v in range(20, 0, -1)]  # 20 … 1, unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 11.0  # index round(9.5) = 10
    assert percentile(values, 95) == 19.0  # index round(18.05) = 18
    assert percentile(values, 100) == 20.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 95) is None


def test_summarize_and_summary_split_clicks():
    assert summarize([]) == {"clicks": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    clicks = [
        {"page": "A", "ms": 100.0, "first": True, "client": "browser"},
        {"page": "B", "ms": 300.0, "first": True, "client": "protocol"},
        {"page": "A", "ms": 50.0, "first": False, "client": "protocol"},
        {"page": "A", "ms": 70.0, "first": False, "client": "browser", "to_last_change": True},
    ]
    saves = [{"customer_id": 1, "ms": 900.0}]
    s = summary(clicks, saves)
    assert s["all"] == {"clicks": 5, "p50_ms": 100.0, "p95_ms": 900.0, "max_ms": 900.0}
    assert s["reads"]["max_ms"] == 300.0 and s["saves"]["clicks"] == 1
    assert s["first_visits"]["clicks"] == 2 and s["warm"]["max_ms"] == 70.0
    assert s["reads_browser"]["clicks"] == 2 and s["reads_protocol"]["p50_ms"] == 50.0
    assert s["pages"]["A"] == {"clicks": 3, "p50_ms": 70.0, "p95_ms": 100.0, "max_ms": 100.0}
    assert s["timed_out"] == 0 and s["timed_to_last_change"] == 1


def test_a_click_that_timed_out_counts_at_the_limit_and_as_an_error():
    from benchmarks.concurrency_load import STEP_S, Tally

    tally = Tally(measuring=True)
    tally.click(1, "admin", "A", 120.0, True, "protocol")
    tally.failed("session 1", "B", TimeoutError(), (1, "admin", "B", True, "protocol"))
    tally.failed("session 1", "C", ConnectionError("gone"), (1, "admin", "C", True, "protocol"))
    assert len(tally.errors) == 2
    s = summary(tally.clicks, [])
    assert s["reads"]["clicks"] == 2 and s["reads"]["max_ms"] == STEP_S * 1000 and s["timed_out"] == 1


def test_a_chromium_click_is_done_when_the_server_says_its_run_finished():
    """The probe counts the server's script_finished frames on the page's WebSocket: the
    early end of a run that asked for a rerun is not the end, other messages are not."""
    import asyncio

    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from tests.browserkit import RunEnds, run_ended

    def frame(status=None) -> bytes:
        msg = ForwardMsg()
        if status is None:
            msg.session_status_changed.script_is_running = True
        else:
            msg.script_finished = status
        return msg.SerializeToString()

    finished = frame(ForwardMsg.FINISHED_SUCCESSFULLY)
    early = frame(ForwardMsg.FINISHED_EARLY_FOR_RERUN)
    assert run_ended(finished) and not run_ended(early)
    assert not run_ended(frame()) and not run_ended("text")

    async def click_then_frames() -> tuple[bool, int]:
        ends = RunEnds()
        seen = ends.count
        waiting = asyncio.create_task(ends.after(seen))
        for payload in (frame(), early):
            ends.frame(payload)
        await asyncio.sleep(0)
        still_waiting = not waiting.done()
        ends.frame(finished)
        await asyncio.wait_for(waiting, 1)
        return still_waiting, ends.count

    assert asyncio.run(click_then_frames()) == (True, 1)


def test_cpu_shares_count_new_processes_from_zero_and_the_rest_as_others():
    before = {"procs": {1: ("app", 10.0), 2: ("browser", 5.0)}, "machine_busy": 100.0,
              "machine_total": 1000.0, "at": 0.0}
    after = {"procs": {1: ("app", 14.0), 3: ("browser", 2.0), 4: ("driver", 0.5)},
             "machine_busy": 110.0, "machine_total": 1020.0, "at": 10.0}
    out = cpu_shares(before, after)
    assert (out["app"], out["browser"], out["driver"], out["proxy"]) == (4.0, 2.0, 0.5, 0.0)
    assert out["others"] == 3.5 and out["cores"] == 2 and out["wall_s"] == 10.0


def test_haproxy_config_routes_everything_to_one_sticky_backend():
    cfg = proxy.haproxy_config(9000, [8501, 8502])
    assert "bind 127.0.0.1:9000" in cfg
    assert f"cookie {proxy.STICKY_COOKIE} insert indirect nocache httponly" in cfg
    assert "server app1 127.0.0.1:8501 check cookie app1" in cfg
    assert "server app2 127.0.0.1:8502 check cookie app2" in cfg
    assert "timeout tunnel" in cfg and "path_end /_stcore/metrics" in cfg
    assert "timeout check 10s" in cfg  # a busy process is slow, not down
    with pytest.raises(ValueError):
        proxy.haproxy_config(9000, [])


class _Named(http.server.BaseHTTPRequestHandler):
    """An app process: healthy, and names itself on every other path."""

    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"ok" if self.path.endswith("/_stcore/health") else self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # HAProxy's health checks hang up before reading the whole answer


@pytest.mark.skipif(not proxy.available(), reason="haproxy is not installed (apt-get install haproxy)")
def test_haproxy_keeps_a_browser_on_its_process(tmp_path):
    from tests.browserkit import free_port

    servers = []
    for name in ("one", "two"):
        srv = _Server(("127.0.0.1", 0), _Named)
        srv.name = name
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    ok, why = proxy.check(tmp_path / "missing.cfg")
    assert not ok  # a configuration HAProxy cannot read is reported, not ignored
    proc, base = proxy.start(free_port(), [s.server_address[1] for s in servers], tmp_path)
    try:
        def get(cookie: str | None = None) -> tuple[str, str | None]:
            req = urllib.request.Request(base + "/page", headers={"Cookie": cookie} if cookie else {})
            with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310 - loopback
                return r.read().decode(), r.headers.get("Set-Cookie")

        first, set_cookie = get()
        assert set_cookie and set_cookie.startswith(f"{proxy.STICKY_COOKIE}=")
        cookie = set_cookie.split(";", 1)[0]
        assert {get(cookie)[0] for _ in range(6)} == {first}  # sticky
        assert {get()[0] for _ in range(6)} == {"one", "two"}  # without the cookie: both
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for srv in servers:
            srv.shutdown()
