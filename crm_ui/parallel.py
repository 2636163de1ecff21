"""A page's independent cached calls started at once, each taken when the page needs it.

A filter change is a new cache key for every call of a report page, so they all run cold,
and one after the other their times add up. SQLite (Python's sqlite3) and psycopg release
the GIL while the database works, so on two cores two queries make progress together.
The page still draws in its order: it takes each result when it reaches that section
(`Pending.get`), so the first chart goes to the browser as soon as its own query is done
while the later ones run (waiting for all first would hold back the browser's drawing,
which overlapped the queries before). Each call still goes through crm_ui.cache.query:
same key (data_version included), same result, only sooner. Cache hits gain nothing and
lose little (a thread or three).

At most WORKERS calls at a time, started in the order given (the page's order): each holds
a pooled connection, and SQLite's pool keeps 5 (more are opened and closed per use).
"""

from __future__ import annotations

import threading

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from crm_ui import cache, timing

WORKERS = 3  # 2 cores here; more would only queue on them and open pool overflow connections


class Pending:
    """The started calls; get(name) waits for one and returns it (or raises its error)."""

    def __init__(self, calls: dict[str, tuple]):
        self._todo = list(calls.items())
        self._done = {name: threading.Event() for name in calls}
        self._results: dict = {}
        self._errors: dict = {}
        self._lock = threading.Lock()
        self._misses: list = []  # CRM_TIMING: the workers' cache misses, one item each
        ctx = get_script_run_ctx()  # session state (replica wait) and the cache's run context
        for i in range(min(WORKERS, len(calls))):
            th = threading.Thread(target=self._work, name=f"crm-query-{i}", daemon=True)
            if ctx is not None:
                add_script_run_ctx(th, ctx)
            th.start()

    def _work(self) -> None:
        timing.worker(self._misses)
        while True:
            with self._lock:
                if not self._todo:
                    timing.worker(None)
                    return
                name, (fn, *args) = self._todo.pop(0)
            try:
                self._results[name] = cache.query(fn, *args)
            except BaseException as exc:  # noqa: BLE001 - raised in the script thread by get()
                self._errors[name] = exc
            finally:
                self._done[name].set()

    def get(self, name: str):
        # CRM_TIMING: the workers are outside this run's thread-local span; the wait is data time
        timing.enter()
        try:
            self._done[name].wait()
        finally:
            timing.leave()
        seen = len(self._misses)
        timing.counted(1, seen)
        del self._misses[:seen]
        if name in self._errors:
            raise self._errors[name]
        return self._results[name]


def start(**calls: tuple) -> Pending:
    """Start cache.query(fn, *args) for every name=(fn, *args), in this order."""
    return Pending(calls)
