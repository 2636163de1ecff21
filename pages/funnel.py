"""Phễu / Lead funnel: leads entering each pipeline stage in the period, conversion, drop-off,
median days in stage, lost reasons; split by source / owner / lead grade / period.
Numbers: crm_data.reports.funnel (= `crm report funnel`)."""

import plotly.graph_objects as go
import streamlit as st

from crm_data.auth import user_names
from crm_data.formatting import bucket_label
from crm_data.reports import funnel
from crm_ui import cache, charts, reportkit, state, widgets
from crm_ui.i18n import label, t

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="this_quarter")
flt = widgets.customer_filter(scope)

st.title(t("funnel.title"))
st.caption(t("funnel.caption", start=widgets.day(period.start), end=widgets.day(period.end)))

split = st.segmented_control(t("funnel.split"), ["", *funnel.SPLITS], default="", key="split",
                             format_func=lambda s: t(f"funnel.split_{s or 'none'}"),
                             bind=widgets.BIND) or None
df = cache.query(funnel.funnel, scope, period, split, granularity, flt)
stage_names = {s: label("pipeline_stage", s) for s in (*funnel.STAGES, funnel.LOST)}


def _split_label(value) -> str:
    if split == "period":
        return bucket_label(value, granularity, lang)
    if split == "owner":
        return cache.query(user_names).get(value, label("", None))
    if split == "source":
        return label("source", value)
    return label("", None) if value is None or value != value else str(value)


if df.empty or df["entered"].sum() == 0:
    widgets.empty_state()
else:
    main = df[df["stage"] != funnel.LOST]
    # The CSVs hold what the table shows: stage and split labels (crm_data.display).
    csv_df = df.assign(split=[_split_label(v) for v in df["split"]]) if split else df.drop(columns="split")
    csv_fmt = {"enums": {"stage": "pipeline_stage"},
               "headers": {"split": t(f"funnel.split_{split or 'none'}")}}
    if split is None:
        fig = go.Figure(go.Funnel(y=[stage_names[s] for s in main["stage"]], x=main["entered"],
                                  texttemplate="%{value:,d}<br>%{percentInitial:.1%} "
                                  + t("funnel.of_top") + "<br>%{percentPrevious:.1%} "
                                  + t("funnel.of_prev")))
        reportkit.chart(fig, csv_df, f"pheu_{period.start}_{period.end}", key="funnel", height=420,
                        fmt=csv_fmt)
    else:
        fig = go.Figure()
        for value, part in main.groupby("split", dropna=False, sort=False):
            fig.add_bar(x=[stage_names[s] for s in part["stage"]], y=part["entered"],
                        name=_split_label(value))
        fig.update_layout(barmode="group")
        fig.update_yaxes(title_text=t("rcol.entered"))
        reportkit.chart(fig, csv_df, f"pheu_{split}_{period.start}_{period.end}", key="funnel_split",
                        height=420, fmt=csv_fmt)
    shown = df.assign(stage=[stage_names[s] for s in df["stage"]])
    if split is not None:
        shown["split"] = [_split_label(v) for v in df["split"]]
    else:
        shown = shown.drop(columns="split")
    reportkit.table(shown, pct=("conv_prev", "conv_top", "drop_off"), nums=("entered",),
                    decimals=("median_days",),
                    headers={"split": t(f"funnel.split_{split or 'none'}"),
                             **reportkit.col_headers(c for c in df.columns if c != "split")})
    st.caption(t("funnel.definitions"))

    st.subheader(t("funnel.median_title"))
    med = df[df["median_days"].notna()]
    if med.empty:
        widgets.empty_state()
    else:
        fig = go.Figure()
        for value, part in med.groupby("split", dropna=False, sort=False):
            fig.add_bar(x=[stage_names[s] for s in part["stage"]], y=part["median_days"],
                        name=_split_label(value) if split else t("rcol.median_days"))
        fig.update_layout(barmode="group", showlegend=split is not None)
        fig.update_yaxes(title_text=t("rcol.median_days"))
        reportkit.chart(fig, csv_df[df["median_days"].notna()], "so_ngay_trung_vi", key="median",
                        height=340, fmt=csv_fmt)

st.subheader(t("funnel.lost_title"))
lost = cache.query(funnel.lost_reasons, scope, period, flt)
if lost.empty:
    widgets.empty_state()
else:
    names = [label("lost_reason", r) for r in lost["reason"]]
    fig = go.Figure(go.Bar(x=lost["count"], y=names, orientation="h",
                           text=[widgets.pct(s) for s in lost["share"]], textposition="outside"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=t("rcol.count"))
    charts.integer_axis(fig, "x")
    reportkit.chart(fig, lost, "ly_do_that_bai", key="lost", height=320,
                    fmt={"enums": {"reason": "lost_reason"}})
