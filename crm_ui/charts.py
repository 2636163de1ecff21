"""Plotly defaults: Vietnamese number separators, dd/mm/yyyy, VND hovers; category labels
shown as text.

The report pages build their charts as Plotly's own JSON form, plain dicts (`figure`,
`merge`, `axes`): plotly.graph_objects validated every property and parsed every
"title_text"-style path on each page run, more time than the page's queries at 100,000
customers. `show` hands the dict to Streamlit without that validation; the JSON the browser
gets is the same. The other pages may still pass a go.Figure: every helper takes both."""

from __future__ import annotations

import math
from functools import cache
from numbers import Real

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st

from crm_ui import safe
from crm_ui.state import lang

PALETTE = ["#1f6feb", "#f0883e", "#2da44e", "#bf3989", "#8250df", "#d29922", "#57606a",
           "#0a7ea4", "#cf222e", "#6e7781"]
# Trace properties that carry data values (owner names, tags, customer names) as categories.
_LABEL_PROPS = ("x", "y", "labels", "parents", "ids")
# What make_subplots(specs=[[{"secondary_y": True}]]) lays out: a right-hand y axis.
_SECONDARY_Y = {"xaxis": {"anchor": "y", "domain": [0.0, 0.94]},
                "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
                "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right"}}


def figure(*traces: dict, secondary_y: bool = False, **layout) -> dict:
    """A chart as a plain dict: traces ({"type": "bar", "x": …}) and layout properties."""
    fig = {"data": list(traces), "layout": {}}
    if secondary_y:
        merge(fig["layout"], _SECONDARY_Y)
    merge(fig["layout"], layout)
    return fig


@cache
def colorscale(name: str) -> list:
    """A named sequential scale ("Greens") as the explicit list graph_objects would send (the
    browser's Plotly has its own, different scales under some of the same names)."""
    return plotly.colors.make_colorscale(getattr(plotly.colors.sequential, name))


def merge(target: dict, update: dict) -> dict:
    """update_layout's rule on dicts: nested properties merged, the rest replaced."""
    for key, value in update.items():
        if not isinstance(value, dict):
            target[key] = value
        elif isinstance(target.get(key), dict):
            merge(target[key], value)
        else:  # a copy: a shared default (the style, the secondary axis) is never changed
            target[key] = merge({}, value)
    return target


def add(fig, *traces: dict, secondary_y: bool = False):
    """Append traces (dicts) to a dict figure or a go.Figure."""
    for trace in traces:
        if secondary_y:
            trace = {**trace, "xaxis": "x", "yaxis": "y2"}
        if isinstance(fig, dict):
            fig["data"].append(trace)
        else:
            fig.add_trace(trace)
    return fig


def _axis_names(fig: dict, axis: str, secondary_y: bool | None) -> list[str]:
    names = [f"{axis}axis"] + ([f"{axis}axis2"] if f"{axis}axis2" in fig["layout"] else [])
    if secondary_y is None:
        return names
    return [n for n in names if n.endswith("2") == secondary_y]


def axes(fig: dict, axis: str = "y", secondary_y: bool | None = None, **settings) -> dict:
    """update_xaxes / update_yaxes of a dict figure: every x (y) axis, or the primary or the
    secondary one only."""
    for name in _axis_names(fig, axis, secondary_y):
        merge(fig["layout"].setdefault(name, {}), settings)
    return fig


def _has_text(values) -> bool:
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
        return False  # numbers and dates: nothing to escape, and no loop over a long array
    return isinstance(values, list | tuple | np.ndarray) and any(isinstance(v, str) for v in values)


def _escaped(values):
    return [safe.plot(v) if isinstance(v, str) else v for v in values]


def _label_values(values):
    # A dict figure may hold a pandas column where graph_objects would have made an array.
    return values.to_numpy() if isinstance(values, pd.Series | pd.Index) else values


def escape_labels(fig):
    """Plotly renders <b>, <br>, <a href> in category labels, legend names and node labels,
    and again where a hover template repeats them (%{x}): escape them once, here, for every
    chart. Text and hover text are composed by the pages (with their own <br>) and escape
    their user parts themselves with safe.plot."""
    if not isinstance(fig, dict):
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
    for trace in fig["data"]:
        for prop in _LABEL_PROPS:
            values = _label_values(trace.get(prop))
            if _has_text(values):
                trace[prop] = _escaped(values)
        if isinstance(trace.get("name"), str):
            trace["name"] = safe.plot(trace["name"])
        label = (trace.get("node") or {}).get("label") if trace.get("type") == "sankey" else None
        if label is not None:
            trace["node"]["label"] = _escaped(label)
    return fig


_STYLE = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "colorway": PALETTE,
          "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
          "hoverlabel": {"namelength": -1}}


def style(fig, height: int = 360):
    layout = {"separators": ",." if lang() == "vi" else ".,",  # decimal, thousands
              "height": height, **_STYLE}
    if isinstance(fig, dict):
        merge(fig["layout"], layout)
    else:
        fig.update_layout(**layout)
    return escape_labels(fig)


def show(fig, key: str | None = None, height: int = 360, **kwargs):
    fig = style(fig, height)
    if isinstance(fig, dict):
        # Not st.plotly_chart(dict): Streamlit would validate it (go.Figure(**dict)) again.
        fig = go.Figure(fig, _validate=False)
    return st.plotly_chart(fig, key=key, config={"displaylogo": False}, **kwargs)


def _whole_step(top: float, ticks: int = 6) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … giving at most `ticks` steps up to `top`."""
    if top <= ticks:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def integer_axis(fig, axis: str = "y", secondary_y: bool | None = None):
    """A count axis: whole-number ticks only (no '0,2' steps, no '375,7 khách'). Plotly has
    no integer-only mode: small ranges get a tick every 1, larger ones integer formatting."""
    top = 0.0
    across = "v" if axis == "x" else "h"  # bars along the other axis carry no count here
    for trace in (fig["data"] if isinstance(fig, dict) else fig.data):
        get = trace.get if isinstance(fig, dict) else (lambda k, tr=trace: getattr(tr, k, None))
        if secondary_y is not None and bool(get("yaxis") not in (None, "y")) != secondary_y:
            continue
        values = get(axis)
        if values is None or get("orientation") == across:
            continue
        found = [float(v) for v in values if isinstance(v, Real) and v == v]
        top = max([top, *found])
    # An explicit whole step (1, 2, 5, 10, 20, 50 …, about six ticks): with Plotly's own
    # step an integer format alone would print 0, 5, 11, 16 for steps of 5,25.
    settings = dict(tickformat=",d", rangemode="tozero", tick0=0, dtick=_whole_step(top))
    if isinstance(fig, dict):
        return axes(fig, axis, secondary_y, **settings)
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    if secondary_y is None:
        update(**settings)
    else:
        update(secondary_y=secondary_y, **settings)
    return fig
