"""Phễu / Lead funnel: by default the leads created in the period and how far they got (cohort;
no step above 100 %), or the entries into each stage during the period (flow); conversion,
drop-off, median days in stage (only with enough stays), lost reasons; split by source /
owner / lead grade / period. Numbers: crm_data.reports.funnel (= `crm report funnel --view`)."""

import streamlit as st

from crm_data.accounts.auth import user_names
from crm_data.customers import drill as marks
from crm_data.domain.formatting import bucket_label
from crm_data.domain.periods import partial_buckets
from crm_data.leadscore.scoring import GRADES
from crm_data.reports import funnel
from crm_ui import cache, charts, drill, parallel, reportkit, state, widgets
from crm_ui.i18n import label, t

scope = state.require_scope()
lang = state.lang()
period, granularity = widgets.period_picker(default="this_quarter")
flt = widgets.customer_filter(scope)
# Lead grade (crm_data.leadscore): the page's own widget, kept in the URL by its keys.
if "funnel_grades" not in st.session_state:
    st.session_state["funnel_grades"] = [g for g in st.query_params.get_all("lead_grades") if g in GRADES]
grades = st.sidebar.pills(t("filter.lead_grades"), list(GRADES), selection_mode="multi",
                          key="funnel_grades", format_func=lambda g: label("lead_grade", g)) or []
widgets.keep_in_url({"lead_grades": list(grades)})
flt = flt.with_(lead_grades=tuple(grades))

st.title(t("funnel.title"))
# The URL holds the keys (view=flow, split=source), not the translated labels.
widgets.url_choice("view", funnel.VIEWS, "cohort")
widgets.url_choice("split", ("", *funnel.SPLITS), "")
view = st.segmented_control(t("funnel.view"), funnel.VIEWS, key="view",
                            format_func=lambda v: t(f"funnel.view_{v}"), required=True) or "cohort"
st.caption(t("funnel.cohort_caption" if view == "cohort" else "funnel.caption",
             start=widgets.day(period.start), end=widgets.day(period.end)))



def _split_name(value: str | None) -> str:
    if value == "period" and view == "cohort":
        return t("funnel.split_created")  # a cohort is split by when its leads were created
    return t(f"funnel.split_{value or 'none'}")


split = st.segmented_control(t("funnel.split"), ["", *funnel.SPLITS], key="split",
                             format_func=_split_name) or None
widgets.keep_in_url({"view": None if view == "cohort" else view, "split": split})
report = funnel.cohort if view == "cohort" else funnel.funnel
count = "reached" if view == "cohort" else "entered"
# A filter or period change misses both: started at once, each taken where drawn (crm_ui.parallel).
got = parallel.start(df=(report, scope, period, split, granularity, flt),
                     lost=(funnel.cohort_lost_reasons if view == "cohort" else funnel.lost_reasons,
                           scope, period, flt))
df = got.get("df")
stage_names = {s: label("pipeline_stage", s) for s in (*funnel.STAGES, funnel.LOST)}


cut = set(partial_buckets(period, granularity)) if split == "period" else set()


def _split_label(value) -> str:
    if split == "period":  # a week cut by the period's edge says so: its counts are smaller
        text = bucket_label(value, granularity, lang)
        return f"{text} ({t(f'partial.{granularity}')})" if value in cut else text
    if split == "owner":
        return cache.query(user_names).get(value, label("", None))
    if split == "source":
        return label("source", value)
    if split == "lead_grade":
        return label("lead_grade", None if value != value else value)
    return label("", None) if value is None or value != value else str(value)


def _median_text(row) -> str:
    if row["durations"] >= funnel.MIN_DURATIONS:
        return widgets.num(row["median_days"], 1)
    return t("funnel.not_enough") if row["stage"] not in ("won", funnel.LOST) else "—"


def stage_mark(stage: str, value=None):
    """The customers behind a stage of the view on screen (and of a split value)."""
    mark = marks.funnel_cohort_stage if view == "cohort" else marks.funnel_stage
    return mark(flt, period, stage, split, value, granularity)


if df.empty or df[count].sum() == 0:
    widgets.empty_state()
else:
    main = df[df["stage"] != funnel.LOST]
    # The CSVs hold what the table shows: stage and split labels (crm_data.reports.display).
    csv_df = df.assign(split=[_split_label(v) for v in df["split"]]) if split else df.drop(columns="split")
    csv_fmt = {"enums": {"stage": "pipeline_stage"},
               "headers": {"split": _split_name(split)}}
    if split is None:
        fig = charts.figure({"type": "funnel", "y": [stage_names[s] for s in main["stage"]], "x": main[count],
                             "texttemplate": "%{value:,d}<br>%{percentInitial:.1%} "
                             + t("funnel.of_top") + "<br>%{percentPrevious:.1%} " + t("funnel.of_prev")})
        event = reportkit.chart(fig, csv_df, f"pheu_{view}_{period.start}_{period.end}", key="funnel",
                                height=420, fmt=csv_fmt, **drill.select_args(scope))
        drill.follow(scope, event, "funnel", lambda p: None if drill.index(p, len(main)) is None else
                     stage_mark(main["stage"].iloc[drill.index(p, len(main))]))
    else:
        fig = charts.figure(*[{"type": "bar", "x": [stage_names[s] for s in part["stage"]], "y": part[count],
                               "name": _split_label(value)}
                              for value, part in main.groupby("split", dropna=False, sort=False)],
                            barmode="group", yaxis={"title": {"text": t(f"rcol.{count}")}})
        charts.integer_axis(fig)
        event = reportkit.chart(fig, csv_df, f"pheu_{view}_{split}_{period.start}_{period.end}",
                                key="funnel_split", height=420, fmt=csv_fmt,
                                **drill.select_args(scope))
        parts = [part for _, part in main.groupby("split", dropna=False, sort=False)]

        def _split_mark(p):
            curve = p.get("curve_number", 0)
            part = parts[curve] if curve in range(len(parts)) else main.iloc[:0]
            i = drill.index(p, len(part))
            return None if i is None else stage_mark(part["stage"].iloc[i], part["split"].iloc[i])

        drill.follow(scope, event, "funnel_split", _split_mark)
    shown = df.assign(stage=[stage_names[s] for s in df["stage"]],
                      median_days=[_median_text(r) for r in df.to_dict("records")])
    if split is not None:
        shown["split"] = [_split_label(v) for v in df["split"]]
    else:
        shown = shown.drop(columns="split")
    reportkit.table(shown, pct=("conv_prev", "conv_top", "drop_off"), nums=(count, "durations"),
                    headers={"split": _split_name(split),
                             **reportkit.col_headers(c for c in df.columns if c != "split")})
    st.caption(t("funnel.cohort_definitions", n=funnel.MIN_DURATIONS) if view == "cohort"
               else t("funnel.definitions") + " " + t("funnel.median_rule", n=funnel.MIN_DURATIONS))
    if view == "flow" and (main["conv_prev"].dropna() > 1).any():
        # Entries are not a cohort: leads who entered the previous step before the period.
        st.info(t("funnel.flow_above_100"), icon=":material/info:")

    st.subheader(t("funnel.median_title"))
    # A median of one or two stays (one lead who moved on the next minute) is not a figure.
    med = df[df["median_days"].notna() & (df["durations"] >= funnel.MIN_DURATIONS)]
    if med.empty:
        st.info(t("funnel.median_not_enough", n=funnel.MIN_DURATIONS), icon=":material/info:")
    else:
        fig = charts.figure(*[{"type": "bar", "x": [stage_names[s] for s in part["stage"]], "y": part["median_days"],
                               "name": _split_label(value) if split else t("rcol.median_days")}
                              for value, part in med.groupby("split", dropna=False, sort=False)],
                            barmode="group", showlegend=split is not None,
                            yaxis={"title": {"text": t("rcol.median_days")}})
        reportkit.chart(fig, csv_df.loc[med.index], "so_ngay_trung_vi", key="median",
                        height=340, fmt=csv_fmt)

st.subheader(t("funnel.lost_title"))
lost = got.get("lost")
if lost.empty:
    widgets.empty_state()
else:
    names = [label("lost_reason", r) for r in lost["reason"]]
    fig = charts.figure({"type": "bar", "x": lost["count"], "y": names, "orientation": "h",
                         "text": [widgets.pct(s) for s in lost["share"]], "textposition": "outside"},
                        yaxis={"autorange": "reversed"}, xaxis={"title": {"text": t("rcol.count")}})
    charts.integer_axis(fig, "x")
    event = reportkit.chart(fig, lost, f"ly_do_that_bai_{view}", key="lost", height=320,
                            fmt={"enums": {"reason": "lost_reason"}}, **drill.select_args(scope))
    lost_mark = marks.funnel_cohort_lost_reason if view == "cohort" else marks.funnel_lost_reason
    drill.follow(scope, event, "lost", lambda p: None if drill.index(p, len(lost)) is None else
                 lost_mark(flt, period, lost["reason"].iloc[drill.index(p, len(lost))]))
    st.caption(t(f"funnel.lost_{view}"))
