"""Plotly defaults: Vietnamese number separators, dd/mm/yyyy, VND hovers; category labels
shown as text."""

from __future__ import annotations

import math
from numbers import Real

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


def _whole_step(top: float, ticks: int = 6) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … giving at most `ticks` steps up to `top`."""
    if top <= ticks:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def integer_axis(fig: go.Figure, axis: str = "y", secondary_y: bool | None = None) -> go.Figure:
    """A count axis: whole-number ticks only (no '0,2' steps, no '375,7 khách'). Plotly has
    no integer-only mode: small ranges get a tick every 1, larger ones integer formatting."""
    top = 0.0
    for trace in fig.data:
        if secondary_y is not None and bool(getattr(trace, "yaxis", "y") not in (None, "y")) != secondary_y:
            continue
        values = getattr(trace, axis, None)
        if values is None or getattr(trace, "orientation", None) == ("v" if axis == "x" else "h"):
            continue
        found = [float(v) for v in values if isinstance(v, Real) and v == v]
        top = max([top, *found])
    # An explicit whole step (1, 2, 5, 10, 20, 50 …, about six ticks): with Plotly's own
    # step an integer format alone would print 0, 5, 11, 16 for steps of 5,25.
    settings = dict(tickformat=",d", rangemode="tozero", tick0=0, dtick=_whole_step(top))
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    if secondary_y is None:
        update(**settings)
    else:
        update(secondary_y=secondary_y, **settings)
    return fig
