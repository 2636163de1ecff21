"""Trend charts: a time bucket only partly inside the period (the week cut by the period's
first or last day, the month still running) holds an exact total of fewer days, so its bar
would "plunge" unexplained. It is drawn lighter and hatched, its markers hollow, its hover
says how many days it covers, and a caption under the chart names it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from crm_data.periods import Period, bucket_days, next_bucket
from crm_ui import widgets
from crm_ui.i18n import t


@dataclass(frozen=True)
class PartialBuckets:
    flags: list[bool]
    hover: list[str]  # "" or "<br>tuần chưa trọn: 5/7 ngày", for %{customdata}
    note: str | None

    def bar_marker(self, **kwargs) -> dict:
        return {**kwargs, "opacity": [0.45 if f else 1.0 for f in self.flags],
                "pattern": {"shape": ["/" if f else "" for f in self.flags]}}

    def line_marker(self, **kwargs) -> dict:
        return {**kwargs, "symbol": ["circle-open" if f else "circle" for f in self.flags],
                "size": [9 if f else 6 for f in self.flags]}

    def caption(self) -> None:
        if self.note:
            st.caption(self.note)


def partial_buckets(period: Period, granularity: str, starts) -> PartialBuckets:
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
    return PartialBuckets(flags, hover, note)
