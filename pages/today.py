"""Việc hôm nay / Today: follow-ups, appointments, birthdays, re-orders, win-backs and overdue
complaints of the day, grouped by kind with counts; filter by kind (and owner for managers);
mark an item done, snooze it or open the customer; export exactly the list shown.
Rows: crm_data.daily.today.items (= `crm today`); writes: crm_data.daily.today_actions."""

import datetime as dt

import streamlit as st

from crm_data import i18n
from crm_data.accounts.auth import user_names
from crm_data.admin import settings
from crm_data.customers.export import MIME
from crm_data.daily import today, today_actions
from crm_data.domain import formatting
from crm_data.domain.clock import today as today_date
from crm_data.privacy import person_data
from crm_data.writes import NotFound, ValidationFailed
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import key_formatter, labeller, t

FLASH = "today_flash"
SHOWN = ("kind", "code", "full_name", "phone", "owner", "due_on", "why", "detail")
scope = state.require_scope()
widgets.require_personal_data(scope)
engine = state.engine()
day = today_date()

st.title(t("today.title"))
st.caption(t("today.caption", date=widgets.day(day)))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

# --- filters, kept in the URL (?kind=birthday&owner=3) ----------------------------------
if "today_kinds" not in st.session_state:
    st.session_state["today_kinds"] = [k for k in st.query_params.get_all("kind") if k in today.KINDS]
kinds = st.sidebar.multiselect(t("today.filter.kinds"), list(today.KINDS), key="today_kinds",
                               format_func=key_formatter("today.kind."), placeholder=t("common.choose"))
owners: list[int] = []
if scope.sees_all_customers:
    names = cache.query(user_names)
    if "today_owners" not in st.session_state:
        st.session_state["today_owners"] = [int(o) for o in st.query_params.get_all("owner")
                                            if o.isdigit() and int(o) in names]
    owners = st.sidebar.multiselect(t("today.filter.owners"), list(names), key="today_owners",
                                    format_func=lambda i: names.get(i, str(i)),
                                    placeholder=t("common.choose"))
widgets.keep_in_url({"kind": kinds, "owner": [str(o) for o in owners]})

df = cache.query(today.items, scope, day, tuple(owners), tuple(kinds), state.lang())

# --- counts per kind ------------------------------------------------------------------
per_kind = df.groupby("kind")["kind_total"].first().to_dict()  # all of them, not just those listed
listed = [k for k in today.KINDS if not kinds or k in kinds]
for col, kind in zip(st.columns(len(listed)), listed, strict=True):
    col.metric(t(f"today.kind.{kind}"), widgets.num(per_kind.get(kind, 0)), border=True)

shown = df.assign(kind=df["kind"].map(lambda k: t(f"today.kind.{k}")),
                  phone=df["phone"].map(formatting.phone), due_on=df["due_on"].map(widgets.day))
headers = {c: t(f"today.col.{c}") for c in SHOWN}
selected = None
if df.empty:
    st.info(t("today.empty"), icon=":material/task_alt:")
for kind in [k for k in listed if per_kind.get(k)]:
    part = shown[df["kind"] == kind]
    st.subheader(t("today.count", n=widgets.num(per_kind[kind])) + " · " + t(f"today.kind.{kind}"))
    if len(part) < per_kind[kind]:
        st.caption(t("today.first_n", n=widgets.num(len(part)), total=widgets.num(per_kind[kind])))
    event = st.dataframe(part, key=f"today_grid_{kind}", hide_index=True, on_select="rerun",
                         selection_mode="single-row", column_order=SHOWN[1:], column_config=headers)
    rows = event.selection.rows if event is not None else []
    if rows and selected is None and rows[0] < len(part):
        selected = df.loc[part.index[rows[0]]]


def _act(action, item, *args, message) -> None:
    """Run a Today action on the item; a refusal is shown, success leaves with `message`."""
    try:
        action(engine, scope, item["kind"], int(item["customer_id"]), int(item["source_id"]), *args)
    except ValidationFailed as exc:
        for err in exc.errors.values():
            st.error(safe.md(t(err.key, **err.values)))
        return
    except NotFound:
        st.error(t("today.invalid.gone"))
        return
    _after(message)


def _done(item, values: dict) -> None:
    _act(today_actions.mark_done, item, values,
         message=t("today.done.ok", code=safe.md(item["code"]), kind=t(f"today.kind.{item['kind']}")))


def _snooze(item, until: dt.date) -> None:
    _act(today_actions.snooze, item, until,
         message=t("today.snooze.ok", code=safe.md(item["code"]), kind=t(f"today.kind.{item['kind']}"),
                   date=widgets.day(until)))


def _after(message: str) -> None:
    cache.clear()
    for kind in today.KINDS:  # the row numbers move once the item has left
        st.session_state.pop(f"today_grid_{kind}", None)
    st.session_state[FLASH] = message
    st.rerun()


# --- the selected item: done, snooze, open ----------------------------------------------
if selected is None:
    if not df.empty:
        st.caption(t("today.pick"))
else:
    st.divider()
    st.markdown(t("today.selected", kind=t(f"today.kind.{selected['kind']}"), code=safe.md(selected["code"])))
    st.text(f"{selected['full_name']} · {selected['why']}")
    if st.button(t("today.open"), key="today_open", icon=":material/person:"):
        st.switch_page("pages/customer.py", query_params={"id": str(int(selected["customer_id"]))})
    left, right = st.columns(2)
    with left, st.form("today_done_form"):
        st.markdown(f"**{t('today.done')}**")
        how = st.selectbox(t("today.done.kind"), i18n.choices("interaction_kind"), key="today_done_kind",
                           format_func=labeller("interaction_kind"))
        outcome = st.selectbox(t("today.done.outcome"), i18n.choices("outcome"), key="today_done_outcome",
                               format_func=labeller("outcome"))
        reason = None
        if selected["kind"] == "winback":  # what the call learnt: the Retention page's "why"
            reason = st.selectbox(t("today.done.churn_reason"), i18n.choices("churn_reason"), index=None,
                                  placeholder=t("common.choose"), key="today_done_churn",
                                  format_func=labeller("churn_reason"))
        note = st.text_area(t("today.done.note"), key="today_done_note")
        next_step = st.date_input(t("today.done.next_step"), value=None, key="today_done_next",
                                  format="DD/MM/YYYY", min_value=day)
        if st.form_submit_button(t("today.done.submit"), type="primary"):
            _done(selected, {"kind": how, "outcome": outcome, "note": note, "next_step_date": next_step,
                             "churn_reason": reason})
    with right, st.form("today_snooze_form"):
        st.markdown(f"**{t('today.snooze')}**")
        until = st.date_input(t("today.snooze"), value=day + dt.timedelta(days=1), key="today_snooze_until",
                              format="DD/MM/YYYY", min_value=day + dt.timedelta(days=1))
        if st.form_submit_button(t("today.snooze.submit")):
            _snooze(selected, until)

# --- export exactly what is shown ----------------------------------------------------------
if not df.empty:
    table = shown[list(SHOWN)].rename(columns=headers)
    e1, e2 = st.columns(2)
    with e1:
        widgets.download_csv(table, "viec_hom_nay", key="today_csv", label=t("today.export_csv"))
    e2.download_button(
        t("today.export_xlsx"),
        widgets.audited(lambda: person_data.to_xlsx({"viec_hom_nay": table.to_dict("records")}),
                        "viec_hom_nay.xlsx", len(table)),
        file_name="viec_hom_nay.xlsx", mime=MIME["xlsx"], key="today_xlsx", on_click="ignore",
        icon=":material/download:")

# --- settings (admin) -------------------------------------------------------------------
widgets.setting_form(
    engine, scope, "today_settings_form", "today.settings",
    {key: (f"today.settings.{key.split('.')[1]}", 1, f"today_{key.split('.')[1]}")
     for key in settings.DEFAULTS if key.startswith("today.")},
    FLASH, t("today.settings.saved"), save_key="today.settings.save", after=_after)
