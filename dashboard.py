"""Entry point: login gate, language switch and navigation over pages/ by role."""

from __future__ import annotations

import streamlit as st

from crm_data.i18n import LANGS
from crm_ui import login, nav, replica_lag, safe, server, state, timing
from crm_ui.i18n import label, t

timing.begin()  # CRM_TIMING only (the browser benchmark): one line per script run

st.set_page_config(page_title="CRM", page_icon="📈", layout="wide")  # emoji: no font CDN request

state.keep_language()
with st.sidebar:
    st.segmented_control(t("app.language"), LANGS, key=state.LANG_KEY,
                         format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
                         required=True)

scope = state.current()
if scope is None:
    # The form answers at every page's address, so a link opened signed out keeps its page
    # and query for after the sign-in (and Streamlit shows no "Page not found").
    page = st.navigation(nav.login_pages(login.render, login.page_for, t("login.title")),
                         position="hidden")
else:
    # expanded: every page listed (collapsed, Streamlit hides all but ten behind "View more")
    page = st.navigation(nav.navigation_pages(scope), expanded=True)
    with st.sidebar:
        st.caption(t("app.signed_in_as", name=safe.md(state.display_name()),
                     role=label("role", scope.role)))
        if st.button(t("app.logout"), icon=":material/logout:", key="logout"):
            state.log_out()
            if server.MOUNTED:  # clear the session cookie too
                login.redirect(server.logout_url())
                st.stop()
            st.rerun()
    replica_lag.notice()  # after this session's write, before the page's figures
try:
    page.run()
finally:
    timing.end(page.url_path)
