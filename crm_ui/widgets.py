"""The common sidebar: period, granularity and customer filters, all kept in the URL
(widgets bound to query parameters), plus small display helpers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from crm_data import formatting, geo
from crm_data.auth import user_names
from crm_data.clock import today
from crm_data.filters import CustomerFilter
from crm_data.i18n import choices
from crm_data.periods import GRANULARITIES, PRESETS, Period, default_granularity, preset
from crm_data.scope import Scope
from crm_data.spreadsheet import csv_bytes
from crm_ui import cache, state
from crm_ui.i18n import key_formatter, label, labeller, t

BIND = "query-params"
# Filter fields offered in the sidebar of the report pages, and the enumeration behind each.
COMMON_FILTERS = {
    "regions": "region", "provinces": None, "tiers": "tier", "sources": "source",
    "owners": None, "genders": "gender", "kinds": "kind", "lifecycle_stages": "lifecycle_stage",
}


def period_picker(default: str = "this_month", with_granularity: bool = True) -> tuple[Period, str]:
    sb = st.sidebar
    options = [*PRESETS, "custom"]
    choice = sb.selectbox(t("common.period"), options, index=options.index(default), key="period",
                          format_func=key_formatter("period."), bind=BIND)
    if choice == "custom":
        ref = today()
        c1, c2 = sb.columns(2)
        start = c1.date_input(t("common.from"), value=ref.replace(day=1), key="from",
                              format="DD/MM/YYYY", bind=BIND)
        end = c2.date_input(t("common.to"), value=ref, key="to", format="DD/MM/YYYY", bind=BIND)
        if start > end:
            start, end = end, start
        period = Period(start, end)
    else:
        period = preset(choice)
    granularity = default_granularity(period)
    if with_granularity:
        granularity = sb.selectbox(t("common.granularity"), GRANULARITIES,
                                   index=GRANULARITIES.index(granularity), key="gran",
                                   format_func=key_formatter("gran."), bind=BIND)
    return period, granularity


def _owner_options() -> dict[str, str]:
    return {str(k): v for k, v in cache.query(user_names).items()}


def customer_filter(scope: Scope, fields: tuple[str, ...] = tuple(COMMON_FILTERS)) -> CustomerFilter:
    """Sidebar multiselects → a CustomerFilter (the one WHERE clause of the data layer)."""
    sb = st.sidebar
    sb.subheader(t("common.filters"))
    values: dict[str, tuple] = {}
    for name in fields:
        if name == "owners" and not scope.sees_all_customers:
            continue  # staff only ever see their own customers
        if name == "provinces":
            provs = {str(p.code): p.short_name for p in geo.provinces()}
            picked = sb.multiselect(t("filter.provinces"), list(provs), key=name,
                                    format_func=lambda c, provs=provs: provs.get(c, c), bind=BIND,
                                    placeholder=t("common.choose"))
            values[name] = tuple(int(c) for c in picked if c.isdigit())
        elif name == "owners":
            owners = _owner_options()
            picked = sb.multiselect(t("filter.owners"), list(owners), key=name,
                                    format_func=lambda o, owners=owners: owners.get(o, o), bind=BIND,
                                    placeholder=t("common.choose"))
            values[name] = tuple(int(o) for o in picked if o.isdigit())
        else:
            field = COMMON_FILTERS.get(name) or name
            picked = sb.multiselect(t(f"filter.{name}"), choices(field), key=name,
                                    format_func=labeller(field), bind=BIND,
                                    placeholder=t("common.choose"))
            values[name] = tuple(picked)
    return CustomerFilter(**values)


def filter_from_url() -> CustomerFilter:
    """The CustomerFilter in the page's URL (every repeated value, not just the last)."""
    return CustomerFilter.from_query({k: st.query_params.get_all(k) for k in st.query_params})


def download_csv(df: pd.DataFrame, name: str, key: str | None = None) -> None:
    st.download_button(t("common.download_csv"), csv_bytes(df), file_name=f"{name}.csv",
                       mime="text/csv", key=key or f"dl_{name}", icon=":material/download:",
                       on_click="ignore")


def empty_state() -> None:
    st.info(t("common.no_data"), icon=":material/info:")


def money(value) -> str:
    return formatting.vnd(value, state.lang())


def num(value, digits: int = 0) -> str:
    return formatting.number(value, state.lang(), digits)


def pct(value) -> str:
    return formatting.percent(value, state.lang())


def day(value: dt.date | None) -> str:
    return formatting.date(value, state.lang())


def enum_label(field: str, value) -> str:
    return label(field, value)
