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
from tests.apptest import visible

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


@pytest.mark.parametrize("value", HOSTILE)
def test_md_keeps_every_character_and_escapes_all_punctuation(value):
    out = safe.md(value)
    assert visible(out) == " ".join(value.split("\n"))
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


# --- the pages, in AppTest: hostile customer text arrives escaped ----------------------

HOST = "127.0.0.1:9"


@pytest.fixture
def hostile_db(engine, db_url):
    from tests import hostile

    return hostile.seed(engine, HOST), db_url


def _rendered_texts(at) -> list[str]:
    """Every text the page hands to an element that renders Markdown."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info",
                 "warning", "error", "toast"):
        out += [e.value for e in at.get(kind)]
    for kind in ("metric", "selectbox", "multiselect", "radio", "checkbox", "toggle", "text_input",
                 "text_area", "button", "tabs", "expander"):
        for e in at.get(kind):
            out += [v for v in (getattr(e, "label", None), getattr(e, "help", None)) if v]
    return [str(v) for v in out]


def _assert_inert(texts: list[str]) -> None:
    for value in texts:
        plain = value.replace("\\", "")
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)<|(?<!\\):red", value), value
        assert "://" not in plain and "www." not in plain.lower(), value


def test_customer_page_shows_hostile_text_escaped(hostile_db):
    from tests.apptest import CUSTOMER_TABS, errors, open_customer_tab, run_page

    h, url = hostile_db
    at = run_page(url, "pages/customer.py", "admin", query={"id": str(h.customer_id)})
    assert errors(at) == []
    assert at.title[0].value == f"{safe.md(h.code)} · {safe.md(h.texts['full_name'])}"
    texts = _rendered_texts(at)
    # The tabs are lazy: each one's texts, and every form tab's (the appointments list).
    for tab in CUSTOMER_TABS:
        texts += _rendered_texts(open_customer_tab(at, url, tab))
    for action in ("interaction", "order", "payment", "feedback", "appointment", "stage", "delete"):
        texts += _rendered_texts(open_customer_tab(at, url, "actions", action))
        assert errors(at) == []
    joined = "\n".join(texts)
    for field in ("address", "company", "notes", "appointment", "owner"):
        assert safe.md(h.texts[field]) in joined, field
    _assert_inert(texts)
    # Before the fix the name, the address and the notes went to Markdown as typed.
    assert h.texts["full_name"] not in joined and h.texts["notes"] not in joined


def test_saved_segments_page_shows_the_name_escaped(hostile_db):
    from tests.apptest import errors, run_page

    h, url = hostile_db
    at = run_page(url, "pages/segments_saved.py", "admin")
    assert errors(at) == []
    texts = _rendered_texts(at)
    assert any(safe.md(h.texts["segment"]) in v for v in texts)
    _assert_inert(texts)


def test_segment_chart_by_owner_escapes_the_display_name(hostile_db):
    from tests.apptest import database, errors, run_page

    h, url = hostile_db
    at = run_page(url, "pages/segments.py", "admin")
    with database(url):
        at.selectbox(key="by").set_value("owner").run()
    assert errors(at) == []
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bar = spec["data"][0]
    assert safe.plot(h.texts["owner"]) in bar["x"]
    assert h.texts["owner"] not in bar["x"]
    assert any(safe.plot(h.texts["owner"]) in hover for hover in bar["hovertext"])
    assert not any(h.texts["owner"] in hover for hover in bar["hovertext"])
