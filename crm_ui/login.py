"""The login form: the only page a visitor who has not signed in can reach. It answers
under every page's address, so a bookmark or a shared link shows this form and, once
signed in, opens the page it named with its query."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_data.accounts.auth import authenticate
from crm_ui import server, state
from crm_ui.i18n import t


def redirect(url: str) -> None:
    """Send the browser to `url` (a local path) the way st.login does."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)


def _page_in_address() -> str:
    """The page the browser's address names ("customers" in /customers?…). A page's own
    guard may draw this form without knowing its address (the first visit after a server
    start runs the page before the entry script has declared the navigation)."""
    from urllib.parse import urlparse

    path = urlparse(st.context.url or "").path
    base = server.base_path()
    if base and path.startswith(base):
        path = path[len(base):]
    stem = path.strip("/")
    return "" if stem in ("", "login") or "/" in stem else stem


def _target(url_path: str) -> str:
    """This page's address with its query, as the browser should see it after sign-in."""
    query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    path = f"{server.base_path()}/{url_path}"
    return path + (f"?{query}" if query else "")


def render(url_path: str = "") -> None:
    url_path = url_path or _page_in_address()
    st.title(t("login.title"))
    if st.session_state.get(state.ENDED_KEY):
        st.info(t("login.session_ended"))
    with st.form("login", enter_to_submit=True):
        username = st.text_input(t("login.username"), key="u", autocomplete="username",
                                 max_chars=200)
        password = st.text_input(t("login.password"), type="password", key="p",
                                 autocomplete="current-password", max_chars=1024)
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        client = state.client_address()
        result = authenticate(state.engine(), username, password, client=client)
        if result.scope is not None:
            cookie = state.sign_in(result.scope, result.display_name, client)
            if server.MOUNTED:  # served by app.py: let the cookie route remember the browser
                code = server.issue_code(cookie, st.context.cookies.get(server.XSRF_COOKIE))
                redirect(server.session_url(code, _target(url_path)))
                st.caption(t("login.signing_in"))
                st.stop()
            st.rerun()
        elif result.retry_after:
            st.error(t("login.failed_wait", seconds=result.retry_after))
        else:
            st.error(t("login.failed"))
    st.caption(t("login.hint"))


def page_for(url_path: str) -> Callable[[], None]:
    """The login form standing in for the page at `url_path`."""
    def login_page() -> None:
        render(url_path)
    login_page.__name__ = f"login_{url_path}"
    return login_page
