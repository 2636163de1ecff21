"""User text stays text (issue 11, finding 4): crm_ui.safe escapes what a user typed for
Streamlit's Markdown and Plotly's HTML subset, the chart helper escapes category labels, and
the pages show hostile customer text as the characters typed. The browser side (no request,
no link, no image) is tests/test_browser_safe_text.py; the static guard is
tests/test_safe_text_guard.py."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest

from crm_ui import safe

WJ = "\u2060"
PUNCT = re.compile(r"[!-/:-@\[-`{-~]")
HOSTILE = [
    "![x](http://127.0.0.1:9/p.png)",
    "[click](http://127.0.0.1:9/l)",
    "<http://127.0.0.1:9/auto>",
    "see http://127.0.0.1:9/bare and HTTPS://127.0.0.1:9/upper",
    "www.example.com/x",
    "mail a@example.com",
    '<img src="http://127.0.0.1:9/raw.png">',
    ":red[red] :material/home: $x^2$ **b** ~~s~~ `c`",
    "# heading\n- item\n1. one\n> quote\n[r]: http://127.0.0.1:9/ref",
]


def _unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WJ, "")


@pytest.mark.parametrize("value", HOSTILE)
def test_md_keeps_every_character_and_escapes_all_punctuation(value):
    out = safe.md(value)
    assert _unescape(out) == " ".join(value.split("\n"))
    assert "\n" not in out
    # Every ASCII punctuation character comes escaped (a backslash escapes the next one).
    chars = iter(out)
    for ch in chars:
        if ch == "\\":
            assert PUNCT.fullmatch(next(chars)), out
        else:
            assert not PUNCT.fullmatch(ch), (ch, out)


@pytest.mark.parametrize("value", HOSTILE)
def test_md_breaks_github_autolinks(value):
    """GFM autolinks are found in the text after escapes are resolved: "http\\:\\/\\/h"
    still became a link in Chromium. No trigger may survive in the unescaped text."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", safe.md(value))
    assert not re.search(r"://|www\.|@[\w-]", text, re.IGNORECASE), text


def test_md_of_none_numbers_and_plain_text():
    assert safe.md(None) == ""
    assert safe.md(12) == "12"
    assert safe.md("Nguyễn Văn Đức") == "Nguyễn Văn Đức"


def test_plot_escapes_plotly_html():
    assert safe.plot('<a href="http://h/">x</a><br><b>b</b>') == \
        '&lt;a href="http://h/"&gt;x&lt;/a&gt;&lt;br&gt;&lt;b&gt;b&lt;/b&gt;'
    assert safe.plot("A & B") == "A &amp; B"
    assert safe.plot(None) == ""


def test_chart_style_escapes_category_labels_names_and_nodes():
    from crm_ui import charts

    evil = '<a href="http://127.0.0.1:9/">x</a>'
    fig = go.Figure()
    fig.add_bar(x=[evil, "ok"], y=[1, 2], name=evil, text=["1<br>2", "3"])
    fig.add_trace(go.Heatmap(z=[[1]], x=[evil], y=[evil]))
    fig.add_trace(go.Treemap(labels=[evil, "child"], parents=["", evil], values=[1, 1]))
    fig.add_trace(go.Sankey(node=dict(label=[evil, "b"]), link=dict(source=[0], target=[1], value=[1])))
    fig.add_trace(go.Scatter(x=[1, 2], y=[3, 4]))
    out = charts.style(fig)
    spec = json.loads(out.to_json())
    esc = safe.plot(evil)
    bar, heat, tree, sankey, scatter = spec["data"]
    assert bar["x"] == [esc, "ok"] and bar["name"] == esc
    assert bar["text"] == ["1<br>2", "3"]  # composed by the page: its own markup is kept
    assert heat["x"] == [esc] and heat["y"] == [esc]
    assert tree["labels"] == [esc, "child"] and tree["parents"] == ["", esc]
    assert sankey["node"]["label"] == [esc, "b"]
    assert scatter["x"] == [1, 2]
    assert "<a" not in json.dumps(spec["data"]).replace("1<br>2", "")
