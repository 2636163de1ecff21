"""Sổ thu chi / Cash book (admin, manager): opening and closing balance of the period,
balance by day / week / month, totals by category, the entries with their running balance
(filtered by type, category and method), the XLSX book of exactly those entries, and the
receipt / payment form; the admin sets the opening balance. Numbers:
crm_data.daily.cashbook (= `crm report cashbook`)."""

import plotly.graph_objects as go
import streamlit as st

from crm_data.accounts import access
from crm_data.daily import cashbook, cashbook_xlsx
from crm_data.domain.clock import today
from crm_data.domain.formatting import bucket_label
from crm_data.writes import ValidationFailed
from crm_ui import cache, charts, money_view, safe, state, widgets
from crm_ui.i18n import label, t

FLASH = "cash_flash"
METHODS = ("cash", "transfer", "card", "cod", "ewallet")
FIELDS = {"amount": "cash.amount", "description": "cash.description", "counterpart": "cash.counterpart",
          "note": "cash.note", "entry_date": "cash.entry_date", "category": "cash.filter_category",
          "method": "cash.filter_method", "kind": "cash.filter_kind"}
scope = state.require_scope()
lang = state.lang()
engine = state.engine()
st.title(t("cash.title"))
if scope.role not in ("admin", "manager"):
    access.refuse(engine, scope, "cash_book")
    st.warning(t("cash.denied"))
    st.stop()
period, granularity = widgets.period_picker(default="this_month")
st.caption(t("cash.caption", start=widgets.day(period.start), end=widgets.day(period.end)))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

tot = cache.query(cashbook.summary, scope, period)
m = st.columns(4)
for col, key in zip(m, ("opening", "receipts", "payments", "closing"), strict=True):
    col.metric(t(f"cash.{key}"), widgets.short_money(tot[key]), help=widgets.money(tot[key]), border=True)

left, right = st.columns([3, 2])
with left:
    st.subheader(t("cash.balance_chart"))
    by = cache.query(cashbook.balance_by, scope, period, granularity)
    if by.empty:
        widgets.empty_state()
    else:
        labels = [bucket_label(b, granularity, lang) for b in by["bucket"]]
        fig = go.Figure()
        fig.add_bar(x=labels, y=by["receipts"].tolist(), name=t("money.col.receipts"), marker_color=charts.PALETTE[2],
                    hovertemplate="%{x}<br>%{y:,.0f} ₫<extra></extra>")
        fig.add_bar(x=labels, y=by["payments"].tolist(), name=t("money.col.payments"), marker_color=charts.PALETTE[1],
                    hovertemplate="%{x}<br>%{y:,.0f} ₫<extra></extra>")
        fig.add_scatter(x=labels, y=by["balance"].tolist(), name=t("money.col.balance"), mode="lines+markers",
                        line={"color": charts.PALETTE[0]}, hovertemplate="%{x}<br>%{y:,.0f} ₫<extra></extra>")
        fig.update_yaxes(title_text="₫", tickformat=",.0f")
        fig.update_xaxes(type="category")
        charts.show(fig, key="cash_balance", height=340)
        money_view.download(lambda: by, f"ton_quy_{granularity}", len(by), key="dl_cash_by",
                            granularity=granularity)
with right:
    st.subheader(t("cash.by_category"))
    cats = cache.query(cashbook.by_category, scope, period)
    if cats.empty:
        widgets.empty_state()
    else:
        money_view.table(cats)

st.subheader(t("cash.entries"))
f1, f2, f3 = st.columns(3)
kind = f1.selectbox(t("cash.filter_kind"), ["", *cashbook.KINDS], key="cash_f_kind",
                    format_func=lambda v: label("cash_kind", v) if v else t("cash.filter_all"))
cat_options = cashbook.CATEGORIES.get(kind) or sum(cashbook.CATEGORIES.values(), ())
category = f2.selectbox(t("cash.filter_category"), ["", *cat_options], key="cash_f_cat",
                        format_func=lambda v: label("cash_category", v) if v else t("cash.filter_all"))
method = f3.selectbox(t("cash.filter_method"), ["", *METHODS], key="cash_f_method",
                      format_func=lambda v: label("payment_method", v) if v else t("cash.filter_all"))
rows = cache.query(cashbook.entries, scope, period, kind or None, category or None, method or None)
if rows.empty:
    widgets.empty_state()
else:
    money_view.table(rows)
    shop = st.text_input(t("cash.shop"), key="cash_shop")
    chosen = " · ".join(label(f, v) for f, v in (("cash_kind", kind), ("cash_category", category),
                                                 ("payment_method", method)) if v)
    st.download_button(
        t("cash.export"),
        widgets.audited(lambda: cashbook_xlsx.workbook(rows, tot, period, shop, chosen, lang),
                        "so_thu_chi.xlsx", len(rows)),
        file_name="so_thu_chi.xlsx", key="dl_cash_xlsx", icon=":material/download:", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    money_view.download(lambda: rows, "so_thu_chi", len(rows), key="dl_cash_rows")

st.subheader(t("cash.new"))
st.caption(t("cash.balance_now", balance=widgets.money(cache.query(cashbook.summary, scope,
                                                                   period)["closing"])))
new_kind = st.segmented_control(t("cash.filter_kind"), list(cashbook.KINDS), default="receipt",
                                key="cash_new_kind", format_func=lambda v: label("cash_kind", v)) or "receipt"
with st.form("f_cash_entry"):
    a, b = st.columns(2)
    entry_date = a.date_input(t("cash.entry_date"), value=today(), max_value=today(), key="cash_date",
                              format="DD/MM/YYYY")
    amount = b.text_input(t("cash.amount"), key="cash_amount")
    c, d = st.columns(2)
    new_cat = c.selectbox(t("cash.filter_category"), list(cashbook.CATEGORIES[new_kind]), key="cash_cat",
                          format_func=lambda v: label("cash_category", v))
    new_method = d.selectbox(t("cash.filter_method"), list(METHODS), key="cash_method",
                             format_func=lambda v: label("payment_method", v))
    description = st.text_input(t("cash.description"), key="cash_desc")
    counterpart = st.text_input(t("cash.counterpart"), key="cash_counterpart")
    note = st.text_input(t("cash.note"), key="cash_note")
    if st.form_submit_button(t("cash.submit")):
        try:
            new_id = cashbook.add_entry(engine, scope, {
                "kind": new_kind, "entry_date": entry_date, "amount": amount, "category": new_cat,
                "method": new_method, "description": description, "counterpart": counterpart, "note": note})
        except ValidationFailed as exc:
            for field, err in exc.errors.items():
                values = {k: widgets.num(v) if isinstance(v, int) else v for k, v in err.values.items()}
                st.error(f"{t(FIELDS.get(field, 'cash.amount'))}: {safe.md(t(err.key, **values))}")
        else:
            cache.clear()
            st.session_state[FLASH] = t("cash.saved", voucher=safe.md(cashbook.voucher_of(engine, new_id)))
            st.rerun()

widgets.setting_form(engine, scope, "f_cash_opening", "cash.settings",
                     {cashbook.OPENING_KEY: ("cash.opening_setting", 1_000_000, "cash_opening")}, FLASH, t("recv.saved"))
