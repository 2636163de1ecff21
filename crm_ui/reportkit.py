"""Small drawing helpers shared by the report pages: a chart with its CSV beside it, and
tables with VND / dd/mm/yyyy / % display. Display only: the numbers come from crm_data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_ui import charts, widgets
from crm_ui.i18n import label, t


def chart(fig: go.Figure, data: pd.DataFrame, name: str, key: str, height: int = 380, **kwargs):
    """The chart, then the download button of the numbers behind it."""
    event = charts.show(fig, key=key, height=height, **kwargs)
    widgets.download_csv(data, name, key=f"dl_{key}")
    return event


def display(df: pd.DataFrame, money=(), dates=(), pct=(), nums=(), enums: dict | None = None,
            headers: dict | None = None, decimals=()) -> pd.DataFrame:
    """A copy of a small frame with values formatted for the session language."""
    out = df.copy()
    for col in money:
        if col in out:
            out[col] = out[col].map(widgets.money)
    for col in dates:
        if col in out:
            out[col] = out[col].map(lambda d: widgets.day(d) if d is not None and d == d else "—")
    for col in pct:
        if col in out:
            out[col] = out[col].map(widgets.pct)
    for col in nums:
        if col in out:
            out[col] = out[col].map(widgets.num)
    for col in decimals:
        if col in out:
            out[col] = out[col].map(lambda v: widgets.num(None if v is None or v != v else v, 1))
    for col, field in (enums or {}).items():
        if col in out:
            out[col] = out[col].map(lambda v, f=field: label(f, None if v != v else v))
    if headers:
        out = out.rename(columns=headers)
    return out


def table(df: pd.DataFrame, **fmt) -> None:
    st.dataframe(display(df, **fmt), hide_index=True, width="stretch")


def col_headers(columns) -> dict:
    """Column → header in the session language ("rcol.<name>" keys; unknown: the name)."""
    out = {}
    for c in columns:
        text = t(f"rcol.{c}")
        out[c] = c if text == f"rcol.{c}" else text
    return out


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
