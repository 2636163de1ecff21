"""Small drawing helpers shared by the report pages: a chart with its CSV beside it, and
tables with VND / dd/mm/yyyy / % display. Display only: the numbers come from crm_data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_data.accounts.auth import user_names
from crm_data.reports.display import header, present
from crm_ui import cache, charts, widgets
from crm_ui.state import lang


def chart(fig: go.Figure, data: pd.DataFrame, name: str, key: str, height: int = 380,
          fmt: dict | None = None, label: str | None = None, **kwargs):
    """The chart, then the download button of the numbers behind it (in their display
    form: crm_data.reports.display.present with `fmt`)."""
    event = charts.show(fig, key=key, height=height, **kwargs)
    download(data, name, key=f"dl_{key}", label=label, **(fmt or {}))
    return event


def _owners(df: pd.DataFrame) -> dict | None:
    return cache.query(user_names) if "owner_id" in df.columns else None


def display(df: pd.DataFrame, **fmt) -> pd.DataFrame:
    """A copy of a small frame as shown on screen (crm_data.reports.display.present)."""
    return present(df, lang(), owners=_owners(df), **fmt)


def table(df: pd.DataFrame, **fmt) -> None:
    st.dataframe(display(df, **fmt), hide_index=True, width="stretch")


def download(df: pd.DataFrame, name: str, key: str, label: str | None = None, **fmt) -> None:
    """The CSV download of a report frame, in the same words as the table on screen. Made on
    click: formatting every frame of a page for files rarely fetched was a large part of its
    runs. The language and the owners' names are taken now (the click runs outside the run)."""
    lang_, owners = lang(), _owners(df)
    widgets.download_csv(lambda: present(df, lang_, csv=True, owners=owners, **fmt), name, key=key,
                         label=label, rows=len(df))


def col_headers(columns) -> dict:
    """Column → header in the session language (crm_data.reports.display.header)."""
    return {c: header(c, lang()) for c in columns}


def selected_index(event, n: int) -> int | None:
    """Row index of the clicked bar / point (plotly on_select), if any and still valid."""
    try:
        points = event.selection.points if event is not None else []
    except AttributeError:
        return None
    for p in points or []:
        idx = p.get("point_index", p.get("point_number"))
        if isinstance(idx, int) and 0 <= idx < n:
            return idx
    return None
