"""Trend charts: a time bucket only partly inside the period (the week cut by the period's
first or last day, the month still running) holds an exact total of fewer days, so its bar
would "plunge" unexplained. It is drawn lighter and hatched, its markers hollow, its hover
says how many days it covers, and a caption under the chart names it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from crm_data.domain.periods import Period, bucket_days, next_bucket
from crm_ui import charts, safe, widgets
from crm_ui.i18n import t


@dataclass(frozen=True)
class PartialBuckets:
    flags: list[bool]
    hover: list[str]  # "" or "<br>tuần chưa trọn: 5/7 ngày", for %{customdata}
    note: str | None
    what: str  # "tuần chưa trọn"

    def add_bars(self, fig, x, y, name: str, color: str, hovertemplate: str, **kwargs) -> None:
        """Two bar traces in one slot per x (offsetgroup): whole buckets solid, partial ones
        light and hatched under their own legend entry ("Doanh thu – tuần chưa trọn")."""
        y = [None if pd.isna(v) else v for v in y]  # unknown profit is NA, a gap for Plotly
        group = f"bars-{name}"
        charts.add(fig, {"type": "bar", "x": x, "y": [None if f else v for f, v in zip(self.flags, y, strict=True)],
                         "name": name, "marker": {"color": color}, "offsetgroup": group,
                         "legendgroup": group, "hovertemplate": hovertemplate.replace("%{customdata}", ""),
                         **kwargs})
        if any(self.flags):
            charts.add(fig, {"type": "bar", "x": x, "y": [v if f else None for f, v in zip(self.flags, y, strict=True)],
                             "name": f"{name} – {self.what}", "customdata": self.hover,
                             "offsetgroup": group, "legendgroup": group, "hovertemplate": hovertemplate,
                             "marker": {"color": color, "opacity": 0.45, "pattern": {"shape": "/"}},
                             **kwargs})

    def line_marker(self, **kwargs) -> dict:
        return {**kwargs, "symbol": ["circle-open" if f else "circle" for f in self.flags],
                "size": [9 if f else 6 for f in self.flags]}

    def caption(self) -> None:
        if self.note:
            st.caption(safe.md(self.note))  # dates only; escaped all the same


def mark_partial(period: Period, granularity: str, starts) -> PartialBuckets:
    """How to draw each bucket of a trend (`starts`): partial or whole, with hover and note."""
    flags, hover, cut = [], [], []
    for start in starts:
        start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)[:10])
        inside, whole = bucket_days(start, granularity, period)
        partial = granularity != "day" and inside < whole
        flags.append(partial)
        hover.append(t("partial.hover", what=t(f"partial.{granularity}"), n=inside, total=whole)
                     if partial else "")
        if partial:
            first = max(start, period.start)
            last = min(next_bucket(start, granularity) - dt.timedelta(days=1), period.end)
            cut.append(f"{widgets.day(first)} – {widgets.day(last)}")
    note = t("partial.note", what=t(f"partial.{granularity}"), days="; ".join(cut)) if cut else None
    return PartialBuckets(flags, hover, note, t(f"partial.{granularity}") if granularity != "day" else "")
