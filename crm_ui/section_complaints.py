"""The customer page's complaints section: each complaint's thread (replies, assignments,
resolutions, reopenings) with a link to it on the complaints desk
(crm_data.daily.complaints.customer_threads)."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.auth import user_names
from crm_data.accounts.scope import Scope
from crm_data.daily import complaints
from crm_ui import cache, complaints_view, safe
from crm_ui.i18n import label, t


def render(scope: Scope, customer_id: int) -> None:
    threads = cache.query(complaints.customer_threads, scope, customer_id)
    if threads.empty:
        return
    st.subheader(t("complaints.customer_threads"))
    owners = cache.query(user_names)
    for fid, part in threads.groupby("feedback_id", sort=False):
        first = part.iloc[0]
        title = f"#{fid} · {first['subject']} · {label('feedback_status', first['status'])}"
        with st.expander(safe.md(title)):
            st.dataframe(complaints_view.thread_frame(part, owners), hide_index=True, width="stretch")
            st.page_link("pages/complaints.py", label=t("complaints.open_on_desk"),
                         icon=":material/support_agent:", query_params={"id": str(fid)})
