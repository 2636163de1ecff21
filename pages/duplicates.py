"""Khách hàng trùng / Duplicates (admin, manager): likely duplicate pairs with their score and
reasons, the two records side by side with a choice per field, merge after confirmation,
recent merges with undo, and (admin) the finder's settings.
Data: crm_data.dedupe (finder, merge), crm_data.admin.settings."""

import pandas as pd
import streamlit as st

from crm_data.accounts import access
from crm_data.admin import settings
from crm_data.dedupe import finder, merge, reasons
from crm_data.domain.formatting import date as fmt_date
from crm_data.domain.geo import by_code
from crm_data.writes import Conflict, NotFound, ValidationFailed
from crm_ui import cache, safe, state
from crm_ui.i18n import label, t, t_escaped

FLASH = "dupes_flash"
PAIRS = "dupes_pairs"
ENUMS = {"gender": "gender", "kind": "kind", "industry": "industry", "occupation": "occupation",
         "income_band": "income_band", "education": "education",
         "marital_status": "marital_status", "preferred_channel": "channel", "source": "source"}
LABELS = {"province_code": "cust.col.province", "owner_id": "cust.col.owner",
          "devices": "dupes.field.devices"}

scope = state.require_scope()
if scope.role not in ("admin", "manager"):  # the navigation never offers it; a link may
    access.refuse(state.engine(), scope, "page", page="duplicates")
    st.error(t("dupes.not_allowed"))
    st.stop()
engine = state.engine()
lang = state.lang()


def _done(message: str) -> None:
    cache.clear()
    st.session_state[FLASH] = message
    st.rerun()


def _field_label(field: str) -> str:
    key = LABELS.get(field) or f"cust.col.{field}"
    return t(key) if t(key) != key else t(f"cust.form.{field}")


def _shown(field: str, value) -> str:
    """A value as text (shown in dataframes and select boxes, which render no Markdown)."""
    if value is None or value == "":
        return "—"
    if field in ENUMS:
        return label(ENUMS[field], value)
    if field == "province_code":
        prov = by_code().get(value)
        return prov.name if prov else str(value)
    if field == "birth_date":
        return fmt_date(value, lang)
    if field == "consent":
        return t("common.yes") if value else t("common.no")
    return str(value)


st.title(t("dupes.title"))
st.caption(t("dupes.intro", days=settings.get(engine, "dupes.undo_days")))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

if st.button(t("dupes.find"), icon=":material/search:", key="dupes_find"):
    n = finder.refresh(engine, scope)
    _done(t("dupes.found", n=n))

pairs = cache.query(finder.pair_list, scope)
if not pairs:
    st.info(t("dupes.none"))
else:
    st.subheader(t("dupes.pairs"))
    frame = pd.DataFrame({
        t("dupes.col.score"): [p[1] for p in pairs],
        t("dupes.col.a"): [f"{p[4]} · {p[5]}" for p in pairs],
        t("dupes.col.b"): [f"{p[7]} · {p[8]}" for p in pairs],
        t("dupes.col.reasons"): [reasons.describe(p[2], lang) for p in pairs],
    })
    st.dataframe(frame, hide_index=True, width="stretch")
    by_id = {p[0]: p for p in pairs}
    picked = st.selectbox(t("dupes.pair"), list(by_id), index=None, key=PAIRS,
                          placeholder=t("dupes.pick"),
                          format_func=lambda i: f"{by_id[i][1]} · {by_id[i][4]} ↔ {by_id[i][7]}")
    if picked is not None:
        pair = by_id[picked]
        both = merge.records(engine, scope, pair[3], pair[6])
        if both is None:
            st.warning(t("dupes.gone"))
        else:
            a, b = both
            st.subheader(t("dupes.compare"))
            side = {a["id"]: a, b["id"]: b}
            keep = st.selectbox(t("dupes.keep"), [a["id"], b["id"]], key=f"dupes_keep_{pair[0]}",
                                format_func=lambda i: f"{side[i]['code']} · {side[i]['full_name']}")
            survivor, loser = side[keep], side[b["id"] if keep == a["id"] else a["id"]]
            st.dataframe(pd.DataFrame({
                t("dupes.field"): [_field_label(f) for f in merge.FIELDS],
                survivor["code"]: [_shown(f, survivor.get(f)) for f in merge.FIELDS],
                loser["code"]: [_shown(f, loser.get(f)) for f in merge.FIELDS],
            }), hide_index=True, width="stretch")
            defaults = merge.default_choices(survivor, loser)
            differing = [f for f in merge.FIELDS if survivor.get(f) != loser.get(f)]
            with st.form(f"dupes_merge_{pair[0]}_{keep}"):
                choices = {}
                for f in differing:
                    options = ["survivor", "loser"]
                    shown = {"survivor": f"{survivor['code']}: {_shown(f, survivor.get(f))}",
                             "loser": f"{loser['code']}: {_shown(f, loser.get(f))}"}
                    choices[f] = st.selectbox(safe.md(_field_label(f)), options,
                                              index=options.index(defaults[f]),
                                              format_func=shown.get, key=f"dupes_f_{f}")
                st.caption(t("dupes.tags_union"))
                sure = st.checkbox(t("dupes.confirm"), key="dupes_sure")
                if st.form_submit_button(t("dupes.merge"), type="primary"):
                    if not sure:
                        st.error(t("dupes.need_confirm"))
                    else:
                        try:
                            done = merge.merge(engine, scope, survivor["id"], loser["id"], choices,
                                               versions=(survivor["version"], loser["version"]))
                            st.session_state.pop(PAIRS, None)
                            _done(t("dupes.merged", moved=done.moved, code=safe.md(survivor["code"])))
                        except (Conflict, NotFound):
                            st.error(t("dupes.conflict"))
            if st.button(t("dupes.dismiss"), key=f"dupes_dismiss_{pair[0]}", icon=":material/block:"):
                finder.dismiss(engine, scope, pair[0])
                st.session_state.pop(PAIRS, None)
                _done(t("dupes.dismissed"))

st.subheader(t("dupes.recent"))
merges, days = cache.query(merge.recent_list, scope)
if not merges:
    st.caption(t("dupes.recent.none"))
else:
    def _state(m) -> str:
        if m["undone_at"] is not None:
            return t("dupes.state.undone")
        return t("dupes.state.undoable") if merge.undoable_row(m, days) else t("dupes.state.final")

    st.dataframe(pd.DataFrame({
        t("dupes.col.merged_at"): [f"{fmt_date(m['merged_at'], lang)} {m['merged_at']:%H:%M}" for m in merges],
        t("dupes.col.survivor"): [f"{m['survivor_code']} · {m['survivor_name']}" for m in merges],
        t("dupes.col.loser"): [m["loser_code"] for m in merges],
        t("dupes.col.state"): [_state(m) for m in merges],
    }), hide_index=True, width="stretch")
    open_ones = {m["id"]: m for m in merges if merge.undoable_row(m, days)}
    if open_ones:
        with st.form("dupes_undo"):
            picked = st.selectbox(t("dupes.undo.pick"), list(open_ones), key="dupes_undo_pick",
                                  format_func=lambda i: f"{open_ones[i]['survivor_code']} ← "
                                                        f"{open_ones[i]['loser_code']}")
            if st.form_submit_button(t("dupes.undo")):
                try:
                    merge.undo(engine, scope, picked)
                    _done(t("dupes.undo.done"))
                except merge.UndoRefused as exc:
                    st.error(t(exc.reason))

if scope.can_admin:
    with st.expander(t("dupes.settings"), icon=":material/tune:"), st.form("dupes_settings"):
        low = {k: settings.DEFAULTS[k] for k in ("dupes.min_score", "dupes.undo_days")}
        score = st.number_input(t("dupes.settings.min_score"), min_value=low["dupes.min_score"][1],
                                max_value=low["dupes.min_score"][2], step=1,
                                value=settings.get(engine, "dupes.min_score"), key="dupes_min_score")
        undo_days = st.number_input(t("dupes.settings.undo_days"), min_value=low["dupes.undo_days"][1],
                                    max_value=low["dupes.undo_days"][2], step=1,
                                    value=settings.get(engine, "dupes.undo_days"), key="dupes_undo_days")
        if st.form_submit_button(t("dupes.settings.save")):
            try:
                settings.set_value(engine, scope, "dupes.min_score", score)
                settings.set_value(engine, scope, "dupes.undo_days", undo_days)
                _done(t("dupes.settings.saved"))
            except ValidationFailed as exc:
                for bad in exc.errors.values():
                    st.error(t_escaped(bad.key, **bad.values))
