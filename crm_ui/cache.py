"""Cached calls into crm_data, keyed on the database's data_version.

Every write bumps data_version in its own transaction, so a cached result is never served
after a change, whichever session or process (CLI import) made it.

With a read replica (CRM_DATABASE_READ_URL) query() reads there and keys on the REPLICA's
data_version, so rows not yet replayed are never cached under the primary's newer version;
query_primary() is for the few reads that must see this session's own write at once.
"""

from __future__ import annotations

from importlib import import_module

import streamlit as st

from crm_data.domain.clock import today
from crm_data.storage.db import database_url
from crm_data.storage.meta import data_version
from crm_ui import replica_lag, timing
from crm_ui.state import engine, read_engine

TTL_SECONDS = 600


def _resolve(ref: str):
    module, _, name = ref.partition(":")
    obj = import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=2000)
def _cached(ref: str, url: str, version: str, today: str, args: tuple, kwargs: dict,
            primary: bool = False):
    del url, version, today  # parts of the cache key only
    timing.missed()
    return _resolve(ref)(engine() if primary else read_engine(), *args, **kwargs)


def query(fn, *args, **kwargs):
    """fn(read engine, *args, **kwargs), cached until the data changes (or the TTL runs out)."""
    if timing.PATH is not None:  # CRM_TIMING: the browser benchmark's data-layer share
        return timing.spanned(_query, fn, *args, **kwargs)
    return _query(fn, *args, **kwargs)


def _query(fn, *args, **kwargs):
    replica_lag.settle()  # after this session's write: give the replica a moment to replay it
    ref = f"{fn.__module__}:{fn.__qualname__}"
    return _cached(ref, database_url(), data_version(read_engine()), today().isoformat(), args, kwargs)


def query_primary(fn, *args, **kwargs):
    """fn(primary engine, …), cached: for reads a write relies on (a form's optimistic-lock
    version), which must see this session's own write at once."""
    ref = f"{fn.__module__}:{fn.__qualname__}"
    return _cached(ref, database_url(), data_version(engine()), today().isoformat(), args, kwargs,
                   primary=True)


def clear() -> None:
    """After a write in this session: drop results at once (data_version covers others) and
    have the next reads wait for the replica to replay the write."""
    st.cache_data.clear()
    replica_lag.note_write()
