"""The Overview's Today block: items per kind for the signed-in user (as their Today page
lists them), each a link to the Today page filtered to that kind. Counts:
crm_data.daily.today.counts."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.daily import today
from crm_data.domain.clock import today as today_date
from crm_ui import cache, nav, widgets
from crm_ui.i18n import t

PAGE = "pages/today.py"
CARD_PX = 200  # the longest label ("Appointments this week") on one line


def show(scope: Scope) -> None:
    """Nothing for a role without the Today page (the executive viewer)."""
    if not scope.can_see_personal_data or not nav.may_open(scope, PAGE):
        return
    counts = cache.query(today.counts, scope, today_date())
    st.subheader(t("today.cards.title"))
    # Cards of one width that wrap to a second row: eight equal columns cut the labels and a
    # count like "2.345" to "2.…".
    row = st.container(horizontal=True, wrap=True)
    for kind in today.KINDS:
        card = row.container(border=True, gap="small", width=CARD_PX)
        card.metric(t(f"today.kind.{kind}"), widgets.num(counts.get(kind, 0)))
        card.page_link(PAGE, label=t("today.cards.open"), icon=":material/checklist:",
                       query_params={"kind": kind})
