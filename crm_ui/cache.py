"""Cached calls into crm_data, keyed on the database's data_version.

Every write bumps data_version in its own transaction, so a cached result is never served
after a change, whichever session or process (CLI import) made it.
"""

from __future__ import annotations

from importlib import import_module

import streamlit as st

from crm_data.clock import today
from crm_data.db import database_url
from crm_data.meta import data_version
from crm_ui import timing
from crm_ui.state import engine

TTL_SECONDS = 600


def _resolve(ref: str):
    module, _, name = ref.partition(":")
    obj = import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=2000)
def _cached(ref: str, url: str, version: str, today: str, args: tuple, kwargs: dict):
    del url, version, today  # parts of the cache key only
    timing.missed()
    return _resolve(ref)(engine(), *args, **kwargs)


def query(fn, *args, **kwargs):
    """fn(engine, *args, **kwargs), cached until the data changes (or the TTL runs out)."""
    if timing.PATH is not None:  # CRM_TIMING: the browser benchmark's data-layer share
        return timing.spanned(_query, fn, *args, **kwargs)
    return _query(fn, *args, **kwargs)


def _query(fn, *args, **kwargs):
    ref = f"{fn.__module__}:{fn.__qualname__}"
    eng = engine()
    return _cached(ref, database_url(), data_version(eng), today().isoformat(), args, kwargs)


def clear() -> None:
    """After a write in this session: drop results at once (data_version covers others)."""
    st.cache_data.clear()
