"""Small read-only sections of the customer page: orders with their lines and discount,
and feedback with its resolution time (crm_data.customers.detail)."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.customers import detail as customer_detail
from crm_data.domain import formatting
from crm_ui import cache, reportkit, safe
from crm_ui.i18n import label, t
from crm_ui.state import lang


def stars(value) -> str:
    """A 1–5 rating as stars ('—' when none)."""
    return "—" if value in (None, "") else "★" * int(value) + "☆" * (5 - int(value))


def orders(scope: Scope, customer_id: int) -> None:
    """One expander per recent order: status, payment, subtotal − discount = amount, lines."""
    head, lines = cache.query(customer_detail.orders_with_lines, scope, customer_id)
    st.subheader(t("words.orders_title"))
    if head.empty:
        st.caption(t("words.orders_none"))
        return
    for row in head.itertuples():
        title = " · ".join([safe.md(row.code), formatting.date(row.order_date, lang()),
                            formatting.vnd(row.amount, lang()), label("order_status", row.status)])
        with st.expander(title):
            st.text(t("words.order_summary", subtotal=formatting.vnd(row.subtotal, lang()),
                      discount=formatting.vnd(row.discount or 0, lang()),
                      amount=formatting.vnd(row.amount, lang()),
                      paid=formatting.vnd(row.paid_amount or 0, lang()),
                      method=label("payment_method", row.payment_method),
                      channel=label("order_channel", row.channel)))
            mine = lines[lines["order_id"] == row.id].drop(columns=["order_id"])
            if mine.empty:
                st.caption(t("words.order_no_lines"))
            else:
                reportkit.table(mine)


def feedback(scope: Scope, customer_id: int) -> None:
    """Complaints, questions and reviews with status, rating and time to resolve."""
    df = cache.query(customer_detail.feedback, scope, customer_id)
    st.subheader(t("words.feedback_title"))
    if df.empty:
        st.caption(t("words.feedback_none"))
        return
    shown = df.rename(columns={"kind": "feedback_kind"}).assign(
        opened_at=df["opened_at"].map(lambda v: f"{v:%d/%m/%Y %H:%M}"),
        resolved_at=df["resolved_at"].map(lambda v: "—" if v is None or v != v else f"{v:%d/%m/%Y %H:%M}"),
        feedback_kind=df["kind"].map(lambda v: label("feedback_kind", v)),
        status=df["status"].map(lambda v: label("feedback_status", v)),
        rating=df["rating"].map(lambda v: "" if v is None or v != v else stars(v)),
        resolution_time=df["resolution_hours"].map(lambda h: formatting.duration_hours(h, lang())),
        resolution=df["resolution"].fillna(""),
    )
    cols = ["opened_at", "feedback_kind", "subject", "status", "rating", "resolved_at", "resolution_time",
            "resolution"]
    st.dataframe(shown, hide_index=True, column_order=cols, width="stretch",
                 column_config={c: t(f"col.{c}") for c in cols})
