"""Phân khúc đã lưu / Saved segments: the actor's own and shared filters, each opening the
customer list with exactly that filter (a link that can be sent to a colleague).
Data: crm_data.customers.saved_segments; counts: crm_data.customers.listing.count_customers."""

import streamlit as st

from crm_data.customers import listing as customers
from crm_data.customers import saved_segments
from crm_data.records import validation
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import t

FLASH = "segments_flash"
scope = state.require_scope()

# ?segment=ID opens that segment's list.
if raw_segment := st.query_params.get("segment", ""):
    seg_id = validation.record_id(raw_segment)
    seg = None if seg_id is None else cache.query(saved_segments.get_segment, scope, seg_id)
    if seg is None:
        if seg_id:
            st.warning(t("saved.not_found"))
        else:
            st.error(t("link.bad_id"), icon=":material/link_off:")
    else:
        st.switch_page("pages/customers.py", query_params=seg["filter"].to_query())

st.title(t("saved.title"))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

segments = cache.query(saved_segments.list_segments, scope)
if segments.empty:
    st.info(t("saved.empty"))
engine = state.engine()
for row in segments.itertuples():
    flt = saved_segments.filter_of(row.query)
    with st.container(border=True):
        head, count = st.columns([3, 1])
        head.markdown(f"**{safe.md(row.name)}**")
        head.caption(t("saved.mine") if row.mine else t("saved.by", owner=safe.md(row.owner or "?")))
        n = cache.query(customers.count_customers, scope, flt)
        count.metric(t("saved.count", n=""), widgets.num(n), label_visibility="collapsed")
        st.caption(safe.md(row.query) if row.query else t("common.all"))
        b1, b2, b3 = st.columns(3)
        b1.page_link("pages/customers.py", label=t("saved.open"), icon=":material/open_in_new:",
                     query_params=flt.to_query())
        if row.mine:
            if b2.button(t("saved.unshare") if row.shared else t("saved.share"),
                         key=f"share_{row.id}", icon=":material/share:"):
                saved_segments.set_shared(engine, scope, row.id, not row.shared)
                cache.clear()
                st.rerun()
            if b3.button(t("saved.delete"), key=f"delete_{row.id}", icon=":material/delete:"):
                saved_segments.delete_segment(engine, scope, row.id)
                cache.clear()
                st.session_state[FLASH] = t("saved.deleted")
                st.rerun()
