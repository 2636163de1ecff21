"""A page's independent cached calls run at once.

A filter change is a new cache key for every call of a report page, so they all run cold,
and one after the other their times add up. SQLite (Python's sqlite3) and psycopg release
the GIL while the database works, so on two cores two queries make progress together.
Each call still goes through crm_ui.cache.query: same key (data_version included), same
result, only sooner. Cache hits (no filter change) gain nothing and lose little.

At most WORKERS calls at a time, taken in the order given (put the slowest first): each
holds a pooled connection, and SQLite's pool keeps 5 (more are opened and closed per use).
"""

from __future__ import annotations

import threading

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from crm_ui import cache, timing

WORKERS = 3  # 2 cores here; more would only queue on them and open pool overflow connections


def queries(**calls: tuple) -> dict:
    """{name: cache.query(fn, *args)} for every name=(fn, *args), run concurrently; waits for
    all, then raises the first failure (in the order given) as the page's own call would."""
    if len(calls) < 2:
        return {name: cache.query(*call) for name, call in calls.items()}
    results: dict = {}
    errors: dict = {}
    todo = list(calls.items())
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                name, (fn, *args) = todo.pop(0)
            try:
                results[name] = cache.query(fn, *args)
            except BaseException as exc:  # noqa: BLE001 - handed to the script thread below
                errors[name] = exc

    ctx = get_script_run_ctx()  # session state (replica wait) and the cache's run context
    threads = [threading.Thread(target=work, name=f"crm-query-{i}", daemon=True)
               for i in range(min(WORKERS, len(calls)))]
    # CRM_TIMING: the workers are outside this run's thread-local span; the wait is the data time
    timing.enter()
    try:
        for th in threads:
            if ctx is not None:
                add_script_run_ctx(th, ctx)
            th.start()
        for th in threads:
            th.join()
    finally:
        timing.leave()
    for name in calls:
        if name in errors:
            raise errors[name]
    return results
