"""User text shown as text. Streamlit renders Markdown (images, links, :material/…: icons,
:red[…] colours, $…$ maths) in titles, captions, labels, help, messages, st.write, tab /
expander / button labels and radio / pills / segmented-control options; Plotly renders an
HTML subset (<b>, <a href>) in labels and hover text. Anything a user typed passes through
here before it reaches one of those. (Selectbox / multiselect options and dataframe cells
and headers are shown as text by Streamlit 1.67: no escaping there.)"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of
# them also defuses Streamlit's own directives (":red[x]", ":material/x:", "$x$").
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# GitHub-flavoured autolinks ("http://…", "www.…", "a@b.vn") are found in the text after the
# backslash escapes are resolved, so escaping cannot stop them: an invisible WORD JOINER
# breaks each trigger ("http:⁠//", "www⁠.", "a@⁠b.vn") and the text still reads the same.
_WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def md(value) -> str:
    """Markdown-escaped text: shows exactly the characters typed, renders nothing."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    # A newline would start a new Markdown block (heading, list, table) in the same element.
    text = " ".join(text.split("\n"))
    text = _AUTOLINK.sub(_WORD_JOINER, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def plot(value) -> str:
    """Text for a Plotly label, tick or hover: HTML-escaped, so '<b>' stays visible text."""
    if value is None:
        return ""
    return html.escape(str(value), quote=False)
