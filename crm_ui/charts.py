"""Plotly defaults: Vietnamese number separators, dd/mm/yyyy, VND hovers."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from crm_ui.state import lang

PALETTE = ["#1f6feb", "#f0883e", "#2da44e", "#bf3989", "#8250df", "#d29922", "#57606a",
           "#0a7ea4", "#cf222e", "#6e7781"]


def style(fig: go.Figure, height: int = 360) -> go.Figure:
    fig.update_layout(
        separators=",." if lang() == "vi" else ".,",  # decimal, thousands
        height=height, margin=dict(l=10, r=10, t=40, b=10), colorway=PALETTE,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(namelength=-1),
    )
    return fig


def show(fig: go.Figure, key: str | None = None, height: int = 360, **kwargs):
    return st.plotly_chart(style(fig, height), key=key, config={"displaylogo": False}, **kwargs)
