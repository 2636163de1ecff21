"""A page of every Streamlit element that renders Markdown, and Plotly charts, fed hostile
text ($SAFE_TEXT_PAYLOADS, pointing at a listener): as typed (?mode=raw, proving each element is a sink) or through
crm_ui.safe / crm_ui.charts (?mode=safe). Run by tests/test_browser_safe_text.py."""

import json
import os

import plotly.graph_objects as go
import streamlit as st

from crm_ui import charts, safe

PAYLOADS = json.loads(os.environ["SAFE_TEXT_PAYLOADS"])
HOST = os.environ["SAFE_TEXT_HOST"]
raw = st.query_params.get("mode") == "raw"
text = [p if raw else safe.md(p) for p in PAYLOADS]
st.text("probe ready")
for i, value in enumerate(text):
    st.markdown(value)
    st.title(value)
    st.subheader(value)
    st.caption(value)
    st.write(value)
    st.success(value)
    st.metric(value, i, help=value)
    st.checkbox(value, key=f"c{i}")
    st.button(value, key=f"b{i}")
    st.selectbox(value, ["-"], key=f"s{i}")
    with st.expander(value, expanded=True):
        st.text("-")
    st.page_link("https://example.org/", label=value)
st.toast(text[0])
st.radio("radio", text, key="radio")
st.pills("pills", text, key="pills")
st.segmented_control("segmented", text, key="segmented")
st.tabs(text)
labels = [p.replace("\n", " ") for p in PAYLOADS] + [f'<a href="http://{HOST}/plot-a">a</a><b>b</b>']
bar = go.Figure(go.Bar(x=labels, y=list(range(1, len(labels) + 1)), name=labels[-1]))
tree = go.Figure(go.Treemap(labels=labels, parents=[""] * len(labels), values=[1] * len(labels)))
sankey = go.Figure(go.Sankey(node=dict(label=labels), link=dict(
    source=list(range(len(labels) - 1)), target=list(range(1, len(labels))), value=[1] * (len(labels) - 1))))
for n, fig in enumerate((bar, tree, sankey)):
    if raw:
        st.plotly_chart(fig, key=f"plot{n}")
    else:
        charts.show(fig, key=f"plot{n}")
