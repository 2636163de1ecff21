"""Công nợ / Receivables (editors; staff see their own customers): ageing, trend, top
debtors, totals by owner, a customer's open orders and the payment form; the admin sets the
payment terms. Numbers: crm_data.daily.receivables (= `crm report receivables`); the
payment: crm_data.writes.activity.record_payment."""

import plotly.graph_objects as go
import streamlit as st

from crm_data.daily import receivables as recv
from crm_data.domain.clock import today
from crm_data.domain.formatting import bucket_label
from crm_data.writes import NotFound, ValidationFailed, activity
from crm_ui import cache, charts, money_view, safe, state, widgets
from crm_ui.i18n import label, t

FLASH = "recv_flash"
scope = state.require_scope()
lang = state.lang()
widgets.require_personal_data(scope)  # per-customer debts: not for the executive viewer
engine = state.engine()
period, granularity = widgets.period_picker(default="last_12m")
flt = widgets.customer_filter(scope)
day = today()

st.title(t("recv.title"))
totals = cache.query(recv.totals, scope, day, flt)
st.caption(t("recv.caption", day=widgets.day(day), terms=widgets.num(totals["terms_days"])))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

m = st.columns(4)
m[0].metric(t("recv.open"), widgets.short_money(totals["open"]), help=widgets.money(totals["open"]), border=True)
m[1].metric(t("recv.overdue"), widgets.short_money(totals["overdue"]), help=widgets.money(totals["overdue"]),
            border=True)
m[2].metric(t("recv.customers"), widgets.num(totals["customers"]), border=True)
m[3].metric(t("recv.orders"), widgets.num(totals["orders"]), border=True)

left, right = st.columns(2)
with left:
    st.subheader(t("recv.ageing"))
    age = totals["ageing"]
    fig = go.Figure(go.Bar(x=[t(f"money.age.{a}") for a in age["age"]], y=age["amount"].tolist(),
                           marker_color=[charts.PALETTE[2]] + [charts.PALETTE[1]] * 3 + [charts.PALETTE[3]],
                           customdata=age["customers"],
                           hovertemplate="%{x}<br>%{y:,.0f} ₫ · %{customdata} KH<extra></extra>"))
    fig.update_yaxes(title_text="₫", tickformat=",.0f")
    fig.update_xaxes(type="category")
    charts.show(fig, key="ageing", height=340)
    money_view.download(lambda: age, "tuoi_no", len(age), key="dl_ageing")
with right:
    st.subheader(t("recv.trend"))
    trend = cache.query(recv.trend, scope, period, granularity, flt)
    if trend.empty:
        widgets.empty_state()
    else:
        labels = [bucket_label(b, granularity, lang) for b in trend["bucket"]]
        fig = go.Figure()
        for key, color in (("credit", charts.PALETTE[1]), ("collected", charts.PALETTE[2])):
            fig.add_bar(x=labels, y=trend[key].tolist(), name=t(f"money.col.{key}"), marker_color=color,
                        hovertemplate="%{x}<br>%{y:,.0f} ₫<extra></extra>")
        fig.add_scatter(x=labels, y=trend["outstanding"].tolist(), name=t("money.col.outstanding"),
                        mode="lines+markers", line={"color": charts.PALETTE[0]},
                        hovertemplate="%{x}<br>%{y:,.0f} ₫<extra></extra>")
        fig.update_yaxes(title_text="₫", tickformat=",.0f")
        fig.update_xaxes(type="category")
        charts.show(fig, key="recv_trend", height=340)
        st.caption(t("recv.trend_note"))
        money_view.download(lambda: trend, f"cong_no_{granularity}", len(trend), key="dl_trend",
                            granularity=granularity)

st.subheader(t("recv.debtors"))
overdue_only = st.toggle(t("recv.overdue_only"), key="recv_overdue_only")
debtors = cache.query(recv.debtors, scope, day, flt, 50, overdue_only)
if debtors.empty:
    st.info(t("recv.none"), icon=":material/info:")
else:
    money_view.table(debtors)
    money_view.download(lambda: recv.debtors(engine, scope, day, flt, None, overdue_only), "cong_no_khach_hang",
                        totals["customers"], key="dl_debtors")

if scope.sees_all_customers:
    st.subheader(t("recv.by_owner"))
    owners = cache.query(recv.by_owner, scope, day, flt)
    if not owners.empty:
        money_view.table(owners.assign(owner=owners["owner"].fillna(t("common.unknown"))))

st.subheader(t("recv.pay"))
st.caption(t("recv.pay_note"))
if debtors.empty:
    widgets.empty_state()
else:
    choices = {int(r.customer_id): f"{r.code} · {r.full_name} · {widgets.money(r.open)}"
               for r in debtors.itertuples()}
    cid = st.selectbox(t("recv.pay_customer"), list(choices), format_func=choices.get, key="recv_pay_cid")
    st.text(t("recv.orders_of"))
    money_view.table(cache.query(recv.orders, scope, day, cid))
    with st.form("f_recv_payment"):
        amount = st.text_input(t("customer.amount"), key="recv_pay_amount")
        paid_on = st.date_input(t("customer.paid_on"), value=day, key="recv_pay_date", format="DD/MM/YYYY",
                                max_value=day)
        method = st.selectbox(t("customer.payment_method"), ["", *["cash", "transfer", "card", "cod", "ewallet"]],
                              key="recv_pay_method", placeholder=t("common.choose"),
                              format_func=lambda v: label("payment_method", v) if v else "")
        note = st.text_input(t("customer.note"), key="recv_pay_note")
        if st.form_submit_button(t("customer.submit")):
            try:
                activity.record_payment(engine, scope, cid, {"amount": amount, "paid_on": paid_on,
                                                             "method": method, "note": note})
            except ValidationFailed as exc:
                for err in exc.errors.values():
                    st.error(safe.md(t(err.key, **{k: widgets.num(v) if isinstance(v, int) else v
                                                   for k, v in err.values.items()})))
            except NotFound:
                st.error(t("customer.not_found"))
            else:
                cache.clear()
                st.session_state[FLASH] = t("recv.paid_ok")
                st.rerun()

widgets.setting_form(engine, scope, "f_recv_settings", "recv.settings",
                     {recv.TERMS_KEY: ("recv.terms", 1, "recv_terms")}, FLASH, t("recv.saved"))
