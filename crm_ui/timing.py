"""Per-script-run timing for the browser benchmark (CRM_TIMING=path; off by default).

When on, every script run appends one JSON line to the file: the page, the whole run's
time and the data layer's share of it. "Data layer" is the wall time during which the run
is inside a cached call (crm_ui.cache.query: lookup, and the crm_data call on a miss) or
holds a database connection (pages that call crm_data directly); nested spans count once.
When off (no CRM_TIMING at start-up) every hook returns at its first line.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time

from sqlalchemy import Engine, event

PATH = os.environ.get("CRM_TIMING") or None

_run = threading.local()  # one script run per thread (Streamlit's ScriptRunner threads)
_watched: set[int] = set()


def begin() -> None:
    """At the top of the entry script: a new run starts in this thread."""
    if PATH is None:
        return
    _run.started = time.perf_counter()
    _run.wall = time.time()
    _run.depth = 0
    _run.since = 0.0
    _run.data = 0.0
    _run.calls = 0
    _run.misses = 0


def _active() -> bool:
    return PATH is not None and getattr(_run, "started", None) is not None


def enter() -> None:
    if not _active():
        return
    if _run.depth == 0:
        _run.since = time.perf_counter()
    _run.depth += 1


def leave() -> None:
    if not _active() or _run.depth == 0:
        return
    _run.depth -= 1
    if _run.depth == 0:
        _run.data += time.perf_counter() - _run.since


def spanned(fn, *args, **kwargs):
    """fn(*args, **kwargs) as one cached call of the data layer."""
    if _active():
        _run.calls += 1
    enter()
    try:
        return fn(*args, **kwargs)
    finally:
        leave()


def missed() -> None:
    """Count one cached call that was not in the cache (crm_data ran)."""
    if _active():
        _run.misses += 1
    elif getattr(_run, "misses_into", None) is not None:  # a worker of a run (crm_ui.parallel)
        _run.misses_into.append(1)


def worker(misses: list | None) -> None:
    """In a thread running cached calls for a script run: its misses go to `misses` (one
    item each), which the run adds with counted(); None when done."""
    if PATH is not None:
        _run.misses_into = misses


def counted(calls: int, misses: int) -> None:
    """Cached calls (and misses) made for this run by worker threads."""
    if _active():
        _run.calls += calls
        _run.misses += misses


def end(page: str) -> None:
    """After the page ran (also when it stopped or asked for a rerun): write the line."""
    if not _active():
        return
    started = _run.started
    _run.started = None
    if _run.depth:  # a span left open by an exception: close it at the end of the run
        _run.data += time.perf_counter() - _run.since
        _run.depth = 0
    script = time.perf_counter() - started
    line = {"page": page, "start": round(_run.wall, 4), "end": round(time.time(), 4), "script_ms": round(script * 1000, 2),
            "data_ms": round(_run.data * 1000, 2), "calls": _run.calls, "misses": _run.misses}
    with open(PATH, "a", encoding="utf-8") as out:
        print(json.dumps(line), file=out)


def _on_gc(phase: str, info: dict) -> None:
    """Full collections (Streamlit runs one after every script run) hold the GIL: the
    server can send nothing meanwhile. One line each, apart from the runs' lines."""
    if info.get("generation") != 2:
        return
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    elif _gc_started[0] is not None:
        ms = (time.perf_counter() - _gc_started[0]) * 1000
        _gc_started[0] = None
        with open(PATH, "a", encoding="utf-8") as out:
            print(json.dumps({"gc_ms": round(ms, 2), "end": round(time.time(), 4)}), file=out)


_gc_started: list[float | None] = [None]
if PATH is not None:
    gc.callbacks.append(_on_gc)


def watch(engine: Engine) -> None:
    """Count the time this engine's connections are checked out as data-layer time."""
    if PATH is None or id(engine) in _watched:
        return
    _watched.add(id(engine))
    event.listen(engine.pool, "checkout", lambda *_: enter())
    event.listen(engine.pool, "checkin", lambda *_: leave())
