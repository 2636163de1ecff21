"""Chấm điểm khách tiềm năng / Lead scoring (admin): grade thresholds, the questionnaire's
questions and answer options with their points (every change audited; changed points
re-score the leads holding that answer), and whether grades predict wins.
Data: crm_data.leadscore (questionnaire, scoring, report)."""

import plotly.graph_objects as go
import streamlit as st

from crm_data.leadscore import questionnaire, report, scoring
from crm_data.writes import ValidationFailed
from crm_ui import cache, charts, safe, state, widgets
from crm_ui.i18n import label, t

FLASH = "lead_scoring_flash"
scope = state.require_scope()
if not scope.can_admin:
    st.error(t("lead.not_admin"))
    st.stop()
engine = state.engine()
lang = state.lang()


# A refused field → its label; option fields carry their row ("points.2").
FIELDS = {"text_vi": "lead.text_vi", "text_en": "lead.text_en", "position": "lead.position",
          "leadscore.hot_min": "lead.hot_min", "leadscore.warm_min": "lead.warm_min"}
OPTION_FIELDS = {"text_vi": "lead.option_vi", "text_en": "lead.option_en", "points": "lead.points",
                 "position": "lead.position"}


def _field(name: str) -> str:
    base, _, row = name.rpartition(".") if name.rpartition(".")[2].isdigit() else (name, "", "")
    if row:
        return f"{t(OPTION_FIELDS.get(base, 'lead.options'))} ({row})"
    return t(FIELDS[name]) if name in FIELDS else name


def _write(fn, *args) -> None:
    try:
        fn(engine, scope, *args)
    except ValidationFailed as exc:
        for field, err in exc.errors.items():
            st.error(f"{safe.md(_field(field))}: {safe.md(t(err.key, **err.values))}")
    else:
        cache.clear()
        st.session_state[FLASH] = t("lead.admin_saved")
        st.rerun()


st.title(t("lead.admin_title"))
st.caption(t("lead.admin_caption"))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

questions = cache.query(questionnaire.load, active_only=False)
hot, warm = cache.query(scoring.thresholds)

st.subheader(t("lead.thresholds"))
st.caption(t("lead.thresholds_help", max=widgets.num(questionnaire.max_score(questions))))
with st.form("lead_thresholds"):
    a, b = st.columns(2)
    new_hot = a.number_input(t("lead.hot_min"), value=hot, step=1, key="lead_hot")
    new_warm = b.number_input(t("lead.warm_min"), value=warm, step=1, key="lead_warm")
    if st.form_submit_button(t("lead.save_thresholds")):
        _write(questionnaire.set_thresholds, new_hot, new_warm)

st.subheader(t("lead.questions"))
for q in questions:
    title = f"{q.position}. {q.text(lang)}" + ("" if q.active else f" ({t('lead.inactive')})")
    with st.expander(safe.md(title)), st.form(f"lead_q_{q.id}"):
        c1, c2, c3, c4 = st.columns([4, 4, 1, 1])
        qvi = c1.text_input(t("lead.text_vi"), value=q.text_vi, key=f"lq_vi_{q.id}")
        qen = c2.text_input(t("lead.text_en"), value=q.text_en, key=f"lq_en_{q.id}")
        qpos = c3.number_input(t("lead.position"), value=q.position, step=1, key=f"lq_pos_{q.id}")
        qact = c4.checkbox(t("lead.active"), value=q.active, key=f"lq_act_{q.id}")
        st.markdown(f"**{t('lead.options')}**")
        rows = []
        for o in [*q.options, None]:  # the last, blank row adds an option
            suffix = f"{q.id}_{o.id if o else 'new'}"
            d1, d2, d3, d4 = st.columns([4, 4, 1, 1])
            rows.append({
                "id": o.id if o else None,
                "text_vi": d1.text_input(t("lead.option_vi"), value=o.text_vi if o else "",
                                         key=f"lo_vi_{suffix}"),
                "text_en": d2.text_input(t("lead.option_en"), value=o.text_en if o else "",
                                         key=f"lo_en_{suffix}"),
                "points": d3.number_input(t("lead.points"), value=o.points if o else 0, step=1,
                                          key=f"lo_pts_{suffix}"),
                "position": o.position if o else len(q.options) + 1,
                "active": d4.checkbox(t("lead.active"), value=o.active if o else True,
                                      key=f"lo_act_{suffix}"),
            })
        if st.form_submit_button(t("lead.save_question")):
            _write(questionnaire.save_question, {"id": q.id, "text_vi": qvi, "text_en": qen,
                                                 "position": qpos, "active": qact}, rows)

with st.expander(t("lead.add_question")), st.form("lead_q_new"):
    n1, n2 = st.columns(2)
    nvi = n1.text_input(t("lead.text_vi"), key="lq_vi_new")
    nen = n2.text_input(t("lead.text_en"), key="lq_en_new")
    if st.form_submit_button(t("lead.add_question")):
        _write(questionnaire.save_question, {"text_vi": nvi, "text_en": nen,
                                             "position": len(questions) + 1, "active": True})

st.subheader(t("lead.won_title"))
st.caption(t("lead.won_caption"))
won = cache.query(report.won_by_grade, scope)
if won["leads"].sum() == 0:
    widgets.empty_state()
else:
    names = [label("lead_grade", g) for g in won["grade"]]
    fig = go.Figure(go.Bar(x=names, y=won["won_share"], text=[widgets.pct(v) for v in won["won_share"]],
                           textposition="outside", customdata=won[["won", "leads"]],
                           hovertemplate="%{x}: %{customdata[0]:,} / %{customdata[1]:,}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%")
    shown = won.assign(grade=names, won_share=[widgets.pct(v) for v in won["won_share"]])
    shown = shown.rename(columns={c: t(f"lead.col.{c}") for c in report.COLUMNS})
    charts.show(fig, key="lead_won_chart", height=320)
    st.dataframe(shown, hide_index=True)
    widgets.download_csv(shown, "ty_le_thang_theo_hang", key="dl_lead_won")
