"""Danh sách khách hàng / Customer list: search and filter (kept in the URL), a keyset-
paginated sortable list with its total, open a record, export exactly these rows, bulk
edit a selection, save the filter as a segment, restore deleted customers.
Numbers: crm_data.customers.listing.list_customers / count_customers."""

import streamlit as st

from crm_data import i18n
from crm_data.customers import export as exports
from crm_data.customers import listing as customers
from crm_data.customers import saved_segments
from crm_data.domain import formatting, labels
from crm_data.records import clv_bands, validation
from crm_data.records.derived import tags_list
from crm_data.writes import ValidationFailed
from crm_data.writes import bulk as bulk_writes
from crm_data.writes import customer as customer_writes
from crm_ui import cache, drill, safe, section_rules, state, widgets
from crm_ui.i18n import label, labeller, t

BIND = "query-params"
pick_many = st.multiselect  # free tags, typed or from the URL
# Filter fields whose widgets are seeded from a raw-key link (see below).
SEEDED = ("regions", "provinces", "tiers", "sources", "owners", "genders", "kinds",
          "lifecycle_stages", "pipeline_stages", "groups", "rfm_segments", "channels",
          "occupations", "income_bands", "lead_grades", "tags", "search", "p_alive_bands")
FLASH = "customers_flash"
scope = state.require_scope()
lang = state.lang()
widgets.require_personal_data(scope)

# A saved segment opened by link (?segment=ID) or a link built from CustomerFilter.to_query()
# (raw keys such as regions=south): the values go to the widgets' session state before they
# are created, since bound widgets only read their own (label) form from the URL.
url_flt = widgets.filter_from_url()
reseed = "cust_seeded" not in st.session_state
if "segment" in st.query_params:
    seg_id = validation.record_id(st.query_params.get("segment", ""))
    seg = None if seg_id is None else cache.query(saved_segments.get_segment, scope, seg_id)
    st.query_params.clear()
    if seg is None:
        if seg_id:
            st.warning(t("saved.not_found"))
        else:
            st.error(t("link.bad_id"), icon=":material/link_off:")
    else:
        url_flt, reseed = seg["filter"], True
        widgets.choose_filters(url_flt)
        for key in list(st.session_state):
            if key in SEEDED:
                del st.session_state[key]
if reseed:
    st.session_state["cust_seeded"] = True
    for name in SEEDED:
        value = getattr(url_flt, name)
        if value not in ((), None, ""):
            st.session_state[name] = [str(v) for v in value] if name in ("provinces", "owners") \
                else list(value) if isinstance(value, tuple) else value

st.title(t("customers.title"))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

search = st.text_input(t("customers.search"), key="search", bind=BIND, icon=":material/search:")
base = widgets.customer_filter(scope)


def _pills(name: str, options, fmt) -> tuple:
    return tuple(st.pills(t(f"cust.filter.{name}") if f"cust.filter.{name}" in i18n.catalogue()
                          else t(f"filter.{name}"), options, selection_mode="multi",
                          format_func=fmt, key=name, bind=BIND) or ())


def _date(name: str):
    return st.date_input(t(f"cust.filter.{name}"), value=None, key=name, format="DD/MM/YYYY",
                         bind=BIND)


def _int(name: str, step: int = 1):
    if name in st.query_params and validation.url_number(st.query_params[name]) is None:
        st.error(t("link.bad_value", field=t(f"cust.filter.{name}")), icon=":material/link_off:")
    # A float widget: Streamlit resets a link's "1e400" or out-of-range value to empty, where
    # an int widget fails converting infinity.
    value = st.number_input(t(f"cust.filter.{name}"), min_value=0.0,
                            max_value=float(validation.MAX_AMOUNT), value=None, step=float(step),
                            format="%.0f", key=name, bind=BIND)
    return None if value is None else int(value)


def _yes_no(name: str):
    choice = st.selectbox(t(f"cust.filter.{name}"), ["", "1", "0"], placeholder=t("common.choose"), key=name, bind=BIND,
                          format_func=lambda v: {"": t("cust.filter.any"), "1": t("common.yes"),
                                                 "0": t("common.no")}[v])
    return None if choice == "" else choice == "1"


with st.sidebar.expander(t("customers.more_filters")):
    extra = {
        "pipeline_stages": _pills("pipeline_stages", i18n.choices("pipeline_stage"),
                                  labeller("pipeline_stage")),
        "groups": _pills("groups", list(labels.GROUPS), lambda g: t(f"cust.group.{g}")),
        "rfm_segments": _pills("rfm_segments", i18n.choices("rfm_segment"), labeller("rfm_segment")),
        "channels": _pills("channels", i18n.choices("channel"), labeller("channel")),
        "occupations": _pills("occupations", i18n.choices("occupation"), labeller("occupation")),
        "income_bands": _pills("income_bands", i18n.choices("income_band"), labeller("income_band")),
        "lead_grades": _pills("lead_grades", i18n.choices("lead_grade"), labeller("lead_grade")),
        "tags": tuple(tags_list(",".join(["", *pick_many(
            t("cust.filter.tags"), st.query_params.get_all("tags"), key="tags", bind=BIND,
            accept_new_options=True, placeholder=t("words.tags_placeholder"), select_all=False),
            ""]))),
        "created_from": _date("created_from"), "created_to": _date("created_to"),
        "last_order_from": _date("last_order_from"), "last_order_to": _date("last_order_to"),
        "spend_min": _int("spend_min", 1_000_000), "spend_max": _int("spend_max", 1_000_000),
        "orders_min": _int("orders_min"), "orders_max": _int("orders_max"),
        "days_since_min": _int("days_since_min", 30), "days_since_max": _int("days_since_max", 30),
        "has_debt": _yes_no("has_debt"), "consent": _yes_no("consent"),
        "p_alive_bands": _pills("p_alive_bands", [*clv_bands.BANDS, clv_bands.NOT_SCORED],
                                labeller("clv_band")),
        "value_min": _int("value_min", 1_000_000),
    }
flt = base.with_(search=(search or "").strip(), **extra)
# A chart mark's conditions that have no widget here (crm_ui.drill): kept from the URL.
flt, from_chart = drill.carry(flt, url_flt, (*widgets.COMMON_FILTERS, *extra, "search"))
drill.banner(flt, from_chart)

c1, c2 = st.columns([3, 1])
sort = c1.selectbox(t("customers.sort"), list(customers.SORTS), placeholder=t("common.choose"), key="sort", bind=BIND,
                    format_func=lambda k: t(f"cust.col.{k}"))
descending = c2.toggle(t("customers.descending"), key="desc", bind=BIND)

# Keyset pages: a stack of cursors, reset whenever the filter or the order changes.
view = (flt, sort, descending)
if st.session_state.get("cust_view") != view:
    st.session_state["cust_view"] = view
    st.session_state["cust_cursors"] = [None]
cursors = st.session_state["cust_cursors"]
page = cache.query(customers.list_customers, scope, flt, sort=sort, descending=descending,
                   after=cursors[-1], limit=customers.PAGE_SIZE)
rows = page.rows

first = (len(cursors) - 1) * customers.PAGE_SIZE + 1
st.caption(t("customers.total", n=widgets.num(page.total)) + " · " + t(
    "customers.page", page=len(cursors), first=widgets.num(first if len(rows) else 0),
    last=widgets.num(first + len(rows) - 1)))

if rows.empty:
    widgets.empty_state()
    selected_ids: list[int] = []
else:
    shown = rows.assign(
        region=rows["region"].map(labeller("region")),
        tier=rows["tier"].map(labeller("tier")),
        lifecycle_stage=rows["lifecycle_stage"].map(labeller("lifecycle_stage")),
        pipeline_stage=rows["pipeline_stage"].map(labeller("pipeline_stage")),
        total_spend=rows["total_spend"].map(widgets.money),
        debt=rows["debt"].map(widgets.money),
        last_order_date=rows["last_order_date"].map(widgets.day),
        phone=rows["phone"].map(formatting.phone),
        email=rows["email"].fillna(""),
        owner=rows["owner"].fillna(""),  # not the grid's grey "None"
        province=rows["province"].fillna(""),
        why=section_rules.list_reasons(state.engine(), scope, rows["id"].tolist(), state.lang()),
        p_alive=rows["p_alive"].map(widgets.pct),
        expected_value=rows["expected_value"].map(widgets.money),
    )
    columns = [c for c in customers.LIST_COLUMNS if c not in ("id", "tags")] + ["why"]
    event = st.dataframe(
        shown, key="grid", hide_index=True, on_select="rerun", selection_mode="multi-row",
        column_order=columns, column_config={c: t(f"cust.col.{c}") for c in columns},
    )
    picked = event.selection.rows if event is not None else []
    selected_ids = [int(rows.iloc[i]["id"]) for i in picked if i < len(rows)]
    st.caption(t("customers.select_hint"))

nav1, nav2, nav3, nav4 = st.columns(4)
if nav1.button(t("customers.first"), key="page_first", disabled=len(cursors) == 1):
    st.session_state["cust_cursors"] = [None]
    st.rerun()
if nav2.button(t("customers.prev"), key="page_prev", disabled=len(cursors) == 1):
    cursors.pop()
    st.rerun()
if nav3.button(t("customers.next"), key="page_next", disabled=page.next_after is None):
    cursors.append(page.next_after)
    st.rerun()
if nav4.button(t("customers.open"), key="open", type="primary", disabled=len(selected_ids) != 1):
    st.switch_page("pages/customer.py", query_params={"id": str(selected_ids[0])})

# --- export: exactly these rows (or the selection) -------------------------------------
st.subheader(t("customers.export"))
options = ["filtered"] + (["selected"] if selected_ids else [])
which = st.radio(t("customers.export"), options, horizontal=True, key="export_which",
                 label_visibility="collapsed",
                 format_func=lambda w: t("customers.export_scope_filtered", n=widgets.num(page.total))
                 if w == "filtered" else t("customers.export_scope_selected", n=len(selected_ids)))
export_flt = flt if which == "filtered" else flt.with_(ids=tuple(selected_ids))
engine = state.engine()
reader = state.read_engine()  # a replica when configured; the export's audit row goes to the primary
e1, e2 = st.columns(2)
for col, fmt in ((e1, "csv"), (e2, "xlsx")):
    col.download_button(
        t(f"customers.export_{fmt}"),
        # Built only when clicked (and then audited), streamed from the database.
        data=lambda fmt=fmt: exports.export_bytes(reader, scope, export_flt, fmt, lang),
        file_name=f"khach_hang.{fmt}", mime=exports.MIME[fmt], key=f"export_{fmt}",
        on_click="ignore", icon=":material/download:", disabled=page.total == 0)

# --- bulk edit of the selection --------------------------------------------------------
with st.expander(t("customers.bulk")):
    # The selection (at most one page) or every customer the filter selects (page.total).
    bulk_scope = st.radio(t("words.bulk_scope"), ["selected", "filtered"], horizontal=True,
                          key="bulk_scope", format_func=lambda w: t(
                              f"words.bulk_scope_{w}", n=widgets.num(
                                  len(selected_ids) if w == "selected" else page.total)))
    bulk_n = len(selected_ids) if bulk_scope == "selected" else page.total
    if bulk_scope == "selected" and not selected_ids:
        st.info(t("customers.bulk_none"))
    owners = cache.query(customers.owners, scope)
    keep = t("customers.bulk_keep")
    with st.form("bulk_form"):
        owner = None
        if scope.sees_all_customers:
            owner = st.selectbox(t("customers.bulk_owner"), [None, *owners], placeholder=t("common.choose"), key="bulk_owner",
                                 format_func=lambda o: keep if o is None else owners.get(o, str(o)))
        add_tags = st.text_input(t("customers.bulk_add_tags"), key="bulk_add_tags")
        remove_tags = st.text_input(t("customers.bulk_remove_tags"), key="bulk_remove_tags")
        stage = st.selectbox(t("customers.bulk_stage"), [None, *i18n.choices("pipeline_stage")],
                             placeholder=t("common.choose"), key="bulk_stage",
                             format_func=lambda s: keep if s is None else label("pipeline_stage", s))
        reason = st.selectbox(t("customer.lost_reason"), [None, *i18n.choices("lost_reason")],
                              placeholder=t("common.choose"), key="bulk_reason",
                              format_func=lambda r: "" if r is None else label("lost_reason", r))
        confirm = st.checkbox(t("customers.bulk_confirm", n=widgets.num(bulk_n)), key="bulk_confirm")
        if st.form_submit_button(t("customers.bulk_apply"), disabled=bulk_n == 0):
            if not confirm:
                st.warning(t("customers.bulk_need_confirm"))
            else:
                edit = bulk_writes.BulkEdit(
                    owner_id=owner, add_tags=tuple(tags_list("," + add_tags + ",")),
                    remove_tags=tuple(tags_list("," + remove_tags + ",")), stage=stage,
                    lost_reason=reason)
                try:
                    if bulk_scope == "filtered":
                        n = bulk_writes.bulk_edit_filtered(engine, scope, flt, edit, expected=bulk_n)
                    else:
                        n = bulk_writes.bulk_edit(engine, scope, selected_ids, edit)
                except bulk_writes.CountChanged as exc:
                    st.error(t("words.bulk_count_changed", expected=widgets.num(exc.expected),
                               actual=widgets.num(exc.actual)))
                except ValidationFailed as exc:
                    for field, err in exc.errors.items():
                        st.error(f"{t('customer.lost_reason') if field == 'lost_reason' else safe.md(field)}: "
                                 f"{safe.md(t(err.key, **err.values))}")
                else:
                    cache.clear()
                    st.session_state[FLASH] = t("customers.bulk_done", n=n)
                    st.rerun()

# --- save the filter as a segment ------------------------------------------------------
with st.expander(t("customers.save_segment")):
    with st.form("segment_form", clear_on_submit=True):
        name = st.text_input(t("customers.segment_name"), key="segment_name")
        shared = st.checkbox(t("customers.segment_shared"), key="segment_shared")
        if st.form_submit_button(t("common.save")):
            try:
                saved_segments.save_segment(engine, scope, name, flt, shared)
            except ValidationFailed as exc:
                for err in exc.errors.values():
                    st.error(f"{t('customers.segment_name')}: {safe.md(t(err.key, **err.values))}")
            else:
                cache.clear()
                st.session_state[FLASH] = t("customers.segment_saved", name=safe.md(name.strip()))
                st.rerun()

# --- soft-deleted customers ------------------------------------------------------------
with st.expander(t("customers.deleted")):
    deleted = cache.query(customers.list_deleted, scope)
    if deleted.empty:
        widgets.empty_state()
    else:
        st.dataframe(deleted.assign(deleted_at=deleted["deleted_at"].map(widgets.day)),
                     hide_index=True, column_order=["code", "full_name", "deleted_at"],
                     column_config={c: t(f"cust.col.{c}") for c in ("code", "full_name", "deleted_at")})
        choice = st.selectbox(t("customers.restore"), deleted["id"].tolist(), placeholder=t("common.choose"), key="restore_id",
                              format_func=lambda i: " · ".join(
                                  deleted.loc[deleted["id"] == i, ["code", "full_name"]].iloc[0]))
        if st.button(t("customers.restore"), key="restore", icon=":material/restore_from_trash:"):
            customer_writes.restore(engine, scope, int(choice))
            cache.clear()
            code = deleted.loc[deleted["id"] == choice, "code"].iloc[0]
            st.session_state[FLASH] = t("customers.restored", code=safe.md(code))
            st.rerun()
