"""The customer page's loyalty section: balance, points history, and the redemption form
(a gift from stock, or points as a discount). Data and rules: crm_data.daily.loyalty;
refusals (above the balance, out of stock) come from the data layer."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.daily import loyalty, loyalty_report
from crm_data.writes import NotFound, ValidationFailed
from crm_ui import cache, reportkit, safe, state, widgets
from crm_ui.i18n import labeller, t

FLASH = "loyalty_flash"
FIELD_LABELS = {"points": "loyalty.redeem_points", "gift_id": "loyalty.gift_pick", "kind": "loyalty.redeem_as"}


def render(scope: Scope, customer_id: int) -> None:
    st.subheader(t("loyalty.section"))
    if msg := st.session_state.pop(FLASH, None):
        st.success(msg)
    st.metric(t("loyalty.balance"), widgets.num(cache.query(loyalty.balance, customer_id)), border=True)
    hist = cache.query(loyalty_report.history, scope, customer_id)
    st.markdown(f"**{t('loyalty.history')}**")
    if hist.empty:
        st.caption(t("loyalty.history_none"))
    else:
        reportkit.table(hist, enums={"loyalty_kind": "loyalty_kind"}, dates=("entry_date",),
                        money=("discount_vnd",), headers={"note": t("cust.col.note")})
    if scope.can_edit:
        _redeem_form(scope, customer_id)


def _redeem_form(scope: Scope, customer_id: int) -> None:
    per_point = cache.query(settings.get, "loyalty.discount_vnd_per_point")
    gifts = cache.query(loyalty_report.gifts, active_only=True)
    gifts = gifts[gifts["stock"] > 0]
    st.markdown(f"**{t('loyalty.redeem')}**")
    kind = st.radio(t("loyalty.redeem_as"), loyalty.REDEEM_KINDS, key="ly_kind", horizontal=True,
                    format_func=labeller("redeem_kind"))
    with st.form("f_redeem"):
        if kind == "gift":
            options = {int(r.id): t("loyalty.gift_option", name=r.name, points=widgets.num(r.points_cost),
                                    stock=widgets.num(r.stock)) for r in gifts.itertuples()}
            picked = st.selectbox(t("loyalty.gift_pick"), list(options), key="ly_gift", index=None,
                                  placeholder=t("common.choose"), format_func=lambda i: options.get(i, ""))
            raw = {"kind": "gift", "gift_id": picked}
        else:
            raw = {"kind": "discount", "points": st.text_input(
                t("loyalty.redeem_points", vnd=widgets.money(per_point)), key="ly_points")}
        if st.form_submit_button(t("loyalty.redeem_submit")):
            try:
                loyalty.redeem(state.engine(), scope, customer_id, raw)
            except ValidationFailed as exc:
                for field, err in exc.errors.items():
                    st.error(f"{t(FIELD_LABELS.get(field, 'loyalty.redeem'), vnd=widgets.money(per_point))}: "
                             f"{safe.md(t(err.key, **err.values))}")
            except NotFound:
                st.error(t("customer.not_found"))
            else:
                cache.clear()
                st.session_state[FLASH] = t("loyalty.redeemed")
                st.rerun()
