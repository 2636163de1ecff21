"""A report page's sections as lazy tabs: only the open one's queries and charts run.

A filter or period change re-draws everything drawn, and on Retention and Revenue the
browser's share of a change (Plotly re-drawing five charts) was as large as the server's:
0.5-0.6 s in Chromium at 100,000 customers (issue 16). The open tab is in the URL by its
canonical key (`?tab=cohorts`), so a shared link opens the same section in either language.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from crm_data import i18n
from crm_ui import urlkeys
from crm_ui.state import lang

URL_KEY = "tab"


def lazy_tabs(key: str, names: Sequence[str], prefix: str) -> dict:
    """st.tabs of `names` (labels: i18n `{prefix}.{name}`), keyed `key`, rerun on change.
    Returns name → tab container; draw a section under `if tab.open:`. Arriving on the page
    opens the URL's tab, else the first; the widget owns its value after that, so leaving
    the page and coming back opens the first again, as with any other tabs."""
    labels = {n: i18n.t(f"{prefix}.{n}", lang()) for n in names}
    held = st.session_state.get(key)
    if held is None:
        wanted = _name(st.query_params.get(URL_KEY), names, prefix)
        if wanted not in (None, names[0]):
            st.session_state[key] = labels[wanted]
    elif held not in labels.values() and (same := _name(held, names, prefix)):
        # The value is the label: after a language switch, the same tab in the new words.
        st.session_state[key] = labels[same]
    shown = st.tabs([i18n.t(f"{prefix}.{n}", lang()) for n in names], key=key, on_change="rerun")
    out = dict(zip(names, shown, strict=True))
    urlkeys.sync(URL_KEY, next((n for n, t in out.items() if t.open), names[0]), names[0])
    return out


def _name(text: str | None, names: Sequence[str], prefix: str) -> str | None:
    """The tab a URL value or a label (either language) stands for."""
    if text in names:
        return text
    return next((n for n in names for lg in i18n.LANGS if i18n.t(f"{prefix}.{n}", lg) == text), None)
