"""The common sidebar: period, granularity and customer filters, all kept in the URL in
the filter's own query form, plus small display helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_data import audit
from crm_data.accounts import access
from crm_data.accounts.auth import user_names
from crm_data.accounts.scope import Scope
from crm_data.domain import formatting, geo
from crm_data.domain.clock import today
from crm_data.domain.periods import (
    EARLIEST,
    GRANULARITIES,
    LATEST_AHEAD_DAYS,
    PRESETS,
    Period,
    default_granularity,
    preset,
    sane_period,
)
from crm_data.domain.spreadsheet import csv_bytes
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.i18n import choices
from crm_ui import cache, safe, state
from crm_ui.i18n import key_formatter, label, t, t_escaped

BIND = "query-params"  # for page-specific widgets whose URL value may be a label
# Filter fields offered in the sidebar of the report pages, and the enumeration behind each.
COMMON_FILTERS = {
    "regions": "region", "provinces": None, "tiers": "tier", "sources": "source",
    "owners": None, "genders": "gender", "kinds": "kind", "lifecycle_stages": "lifecycle_stage",
}


def _url_one(key: str) -> str | None:
    values = st.query_params.get_all(key)
    return values[-1] if values else None


def _sync_url(values: dict) -> None:
    """Write the canonical form (keys, ISO dates) of these widgets' values to the URL, so
    the address bar is a shareable link in any language. Streamlit's own binding would
    write the translated labels."""
    for key, value in values.items():
        if isinstance(value, list | tuple):
            new = [str(v) for v in value]
        else:
            new = [] if value in (None, "") else [value.isoformat() if isinstance(value, dt.date) else str(value)]
        if st.query_params.get_all(key) == new:
            continue
        if new:
            st.query_params[key] = new if len(new) > 1 else new[0]
        elif key in st.query_params:
            del st.query_params[key]


def _iso(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


# The period the user chose lives in plain session keys (not widget keys): Streamlit gives
# a widget on each page its own identity and drops the state of widgets a page does not
# draw, and a page switch in st.navigation starts from a URL without query parameters. So
# every page seeds its period widgets from these keys, and writes the choice back to its URL.
_CHOSEN = "_period_chosen"  # {"period": preset | "custom", "from": date, "to": date, "gran": str}
_WRITTEN = "_period_url"  # what the picker last wrote to the URL: a new value there is a link
_SHOWN = "_period_shown"  # the period drawn last (the start of a switch to "custom")


def _chosen() -> dict:
    return st.session_state.setdefault(_CHOSEN, {})


def _on_pick(key: str) -> None:
    chosen = _chosen()
    chosen[key] = st.session_state[key]
    if key == "period" and chosen[key] == "custom" and "from" not in chosen:
        shown = st.session_state.get(_SHOWN)
        if shown is not None:  # custom starts from the period on screen, not from nothing
            chosen["from"], chosen["to"] = shown.start, shown.end


def _adopt_url(options: list[str]) -> bool:
    """Take the URL's period / from / to / gran as the user's choice where they differ from
    what the picker wrote last (a shared link, a reload, a link from another page). Returns
    whether an out-of-range or unreadable date had to be corrected."""
    written = st.session_state.setdefault(_WRITTEN, {})
    url = {k: _url_one(k) for k in ("period", "from", "to", "gran")}
    new = {k: v for k, v in url.items() if v is not None and v != written.get(k)}
    if not new:
        return False
    chosen, fixed = _chosen(), False
    if new.get("period") in options:
        chosen["period"] = new["period"]
    if new.get("gran") in GRANULARITIES:
        chosen["gran"] = new["gran"]
    if ("from" in new or "to" in new) and url["period"] in (None, "custom"):
        start, end = _iso(url["from"]), _iso(url["to"])
        fixed = (url["from"] is not None and start is None) or (url["to"] is not None and end is None)
        if start or end:
            period, clamped = sane_period(start or end, end or start)
            chosen.update({"period": "custom", "from": period.start, "to": period.end})
            fixed = fixed or clamped
    written.update(new)
    return fixed


def _bad_link_value(field: str) -> None:
    st.error(t_escaped("link.bad_value", field=field), icon=":material/link_off:")


def period_picker(default: str = "this_month", with_granularity: bool = True) -> tuple[Period, str]:
    """The sidebar's period (and granularity): the user's choice, kept across pages and in the
    URL; `default` (the page's own) until the user has chosen."""
    sb = st.sidebar
    options = [*PRESETS, "custom"]
    if _adopt_url(options):
        sb.warning(t("period.url_fixed"), icon=":material/event_busy:")
    chosen = _chosen()
    st.session_state["period"] = chosen.get("period", default)
    choice = sb.selectbox(t("common.period"), options, key="period", on_change=_on_pick,
                          args=("period",), format_func=key_formatter("period."))
    synced: dict = {"period": choice if "period" in chosen else None, "from": None, "to": None}
    if choice == "custom":
        ref = today()
        shown = st.session_state.get(_SHOWN) or preset(default)
        period, _ = sane_period(chosen.get("from", shown.start), chosen.get("to", shown.end), ref)
        low, high = EARLIEST, ref + dt.timedelta(days=LATEST_AHEAD_DAYS)
        # One under the other: side by side, the sidebar cuts "01/07/2025" to "01/07/202".
        st.session_state["from"], st.session_state["to"] = period.start, period.end
        start = sb.date_input(t("common.from"), key="from", format="DD/MM/YYYY", min_value=low,
                              max_value=high, on_change=_on_pick, args=("from",))
        end = sb.date_input(t("common.to"), key="to", format="DD/MM/YYYY", min_value=low,
                            max_value=high, on_change=_on_pick, args=("to",))
        period = Period(*sorted((start, end)))
        synced.update({"from": period.start, "to": period.end})
    else:
        period = preset(choice)
    st.session_state[_SHOWN] = period
    granularity = default_granularity(period)
    if with_granularity:
        url_gran = _url_one("gran")
        if url_gran and url_gran not in GRANULARITIES:
            _bad_link_value(t("common.granularity"))
        # Until the user picks one, the granularity follows the period (days for a month,
        # months for a year), also when another page changed the period.
        st.session_state["gran"] = chosen.get("gran", granularity)
        granularity = sb.selectbox(t("common.granularity"), GRANULARITIES, key="gran",
                                   format_func=key_formatter("gran."), on_change=_on_pick,
                                   args=("gran",))
        synced["gran"] = granularity if "gran" in chosen else None
    _sync_url(synced)
    st.session_state[_WRITTEN].update(
        {k: None if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))
         for k, v in synced.items()})
    return period, granularity


def url_choice(key: str, options, default: str) -> None:
    """Seed a page's own choice widget (`key`) from the URL's canonical value (an option key,
    never its translated label), or the default; the widget owns it after. Pair with
    keep_in_url so that the address bar is a link to the same view in any language."""
    if key not in st.session_state:
        value = _url_one(key)
        st.session_state[key] = value if value in options else default


def keep_in_url(values: dict) -> None:
    """Write these canonical values to the URL (None or "" removes the key)."""
    _sync_url(values)


_FILTERS_CHOSEN = "_filters_chosen"  # {field: [values]} the user chose, on any page
_FILTERS_URL = "_filters_url"  # what customer_filter last wrote to the URL


def _owner_options() -> dict[str, str]:
    return {str(k): v for k, v in cache.query(user_names).items()}


def customer_filter(scope: Scope, fields: tuple[str, ...] = tuple(COMMON_FILTERS)) -> CustomerFilter:
    """Sidebar multiselects → a CustomerFilter (the one WHERE clause of the data layer),
    initialised from and written back to the URL in the filter's own query form."""
    sb = st.sidebar
    sb.subheader(t("common.filters"))
    values: dict[str, tuple] = {}
    chosen = st.session_state.setdefault(_FILTERS_CHOSEN, {})
    written = st.session_state.setdefault(_FILTERS_URL, {})
    for name in fields:
        if name == "owners" and not scope.sees_all_customers:
            continue  # staff only ever see their own customers
        if name == "provinces":
            opts = {str(p.code): p.short_name for p in geo.provinces()}
            title = t("filter.provinces")
        elif name == "owners":
            opts = _owner_options()
            title = t("filter.owners")
        else:
            field = COMMON_FILTERS.get(name) or name
            opts = {v: label(field, v) for v in choices(field)}
            title = t(f"filter.{name}")
        # Like the period: the choice follows the user from page to page (see _CHOSEN).
        in_url = st.query_params.get_all(name)
        if any(v not in opts for v in in_url):
            _bad_link_value(title)
        url = [v for v in in_url if v in opts]
        if url and url != written.get(name):
            chosen[name] = url
        st.session_state[name] = [v for v in chosen.get(name, []) if v in opts]
        picked = sb.multiselect(title, list(opts), key=name, placeholder=t("common.choose"),
                                format_func=lambda v, opts=opts: opts.get(v, v),
                                on_change=_on_filter, args=(name,),
                                select_all=False)  # its "Select all" cannot be translated
        values[name] = tuple(int(v) for v in picked) if name in ("provinces", "owners") else tuple(picked)
    synced = {k: list(map(str, v)) for k, v in values.items()}
    _sync_url(synced)
    written.update(synced)
    return CustomerFilter(**values)


def choose_filters(flt: CustomerFilter) -> None:
    """Make `flt`'s sidebar fields the user's choice, as if picked (a saved segment opened:
    its filter replaces whatever the sidebar held)."""
    chosen = st.session_state.setdefault(_FILTERS_CHOSEN, {})
    for name in COMMON_FILTERS:
        chosen[name] = [str(v) for v in getattr(flt, name)]


def _on_filter(name: str) -> None:
    st.session_state.setdefault(_FILTERS_CHOSEN, {})[name] = list(st.session_state[name])


def filter_from_url() -> CustomerFilter:
    """The CustomerFilter in the page's URL (every repeated value, not just the last)."""
    return CustomerFilter.from_query({k: st.query_params.get_all(k) for k in st.query_params})


def _page_name() -> str:
    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    return str(info.get("url_pathname") or info.get("page_name") or "")


def _url_query() -> str:
    return urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])


def audited(make, file_name: str, rows: int, what: str = "report"):
    """`data=` for st.download_button: the bytes are made only on click (a deferred
    callable), and making them records who, which file, how many rows and the page's
    filter in the audit log. The callable runs outside this script run, so everything it
    needs is taken now."""
    actor, engine = state.scope(), state.engine()
    detail = {"file": file_name, "rows": int(rows), "page": _page_name(), "filter": _url_query()}

    def build() -> bytes:
        data = make()
        if actor is not None:
            audit.log(engine, actor, "download", what, None, detail=detail)
        return data

    return build


def download_csv(df: pd.DataFrame | Callable[[], pd.DataFrame], name: str, key: str | None = None,
                 label: str | None = None, rows: int | None = None) -> None:
    """A CSV download of `df`, audited when the file is fetched (see audited). `df` may be a
    function making the frame (of `rows` rows) on click: nothing is built on page runs."""
    make = df if callable(df) else (lambda: df)
    st.download_button(safe.md(label) if label else t("common.download_csv"),
                       audited(lambda: csv_bytes(make()), f"{name}.csv", len(df) if rows is None else rows),
                       file_name=f"{name}.csv", mime="text/csv", key=key or f"dl_{name}",
                       icon=":material/download:", on_click="ignore")


def require_personal_data(scope: Scope) -> None:
    """Stop a customer page for an actor who may not see personal data (the executive
    viewer), with the reason, and record the refusal; the data layer refuses them too."""
    if not scope.can_see_personal_data:
        access.refuse(state.engine(), scope, "personal_data", page=_page_name())
        st.warning(t("customers.viewer_denied"))
        st.stop()


def viewer_notice(scope: Scope) -> bool:
    """True when per-customer rows may be shown; else a short note says why (the executive
    viewer gets aggregates only) and the caller skips the section."""
    if scope.can_see_personal_data:
        return True
    st.info(t("audit.viewer_aggregates_only"), icon=":material/lock:")
    return False


def empty_state() -> None:
    st.info(t("common.no_data"), icon=":material/info:")


def money(value) -> str:
    return formatting.vnd(value, state.lang())


def short_money(value) -> str:
    """'3,09 tỷ ₫' for KPI cards (exact below 100 million)."""
    return formatting.compact_money(value, state.lang())


def num(value, digits: int = 0) -> str:
    return formatting.number(value, state.lang(), digits)


def pct(value) -> str:
    return formatting.percent(value, state.lang())


def day(value: dt.date | None) -> str:
    return formatting.date(value, state.lang())


def enum_label(field: str, value) -> str:
    return label(field, value)


def setting_form(engine, scope, form_key: str, title_key: str, fields: dict, flash_key: str,
                 saved_text: str, save_key: str = "recv.save", after=None) -> None:
    """An admin's form for settings (crm_data.admin.settings): fields = {setting key: (label's
    message key, step, widget key)}; all saved at once, a refused value shown with its
    message, else a flash after the rerun (or `after(saved_text)` when the page has its own)."""
    from crm_data.admin import settings
    from crm_data.writes import ValidationFailed
    from crm_ui import cache, safe

    if not scope.can_admin:
        return
    with st.expander(t(title_key)), st.form(form_key):
        chosen = {}
        for key, (label_key, step, widget_key) in fields.items():
            low, high = settings.DEFAULTS[key][1:]
            chosen[key] = st.number_input(t(label_key), min_value=low, max_value=high, step=step,
                                          value=int(settings.get(engine, key)), key=widget_key)
        if st.form_submit_button(t(save_key)):
            try:
                for key, value in chosen.items():
                    settings.set_value(engine, scope, key, int(value))
            except ValidationFailed as exc:
                for err in exc.errors.values():
                    st.error(safe.md(t(err.key, **err.values)))
            else:
                if after is not None:
                    after(saved_text)
                    return
                cache.clear()
                st.session_state[flash_key] = saved_text
                st.rerun()
