"""The common sidebar: period, granularity and customer filters, all kept in the URL in
the filter's own query form, plus small display helpers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_data import access, audit, formatting, geo
from crm_data.auth import user_names
from crm_data.clock import today
from crm_data.filters import CustomerFilter
from crm_data.i18n import choices
from crm_data.periods import GRANULARITIES, PRESETS, Period, default_granularity, preset
from crm_data.scope import Scope
from crm_data.spreadsheet import csv_bytes
from crm_ui import cache, state
from crm_ui.i18n import key_formatter, label, t

BIND = "query-params"  # for page-specific widgets whose URL value may be a label
# Filter fields offered in the sidebar of the report pages, and the enumeration behind each.
COMMON_FILTERS = {
    "regions": "region", "provinces": None, "tiers": "tier", "sources": "source",
    "owners": None, "genders": "gender", "kinds": "kind", "lifecycle_stages": "lifecycle_stage",
}


def _url_one(key: str) -> str | None:
    values = st.query_params.get_all(key)
    return values[-1] if values else None


def _seed(key: str, value) -> None:
    """A widget's first value (from the URL or the default); the widget owns it after."""
    if key not in st.session_state:
        st.session_state[key] = value


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


def _gran_chosen() -> None:
    st.session_state["_gran_chosen"] = True


def period_picker(default: str = "this_month", with_granularity: bool = True) -> tuple[Period, str]:
    sb = st.sidebar
    options = [*PRESETS, "custom"]
    url_choice = _url_one("period")
    _seed("period", url_choice if url_choice in options else default)
    choice = sb.selectbox(t("common.period"), options, key="period",
                          format_func=key_formatter("period."))
    synced: dict = {"period": None if choice == default else choice, "from": None, "to": None}
    if choice == "custom":
        ref = today()
        _seed("from", _iso(_url_one("from")) or ref.replace(day=1))
        _seed("to", _iso(_url_one("to")) or ref)
        c1, c2 = sb.columns(2)
        start = c1.date_input(t("common.from"), key="from", format="DD/MM/YYYY")
        end = c2.date_input(t("common.to"), key="to", format="DD/MM/YYYY")
        if start > end:
            start, end = end, start
        period = Period(start, end)
        synced.update({"from": start, "to": end})
    else:
        period = preset(choice)
    granularity = default_granularity(period)
    if with_granularity:
        url_gran = _url_one("gran")
        if url_gran in GRANULARITIES and "gran" not in st.session_state:
            st.session_state["gran"] = url_gran
            st.session_state["_gran_chosen"] = True
        if not st.session_state.get("_gran_chosen"):
            # Until the user picks one, the granularity follows the period (days for a
            # month, months for a year), also when another page changed the period.
            st.session_state["gran"] = granularity
        granularity = sb.selectbox(t("common.granularity"), GRANULARITIES, key="gran",
                                   format_func=key_formatter("gran."), on_change=_gran_chosen)
        synced["gran"] = granularity if st.session_state.get("_gran_chosen") else None
    _sync_url(synced)
    return period, granularity


def _owner_options() -> dict[str, str]:
    return {str(k): v for k, v in cache.query(user_names).items()}


def customer_filter(scope: Scope, fields: tuple[str, ...] = tuple(COMMON_FILTERS)) -> CustomerFilter:
    """Sidebar multiselects → a CustomerFilter (the one WHERE clause of the data layer),
    initialised from and written back to the URL in the filter's own query form."""
    sb = st.sidebar
    sb.subheader(t("common.filters"))
    values: dict[str, tuple] = {}
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
        _seed(name, [v for v in st.query_params.get_all(name) if v in opts])
        picked = sb.multiselect(title, list(opts), key=name, placeholder=t("common.choose"),
                                format_func=lambda v, opts=opts: opts.get(v, v))
        values[name] = tuple(int(v) for v in picked) if name in ("provinces", "owners") else tuple(picked)
    _sync_url({k: list(map(str, v)) for k, v in values.items()})
    return CustomerFilter(**values)


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


def download_csv(df: pd.DataFrame, name: str, key: str | None = None) -> None:
    """A CSV download of `df`, audited when the file is fetched (see audited)."""
    st.download_button(t("common.download_csv"), audited(lambda: csv_bytes(df), f"{name}.csv", len(df)),
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
