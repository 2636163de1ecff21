"""Thêm / sửa khách hàng / Create or edit a customer (?id=N edits). Validation and the
likely-duplicate check: crm_data.writes.customer (create_customer / update_customer).
The form carries the version it loaded; a save after someone else's is refused."""

import streamlit as st

from crm_data import i18n
from crm_data.customers import listing as customers
from crm_data.records import validation
from crm_data.writes import Conflict, DuplicateFound, NotFound, ValidationFailed
from crm_data.writes import customer as customer_writes
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import label, t

scope = state.require_scope()
widgets.require_personal_data(scope)

raw_id = st.query_params.get("id", "")
editing = bool(raw_id)
record = None
if editing:
    url_id = validation.record_id(raw_id)
    record = None if url_id is None else cache.query_primary(customers.get_customer, scope, url_id)
    if record is None:
        if url_id:
            st.warning(t("cust.form.not_editable"))
        else:
            st.error(t("link.bad_id"), icon=":material/link_off:")
        st.page_link("pages/customers.py", label=t("customer.back"), icon=":material/arrow_back:")
        st.stop()
    if record["erased_at"]:  # erasure is final: the data layer refuses the edit too
        st.info(t("privacy.erased_no_edit"), icon=":material/shield:")
        st.stop()

# The version this session loaded, kept until this session saves (optimistic locking).
prefix = f"cf{record['id']}_" if record else "cf_new_"
version_key = prefix + "version"
if record and version_key not in st.session_state:
    st.session_state[version_key] = record["version"]
dup_key = prefix + "duplicates"

st.title(t("cust.form.edit_title", code=safe.md(record["code"])) if record else t("cust.form.create_title"))
initial = customer_writes.form_values(record) if record else {}


def text_field(name: str, area: bool = False) -> str:
    widget = st.text_area if area else st.text_input
    return widget(t(f"cust.form.{name}"), value=initial.get(name) or "", key=prefix + name)


def enum_field(name: str) -> str:
    field = customer_writes.ENUM_FIELDS[name]
    options = ["", *i18n.choices(field)]
    current = initial.get(name) or ""
    return st.selectbox(t(f"cust.form.{name}"), options, placeholder=t("common.choose"), key=prefix + name,
                        index=options.index(current) if current in options else 0,
                        format_func=lambda v: "" if v == "" else label(field, v))


owners = cache.query(customers.owners, scope)
with st.form("customer_form"):
    raw = {"full_name": text_field("full_name")}
    a, b = st.columns(2)
    with a:
        raw["phone"] = text_field("phone")
        raw["gender"] = enum_field("gender")
        raw["province"] = text_field("province")
        raw["kind"] = enum_field("kind")
        raw["industry"] = enum_field("industry")
        raw["income_band"] = enum_field("income_band")
        raw["marital_status"] = enum_field("marital_status")
        raw["source"] = enum_field("source")
    with b:
        raw["email"] = text_field("email")
        birth = initial.get("birth_date")
        raw["birth_date"] = st.text_input(t("cust.form.birth_date"), key=prefix + "birth_date",
                                          value=birth.strftime("%d/%m/%Y") if birth else "")
        raw["address"] = text_field("address")
        raw["company"] = text_field("company")
        raw["occupation"] = enum_field("occupation")
        raw["education"] = enum_field("education")
        raw["preferred_channel"] = enum_field("preferred_channel")
        if scope.sees_all_customers:
            ids = [None, *owners]
            current = initial.get("owner_id", scope.user_id)
            raw["owner_id"] = st.selectbox(
                t("cust.form.owner_id"), ids, placeholder=t("common.choose"), key=prefix + "owner_id",
                index=ids.index(current) if current in ids else 0,
                format_func=lambda o: "" if o is None else owners.get(o, str(o)))
    raw["tags"] = text_field("tags")
    k1, k2 = st.columns(2)
    with k1:
        raw["consent"] = st.checkbox(t("cust.form.consent"), value=bool(initial.get("consent")),
                                     key=prefix + "consent")
    with k2:
        raw["consent_channel"] = enum_field("consent_channel")
    raw["notes"] = text_field("notes", area=True)
    pending = st.session_state.get(dup_key)
    confirm = False
    if pending:
        st.warning(t("cust.form.duplicate"))
        for m in pending:
            st.write("- " + t("cust.form.duplicate_line", code=safe.md(m.code),
                              name=safe.md(m.full_name or t("cust.form.hidden_name")),
                              reason=t(f"cust.form.reason.{m.reason}")))
        confirm = st.checkbox(t("cust.form.duplicate_confirm"), key=prefix + "confirm_dup")
    submitted = st.form_submit_button(t("cust.form.save"), type="primary")

FIELD_LABEL = {"province_code": "province"}
if submitted:
    engine = state.engine()
    try:
        if record:
            saved = customer_writes.update_customer(engine, scope, record["id"],
                                                    st.session_state[version_key], raw,
                                                    confirm_duplicate=confirm)
        else:
            saved = customer_writes.create_customer(engine, scope, raw, confirm_duplicate=confirm)
    except ValidationFailed as exc:
        st.error(t("cust.form.invalid"))
        for field, err in exc.errors.items():
            name = FIELD_LABEL.get(field, field)
            st.error(f"{t(f'cust.form.{name}').rstrip(' *')}: {safe.md(t(err.key, **err.values))}")
    except DuplicateFound as exc:
        st.session_state[dup_key] = exc.matches
        st.rerun()
    except Conflict:
        st.error(t("customer.conflict"))
    except NotFound:
        st.error(t("customer.not_found"))
    else:
        cache.clear()
        st.session_state.pop(dup_key, None)
        message = t("cust.form.updated" if record else "cust.form.created", code=safe.md(saved.code))
        if saved.phone_converted:
            message += " " + t("cust.form.phone_converted")
        st.session_state["customer_flash"] = message
        if not record:
            for key in [k for k in st.session_state if str(k).startswith("cf_new_")]:
                del st.session_state[key]
        st.switch_page("pages/customer.py", query_params={"id": str(saved.id)})
