"""The Overview's complaint resolution-time block: median and p90 of the complaints resolved
in the period, against the previous period (crm_data.daily.complaint_stats.compare).
Aggregates only, so every role sees it (staff: their own complaints)."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.daily import complaint_stats
from crm_data.domain.periods import Period
from crm_ui import cache, complaints_view, widgets
from crm_ui.i18n import t, t_escaped


def render(scope: Scope, period: Period) -> None:
    both = cache.query(complaint_stats.compare, scope, period)
    now, before = both["now"], both["previous"]
    cols = st.columns(4)
    for col, key in zip(cols, ("median", "p90"), strict=False):
        card = col.container(border=True, height="stretch", gap="small")
        card.metric(t(f"complaints.card_{key}"), complaints_view.hours(now[f"{key}_hours"]))
        card.caption(t_escaped("complaints.card_caption", n=widgets.num(now["resolved"]),
                               prev=complaints_view.hours(before[f"{key}_hours"])))
