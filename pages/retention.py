"""Giữ chân / Retention and churn: today's customers per label above three lazy tabs (days
since last purchase and churn per period with its reasons, N days editable; acquisition
cohorts; customers at risk with the CLV model's view of them).
Numbers: crm_data.reports.retention (= `crm report retention|churn|cohorts`)."""

import streamlit as st

from crm_data.customers import drill as marks
from crm_data.domain.formatting import bucket_label
from crm_data.reports import labels, retention
from crm_data.rules import store as rules_store
from crm_ui import charts, drill, parallel, reportkit, sections, state, widgets
from crm_ui.i18n import t
from crm_ui.partial_buckets import mark_partial
from crm_ui.section_clv import retention_block as clv_block
from crm_ui.section_clv import retention_queries as clv_queries

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="last_12m")
flt = widgets.customer_filter(scope)
churn_days = int(st.sidebar.number_input(t("retention.churn_days"), min_value=30, max_value=1095,
                                         value=rules_store.churn_days(state.engine()), step=30,
                                         key="churn_days",
                                         bind=widgets.BIND))

st.title(t("retention.title"))
st.caption(t("retention.caption", days=churn_days))
personal = scope.can_see_personal_data  # per-customer rows: not for the executive viewer
# today's customers per label (crm_data.reports.labels): the groups and the list below hold them
counts_box = st.container()
tabs = sections.lazy_tabs("retention_tab", ("churn", "cohorts", "at_risk"), "retention.tab")
# The open tab's queries started at once, each taken where it is drawn: a filter change
# misses them all (crm_ui.parallel).
got = parallel.start(
    counts=(labels.label_counts, scope, flt, churn_days),
    **({"bands": (retention.recency_bands, scope, period, flt),
        "churn": (retention.churn_by_bucket, scope, period, granularity, churn_days, flt),
        "reasons": (retention.churn_reasons, scope, period, churn_days, flt)}
       if tabs["churn"].open else {}),
    **({"coh": (retention.cohorts, scope, period, flt)} if tabs["cohorts"].open else {}),
    **({"risk": (retention.at_risk, scope, period, churn_days, 500, flt)}
       if tabs["at_risk"].open and personal else {}),
    **(clv_queries(scope, flt) if tabs["at_risk"].open else {}))
with counts_box:
    counts = got.get("counts")
    for col, (name, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
        col.metric(t(f"rules.metric.{name}"), widgets.num(n), border=True)
    st.caption(t("rules.definitions", n=churn_days, half=widgets.num(churn_days // 2)))


def _churn() -> None:
    """Days since the last purchase, churn per period and its reasons."""
    st.subheader(t("retention.recency"))
    bands = got.get("bands")
    if bands["customers"].sum() == 0:
        widgets.empty_state()
    else:
        names = [retention.band_label(b, lang) for b in bands["band"]]
        fig = charts.figure({"type": "bar", "x": names, "y": bands["customers"],
                             "text": [widgets.pct(s) for s in bands["share"]], "textposition": "outside"},
                            xaxis={"type": "category", "title": {"text": t("retention.days_since")}},
                            yaxis={"title": {"text": t("rcol.customers")}})
        charts.integer_axis(fig)
        event = reportkit.chart(fig, bands, "so_ngay_tu_lan_mua_cuoi", key="recency", height=340,
                                **drill.select_args(scope))
        drill.follow(scope, event, "recency", lambda p: None if drill.index(p, len(bands)) is None else
                     marks.recency_band(flt, bands["band"].iloc[drill.index(p, len(bands))]))

    left, right = st.columns(2)
    with left:
        st.subheader(t("retention.churn", gran=t(f"gran.{granularity}").lower()))
        churn = got.get("churn")
        if churn["churned"].sum() == 0:
            widgets.empty_state()
        else:
            fig = charts.figure()
            cut = mark_partial(period, granularity, churn["bucket"])  # cut weeks marked
            cut.add_bars(fig, [bucket_label(b, granularity, lang) for b in churn["bucket"]],
                         churn["churned"], t("kpi.churned"), charts.PALETTE[0],
                         "%{x}: %{y:,d}%{customdata}<extra></extra>")
            charts.merge(fig["layout"], {"showlegend": any(cut.flags), "xaxis": {"type": "category"},
                                         "yaxis": {"title": {"text": t("kpi.churned")}}})
            charts.integer_axis(fig)
            event = reportkit.chart(fig, churn, f"roi_bo_{granularity}", key="churn", height=340,
                                    fmt={"granularity": granularity}, **drill.select_args(scope))
            cut.caption()
            drill.follow(scope, event, "churn", lambda p: None if drill.index(p, len(churn)) is None else
                         marks.churn_bucket(flt, period, granularity,
                                            churn["bucket"].iloc[drill.index(p, len(churn))], churn_days))
    with right:
        st.subheader(t("retention.reasons"))
        reasons = got.get("reasons")
        if reasons.empty:
            widgets.empty_state()
        else:
            names = [drill.reason_name(r) for r in reasons["reason"]]
            fig = charts.figure({"type": "bar", "x": reasons["customers"], "y": names, "orientation": "h",
                                 "text": [widgets.pct(s) for s in reasons["share"]], "textposition": "outside",
                                 "customdata": reasons["avg_days_since"],
                                 "hovertemplate": "%{y}: %{x}<br>" + t("retention.avg_days")
                                 + ": %{customdata:,.0f}<extra></extra>"},
                                yaxis={"autorange": "reversed"})
            charts.integer_axis(fig, "x")
            event = reportkit.chart(fig, reasons.assign(reason=names), "ly_do_roi_bo", key="reasons",
                                    height=340, **drill.select_args(scope))
            drill.follow(scope, event, "reasons", lambda p: None if drill.index(p, len(reasons)) is None else
                         marks.churn_reason(flt, period, reasons["reason"].iloc[drill.index(p, len(reasons))],
                                            churn_days))
            st.caption(t("retention.reasons_note"))


def _cohorts() -> None:
    """Acquisition cohorts: the share of each first-purchase month buying again k months on."""
    st.subheader(t("retention.cohorts"))
    coh = got.get("coh")
    if coh.empty or coh["size"].sum() == 0:
        widgets.empty_state()
    else:
        months = [c for c in coh.columns if c.startswith("m")]
        z = coh[months].astype(float).values
        text = [["" if v != v else widgets.pct(v) for v in row] for row in z]
        ylabels = [f"{bucket_label(c, 'month', lang)} ({widgets.num(n)})"
                   for c, n in zip(coh["cohort"], coh["size"], strict=True)]
        heat = {"type": "heatmap", "z": z, "x": [t("retention.month_k", k=m[1:]) for m in months], "y": ylabels,
                "text": text, "texttemplate": "%{text}", "colorscale": charts.colorscale("Greens"), "zmin": 0, "zmax": 1,
                "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"}
        fig = charts.figure(heat, yaxis={"type": "category", "autorange": "reversed",
                                         "title": {"text": t("retention.cohort")}},
                            xaxis={"type": "category"})
        # Streamlit reports no clicks on a heatmap: a clear marker over each cell takes them.
        cells = [(i, j) for i in range(len(coh)) for j in range(len(months)) if z[i][j] == z[i][j]]
        if drill.allowed(scope):
            xlabels = [t("retention.month_k", k=m[1:]) for m in months]
            heat["hoverinfo"] = "skip"
            del heat["hovertemplate"]
            charts.add(fig, {"type": "scatter", "x": [xlabels[j] for _i, j in cells],
                             "y": [ylabels[i] for i, _j in cells], "mode": "markers",
                             "marker": {"size": 24, "opacity": 0}, "showlegend": False,
                             "text": [text[i][j] for i, j in cells],
                             "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"})
            fig["layout"]["hoverdistance"] = -1
        event = reportkit.chart(fig, coh, "cohort_giu_chan", key="cohorts", height=max(360, 30 * len(coh) + 120),
                                **drill.select_args(scope))

        def _cell_mark(p):
            n = drill.index(p, len(cells)) if p.get("curve_number") == 1 else None
            return None if n is None else marks.cohort_cell(flt, period, coh["cohort"].iloc[cells[n][0]],
                                                            int(months[cells[n][1]][1:]))

        drill.follow(scope, event, "cohorts", _cell_mark)
        st.caption(t("retention.cohorts_note"))


def _at_risk() -> None:
    """The customers at risk and the buy-till-you-die model's view of them (crm_data.clv)."""
    st.subheader(t("retention.at_risk"))
    risk = got.get("risk") if widgets.viewer_notice(scope) else None
    if risk is None:
        pass  # per-customer rows: not for the executive viewer
    elif risk.rows.empty:
        widgets.empty_state()
    else:
        st.caption(t("retention.at_risk_caption", shown=widgets.num(len(risk.rows)),
                     total=widgets.num(risk.total), half=widgets.num(churn_days // 2), n=churn_days))
        reportkit.table(risk.rows.drop(columns=["owner_id"]), nums=("avg_interval_days",))
        reportkit.download(risk.rows, "khach_co_nguy_co", key="dl_at_risk", nums=("avg_interval_days",))

    clv_block(scope, flt, got)


for name, draw in (("churn", _churn), ("cohorts", _cohorts), ("at_risk", _at_risk)):
    with tabs[name]:
        if tabs[name].open:
            draw()
