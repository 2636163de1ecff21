"""Page choices (a dimension, a chart kind, a measure) kept in the URL by their canonical
key, e.g. `?by=province`, whatever the interface language. Streamlit's own binding would
write the translated label (`?by=Tỉnh / thành phố`), which neither the other language nor
a hand-written link can read."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from crm_data.i18n import LANGS
from crm_ui import state


def seed(key: str, options: Sequence, default, label: Callable[[object, str], str] | None = None):
    """Give the widget `key` its first value from the URL: a canonical key, or (old links)
    a label in either language; otherwise `default`. The widget owns the value after.

    A language switch re-labels the widget's options, which makes it a new widget to
    Streamlit: it showed the value once and fell back to its first option on the next
    click (Revenue: "Hạng" → "Region" after English and a period change). On the first run
    in a new language the value is handed to the new widget."""
    seen = f"_urlkeys_lang.{key}"  # the language the widget was last drawn in
    if key in st.session_state:
        if st.session_state.get(seen) != state.lang():
            st.session_state[key] = st.session_state[key]
            st.session_state[seen] = state.lang()
        return
    st.session_state[seen] = state.lang()
    raw = st.query_params.get(key)
    value = default
    if raw is not None:
        by_text = {str(o): o for o in options}
        if label is not None:
            for lang in LANGS:
                by_text.update({label(o, lang): o for o in options if label(o, lang) not in by_text})
        value = by_text.get(raw, default)
    st.session_state[key] = value


def sync(key: str, value, default) -> None:
    """Write the canonical key of the current choice to the URL (nothing for the default)."""
    text = None if value in (None, "", default) else str(value)
    if text is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != text:
        st.query_params[key] = text
