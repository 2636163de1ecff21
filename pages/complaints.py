"""Khiếu nại / Complaints desk: the filtered list with the overdue mark, one item with its
thread and actions (assign, reply, resolve, reopen), the export of exactly the filtered list,
and resolution time (median, p90) by period and by owner. The executive viewer sees the
resolution time only. Numbers: crm_data.daily.complaints / complaint_stats; writes:
crm_data.daily.complaint_writes."""

import plotly.graph_objects as go
import streamlit as st

from crm_data.accounts.auth import user_names
from crm_data.admin import settings
from crm_data.daily import complaint_export, complaint_stats, complaint_writes
from crm_data.daily import complaints as desk
from crm_data.domain.formatting import bucket_label
from crm_data.records import validation
from crm_data.writes import NotFound, ValidationFailed
from crm_ui import cache, complaints_view, reportkit, safe, state, widgets
from crm_ui.i18n import label, labeller, t

FLASH = "complaints_flash"
scope = state.require_scope()
lang = state.lang()
engine = state.engine()
period, granularity = widgets.period_picker(default="last_12m")
days = settings.get(engine, "complaints.overdue_days")
owners = cache.query(user_names)

st.title(t("complaints.title"))
st.caption(t("complaints.caption", days=days))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)


def _filter() -> desk.DeskFilter:
    sb = st.sidebar
    sb.subheader(t("common.filters"))
    statuses = sb.multiselect(t("complaints.f_status"), list(desk.STATUSES), default=["open", "in_progress"],
                              key="cd_status", format_func=labeller("feedback_status"),
                              placeholder=t("common.choose"))
    kinds = sb.multiselect(t("complaints.f_kind"), list(desk.KINDS), key="cd_kind",
                           format_func=labeller("feedback_kind"), placeholder=t("common.choose"))
    chosen_owners = ()
    if scope.sees_all_customers:
        chosen_owners = tuple(sb.multiselect(t("complaints.f_owner"), list(owners), key="cd_owner",
                                             format_func=lambda i: owners.get(i, str(i)),
                                             placeholder=t("common.choose")))
    in_period = sb.checkbox(t("complaints.f_period"), key="cd_in_period")
    overdue = sb.checkbox(t("complaints.f_overdue"), key="cd_overdue")
    search = sb.text_input(t("complaints.f_search"), key="cd_search", max_chars=100)
    return desk.DeskFilter(statuses=tuple(statuses), kinds=tuple(kinds), owners=chosen_owners,
                           period=period if in_period else None, overdue_only=overdue, search=search)


def _run(fn, *args) -> None:
    """A desk write: errors said on the form; on success clear the cache, say so, rerun."""
    try:
        fn(engine, scope, *args)
    except ValidationFailed as exc:
        for err in exc.errors.values():
            st.error(safe.md(t(err.key, **{k: label("feedback_status", v) if k == "status" else v
                                           for k, v in err.values.items()})))
    except NotFound:
        st.error(t("complaints.not_found"))
    else:
        cache.clear()
        st.session_state[FLASH] = t("complaints.saved")
        st.rerun()


def _actions(item: dict) -> None:
    fid = int(item["id"])
    if item["status"] == "resolved":
        with st.form(f"cd_reopen_{fid}"):
            reason = st.text_area(t("complaints.reason"), key=f"cd_reason_{fid}")
            if st.form_submit_button(t("complaints.reopen_submit")):
                _run(complaint_writes.reopen, fid, {"reason": reason})
        return
    people = cache.query(desk.assignable, scope)
    a, b = st.columns(2)
    with a, st.form(f"cd_assign_{fid}"):
        current = item["assigned_to"] if item["assigned_to"] in people else None
        who = st.selectbox(t("complaints.assign"), list(people), key=f"cd_who_{fid}",
                           index=list(people).index(current) if current is not None else None,
                           format_func=lambda i: people.get(i, str(i)), placeholder=t("common.choose"))
        if st.form_submit_button(t("complaints.assign_submit")):
            _run(complaint_writes.assign, fid, who)
    with b, st.form(f"cd_reply_{fid}"):
        body = st.text_area(t("complaints.reply"), key=f"cd_body_{fid}")
        if st.form_submit_button(t("complaints.reply_submit")):
            _run(complaint_writes.reply, fid, {"body": body})
    with st.form(f"cd_resolve_{fid}"):
        resolution = st.text_area(t("complaints.resolution"), key=f"cd_resolution_{fid}")
        if st.form_submit_button(t("complaints.resolve_submit"), type="primary"):
            _run(complaint_writes.resolve, fid, {"resolution": resolution})


def _detail(fid: int) -> None:
    item = cache.query(desk.get_feedback, scope, fid)
    if item is None:
        st.warning(t("complaints.not_found"))
        return
    st.subheader(safe.md(f"#{fid} · {item['subject']}"))
    owner = owners.get(item["owner_id"], t("complaints.nobody")) if item["owner_id"] else t("complaints.nobody")
    end = item["resolved_at"] or desk.desk_now()
    st.text(t("complaints.opened", at=f"{item['opened_at']:%d/%m/%Y %H:%M}",
              age=complaints_view.hours((end - item["opened_at"]).total_seconds() / 3600), owner=owner))
    st.text(f"{label('feedback_kind', item['kind'])} · {label('feedback_status', item['status'])}"
            f" · {item['code']} · {item['full_name']}")
    if item["overdue"]:
        st.warning(t("complaints.overdue_banner", days=days), icon=":material/alarm:")
    st.text(item["body"] or t("complaints.body_none"))
    if item["resolution"]:
        st.text(f"{t('complaints.resolution')}: {item['resolution']}")
    st.page_link("pages/customer.py", label=t("complaints.open_customer"), icon=":material/person:",
                 query_params={"id": str(item["customer_id"])})
    st.markdown(f"**{t('complaints.thread')}**")
    if item["thread"].empty:
        st.caption(t("complaints.thread_empty"))
    else:
        st.dataframe(complaints_view.thread_frame(item["thread"], owners), hide_index=True, width="stretch")
    _actions(item)


def _export(flt: desk.DeskFilter) -> None:
    """Exactly the filtered list, every row of it: made (and audited) when clicked."""
    reader = state.read_engine()  # a replica when configured; the audit row goes to the primary
    st.download_button(t("complaints.download"), lambda: complaint_export.export_csv(reader, scope, flt, lang),
                       file_name="khieu_nai.csv", mime="text/csv", key="dl_complaints",
                       icon=":material/download:", on_click="ignore")


def _desk() -> None:
    flt = _filter()
    found = cache.query(desk.list_feedback, scope, flt)
    rows = found.rows
    st.subheader(t("complaints.list"))
    st.caption(t("complaints.shown", shown=widgets.num(len(rows)), total=widgets.num(found.total),
                 overdue=widgets.num(int(rows["overdue"].sum()))))
    if rows.empty:
        widgets.empty_state()
    else:
        st.dataframe(complaints_view.list_frame(rows, owners=owners), hide_index=True, width="stretch")
        _export(flt)
    ids = [int(i) for i in rows["id"]]
    subjects = dict(zip(ids, rows["subject"], strict=True))
    codes = dict(zip(ids, rows["code"], strict=True))
    wanted = validation.record_id(st.query_params.get("id", ""))
    if wanted is not None:  # a link from the customer page: offered even when filtered out
        if wanted not in ids:
            ids.insert(0, wanted)
        st.session_state.setdefault("cd_pick", wanted)
    st.subheader(t("complaints.detail"))
    if not ids:
        return
    fid = st.selectbox(t("complaints.pick"), ids, key="cd_pick", index=None, placeholder=t("common.choose"),
                       format_func=lambda i: f"#{i} · {codes.get(i, '')} · {subjects.get(i, '')}")
    if fid is not None:
        _detail(int(fid))


def _resolution_time() -> None:
    st.subheader(t("complaints.rt_title"))
    st.caption(t("complaints.rt_help"))
    total = cache.query(complaint_stats.overall, scope, period)
    m = st.columns(3)
    m[0].metric(t("complaints.resolved_count"), widgets.num(total["resolved"]), border=True)
    m[1].metric(t("complaints.median"), complaints_view.hours(total["median_hours"]), border=True)
    m[2].metric(t("complaints.p90"), complaints_view.hours(total["p90_hours"]), border=True)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('complaints.rt_by_period', gran=t(f'gran.{granularity}').lower())}**")
        per = cache.query(complaint_stats.by_period, scope, period, granularity)
        if per["resolved"].sum() == 0:
            widgets.empty_state()
        else:
            names = [bucket_label(b, granularity, lang) for b in per["bucket"]]
            fig = go.Figure([go.Bar(x=names, y=per[c], name=t(f"complaints.{c.split('_')[0]}"),
                                    customdata=per["resolved"],
                                    hovertemplate="%{x}: %{y:,.1f} h (%{customdata:,d})<extra></extra>")
                             for c in ("median_hours", "p90_hours")])
            fig.update_layout(barmode="group")
            fig.update_xaxes(type="category")
            fig.update_yaxes(title_text=t("complaints.hours"), rangemode="tozero")
            reportkit.chart(fig, per, f"thoi_gian_xu_ly_{granularity}", key="rt_period", height=340,
                            fmt={"granularity": granularity,
                                 "headers": complaints_view.headers(per.columns, lang),
                                 "decimals": ("median_hours", "p90_hours"), "nums": ("resolved",)})
    with right:
        st.markdown(f"**{t('complaints.rt_by_owner')}**")
        by = cache.query(complaint_stats.by_owner, scope, period)
        if by.empty:
            widgets.empty_state()
        else:
            names = [owners.get(o, t("complaints.nobody")) if o is not None else t("complaints.nobody")
                     for o in by["owner_id"]]
            fig = go.Figure([go.Bar(y=names, x=by[c], orientation="h", name=t(f"complaints.{c.split('_')[0]}"),
                                    customdata=by["resolved"],
                                    hovertemplate="%{y}: %{x:,.1f} h (%{customdata:,d})<extra></extra>")
                             for c in ("median_hours", "p90_hours")])
            fig.update_layout(barmode="group")
            fig.update_yaxes(type="category", autorange="reversed")
            fig.update_xaxes(title_text=t("complaints.hours"), rangemode="tozero")
            reportkit.chart(fig, by, "thoi_gian_xu_ly_theo_nguoi", key="rt_owner", height=max(300, 40 * len(by)),
                            fmt={"headers": complaints_view.headers(by.columns, lang) | {"owner_id": t("complaints.col.owner_id")},
                                 "decimals": ("median_hours", "p90_hours"), "nums": ("resolved",)})


def _settings() -> None:
    with st.expander(t("complaints.settings")), st.form("cd_settings"):
        value = st.number_input(t("complaints.overdue_days"), min_value=1, max_value=365, value=days, step=1,
                                key="cd_overdue_days")
        if st.form_submit_button(t("complaints.settings_submit")):
            _run(lambda e, s, v: settings.set_value(e, s, "complaints.overdue_days", v), int(value))


if widgets.viewer_notice(scope):
    _desk()
_resolution_time()
if scope.can_admin:
    _settings()
