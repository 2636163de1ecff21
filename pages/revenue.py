"""Doanh thu / Revenue per customer: the period's revenue, profit, orders and order value
above four lazy tabs (revenue, profit and buyers per bucket; top customers and the ranking
by visits / interactions / purchases; the Pareto curve; revenue by segment).
Numbers: crm_data.reports.revenue and .segments (= `crm report revenue|top-customers`)."""

import streamlit as st

from crm_data import i18n
from crm_data.customers import drill as marks
from crm_data.domain.formatting import bucket_label
from crm_data.reports import revenue, segments
from crm_ui import cache, charts, drill, parallel, reportkit, sections, state, urlkeys, widgets
from crm_ui.i18n import t
from crm_ui.partial_buckets import mark_partial

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="last_12m")
flt = widgets.customer_filter(scope)

st.title(t("revenue.title"))
st.caption(t("revenue.caption", start=widgets.day(period.start), end=widgets.day(period.end)))

kpi_box = st.container()
tabs = sections.lazy_tabs("revenue_tab", ("trend", "customers", "pareto", "segments"), "revenue.tab")
# The open tab's queries started at once, each taken where it is drawn: a filter change
# misses them all (crm_ui.parallel). The widgets below own their values once seeded: read now.
urlkeys.seed("dim", list(segments.DIMENSIONS), "tier", lambda d, lg: i18n.t(f"rdim.{d}", lg))
urlkeys.seed("rank", list(revenue.RANKINGS), "purchases", lambda m, lg: i18n.t(f"rrank.{m}", lg))
personal = scope.can_see_personal_data  # per-customer rows: not for the executive viewer
dim0, metric0 = st.session_state["dim"], st.session_state["rank"] or "purchases"
got = parallel.start(
    trend=(revenue.by_bucket, scope, period, granularity, flt),  # the figures above the tabs
    **({"top": (revenue.top_customers, scope, period, 20, flt),
        "ranks": (revenue.ranking, scope, period, metric0, 20, flt)}
       if tabs["customers"].open and personal else {}),
    **({"pareto": (revenue.pareto, scope, period, flt)} if tabs["pareto"].open else {}),
    **({"seg": (segments.segment_counts, scope, period, dim0, None, flt)} if tabs["segments"].open else {}))
trend = got.get("trend")
with kpi_box:
    if trend["orders"].sum() == 0:
        widgets.empty_state()
    else:
        c = st.columns(4)
        # Profit is unknown ("—"), not 0, when no order of the period has a known cost.
        total, profit = trend["revenue"].sum(), trend["profit"].sum(min_count=1)
        c[0].metric(t("kpi.revenue"), widgets.short_money(total), help=widgets.money(total), border=True)
        c[1].metric(t("kpi.profit"), widgets.short_money(profit), help=widgets.money(profit), border=True)
        c[2].metric(t("kpi.orders"), widgets.num(trend["orders"].sum()), border=True)
        c[3].metric(t("revenue.per_order"),
                    widgets.money(trend["revenue"].sum() / trend["orders"].sum()), border=True)


def _trend() -> None:
    """Revenue and profit (bars) and buyers (line) per bucket; a cut bucket is marked."""
    if trend["orders"].sum() == 0:
        return  # said above the tabs
    labels = [bucket_label(b, granularity, lang) for b in trend["bucket"]]
    cut = mark_partial(period, granularity, trend["bucket"])  # a cut week is marked, not hidden
    fig = charts.figure(secondary_y=True)
    for key, color in (("revenue", charts.PALETTE[0]), ("profit", charts.PALETTE[1])):
        cut.add_bars(fig, labels, trend[key], t(f"kpi.{key}"), color,
                     "%{x}<br>%{y:,.0f} ₫%{customdata}<extra></extra>")
    charts.add(fig, {"type": "scatter", "x": labels, "y": trend["buyers"], "name": t("rcol.buyers"),
                     "mode": "lines+markers", "marker": cut.line_marker(color=charts.PALETTE[2]),
                     "line": {"color": charts.PALETTE[2]}, "customdata": cut.hover,
                     "hovertemplate": "%{x}<br>%{y:,d}%{customdata}<extra></extra>"}, secondary_y=True)
    charts.axes(fig, secondary_y=False, title={"text": "₫"}, tickformat=",.0f")
    charts.axes(fig, secondary_y=True, title={"text": t("rcol.buyers")})
    charts.integer_axis(fig, secondary_y=True)
    charts.axes(fig, "x", type="category")
    event = reportkit.chart(fig, trend, f"doanh_thu_{granularity}", key="trend", height=400,
                            fmt={"granularity": granularity}, **drill.select_args(scope))
    cut.caption()
    # revenue, profit and buyers of a bucket: its buyers
    drill.follow(scope, event, "trend", lambda p: None if drill.index(p, len(trend)) is None else
                 marks.trend_bucket(flt, period, granularity,
                                    trend["bucket"].iloc[drill.index(p, len(trend))], "buyers"))


def _customers() -> None:
    """The top spenders (lifetime figures) and the period's ranking by a chosen count."""
    st.subheader(t("revenue.top"))
    if not widgets.viewer_notice(scope):
        return  # per-customer rows: not for the executive viewer
    top = got.get("top")
    if top.empty:
        widgets.empty_state()
    else:
        reportkit.table(top)
        reportkit.download(top, "khach_hang_hang_dau", key="dl_top")
        st.caption(t("revenue.top_note"))

    st.subheader(t("revenue.ranking"))
    metric = st.segmented_control(t("revenue.rank_by"), list(revenue.RANKINGS), key="rank",
                                  format_func=lambda m: t(f"rrank.{m}")) or "purchases"
    urlkeys.sync("rank", metric, "purchases")
    ranks = got.get("ranks") if metric == metric0 else \
        cache.query(revenue.ranking, scope, period, metric, 20, flt)
    if ranks.empty:
        widgets.empty_state()
    else:
        reportkit.table(ranks, headers={"count": t(f"rrank.{metric}")})
        reportkit.download(ranks, f"xep_hang_{metric}", key="dl_rank", headers={"count": t(f"rrank.{metric}")})


def _pareto() -> None:
    """The share of revenue from the largest spenders; a point drills to its customers."""
    st.subheader(t("revenue.pareto"))
    par = got.get("pareto")
    if par.empty:
        widgets.empty_state()
        return
    fig = charts.figure(
        {"type": "scatter", "x": par["customer_share"], "y": par["revenue_share"],
         "mode": "lines+markers", "fill": "tozeroy", "marker": {"size": 4},  # markers: clickable
         "hovertemplate": t("revenue.pareto_hover") + "<extra></extra>"},
        {"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines",
         "line": {"dash": "dot", "color": "#999"}, "hoverinfo": "skip", "showlegend": False},
        xaxis={"tickformat": ".0%", "title": {"text": t("revenue.pareto_x")}},
        yaxis={"tickformat": ".0%", "title": {"text": t("revenue.pareto_y")}}, showlegend=False)
    event = reportkit.chart(fig, par, "pareto", key="pareto", height=360, **drill.select_args(scope))
    drill.follow(scope, event, "pareto", lambda p: None if drill.index(p, len(par)) is None
                 or p.get("curve_number", 0) != 0 else cache.query(
                     marks.pareto_point, scope, flt, int(par["customers"].iloc[drill.index(p, len(par))])))
    at20 = par[par["customer_share"] >= 0.2].head(1)
    if not at20.empty:
        st.caption(t("revenue.pareto_note", share=widgets.pct(at20["revenue_share"].iloc[0])))


def _segments() -> None:
    """Revenue per value of a chosen dimension; a bar drills to its customers."""
    st.subheader(t("revenue.by_segment"))
    # The URL carries canonical keys (?dim=tier&rank=visits), the screen the labels.
    dim = st.selectbox(t("segments.by"), list(segments.DIMENSIONS), placeholder=t("common.choose"),
                       key="dim", format_func=lambda d: t(f"rdim.{d}"))
    urlkeys.sync("dim", dim, "tier")
    seg = got.get("seg") if dim == dim0 else \
        cache.query(segments.segment_counts, scope, period, dim, None, flt)
    if seg.empty or seg["revenue"].sum() == 0:
        widgets.empty_state()
        return
    clean = tuple(None if v is None or v != v else (int(v) if dim in ("province", "owner") else v)
                  for v in seg["value"])
    names = cache.query(segments.value_labels, dim, clean, lang)
    fig = charts.figure({"type": "bar", "x": names, "y": seg["revenue"],
                         "text": [widgets.pct(s) for s in seg["revenue_share"]], "textposition": "outside",
                         "hovertemplate": "%{x}<br>%{y:,.0f} ₫<extra></extra>"},
                        xaxis={"type": "category", "title": {"text": t(f"rdim.{dim}")}},
                        yaxis={"title": {"text": t("kpi.revenue") + " (₫)"}, "tickformat": ",.0f"})
    event = reportkit.chart(fig, seg.assign(value=names), f"doanh_thu_theo_{dim}", key="by_segment",
                            height=360, fmt={"headers": {"value": t(f"rdim.{dim}")}},
                            **drill.select_args(scope))
    drill.follow(scope, event, "by_segment", lambda p: None if drill.index(p, len(seg)) is None else
                 segments.drill_filter(flt, period, dim, seg["value"].iloc[drill.index(p, len(seg))]))
    st.caption(t("revenue.segment_note"))


for name, draw in (("trend", _trend), ("customers", _customers), ("pareto", _pareto),
                   ("segments", _segments)):
    with tabs[name]:
        if tabs[name].open:
            draw()
