"""Tổng quan / Overview: KPIs of the period against the previous period and last year,
and the trend by granularity. Numbers: crm_data.reports.overview (= `crm report overview`)."""

import pandas as pd
import streamlit as st

from crm_data.customers import drill as marks
from crm_data.domain.formatting import bucket_label, compact_money, signed_delta
from crm_data.reports import customer_trend, overview
from crm_ui import charts, complaints_cards, drill, parallel, reportkit, state, today_cards, widgets
from crm_ui.i18n import t
from crm_ui.partial_buckets import mark_partial

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="this_month")
flt = widgets.customer_filter(scope)

st.title(t("overview.title"))
st.caption(t("overview.caption", start=widgets.day(period.start), end=widgets.day(period.end)))

# A filter or period change misses all three: started at once, each taken where drawn
# (crm_ui.parallel; the KPIs' statement and the trend's overlap on two cores).
got = parallel.start(cmp=(overview.compare, scope, period, flt),
                     trend=(overview.trend, scope, period, granularity, flt),
                     first=(customer_trend.first_time_by_bucket, scope, period, granularity, flt))
cmp = got.get("cmp")
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


def _change_line(row, which: str) -> str:
    """A change on the card itself (not in a tooltip): a coloured badge, what it compares with
    and that value, e.g. "↑ +42 (2,9%) so với kỳ trước (1.458)". Numbers only: no user text."""
    base_col, text = ("previous", t("common.prev_period")) if which == "prev" \
        else ("last_year", t("common.prev_year"))
    delta, base = _delta(row, which), _value(row["kpi"], row[base_col])
    if not delta:
        return f"{text} ({base})"
    diff = row[f"change_{which}"]
    good = (diff < 0) if row["kpi"] in INVERSE else (diff > 0)
    colour = "gray" if diff == 0 else ("green" if good else "red")
    arrow = "" if diff == 0 else ("↑ " if diff > 0 else "↓ ")
    return f":{colour}-badge[{arrow}{delta}] {text} ({base})"


rows = table.set_index("kpi")
for start in range(0, len(overview.KPI_KEYS), 4):
    cols = st.columns(4)
    for col, key in zip(cols, overview.KPI_KEYS[start:start + 4], strict=False):
        row = rows.loc[key].to_dict() | {"kpi": key}
        card = col.container(border=True, height="stretch", gap="small")
        card.metric(t(f"kpi.{key}"), _value(key, row["value"]),
                    help=_value(key, row["value"], exact=True) if key in overview.MONEY_KPIS else None)
        # Both comparisons as the same kind of line: wrapped, never cut to "so với kỳ tr…".
        card.caption(_change_line(row, "prev"))
        card.caption(_change_line(row, "ly"))
complaints_cards.render(scope, period)

today_cards.show(scope)

st.subheader(t("overview.trend", gran=t(f"gran.{granularity}").lower()))
trend = got.get("trend")
if trend.empty or (trend[["orders", "new_customers"]].sum().sum() == 0):
    widgets.empty_state()
else:
    labels = [bucket_label(b, granularity, lang) for b in trend["bucket"]]
    cut = mark_partial(period, granularity, trend["bucket"])
    fig = charts.figure(secondary_y=True)
    cut.add_bars(fig, labels, trend["revenue"], t("kpi.revenue"), charts.PALETTE[0],
                 "%{x}<br>%{y:,.0f} ₫%{customdata}<extra></extra>")
    for key, color in (("new_customers", charts.PALETTE[1]), ("orders", charts.PALETTE[2])):
        charts.add(fig, {"type": "scatter", "x": labels, "y": trend[key], "name": t(f"kpi.{key}"),
                         "mode": "lines+markers", "marker": cut.line_marker(color=color),
                         "line": {"color": color}, "customdata": cut.hover,
                         "hovertemplate": "%{x}<br>%{y:,d}%{customdata}<extra></extra>"},
                   secondary_y=True)
    charts.axes(fig, secondary_y=False, title={"text": t("kpi.revenue") + " (₫)"}, tickformat=",.0f")
    charts.axes(fig, secondary_y=True, title={"text": t("kpi.orders") + " / " + t("kpi.new_customers")},
                tickformat=",d", showgrid=False)
    charts.axes(fig, rangemode="tozero")  # counts and money never below zero
    charts.integer_axis(fig, secondary_y=True)
    charts.axes(fig, "x", type="category")
    event = charts.show(fig, key="trend", height=420, **drill.select_args(scope))
    cut.caption()
    # Revenue bars (whole and partial buckets) and orders lead to the buyers.
    behind = ["new_customers" if tr["name"] == t("kpi.new_customers") else "buyers" for tr in fig["data"]]

    def _trend_mark(p):
        i = drill.index(p, len(trend))
        curve = p.get("curve_number", 0)
        return None if i is None or curve not in range(len(behind)) else marks.trend_bucket(
            flt, period, granularity, trend["bucket"].iloc[i], behind[curve])

    drill.follow(scope, event, "trend", _trend_mark)

st.subheader(t("drill.customers_title", gran=t(f"gran.{granularity}").lower()))
# The trend above plus the first-time buyers by bucket.
bars = customer_trend.combine(trend, got.get("first"))
measures = [c for c in customer_trend.COLUMNS if c != "bucket"]
if bars[measures].sum().sum() == 0:
    widgets.empty_state()
else:
    labels = [bucket_label(b, granularity, lang) for b in bars["bucket"]]
    fig = charts.figure(*[{"type": "bar", "x": labels, "y": bars[m],
                           "name": t("kpi.active_buyers" if m == "buyers" else f"kpi.{m}"),
                           "hovertemplate": "%{x}<br>%{y:,d}<extra></extra>"} for m in measures],
                        barmode="group", xaxis={"type": "category"},
                        yaxis={"title": {"text": t("rcol.customers")}, "tickformat": ",d",
                               "rangemode": "tozero"})
    event = reportkit.chart(fig, bars, f"khach_hang_{granularity}_{period.start}_{period.end}",
                            key="customer_bars", height=380,
                            label=t("overview.download_customer_bars"), **drill.select_args(scope))
    if drill.allowed(scope):
        st.caption(t("drill.hint"))

    def _bar_mark(p):
        i, curve = drill.index(p, len(bars)), p.get("curve_number", 0)
        return None if i is None or curve not in range(len(measures)) else marks.trend_bucket(
            flt, period, granularity, bars["bucket"].iloc[i], measures[curve])

    drill.follow(scope, event, "customer_bars", _bar_mark)

c1, c2 = st.columns(2)
with c1:
    reportkit.download(table, f"tong_quan_{period.start}_{period.end}", key="dl_kpis",
                       label=t("overview.download_kpis"))
with c2:
    reportkit.download(trend, f"xu_huong_{granularity}_{period.start}_{period.end}", key="dl_trend",
                       label=t("overview.download_trend"), granularity=granularity)
