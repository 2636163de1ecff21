"""Entry point: login gate, language switch and navigation over pages/ by role."""

from __future__ import annotations

import streamlit as st

from crm_data.i18n import LANGS
from crm_ui import login, nav, state
from crm_ui.i18n import label, t

st.set_page_config(page_title="CRM", page_icon="📈", layout="wide")  # emoji: no font CDN request

with st.sidebar:
    st.segmented_control(t("app.language"), LANGS, default="vi", key=state.LANG_KEY,
                         format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
                         required=True)

scope = state.scope()
if scope is None:
    page = st.navigation([st.Page(login.render, title=t("login.title"), icon=":material/login:",
                                  url_path="login", default=True)], position="hidden")
else:
    page = st.navigation(nav.navigation_pages(scope))
    with st.sidebar:
        st.caption(t("app.signed_in_as", name=state.display_name(), role=label("role", scope.role)))
        if st.button(t("app.logout"), icon=":material/logout:", key="logout"):
            state.sign_out()
            st.rerun()
page.run()
