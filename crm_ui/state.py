"""Session state: the engine, the signed-in actor and the interface language."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_data import summaries
from crm_data.accounts import sessions
from crm_data.accounts.scope import Scope
from crm_data.clv import nightly
from crm_data.domain import clock
from crm_data.domain.clock import today
from crm_data.i18n import DEFAULT_LANG, LANGS
from crm_data.storage.db import database_url, make_engine, make_read_engine, read_database_url
from crm_ui import timing

AUTH_KEY = "auth"
ENDED_KEY = "auth_ended"  # the last session ended by itself (timeout, disabled): say so
LANG_KEY = "lang"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    eng = make_engine(url)
    timing.watch(eng)  # CRM_TIMING only: connection time counts as data-layer time
    return eng


@st.cache_resource(show_spinner=False)
def _fresh(url: str, day: str) -> bool:
    """Once per database and day in this process: recency scores, tiers and groups age with
    the calendar, so the first page of a new day rebuilds the summary (crm_data.summaries;
    a nightly `crm rebuild` does it before anyone looks)."""
    del day  # part of the cache key only
    rebuilt = summaries.ensure_fresh(_engine(url))
    nightly.refit_in_background_if_used(_engine(url))  # never waits: crm_data.clv.nightly
    return rebuilt


def engine() -> Engine:
    url = database_url()
    _fresh(url, today().isoformat())
    return _engine(url)


@st.cache_resource(show_spinner=False)
def _read_engine(read_url: str, url: str) -> Engine:
    return make_read_engine(read_url, _engine(url))


def read_engine() -> Engine:
    """Report, list and export reads (a replica when CRM_DATABASE_READ_URL is set); writes and
    reads that must see this session's own write at once use engine()."""
    primary = engine()
    read_url = read_database_url()
    return primary if read_url == database_url() else _read_engine(read_url, database_url())


def scope() -> Scope | None:
    auth = st.session_state.get(AUTH_KEY)
    if not auth:
        return None
    return Scope(auth["user_id"], auth["username"], auth["role"])


def require_scope() -> Scope:
    """Every page's guard: the signed-in user, checked against the database for this run
    (AppTest may run a page without the entry script); otherwise the login form."""
    who = current()
    if who is None:
        from crm_ui import login  # login imports this module

        login.render()
        st.stop()
    return who


def display_name() -> str:
    auth = st.session_state.get(AUTH_KEY) or {}
    return auth.get("display_name") or auth.get("username", "")


def client_address() -> str | None:
    """The browser's address for login throttling (None: this machine)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest has no client


def _store(live: sessions.Live) -> None:
    st.session_state[AUTH_KEY] = {
        "user_id": live.user_id, "username": live.username, "role": live.role,
        "display_name": live.display_name, "version": live.version,
        "session_id": live.session_id, "seen_at": clock.now().isoformat(),
    }


def current() -> Scope | None:
    """Once per run, from the entry script: who is signed in, as the database says now.

    A signed-in session re-reads the user's role, name and active flag (one primary-key
    read; users.version says when they changed) and ends when the user was disabled, the
    session revoked, idle too long or too old. A new browser session (reload, new tab,
    bookmark) resumes from the session cookie."""
    auth = st.session_state.get(AUTH_KEY)
    eng = engine()
    if auth:
        seen = auth.get("seen_at")
        live = sessions.check(eng, auth["user_id"], auth.get("session_id"),
                              seen_at=dt.datetime.fromisoformat(seen) if seen else None)
        if live is None:
            sign_out()
            st.session_state[ENDED_KEY] = True
            return None
    else:
        live = sessions.resume(eng, st.context.cookies.get(sessions.COOKIE_NAME))
        if live is None:
            return None
    _store(live)
    return live.scope


def sign_in(user_scope: Scope, display: str, client: str | None = None) -> str:
    """After a successful login: a server-side session for this browser; returns its
    cookie value (crm_ui.server sets it through a one-time code)."""
    cookie = sessions.start(engine(), user_scope, client)
    _store(sessions.resume(engine(), cookie))
    st.session_state.pop(ENDED_KEY, None)
    return cookie


def sign_out() -> None:
    st.session_state.pop(AUTH_KEY, None)


def log_out() -> None:
    """The logout button: end the server-side session (audited) and forget the user here."""
    auth = st.session_state.get(AUTH_KEY)
    if auth:
        sessions.end(engine(), auth.get("session_id"), scope())
    sign_out()


_last_lang = DEFAULT_LANG
_LANG_KEPT = "_lang_kept"  # a plain copy: widget state does not survive st.switch_page


def keep_language() -> None:
    """Before the language switch is drawn: give it the language chosen last, in case its
    widget state was dropped on the way (a switch_page from a button), and keep a copy."""
    if st.session_state.get(LANG_KEY) not in LANGS:
        st.session_state[LANG_KEY] = st.session_state.get(_LANG_KEPT, DEFAULT_LANG)
    st.session_state[_LANG_KEPT] = st.session_state[LANG_KEY]


def lang() -> str:
    """The session's language. Outside a script run (AppTest formats widget options there)
    the language of the last run is used."""
    global _last_lang
    if get_script_run_ctx() is None:
        return _last_lang
    value = st.session_state.get(LANG_KEY) or st.session_state.get(_LANG_KEPT, DEFAULT_LANG)
    _last_lang = value if value in LANGS else DEFAULT_LANG
    return _last_lang
