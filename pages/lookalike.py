"""Khách tiềm năng giống khách tốt nhất / Lookalike leads: the owner's choice of "best", the
fit's validated AUC / lift (or why the data cannot support a score), the ranked leads with
their top reasons, bulk assignment and the export of exactly the list shown.
Data: crm_data.lookalike (docs/lookalike.md); assignment: crm_data.writes.bulk."""

import pandas as pd
import streamlit as st

from crm_data.accounts import access
from crm_data.admin import settings
from crm_data.customers import listing as customers
from crm_data.customers import saved_segments
from crm_data.domain.spreadsheet import csv_bytes
from crm_data.lookalike import best as best_def
from crm_data.lookalike import fit, reads
from crm_data.records.writing import ValidationFailed
from crm_data.writes import bulk
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import label, t, t_escaped

FLASH = "lookalike_flash"
SETTINGS = ("lookalike.value_top_pct", "lookalike.test_pct", "lookalike.min_positives")
scope = state.require_scope()
engine = state.engine()
if scope.role not in fit.FITTERS:
    access.refuse(engine, scope, "page", page="lookalike")
    st.warning(t("nav.refused"), icon=":material/block:")
    st.stop()

st.title(t("lookalike.title"))
st.caption(t("lookalike.intro"))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)


def best_label(best: str) -> str:
    kind, seg_id = best_def.parse(best)
    return t("lookalike.best_segment", id=seg_id) if seg_id else t(f"lookalike.best.{kind}")


# --- the choice of "best" and the fit ---------------------------------------------------
kind = st.radio(t("lookalike.best"), ["vip", "value", "segment"], horizontal=True, key="la_best",
                format_func=lambda k: t(f"lookalike.best.{k}"))
best = kind
if kind == "segment":
    segments = cache.query(saved_segments.list_segments, scope)
    if segments.empty:
        st.info(t("lookalike.no_segments"))
        best = None
    else:
        names = dict(zip(segments["id"], segments["name"], strict=True))
        seg_id = st.selectbox(t("lookalike.segment"), list(names), key="la_segment",
                              format_func=lambda i: f"#{i} {names[i]}")
        best = f"segment:{seg_id}"
elif kind == "value" and not cache.query(best_def.value_fit_exists):
    st.info(t("lookalike.no_value_fit"))
    best = None
if st.button(t("lookalike.fit"), icon=":material/model_training:", disabled=best is None,
             key="la_fit"):
    try:
        with st.spinner(t("lookalike.fitting")):
            fit.fit_and_store(engine, scope, best)
    except best_def.NoFit:
        st.warning(t("lookalike.no_value_fit"))
    except best_def.BadBest:
        st.warning(t("lookalike.bad_segment"))
    else:
        cache.clear()
        st.session_state[FLASH] = t("lookalike.fitted")
        st.rerun()

# --- admin settings -------------------------------------------------------------------
if scope.can_admin:
    with st.expander(t("lookalike.settings")), st.form("la_settings"):
        values = {key: st.number_input(
            t(f"lookalike.setting.{key.split('.')[1]}"), value=settings.get(engine, key),
            min_value=settings.DEFAULTS[key][1], max_value=settings.DEFAULTS[key][2], step=1,
            key=f"la_{key}") for key in SETTINGS}
        if st.form_submit_button(t("lookalike.save_settings")):
            try:
                for key, value in values.items():
                    settings.set_value(engine, scope, key, value)
            except ValidationFailed as exc:
                for err in exc.errors.values():
                    st.error(safe.md(t(err.key, **err.values)))
            else:
                cache.clear()
                st.session_state[FLASH] = t("lookalike.settings_saved")
                st.rerun()

# --- the latest fit, honestly ----------------------------------------------------------
last = cache.query(reads.latest_fit)
if last is None:
    st.info(t("lookalike.no_fit"))
    st.stop()
st.caption(t_escaped("lookalike.fit_of", day=widgets.day(last["fitted_on"]), best=best_label(last["best"])))
if best is not None and last["best"] != best:
    st.info(t("lookalike.other_best"))


def _auc(value) -> str:
    return "—" if value is None else widgets.num(value, 2)


c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(t("lookalike.metric.auc"), _auc(last["auc"]))
c2.metric(t("lookalike.metric.ci"), "—" if last["auc_low"] is None
          else f"{_auc(last['auc_low'])}–{_auc(last['auc_high'])}")
c3.metric(t("lookalike.metric.cv"), _auc(last["cv_auc"]))
c4.metric(t("lookalike.metric.lift"), "—" if last["lift_top_decile"] is None
          else f"× {widgets.num(last['lift_top_decile'], 1)}")
c5.metric(t("lookalike.metric.n"), f"{widgets.num(last['n_train'])} / {widgets.num(last['n_test'])}")
if not last["supported"]:
    st.warning(t(f"lookalike.verdict.{last['verdict']}",
                 min=settings.get(engine, "lookalike.min_positives"),
                 pos_train=widgets.num(last["positives_train"]),
                 pos_test=widgets.num(last["positives_test"])), icon=":material/block:")
    st.stop()
st.caption(t("lookalike.caveat", split=widgets.day(last["split_on"]),
             pos_test=widgets.num(last["positives_test"]), n_test=widgets.num(last["n_test"])))

# --- the ranked leads: assign and export exactly this list -----------------------------
l1, l2 = st.columns([1, 2])
limit = int(l1.number_input(t("lookalike.limit"), min_value=10, max_value=2000, value=50,
                            step=10, key="la_limit"))
unassigned = l2.checkbox(t("lookalike.unassigned"), key="la_unassigned")
df = cache.query(reads.ranked, scope, state.lang(), limit, unassigned)
if df.empty:
    st.info(t("lookalike.empty"))
    st.stop()
shown = pd.DataFrame({
    t("lookalike.col.code"): df["code"],
    t("lookalike.col.name"): df["full_name"],
    t("lookalike.col.owner"): df["owner"].fillna(""),
    t("lookalike.col.stage"): [label("pipeline_stage", s) for s in df["pipeline_stage"]],
    t("lookalike.col.score"): (df["score"] * 100).round(1),
    t("lookalike.col.reasons"): df["reasons"],
})
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    t("lookalike.col.score"): st.column_config.NumberColumn(format="%.1f %%")})
st.download_button(t("lookalike.export"),
                   widgets.audited(lambda: csv_bytes(shown), "khach_tiem_nang_giong_khach_tot.csv", len(shown),
                                   what="lookalike"),
                   file_name="khach_tiem_nang_giong_khach_tot.csv", mime="text/csv", key="la_export",
                   icon=":material/download:", on_click="ignore")
owners = cache.query(customers.owners, scope)
with st.form("la_assign"):
    owner = st.selectbox(t("lookalike.assign_to"), list(owners), key="la_owner",
                         format_func=lambda o: owners.get(o, str(o)))
    if st.form_submit_button(t("lookalike.assign", n=widgets.num(len(df)))) and owner is not None:
        n = bulk.bulk_edit(engine, scope, df["id"].tolist(), bulk.BulkEdit(owner_id=int(owner)))
        cache.clear()
        st.session_state[FLASH] = t("lookalike.assigned", n=widgets.num(n))
        st.rerun()
