"""Hồ sơ khách hàng / Customer 360 (?id=N or ?code=KH…): profile, tier and groups with
the reason, balances, timeline, stage history, and the forms for what happens next.
Numbers: crm_data.customers.listing (get_customer, timeline, stage_history); writes:
crm_data.writes.activity / stages / customer."""

import datetime as dt

import streamlit as st

from crm_data import i18n
from crm_data.customers import listing as customers
from crm_data.domain import formatting
from crm_data.domain.clock import today
from crm_data.privacy import erasure, person_data
from crm_data.records import validation
from crm_data.records.derived import tags_list
from crm_data.writes import Conflict, NotFound, ValidationFailed, activity, stages
from crm_data.writes import customer as customer_writes
from crm_ui import (
    cache,
    customer_sections,
    safe,
    section_complaints,
    section_leadscore,
    section_loyalty,
    section_money,
    section_rules,
    state,
    widgets,
)
from crm_ui.i18n import label, t
from crm_ui.section_clv import render as clv_section

FLASH = "customer_flash"
TAB_KEY, ACTION_TAB_KEY = "customer_tab", "customer_action_tab"  # the open tab's label
ACTION_TABS = ("interaction", "order", "payment", "feedback", "appointment", "stage", "delete")
scope = state.require_scope()
lang = state.lang()
widgets.require_personal_data(scope)

raw_id = st.query_params.get("id", "")
raw_code = st.query_params.get("code", "")
url_id = validation.record_id(raw_id)
cid = None
if raw_id and url_id is None:
    st.error(t("link.bad_id"), icon=":material/link_off:")
elif url_id is not None or raw_code:
    cid = cache.query(customers.find_customer_id, scope, customer_id=url_id, code=raw_code or None)
if cid is None:
    if url_id is not None or raw_code or not raw_id:
        st.warning(t("customer.not_found") if (url_id or raw_code) else t("customer.pick"))
    st.page_link("pages/customers.py", label=t("customer.back"), icon=":material/arrow_back:")
    st.stop()

c = cache.query_primary(customers.get_customer, scope, cid)
# The edit form loads the version afresh each time it is opened from here.
st.session_state.pop(f"cf{cid}_version", None)
st.session_state.pop(f"cf{cid}_duplicates", None)
stats = c["stats"]
engine = state.engine()

st.title(f"{safe.md(c['code'])} · {safe.md(c['full_name'])}")
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)
if c["erased_at"]:
    st.info(t("privacy.erased_banner", date=widgets.day(c["erased_at"])), icon=":material/shield:")
l1, l2 = st.columns(2)
l1.page_link("pages/customers.py", label=t("customer.back"), icon=":material/arrow_back:")
l2.page_link("pages/customer_form.py", label=t("customer.edit"), icon=":material/edit:",
             query_params={"id": str(cid)})

# Cards as wide as their figures, wrapping to a second row on a narrow screen: five equal
# columns cut "26.133.500 ₫" and the date to "26.133.…".
with st.container(horizontal=True, wrap=True):
    st.metric(t("customer.spend"), widgets.short_money(stats.get("total_spend") or 0),
              help=widgets.money(stats.get("total_spend") or 0), border=True, width="content")
    for key, value in (("customer.debt", widgets.money(stats.get("debt") or 0)),
                       ("customer.points", widgets.num(stats.get("points") or 0)),
                       ("customer.orders", widgets.num(stats.get("orders_count") or 0)),
                       ("customer.last_order", widgets.day(stats.get("last_order_date")))):
        st.metric(t(key), value, border=True, width="content")

def _consent_text(record: dict) -> str:
    """Given / withdrawn, on which day and through which channel (Decree 13/2023)."""
    channel = record["consent_channel"]
    via = t("privacy.via", channel=label("consent_channel", channel)) if channel else ""
    if record["consent"]:
        day = widgets.day(record["consent_at"]) if record["consent_at"] else "?"
        return t("privacy.consent_given", date=day, via=via)
    if record["consent_withdrawn_at"]:
        return t("privacy.consent_withdrawn", date=widgets.day(record["consent_withdrawn_at"]), via=via)
    return t("privacy.consent_none")


left, right = st.columns([3, 2])
with left:
    st.subheader(t("customer.profile"))
    profile = [
        ("cust.col.phone", formatting.phone(c["phone"])), ("cust.col.email", c["email"]),
        ("cust.col.gender", label("gender", c["gender"]) if c["gender"] else None),
        ("cust.col.birth_date", widgets.day(c["birth_date"]) if c["birth_date"] else None),
        ("cust.col.address", c["address"]), ("cust.col.province", c["province_name"]),
        ("cust.col.region", label("region", c["region"]) if c["region"] else None),
        ("cust.col.kind", label("kind", c["kind"])), ("cust.col.company", c["company"]),
        *[(f"col.{f}", label(f, c[f])) for f in ("industry", "occupation", "income_band", "education",
                                                  "marital_status") if c.get(f)],
        ("cust.col.source", label("source", c["source"]) if c["source"] else None),
        ("cust.col.owner", c["owner_name"]),
        ("cust.col.lifecycle_stage", label("lifecycle_stage", c["lifecycle_stage"])),
        ("cust.col.pipeline_stage", label("pipeline_stage", c["pipeline_stage"])
         + (f" ({label('lost_reason', c['lost_reason'])})" if c["lost_reason"] else "")),
        ("cust.col.tags", ", ".join(tags_list(c["tags"]))),
        ("privacy.consent", _consent_text(c)),
        ("cust.col.created_at", widgets.day(c["created_at"])),
    ]
    for key, value in profile:
        if value:
            st.write(f"**{t(key)}:** {safe.md(value)}")
    if c["notes"]:
        st.caption(safe.md(c["notes"]))
with right:
    st.subheader(t("customer.why"))
    groups = [g for g in (stats.get("groups") or "").split(",") if g]
    st.write(f"**{t('cust.col.tier')}:** {label('tier', stats.get('tier'))}")
    if groups:
        st.write(f"**{t('customer.groups')}:** " + ", ".join(t(f"cust.group.{g}") for g in groups))
    section_rules.reasons(engine, stats, lang)
    section_leadscore.show(scope, cid, c, stats)

clv_section(scope, cid)

# Lazy tabs (on_change="rerun"): only the open tab's queries and widgets run and are sent —
# rendering every tab's forms up front made the warm page ~0.45 s in Chromium (issue 16).
tab_time, tab_stage, tab_act, tab_privacy = st.tabs(
    [t("customer.timeline"), t("customer.stages"), t("customer.actions"), t("privacy.tab")],
    key=TAB_KEY, on_change="rerun")
with tab_time:
    if tab_time.open:
        tl = cache.query(customers.timeline, scope, cid)
        if tl.empty:
            st.info(t("customer.timeline_empty"))
        else:
            def _amount(row):
                if row["amount"] is None or row["amount"] != row["amount"]:
                    return ""
                return widgets.num(row["amount"]) if row["kind"] == "points" else widgets.money(row["amount"])

            enum_of = {"interaction": "interaction_kind", "payment": "payment_method", "points": "loyalty_kind"}
            status_of = {"order": "order_status", "interaction": "outcome", "feedback": "feedback_status",
                         "appointment": "appointment_status"}
            # The note column of these kinds holds a stored key (crm_data.customers.listing._timeline_queries).
            note_of = {"order": "payment_method", "feedback": "feedback_kind", "appointment": "appointment_kind"}
            shown = tl.assign(
                at=tl["at"].map(lambda v: v.strftime("%d/%m/%Y %H:%M")),
                event=tl["kind"].map(lambda k: t(f"cust.event.{k}")),
                title=[label(enum_of[k], v) if k in enum_of and v else (v or "")
                       for k, v in zip(tl["kind"], tl["title"], strict=True)],
                status=[label(status_of[k], v) if status_of.get(k) and v else (v or "")
                        for k, v in zip(tl["kind"], tl["status"], strict=True)],
                amount=tl.apply(_amount, axis=1),
                note=[label(note_of[k], v) if k in note_of and v else (v or "")
                      for k, v in zip(tl["kind"], tl["note"], strict=True)],
            )
            cols = ["at", "event", "title", "status", "amount", "note"]
            st.dataframe(shown, hide_index=True, column_order=cols,
                         column_config={k: t(f"cust.col.{k}") for k in cols})
        customer_sections.orders(scope, cid)
        customer_sections.feedback(scope, cid)
        section_loyalty.render(scope, cid)
        section_complaints.render(scope, cid)

with tab_stage:
    if tab_stage.open:
        hist = cache.query(customers.stage_history, scope, cid)
        if hist.empty:
            widgets.empty_state()
        else:
            def _stage(kind, value):
                if not value or value != value:
                    return ""
                return label("pipeline_stage" if kind == "pipeline" else "lifecycle_stage", value)

            shown = hist.assign(
                at=hist["changed_at"].map(lambda v: v.strftime("%d/%m/%Y %H:%M")),
                kind_stage=hist["kind"].map(lambda k: t(f"customer.stage_kind.{k}")),
                from_stage=[_stage(k, v) for k, v in zip(hist["kind"], hist["from_stage"], strict=True)],
                to_stage=[_stage(k, v) for k, v in zip(hist["kind"], hist["to_stage"], strict=True)],
                lost_reason=hist["lost_reason"].map(lambda r: label("lost_reason", r) if r and r == r else ""),
                by=hist["by"].fillna(""),  # a system change has no user: blank, not the grid's "None"
            )
            cols = ["at", "kind_stage", "from_stage", "to_stage", "lost_reason", "by"]
            st.dataframe(shown, hide_index=True, column_order=cols,
                         column_config={k: t(f"cust.col.{k}") for k in cols})

# Field → label, for the per-field messages of a refused form.
LABELS = {
    "kind": "customer.kind", "outcome": "customer.outcome", "occurred_at": "customer.occurred_at",
    "note": "customer.note", "next_step_date": "customer.next_step",
    "order_date": "customer.order_date", "lines": "customer.line_description",
    "discount": "customer.discount", "paid_amount": "customer.paid_amount",
    "payment_method": "customer.payment_method", "channel": "customer.channel",
    "amount": "customer.amount", "paid_on": "customer.paid_on", "method": "customer.payment_method",
    "subject": "customer.subject", "body": "customer.body", "rating": "customer.rating",
    "resolution": "customer.resolution", "title": "customer.title", "due_at": "customer.due_date",
    "stage": "customer.to_stage", "lost_reason": "customer.lost_reason",
}


def show_errors(exc: ValidationFailed) -> None:
    for field, err in exc.errors.items():
        key = LABELS.get(field) or ("customer.line_description" if field.startswith("line") else None)
        st.error(f"{t(key) if key else safe.md(field)}: {safe.md(t(err.key, **err.values))}")


def run_write(fn, *args, done: str = "customer.saved") -> None:
    """Call a write; on success clear cached results and show the message after a rerun."""
    try:
        fn(engine, scope, *args)
    except ValidationFailed as exc:
        show_errors(exc)
    except Conflict:
        st.error(t("customer.conflict"))
    except NotFound:
        st.error(t("customer.not_found"))
    else:
        cache.clear()
        st.session_state[FLASH] = t(done)
        st.rerun()


def enum_box(text_key: str, field: str, key: str, optional: bool = False):
    options = ([""] if optional else []) + i18n.choices(field)
    return st.selectbox(t(text_key), options, placeholder=t("common.choose"), key=key,
                        format_func=lambda v: "" if v == "" else label(field, v))


with tab_act:
    if tab_act.open:
        items = cache.query(customers.open_items, scope, cid)
        tabs = st.tabs([t(f"customer.tab_{k}") for k in ACTION_TABS], key=ACTION_TAB_KEY, on_change="rerun")
        with tabs[0]:
            if tabs[0].open:
                with st.form("f_interaction", clear_on_submit=False):
                    kind = enum_box("customer.kind", "interaction_kind", "ia_kind")
                    outcome = enum_box("customer.outcome", "outcome", "ia_outcome")
                    occurred = st.date_input(t("customer.occurred_at"), value=today(), key="ia_date",
                                             format="DD/MM/YYYY")
                    note = st.text_area(t("customer.note"), key="ia_note")
                    next_step = st.date_input(t("customer.next_step"), value=None, key="ia_next",
                                              format="DD/MM/YYYY")
                    if st.form_submit_button(t("customer.submit")):
                        # The date only: the data layer adds the Vietnam time of day (not the server's).
                        run_write(activity.log_interaction, cid, {"kind": kind, "outcome": outcome,
                                                                  "occurred_at": occurred, "note": note,
                                                                  "next_step_date": next_step})

        with tabs[1]:
            if tabs[1].open:
                with st.form("f_order"):
                    order_date = st.date_input(t("customer.order_date"), value=today(), key="or_date",
                                               format="DD/MM/YYYY", max_value=today())
                    lines = []
                    for i in range(3):
                        a, b, p = st.columns([3, 1, 2])
                        lines.append({
                            "description": a.text_input(t("customer.line_description"), key=f"or_desc{i}"),
                            "quantity": b.text_input(t("customer.line_quantity"), key=f"or_qty{i}"),
                            "unit_price": p.text_input(t("customer.line_price"), key=f"or_price{i}"),
                        })
                    d1, d2 = st.columns(2)
                    discount = d1.text_input(t("customer.discount"), key="or_discount")
                    paid = d2.text_input(t("customer.paid_amount"), key="or_paid")
                    method = enum_box("customer.payment_method", "payment_method", "or_method", optional=True)
                    channel = enum_box("customer.channel", "order_channel", "or_channel", optional=True)
                    if st.form_submit_button(t("customer.submit")):
                        run_write(activity.add_order, cid, {
                            "order_date": order_date, "lines": lines, "discount": discount,
                            "paid_amount": paid, "payment_method": method, "channel": channel})

        with tabs[2]:
            if tabs[2].open:
                st.caption(t("customer.debt_now", debt=widgets.money(stats.get("debt") or 0)))
                section_money.show(scope, cid)
                with st.form("f_payment"):
                    amount = st.text_input(t("customer.amount"), key="pay_amount")
                    paid_on = st.date_input(t("customer.paid_on"), value=today(), key="pay_date",
                                            format="DD/MM/YYYY", max_value=today())
                    method = enum_box("customer.payment_method", "payment_method", "pay_method", optional=True)
                    note = st.text_input(t("customer.note"), key="pay_note")
                    if st.form_submit_button(t("customer.submit")):
                        run_write(activity.record_payment, cid, {"amount": amount, "paid_on": paid_on,
                                                                 "method": method, "note": note})

        with tabs[3]:
            if tabs[3].open:
                with st.form("f_feedback"):
                    fkind = enum_box("customer.kind", "feedback_kind", "fb_kind")
                    subject = st.text_input(t("customer.subject"), key="fb_subject")
                    body = st.text_area(t("customer.body"), key="fb_body")
                    rating = st.selectbox(t("customer.rating"), [None, 1, 2, 3, 4, 5], key="fb_rating",
                                          format_func=customer_sections.stars,
                                          placeholder=t("words.rating_none"))
                    if st.form_submit_button(t("words.record_feedback")):
                        run_write(activity.open_feedback, cid, {"kind": fkind, "subject": subject,
                                                                "body": body, "rating": rating})
                fb = items["feedback"]
                st.markdown(f"**{t('customer.open_items')}**")
                if fb.empty:
                    st.caption(t("customer.no_open_items"))
                else:
                    with st.form("f_resolve"):
                        fid = st.selectbox(t("customer.subject"), fb["id"].tolist(),
                                           placeholder=t("common.choose"), key="rs_id",
                                           format_func=lambda i: " · ".join(
                                               [label("feedback_kind", fb.loc[fb["id"] == i, "kind"].iloc[0]),
                                                fb.loc[fb["id"] == i, "subject"].iloc[0]]))
                        resolution = st.text_area(t("customer.resolution"), key="rs_text")
                        if st.form_submit_button(t("customer.resolve")):
                            run_write(activity.resolve_feedback, int(fid), {"resolution": resolution})

        with tabs[4]:
            if tabs[4].open:
                with st.form("f_appointment"):
                    akind = enum_box("customer.kind", "appointment_kind", "ap_kind")
                    title = st.text_input(t("customer.title"), key="ap_title")
                    a1, a2 = st.columns(2)
                    due = a1.date_input(t("customer.due_date"), value=today() + dt.timedelta(days=1),
                                        key="ap_date", format="DD/MM/YYYY")
                    due_time = a2.time_input(t("customer.due_time"), value=dt.time(9, 0), key="ap_time")
                    note = st.text_area(t("customer.note"), key="ap_note")
                    if st.form_submit_button(t("customer.submit")):
                        when = dt.datetime.combine(due, due_time) if due else None
                        run_write(activity.schedule_appointment, cid, {"kind": akind, "title": title,
                                                                       "due_at": when, "note": note})
                aps = items["appointments"]
                if not aps.empty:
                    st.markdown(f"**{t('customer.open_appointments')}**")
                    for row in aps.itertuples():
                        r1, r2 = st.columns([4, 1])
                        r1.write(safe.md(f"{row.due_at:%d/%m/%Y %H:%M} · "
                                         f"{label('appointment_kind', row.kind)} · {row.title}"))
                        if r2.button(t("customer.done"), key=f"ap_done_{row.id}"):
                            run_write(activity.complete_appointment, int(row.id))

        with tabs[5]:
            if tabs[5].open:
                skind = st.radio(t("customer.stage_kind"), list(stages.KINDS), key="st_kind", horizontal=True,
                                 format_func=lambda k: t(f"customer.stage_kind.{k}"))
                with st.form("f_stage"):
                    to_stage = enum_box("customer.to_stage", stages.KINDS[skind], f"st_to_{skind}")
                    reason = enum_box("customer.lost_reason", "lost_reason", "st_reason", optional=True) \
                        if skind == "pipeline" else None
                    submitted = st.form_submit_button(t("customer.submit"))
                if submitted:
                    run_write(lambda e, s, *a: stages.move_stage(e, s, cid, to_stage, kind=skind,
                                                                 lost_reason=reason or None,
                                                                 version=c["version"]))

        with tabs[6]:
            if tabs[6].open:
                with st.form("f_delete"):
                    sure = st.checkbox(t("customer.delete_confirm"), key="del_confirm")
                    if st.form_submit_button(t("customer.delete"), type="primary") and sure:
                        try:
                            customer_writes.soft_delete(engine, scope, cid, c["version"])
                        except Conflict:
                            st.error(t("customer.conflict"))
                        else:
                            cache.clear()
                            st.session_state["customers_flash"] = t("customer.deleted", code=safe.md(c["code"]))
                            st.switch_page("pages/customers.py")

# --- personal data: everything about this person, and erasure (Decree 13/2023) ----------
with tab_privacy:
    if tab_privacy.open:
        st.subheader(t("privacy.export_title"))
        st.caption(t("privacy.export_help"))
        p1, p2 = st.columns(2)
        for col, fmt in ((p1, "json"), (p2, "xlsx")):
            col.download_button(
                t(f"privacy.export_{fmt}"),
                # Built only when clicked (and then audited).
                data=lambda fmt=fmt: person_data.export_person(engine, scope, cid, fmt),
                file_name=f"{c['code']}.{fmt}", mime=person_data.MIME[fmt], key=f"person_{fmt}",
                on_click="ignore", icon=":material/download:")
        if c["erased_at"] is None and scope.role in ("admin", "manager"):
            st.subheader(t("privacy.erase_title"))
            st.caption(t("privacy.erase_help"))
            with st.form("f_erase"):
                typed = st.text_input(t("privacy.erase_confirm", code=safe.md(c["code"])), key="erase_code")
                if st.form_submit_button(t("privacy.erase_button"), type="primary"):
                    try:
                        erasure.erase_person(engine, scope, cid, typed)
                    except erasure.NotConfirmed:
                        st.error(t("privacy.erase_mismatch"))
                    else:
                        cache.clear()
                        st.session_state[FLASH] = t("privacy.erased", code=safe.md(c["code"]))
                        st.rerun()
