"""Plotly defaults: Vietnamese number separators, dd/mm/yyyy, VND hovers; category labels
shown as text."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from crm_ui import safe
from crm_ui.state import lang

PALETTE = ["#1f6feb", "#f0883e", "#2da44e", "#bf3989", "#8250df", "#d29922", "#57606a",
           "#0a7ea4", "#cf222e", "#6e7781"]
# Trace properties that carry data values (owner names, tags, customer names) as categories.
_LABEL_PROPS = ("x", "y", "labels", "parents", "ids")


def _has_text(values) -> bool:
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
        return False  # numbers and dates: nothing to escape, and no loop over a long array
    return isinstance(values, list | tuple | np.ndarray) and any(isinstance(v, str) for v in values)


def _escaped(values):
    return [safe.plot(v) if isinstance(v, str) else v for v in values]


def escape_labels(fig: go.Figure) -> go.Figure:
    """Plotly renders <b>, <br>, <a href> in category labels, legend names and node labels,
    and again where a hover template repeats them (%{x}): escape them once, here, for every
    chart. Text and hover text are composed by the pages (with their own <br>) and escape
    their user parts themselves with safe.plot."""
    for trace in fig.data:
        for prop in _LABEL_PROPS:
            values = trace[prop] if prop in trace else None
            if _has_text(values):
                trace[prop] = _escaped(values)
        if "name" in trace and isinstance(trace.name, str):
            trace.name = safe.plot(trace.name)
        if trace.type == "sankey" and trace.node.label is not None:
            trace.node.label = _escaped(trace.node.label)
    return fig


def style(fig: go.Figure, height: int = 360) -> go.Figure:
    fig.update_layout(
        separators=",." if lang() == "vi" else ".,",  # decimal, thousands
        height=height, margin=dict(l=10, r=10, t=40, b=10), colorway=PALETTE,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(namelength=-1),
    )
    return escape_labels(fig)


def show(fig: go.Figure, key: str | None = None, height: int = 360, **kwargs):
    return st.plotly_chart(style(fig, height), key=key, config={"displaylogo": False}, **kwargs)
