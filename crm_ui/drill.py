"""From a clicked chart mark to the customer list behind it, and back to readable words on
the list. The mark's CustomerFilter (crm_data.customers.drill) travels in the URL of the customers
page (CustomerFilter.to_query), which lists, counts and exports exactly it; role scope is
applied there by the data layer. Roles that may not see personal data get no click."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import fields

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.domain import formatting
from crm_data.domain.labels import configured_churn_days
from crm_data.filters.customer_filter import LOST, START_STAGE, CustomerFilter
from crm_data.records.churn_reason import COMPLAINT, NOT_RECORDED
from crm_data.writes.churn import REASONS as CHURN_REASONS
from crm_ui import nav, safe, state
from crm_ui.i18n import label, t

CUSTOMERS = "pages/customers.py"
SEEDED_FLAG = "cust_seeded"  # pages/customers.py seeds its widgets from the URL once
FILTER_FIELDS = tuple(f.name for f in fields(CustomerFilter))


def allowed(scope: Scope) -> bool:
    return scope.can_see_personal_data and nav.may_open(scope, CUSTOMERS)


def select_args(scope: Scope) -> dict:
    """st.plotly_chart arguments that make the marks clickable — none for a role that
    may not open the customer list (the viewer: the chart stays a picture)."""
    return {"on_select": "rerun", "selection_mode": "points"} if allowed(scope) else {}


def clicked(event) -> dict | None:
    """The first clicked point of a Plotly selection event (attribute or plain dict form)."""
    if event is None:
        return None
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        try:
            points = event.selection.points
        except AttributeError:
            return None
    for p in points or []:
        if isinstance(p, dict):
            return p
    return None


def index(point: dict, n: int) -> int | None:
    """The row of the clicked mark in a frame of n rows."""
    idx = point.get("point_index", point.get("point_number"))
    return idx if isinstance(idx, int) and 0 <= idx < n else None


def follow(scope: Scope, event, key: str,
           to_filter: Callable[[dict], CustomerFilter | None]) -> None:
    """On a click: open the customers behind the mark, or say the mark has no list."""
    point = clicked(event)
    if point is None or not allowed(scope):
        return
    go(to_filter(point), key)


def go(flt: CustomerFilter | None, key: str | None = None) -> None:
    """Switch to the customer list of `flt`. The list's widgets are seeded from the URL
    only when they hold no value yet, so the values this session gave them are dropped,
    and with them the click (coming back shows the chart, not another jump)."""
    if flt is None:
        st.caption(t("drill.none"))
        return
    for name in (*FILTER_FIELDS, SEEDED_FLAG, *([key] if key else [])):
        if name in st.session_state:
            del st.session_state[name]
    st.switch_page(CUSTOMERS, query_params=flt.to_query())


# --- on the customer list -----------------------------------------------------------------
def carry(flt: CustomerFilter, url_flt: CustomerFilter,
          shown: Iterable[str]) -> tuple[CustomerFilter, list[str]]:
    """`flt` (from the list's widgets) plus the conditions of the URL that have no widget
    there (a chart mark's: bought in a range, a stage change, …), and their names."""
    shown = set(shown)
    extra = {name: getattr(url_flt, name) for name in FILTER_FIELDS
             if name not in shown and getattr(url_flt, name) not in (None, (), "")}
    return flt.with_(**extra), list(extra)


def banner(flt: CustomerFilter, names: list[str]) -> None:
    """What the chart's conditions are, in words, and a button that drops them."""
    if not names:
        return
    box = st.container(border=True)
    box.markdown(t("drill.from_chart") + " " + " · ".join(safe.md(s) for s in describe(flt, names)))
    if box.button(t("drill.clear"), key="drill_clear", icon=":material/filter_alt_off:"):
        for name in names:
            if name in st.query_params:
                del st.query_params[name]
        st.rerun()


def _day(d: dt.date | None) -> str:
    return formatting.date(d, state.lang()) if d else "…"


def _stage(kind: str, stage: str) -> str:
    if stage == START_STAGE:
        return t("journey.start")
    return label("pipeline_stage" if kind == "pipeline" else "lifecycle_stage", stage)


def reason_name(reason: str) -> str:
    """A lost / churn reason in words (crm_data.records.churn_reason's own two, a churn reason
    recorded for a buyer, or a lost reason)."""
    if reason in (COMPLAINT, NOT_RECORDED):
        return t(f"rreason.{reason}")
    if reason in CHURN_REASONS:
        return label("churn_reason", reason)
    return label("lost_reason", reason)


_reason = reason_name


def describe(flt: CustomerFilter, names: list[str]) -> list[str]:
    """One phrase per condition of `names` (ranges as one phrase)."""
    out: list[str] = []
    done: set[str] = set()
    for name in names:
        if name in done:
            continue
        if name in ("bought_from", "bought_to"):
            done |= {"bought_from", "bought_to"}
            out.append(t("drill.bought", start=_day(flt.bought_from), end=_day(flt.bought_to)))
        elif name in ("first_order_from", "first_order_to"):
            done |= {"first_order_from", "first_order_to"}
            out.append(t("drill.first_order", start=_day(flt.first_order_from),
                         end=_day(flt.first_order_to)))
        elif name.startswith("stage_"):
            done |= {n for n in FILTER_FIELDS if n.startswith("stage_")}
            kind = flt.stage_kind
            key = "drill.stage_move" if flt.stage_prev else "drill.stage_enter"
            out.append(t(key, kind=t(f"drill.kind.{kind}") if kind in ("pipeline", "lifecycle") else kind,
                         prev=_stage(kind, flt.stage_prev), next=_stage(kind, flt.stage_next),
                         start=_day(flt.stage_from), end=_day(flt.stage_to)))
            if flt.stage_reason:
                out.append(t("drill.lost_reason", reason=_reason(flt.stage_reason)))
        elif name == "lost_reason_now":
            out.append(t("drill.lost_now", stage=_stage("pipeline", LOST), reason=_reason(flt.lost_reason_now)))
        elif name in ("churn_reason", "churn_reason_days"):
            done |= {"churn_reason", "churn_reason_days"}
            if flt.churn_reason:
                out.append(t("drill.churn_reason", reason=_reason(flt.churn_reason),
                             days=formatting.number(flt.churn_reason_days or configured_churn_days(),
                                                    state.lang())))
        elif name in ("lifecycle_on", "lifecycle_on_stage"):
            done |= {"lifecycle_on", "lifecycle_on_stage"}
            out.append(t("drill.stage_on", stage=_stage("lifecycle", flt.lifecycle_on_stage)
                         if flt.lifecycle_on_stage else "…", day=_day(flt.lifecycle_on)))
        elif name == "spend_rank_until" and len(flt.spend_rank_until) == 2:
            out.append(t("drill.top_spenders",
                         spend=formatting.vnd(flt.spend_rank_until[0], state.lang())))
        elif name == "has_purchased":
            out.append(t("drill.bought_ever" if flt.has_purchased else "drill.never_bought"))
        else:
            value = getattr(flt, name)
            shown = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
            title = t(f"cust.filter.{name}")
            out.append(f"{name if title == f'cust.filter.{name}' else title}: {shown}")
    return out
