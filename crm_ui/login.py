"""The login form: the only page a visitor who has not signed in can reach."""

from __future__ import annotations

import streamlit as st

from crm_data.auth import authenticate
from crm_ui import state
from crm_ui.i18n import t


def render() -> None:
    st.title(t("login.title"))
    with st.form("login", enter_to_submit=True):
        username = st.text_input(t("login.username"), key="u", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="p",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        result = authenticate(state.engine(), username, password)
        if result.scope is not None:
            state.sign_in(result.scope, result.display_name)
            st.rerun()
        elif result.locked_minutes:
            st.error(t("login.locked", minutes=result.locked_minutes))
        else:
            st.error(t("login.failed"))
    st.caption(t("login.hint"))
