"""Nhật ký / Audit log (admin): who did what, when, filtered by user, action, record and
dates, newest first, a page at a time; before / after / detail shown as text; the
filtered log as CSV (that export is itself audited). Read only: the log is append-only.
Rows: crm_data.audit.browse (= `crm audit`). Not cached: reads, logins and downloads add
rows without changing the data version."""

import json

import streamlit as st

from crm_data.accounts import access
from crm_data.audit import browse as audit_log
from crm_data.audit.browse import AuditFilter
from crm_ui import state
from crm_ui.i18n import t

PAGE_SIZE = 50
scope = state.require_scope()
engine = state.engine()
if not scope.can_admin:  # the navigation offers it to admins only; a direct open is recorded
    access.refuse(engine, scope, "audit_log")
    st.warning(t("audit.admin_only"))
    st.stop()


def _label(kind: str, key: str) -> str:
    """An action or record type in words; a key the catalogue does not know, as stored."""
    text = t(f"audit.{kind}.{key}")
    return key if text == f"audit.{kind}.{key}" else text


def _action_label(action: str) -> str:
    return _label("action", action)


st.title(t("audit.title"))
st.caption(t("audit.caption"))

c1, c2, c3 = st.columns(3)
user = c1.selectbox(t("audit.user"), ["", *audit_log.usernames(engine, scope)], key="au_user",
                    format_func=lambda u: u or t("audit.any"))
action = c2.selectbox(t("audit.action"), ["", *audit_log.ACTIONS], key="au_action",
                      format_func=lambda a: _action_label(a) if a else t("audit.any"))
entity = c3.text_input(t("audit.entity"), key="au_entity").strip()
d1, d2, d3 = st.columns(3)
entity_id = d1.text_input(t("audit.entity_id"), key="au_id").strip()
start = d2.date_input(t("audit.from"), value=None, key="au_from", format="DD/MM/YYYY")
end = d3.date_input(t("audit.to"), value=None, key="au_to", format="DD/MM/YYYY")
if entity_id and not entity:
    st.warning(t("audit.bad_id"))
    entity_id = ""
if start and end and start > end:
    start, end = end, start
flt = AuditFilter(user=user or None, action=action or None, entity=entity or None,
                  entity_id=entity_id or None, start=start, end=end)

# Keyset pages: the cursors of the pages before this one; a new filter starts over.
if st.session_state.get("au_filter") != flt:
    st.session_state["au_filter"] = flt
    st.session_state["au_cursors"] = [None]
cursors = st.session_state["au_cursors"]
result = audit_log.page(engine, scope, flt, after=cursors[-1], limit=PAGE_SIZE)


def _older(cursor) -> None:
    st.session_state["au_cursors"].append(cursor)


def _newer() -> None:
    if len(st.session_state["au_cursors"]) > 1:
        st.session_state["au_cursors"].pop()


def _newest() -> None:
    st.session_state["au_cursors"] = [None]


if not result.rows:
    st.info(t("audit.empty"), icon=":material/info:")
else:
    shown = [{
        "at": r["at"].strftime("%d/%m/%Y %H:%M:%S"), "username": r["username"] or "",
        "action": _action_label(r["action"]),
        "entity": _label("entity", r["entity"]) if r["entity"] else "",
        "entity_id": r["entity_id"] or "", "detail": r["detail"] or "",
    } for r in result.rows]
    cols = ["at", "username", "action", "entity", "entity_id", "detail"]
    event = st.dataframe(shown, hide_index=True, width="stretch", column_order=cols,
                         column_config={c: t(f"audit.col.{c}") for c in cols},
                         on_select="rerun", selection_mode="single-row", key="au_table")
    st.caption(t("audit.page_info", page=len(cursors), n=len(result.rows)))
    b1, b2, b3, b4 = st.columns(4)
    b1.button(t("audit.first"), key="au_first", on_click=_newest, disabled=len(cursors) == 1,
              icon=":material/first_page:")
    b2.button(t("audit.newer"), key="au_newer", on_click=_newer, disabled=len(cursors) == 1,
              icon=":material/chevron_left:")
    b3.button(t("audit.older"), key="au_older", on_click=_older, args=(result.next_after,),
              disabled=result.next_after is None, icon=":material/chevron_right:")
    header = [t("audit.before") if c == "before" else t("audit.after") if c == "after"
              else "#" if c == "id" else t(f"audit.col.{c}") for c in audit_log.COLUMNS]
    b4.download_button(t("audit.export"), lambda: audit_log.export_bytes(engine, scope, flt, header),
                       file_name="nhat_ky.csv", mime="text/csv", on_click="ignore", key="au_export",
                       icon=":material/download:")

    picked = (event.selection.rows if event is not None else []) or []
    if not picked:
        st.caption(t("audit.pick_row"))
    else:
        row = result.rows[picked[0]]
        for key in ("before", "after", "detail"):
            value = row[key]
            if not value:
                continue
            try:  # JSON pretty-printed; any other text as it is (st.code: text, never Markdown)
                value = json.dumps(json.loads(value), ensure_ascii=False, indent=2)
            except ValueError:
                pass
            st.text(t(f"audit.{key}"))
            st.code(value, language="json", wrap_lines=True)
