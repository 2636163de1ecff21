"""Hành trình / Customer journey: stage distribution now, stage at the end of every bucket,
and a Sankey of the stage changes in the period. Numbers: crm_data.reports.journey
(= `crm report journey`)."""

import streamlit as st

from crm_data.customers import drill as marks
from crm_data.domain.formatting import bucket_label
from crm_data.reports import journey
from crm_ui import charts, drill, parallel, reportkit, state, widgets
from crm_ui.i18n import label, t

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="last_12m")
flt = widgets.customer_filter(scope)

st.title(t("journey.title"))
st.caption(t("journey.caption", start=widgets.day(period.start), end=widgets.day(period.end)))


def stage_label(stage: str) -> str:
    return t("journey.start") if stage == journey.START else label("lifecycle_stage", stage)


# The three queries started at once, each taken where it is drawn: a filter change misses
# them all (crm_ui.parallel).
got = parallel.start(dist=(journey.distribution, scope, period, flt),
                     hist=(journey.over_time, scope, period, granularity, flt),
                     moves=(journey.transitions, scope, period, flt))

st.subheader(t("journey.now"))
dist = got.get("dist")
if dist.empty:
    widgets.empty_state()
else:
    names = [stage_label(s) for s in dist["stage"]]
    fig = charts.figure({"type": "bar", "x": names, "y": dist["customers"],
                         "text": [widgets.pct(s) for s in dist["share"]], "textposition": "outside"},
                        xaxis={"type": "category"}, yaxis={"title": {"text": t("rcol.customers")}})
    charts.integer_axis(fig)
    event = reportkit.chart(fig, dist.assign(stage=names), "hanh_trinh_hien_tai", key="dist",
                            height=360, **drill.select_args(scope))
    drill.follow(scope, event, "dist", lambda p: None if drill.index(p, len(dist)) is None else
                 marks.journey_stage(flt, dist["stage"].iloc[drill.index(p, len(dist))]))

st.subheader(t("journey.over_time", gran=t(f"gran.{granularity}").lower()))
hist = got.get("hist")
if hist.empty or hist["customers"].sum() == 0:
    widgets.empty_state()
else:
    fig = charts.figure(*[{"type": "bar", "x": [bucket_label(b, granularity, lang) for b in part["bucket"]],
                           "y": part["customers"], "name": stage_label(stage)}
                          for stage, part in hist.groupby("stage", sort=False) if part["customers"].sum() != 0],
                        barmode="stack", xaxis={"type": "category"},
                        yaxis={"title": {"text": t("rcol.customers")}})
    charts.integer_axis(fig)
    event = reportkit.chart(fig, hist.assign(stage=hist["stage"].map(stage_label)),
                            f"hanh_trinh_{granularity}", key="over_time", height=400,
                            fmt={"granularity": granularity}, **drill.select_args(scope))
    drawn = [(stage, part) for stage, part in hist.groupby("stage", sort=False) if part["customers"].sum()]

    def _stage_then(p):
        curve = p.get("curve_number", 0)
        stage, part = drawn[curve] if curve in range(len(drawn)) else (None, hist.iloc[:0])
        i = drill.index(p, len(part))
        return None if i is None else marks.journey_over_time(flt, period, granularity,
                                                              part["bucket"].iloc[i], stage)

    drill.follow(scope, event, "over_time", _stage_then)
    st.caption(t("journey.over_time_note"))

st.subheader(t("journey.sankey"))
moves = got.get("moves")
if moves.empty:
    widgets.empty_state()
else:
    nodes = list(dict.fromkeys([*moves["from_stage"], *moves["to_stage"]]))
    index = {n: i for i, n in enumerate(nodes)}
    fig = charts.figure({"type": "sankey",
                         "node": {"label": [stage_label(n) for n in nodes], "pad": 18, "thickness": 16},
                         "link": {"source": [index[s] for s in moves["from_stage"]],
                                  "target": [index[s] for s in moves["to_stage"]], "value": moves["count"]}})
    reportkit.chart(fig, moves.assign(from_stage=moves["from_stage"].map(stage_label),
                                      to_stage=moves["to_stage"].map(stage_label)),
                    f"chuyen_giai_doan_{period.start}_{period.end}", key="sankey",
                    height=440)
    if drill.allowed(scope):  # Streamlit reports no clicks on a Sankey: the links as a list
        links = [f"{stage_label(a)} → {stage_label(b)} ({widgets.num(n)})"
                 for a, b, n in zip(moves["from_stage"], moves["to_stage"], moves["count"], strict=True)]
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        pick = c1.selectbox(t("drill.sankey_pick"), ["", *range(len(moves))], key="sankey_pick",
                            format_func=lambda i: links[i] if i != "" else "—")
        if c2.button(t("drill.open"), key="sankey_open", disabled=pick == "", icon=":material/group:"):
            drill.go(marks.journey_link(flt, period, moves["from_stage"].iloc[pick],
                                        moves["to_stage"].iloc[pick]), "sankey_pick")
