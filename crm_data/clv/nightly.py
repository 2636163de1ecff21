"""The nightly refit. A fit of 100,000 buyers takes seconds, so it never runs inside a page
request: a cron / systemd timer runs `crm model fit --if-stale` at night (docs/clv.md), and
the dashboard, on its first page of a day (crm_ui.state), starts `refit_in_background` when
a fit exists and is older than the day, returning at once (a database whose owner never
fitted the model gets no fit behind their back: `crm model fit` once starts it); the pages keep showing the previous
scores (with their fit date) until the new ones are committed in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import Engine

from crm_data.clv import fit
from crm_data.domain.clock import today

_log = logging.getLogger(__name__)
_running = threading.Lock()  # one refit per process at a time


def is_stale(engine: Engine, ref: dt.date | None = None) -> bool:
    """No fit yet, or the last one was fitted on an earlier day than `ref`."""
    last = fit.latest(engine)
    return last is None or last["fitted_on"] < (ref or today())


def refit_if_stale(engine: Engine, ref: dt.date | None = None) -> int | None:
    """Fit and store when stale; the new fit's id, None when fresh or too little data."""
    ref = ref or today()
    if not is_stale(engine, ref):
        return None
    try:
        return fit.fit_and_store(engine, ref=ref)
    except fit.NotEnoughData:
        return None


def refit_in_background(engine: Engine, ref: dt.date | None = None) -> threading.Thread | None:
    """Start refit_if_stale on a daemon thread unless one is running; the thread or None."""
    if not _running.acquire(blocking=False):
        return None

    def run() -> None:
        try:
            refit_if_stale(engine, ref)
        except Exception:  # a failed nightly fit leaves the previous scores; say why in the log
            _log.exception("CLV refit failed")
        finally:
            _running.release()

    thread = threading.Thread(target=run, name="clv-refit", daemon=True)
    thread.start()
    return thread


def refit_in_background_if_used(engine: Engine, ref: dt.date | None = None) -> threading.Thread | None:
    """The dashboard's daily hook: a background refit when a fit exists and is stale."""
    last = fit.latest(engine)
    if last is None or last["fitted_on"] >= (ref or today()):
        return None
    return refit_in_background(engine, ref)
