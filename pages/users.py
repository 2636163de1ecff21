"""Người dùng / Users (admin): who may sign in, with which role; add, disable / enable,
change role, reset password, clear a sign-in wait. Data and rules: crm_data.accounts.auth."""

import pandas as pd
import streamlit as st

from crm_data.accounts import auth
from crm_data.accounts.scope import ROLES
from crm_ui import cache, state
from crm_ui.i18n import label, labeller, t, t_escaped

FLASH = "users_flash"
ADD_KEYS = ("users_add_username", "users_add_name", "users_add_role", "users_add_password")
scope = state.require_scope()
if not scope.can_admin:
    st.error(t("users.not_admin"))
    st.stop()
engine = state.engine()


def _done(key: str, username: str, *clear: str) -> None:
    cache.clear()
    st.session_state[FLASH] = (key, username, clear)
    st.rerun()


def _refused(exc: auth.AuthError) -> None:
    st.error(t_escaped(exc.key, **exc.params))


def _when(value) -> str:
    from crm_data.domain.formatting import date

    return f"{date(value, state.lang())} {value:%H:%M}" if value is not None else ""


st.title(t("users.title"))
st.caption(t("users.caption"))
if flash := st.session_state.pop(FLASH, None):
    done_key, done_name, clear = flash
    for key in clear:  # a form kept its input while it was refused; empty it once done
        st.session_state.pop(key, None)
    st.success(t_escaped(done_key, name=done_name))

users = auth.list_users(engine)  # a handful of rows, read fresh: waits run by the second
st.dataframe(pd.DataFrame({
    t("users.col.username"): [u["username"] for u in users],
    t("users.col.display_name"): [u["display_name"] for u in users],
    t("users.col.role"): [label("role", u["role"]) for u in users],
    t("users.col.active"): [bool(u["active"]) for u in users],
    t("users.col.last_login"): [_when(u["last_login_at"]) for u in users],
    t("users.col.failed"): [u["failed_logins"] for u in users],
    t("users.col.wait"): [u["retry_after"] for u in users],
}), hide_index=True, width="stretch")

with st.expander(t("users.add"), icon=":material/person_add:"):
    with st.form("users_add"):
        username = st.text_input(t("users.username"), key="users_add_username", max_chars=64)
        display = st.text_input(t("users.display_name"), key="users_add_name", max_chars=128)
        role = st.selectbox(t("users.role"), ROLES, index=ROLES.index("staff"),
                            format_func=labeller("role"), key="users_add_role")
        password = st.text_input(t("users.password", min=auth.MIN_PASSWORD_LENGTH),
                                 type="password", key="users_add_password",
                                 autocomplete="new-password")
        if st.form_submit_button(t("users.add_submit"), type="primary"):
            try:
                auth.add_user(engine, username, password, role, display, actor=scope)
                _done("users.added", auth.normalise_username(username), *ADD_KEYS)
            except auth.AuthError as exc:
                _refused(exc)

if users:
    st.subheader(t("users.change"))
    by_name = {u["username"]: u for u in users}
    picked = st.selectbox(t("users.pick"), list(by_name), key="users_pick")
    user = by_name[picked]
    left, right = st.columns(2)
    with left, st.form("users_role"):
        new_role = st.selectbox(t("users.role"), ROLES, index=ROLES.index(user["role"]),
                                format_func=labeller("role"), key="users_role")
        if st.form_submit_button(t("users.set_role")):
            try:
                auth.set_role(engine, picked, new_role, actor=scope)
                _done("users.role_set", picked)
            except auth.AuthError as exc:
                _refused(exc)
    with right, st.form("users_password", clear_on_submit=True):
        new_password = st.text_input(t("users.new_password"), type="password",
                                     key="users_new_password", autocomplete="new-password")
        if st.form_submit_button(t("users.reset_password")):
            try:
                auth.reset_password(engine, picked, new_password, actor=scope)
                _done("users.password_reset", picked)
            except auth.AuthError as exc:
                _refused(exc)
    b1, b2, _rest = st.columns([1, 1, 2])
    active = bool(user["active"])
    if b1.button(t("users.disable") if active else t("users.enable"), key="users_toggle",
                 icon=":material/block:" if active else ":material/check_circle:"):
        try:
            auth.set_active(engine, picked, not active, actor=scope)
            _done("users.disabled" if active else "users.enabled", picked)
        except auth.AuthError as exc:
            _refused(exc)
    if b2.button(t("users.unlock"), key="users_unlock", icon=":material/lock_open:",
                 disabled=not (user["retry_after"] or user["failed_logins"])):
        try:
            auth.unlock(engine, picked, actor=scope)
            _done("users.unlocked", picked)
        except auth.AuthError as exc:
            _refused(exc)
