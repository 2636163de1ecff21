"""Tổng quan / Overview: KPIs of the period against the previous period and last year,
and the trend by granularity. Numbers: crm_data.reports.overview (= `crm report overview`)."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from crm_data.formatting import bucket_label, compact_money, signed_delta
from crm_data.reports import overview
from crm_ui import cache, charts, reportkit, state, widgets
from crm_ui.i18n import t

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="this_month")
flt = widgets.customer_filter(scope)

st.title(t("overview.title"))
st.caption(t("overview.caption", start=widgets.day(period.start), end=widgets.day(period.end)))

cmp = cache.query(overview.compare, scope, period, flt)
table = cmp.table()


def _value(key, value, exact=False):
    if value is None:
        return "—"
    if key in overview.MONEY_KPIS:
        # Large sums read better (and fit the card) as "3,09 tỷ ₫"; the exact figure is in help.
        return widgets.money(value) if exact else compact_money(value, lang)
    if key == "repeat_rate":
        return widgets.pct(value)
    return widgets.num(value)


def _delta(row, which):
    diff, rel = row[f"change_{which}"], row[f"change_{which}_pct"]
    if diff is None or pd.isna(diff):
        return None
    if row["kpi"] == "repeat_rate":
        return f"{signed_delta(diff * 100, lang)} pp"
    if row["kpi"] in overview.MONEY_KPIS:
        text = ("+" if diff >= 0 else "-") + compact_money(abs(diff), lang)
    else:
        text = signed_delta(diff, lang)
    return f"{text} ({widgets.pct(rel)})" if rel is not None and not pd.isna(rel) else text


INVERSE = {"churned", "receivables", "skipped"}  # up is bad
shown = [k for k in overview.KPI_KEYS if k != "interactions"]
for start in range(0, len(shown), 4):
    cols = st.columns(4)
    for col, key in zip(cols, shown[start:start + 4], strict=False):
        row = table.set_index("kpi").loc[key].to_dict() | {"kpi": key}
        col.metric(
            t(f"kpi.{key}"), _value(key, row["value"]), delta=_delta(row, "prev"),
            delta_color="inverse" if key in INVERSE else "normal", border=True,
            help=(f"{_value(key, row['value'], exact=True)} · " if key in overview.MONEY_KPIS else "")
                 + f"{t('common.prev_year')}: {_value(key, row['last_year'])}"
                 + (f" ({_delta(row, 'ly')})" if _delta(row, "ly") else ""),
            delta_description=t("common.prev_period"),
        )

st.subheader(t("overview.trend", gran=t(f"gran.{granularity}").lower()))
trend = cache.query(overview.trend, scope, period, granularity, flt)
if trend.empty or (trend[["orders", "new_customers"]].sum().sum() == 0):
    widgets.empty_state()
else:
    labels = [bucket_label(b, granularity, lang) for b in trend["bucket"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=labels, y=trend["revenue"], name=t("kpi.revenue"),
                hovertemplate="%{x}<br>%{y:,.0f} ₫<extra></extra>")
    fig.add_trace(go.Scatter(x=labels, y=trend["new_customers"], name=t("kpi.new_customers"),
                             mode="lines+markers"), secondary_y=True)
    fig.add_trace(go.Scatter(x=labels, y=trend["orders"], name=t("kpi.orders"),
                             mode="lines+markers"), secondary_y=True)
    fig.update_yaxes(title_text=t("kpi.revenue") + " (₫)", secondary_y=False, tickformat=",.0f")
    fig.update_yaxes(title_text=t("kpi.orders") + " / " + t("kpi.new_customers"), secondary_y=True,
                     tickformat=",d", showgrid=False)
    fig.update_yaxes(rangemode="tozero")  # counts and money never below zero
    charts.integer_axis(fig, secondary_y=True)
    fig.update_xaxes(type="category")
    charts.show(fig, key="trend", height=420)

c1, c2 = st.columns(2)
with c1:
    reportkit.download(table, f"tong_quan_{period.start}_{period.end}", key="dl_kpis",
                       label=t("overview.download_kpis"))
with c2:
    reportkit.download(trend, f"xu_huong_{granularity}_{period.start}_{period.end}", key="dl_trend",
                       label=t("overview.download_trend"), granularity=granularity)
