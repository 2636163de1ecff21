"""Quy tắc phân loại / Classification rules (admin): the rules in force as editable tables,
a preview of what a change would move (nothing written), save as a new version applied to
every customer, and the version history with restore.
Data: crm_data.rules.store (definition, versions), crm_data.rules.apply (preview, save, restore)."""

import pandas as pd
import streamlit as st

from crm_data.rules import apply as rules_apply
from crm_data.rules import store as rules_store
from crm_data.writes import ValidationFailed
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import label, t

FLASH = "rules_flash"
scope = state.require_scope()
lang = state.lang()
if not scope.can_admin:
    st.error(t("rules.admin_only"))
    st.stop()
engine = state.engine()
version, defn = rules_store.current(engine)  # one small row, read fresh

st.title(t("page.rules"))
st.caption(t("rules.version_now", version=widgets.num(version)))
st.info(t("rules.definitions", n=defn["churn_days"], half=widgets.num(defn["churn_days"] // 2)),
        icon=":material/info:")
if flash := st.session_state.pop(FLASH, None):
    st.success(flash)


def _editor(part: str, key: str) -> list[dict]:
    """One row per condition; rows with the same id are one rule."""
    df = pd.DataFrame(rules_store.to_rows(defn[part], lang), columns=list(rules_store.ROW_COLUMNS))
    words = rules_store.choice_words(lang)
    config = {
        "id": st.column_config.TextColumn(t("rules.col.id"), required=True, max_chars=40),
        "target": st.column_config.SelectboxColumn(t("rules.col.target"), options=words[part], required=True),
        "priority": st.column_config.NumberColumn(t("rules.col.priority"), min_value=0, step=1, required=True),
        "field": st.column_config.SelectboxColumn(t("rules.col.field"), options=words["field"], required=True),
        "op": st.column_config.SelectboxColumn(t("rules.col.op"), options=words["op"], required=True),
        "value": st.column_config.TextColumn(t("rules.col.value")),
    }
    edited = st.data_editor(df, key=key, num_rows="dynamic", hide_index=True, column_config=config,
                            width="stretch")
    return edited.to_dict("records")


def _cuts(text: str) -> list:
    return [v.strip().replace(".", "") for v in str(text).split(",") if v.strip()]


def _show_errors(exc: ValidationFailed) -> None:
    for err in exc.errors.values():
        st.error(safe.md(t(err.key, **err.values)))


def _tier_name(v: str) -> str:
    return label("tier", v)


def _groups_text(v: str) -> str:
    return ", ".join(t(f"cust.group.{g}") for g in str(v or "").split(",") if g)


tab_edit, tab_history = st.tabs([t("rules.tab.edit"), t("rules.tab.history")])
with tab_edit:
    with st.form("rules_form"):
        c1, c2 = st.columns(2)
        churn_days = c1.number_input(t("rules.churn_days"), min_value=30, max_value=1095, step=1,
                                     value=int(defn["churn_days"]), key="rules_churn_days")
        modes = list(rules_store.RFM_MODES)
        mode = c2.selectbox(t("rules.rfm_mode"), modes, index=modes.index(defn["rfm"]["mode"]),
                            format_func=lambda m: t(f"rules.rfm_mode.{m}"), key="rules_rfm_mode")
        cut_inputs = {k: st.text_input(t(f"rules.rfm.{k}"), value=", ".join(map(str, defn["rfm"][k])),
                                       key=f"rules_rfm_{k}")
                      for k in ("recency_days", "frequency", "monetary")}
        st.subheader(t("rules.tiers"))
        st.caption(t("rules.col.rule_help"))
        tier_rows = _editor("tiers", "rules_tiers")
        st.subheader(t("rules.groups"))
        group_rows = _editor("groups", "rules_groups")
        note = st.text_input(t("rules.note"), max_chars=200, key="rules_note")
        b1, b2 = st.columns(2)
        want_preview = b1.form_submit_button(t("rules.preview"), icon=":material/preview:")
        want_save = b2.form_submit_button(t("rules.save"), type="primary", icon=":material/save:")
    proposed = {"churn_days": churn_days,
                "rfm": {"mode": mode, **{k: _cuts(v) for k, v in cut_inputs.items()}},
                "tiers": rules_store.from_rows(tier_rows, lang), "groups": rules_store.from_rows(group_rows, lang)}
    if want_preview:
        try:
            pv = rules_apply.preview(engine, scope, proposed)
        except ValidationFailed as exc:
            _show_errors(exc)
        else:
            if pv.changed == 0:
                st.info(t("rules.preview_none"))
            else:
                st.warning(t("rules.preview_changed", n=widgets.num(pv.changed)))
                for row in pv.moves.itertuples():
                    st.write(t("rules.preview_move", n=widgets.num(row.customers),
                               src=label("tier", row.from_tier), dst=label("tier", row.to_tier)))
                for row in pv.group_changes.itertuples():
                    st.write(t("rules.preview_group", group=t(f"cust.group.{row.group}"),
                               joined=widgets.num(row.joined), left=widgets.num(row.left)))
                shown = pv.customers.assign(
                    tier=pv.customers["tier"].map(_tier_name), new_tier=pv.customers["new_tier"].map(_tier_name),
                    groups=pv.customers["groups"].map(_groups_text),
                    new_groups=pv.customers["new_groups"].map(_groups_text))
                st.dataframe(shown, hide_index=True, width="stretch",
                             column_config={k: t(f"rules.prev.{k}") for k in shown.columns})
    if want_save:
        try:
            saved = rules_apply.save(engine, scope, proposed, note)
        except ValidationFailed as exc:
            _show_errors(exc)
        else:
            cache.clear()
            for key in ("rules_tiers", "rules_groups", "rules_note"):
                st.session_state.pop(key, None)
            st.session_state[FLASH] = t("rules.saved", version=widgets.num(saved.version),
                                        n=widgets.num(saved.moved))
            st.rerun()

with tab_history:
    hist = rules_store.history(engine)
    shown = hist.assign(created_at=hist["created_at"].map(lambda v: f"{v:%d/%m/%Y %H:%M}"),
                        restored_from=hist["restored_from"].map(lambda v: "" if v != v or v is None else str(int(v))),
                        note=hist["note"].fillna(""), created_by_name=hist["created_by_name"].fillna(""))
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={k: t(f"rules.hist.{k}") for k in shown.columns})
    older = [int(v) for v in hist["version"] if int(v) != version]
    if older:
        with st.form("rules_restore"):
            pick = st.selectbox(t("rules.restore_pick"), older, key="rules_restore_pick")
            if st.form_submit_button(t("rules.restore"), icon=":material/restore:"):
                saved = rules_apply.restore(engine, scope, int(pick))
                cache.clear()
                st.session_state[FLASH] = t("rules.restored", old=widgets.num(pick), version=widgets.num(saved.version))
                st.rerun()
