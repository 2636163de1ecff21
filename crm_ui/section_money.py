"""The customer page's receivables: the customer's open orders with due date and age, above
the payment form (a payment settles the oldest first)."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.daily import receivables
from crm_data.domain.clock import today
from crm_ui import cache, money_view
from crm_ui.i18n import t


def show(scope: Scope, customer_id: int) -> None:
    rows = cache.query(receivables.orders, scope, today(), customer_id)
    if rows.empty:
        return
    st.text(t("recv.orders_of"))
    money_view.table(rows.drop(columns=["customer_code", "full_name"]))
    st.caption(t("recv.pay_note"))
