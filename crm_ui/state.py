"""Session state: the engine, the signed-in actor and the interface language."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_data import summary
from crm_data.clock import today
from crm_data.db import database_url, make_engine
from crm_data.i18n import DEFAULT_LANG, LANGS
from crm_data.scope import Scope

AUTH_KEY = "auth"
LANG_KEY = "lang"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def _fresh(url: str, day: str) -> bool:
    """Once per database and day in this process: recency scores, tiers and groups age with
    the calendar, so the first page of a new day rebuilds the summary (crm_data.summary;
    a nightly `crm rebuild` does it before anyone looks)."""
    del day  # part of the cache key only
    return summary.ensure_fresh(_engine(url))


def engine() -> Engine:
    url = database_url()
    _fresh(url, today().isoformat())
    return _engine(url)


def scope() -> Scope | None:
    auth = st.session_state.get(AUTH_KEY)
    if not auth:
        return None
    return Scope(auth["user_id"], auth["username"], auth["role"])


def require_scope() -> Scope:
    current = scope()
    if current is None:  # navigation never offers a page without login; belt and braces
        st.stop()
    return current


def display_name() -> str:
    auth = st.session_state.get(AUTH_KEY) or {}
    return auth.get("display_name") or auth.get("username", "")


def sign_in(user_scope: Scope, display: str) -> None:
    st.session_state[AUTH_KEY] = {
        "user_id": user_scope.user_id, "username": user_scope.username,
        "role": user_scope.role, "display_name": display,
    }


def sign_out() -> None:
    st.session_state.pop(AUTH_KEY, None)


_last_lang = DEFAULT_LANG


def lang() -> str:
    """The session's language. Outside a script run (AppTest formats widget options there)
    the language of the last run is used."""
    global _last_lang
    if get_script_run_ctx() is None:
        return _last_lang
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    _last_lang = value if value in LANGS else DEFAULT_LANG
    return _last_lang
