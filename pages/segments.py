"""Phân khúc / Segments: customers and revenue by one dimension (bar / treemap) or two
(heatmap); a click lists exactly those customers. Numbers: crm_data.reports.segments
(= `crm report segments --by …`)."""

import streamlit as st

from crm_data import i18n
from crm_data.reports import segments
from crm_ui import cache, charts, nav, reportkit, safe, state, urlkeys, widgets
from crm_ui import drill as to_list
from crm_ui.i18n import t

scope = state.require_scope()
lang = state.lang()
period, _gran = widgets.period_picker(default="this_year", with_granularity=False)
flt = widgets.customer_filter(scope)

st.title(t("segments.title"))
st.caption(t("segments.caption", end=widgets.day(period.end)))

dims = list(segments.DIMENSIONS)
c1, c2, c3 = st.columns([2, 2, 2])

def _dim_label(d, lang_=None):
    return i18n.t(f"rdim.{d}", lang_ or lang) if d else i18n.t("common.none", lang_ or lang)


# The URL carries canonical keys (?by=province), the screen the labels.
urlkeys.seed("by", dims, dims[0], _dim_label)
by = c1.selectbox(t("segments.by"), dims, placeholder=t("common.choose"), key="by", format_func=_dim_label)
second = ["", *[d for d in dims if d != by]]
urlkeys.seed("by2", second, "", _dim_label)
if st.session_state["by2"] not in second:
    st.session_state["by2"] = ""
by2 = c2.selectbox(t("segments.by2"), second, placeholder=t("common.choose"), key="by2", format_func=_dim_label) or None
urlkeys.sync("by", by, dims[0])
urlkeys.sync("by2", by2, None)
if by2 is not None and segments.DIMENSIONS[by].expr is None and segments.DIMENSIONS[by2].expr is None:
    st.warning(t("segments.two_multi"))
    by2 = None

df = cache.query(segments.segment_counts, scope, period, by, by2, flt)


def _labels(dim: str, values) -> list[str]:
    clean = tuple(None if v is None or v != v else (int(v) if dim in ("province", "owner") else v)
                  for v in values)
    return cache.query(segments.value_labels, dim, clean, lang)


picked = None  # (value, value2) clicked or chosen for the customer list
if df.empty:
    widgets.empty_state()
elif by2 is None:
    labels = _labels(by, df["value"])
    urlkeys.seed("chart", ["bar", "treemap"], "bar", lambda k, lg: i18n.t(f"segments.{k}", lg))
    chart_kind = c3.segmented_control(t("segments.chart"), ["bar", "treemap"], key="chart",
                                      format_func=lambda k: t(f"segments.{k}")) or "bar"
    urlkeys.seed("metric", ["customers", "revenue"], "customers",
                 lambda k, lg: i18n.t(f"rcol.{k}", lg))
    metric = st.segmented_control(t("segments.metric"), ["customers", "revenue"], key="metric",
                                  format_func=lambda k: t(f"rcol.{k}")) or "customers"
    urlkeys.sync("chart", chart_kind, "bar")
    urlkeys.sync("metric", metric, "customers")
    share = df["share"] if metric == "customers" else df["revenue_share"]
    csv_fmt = {"headers": {"value": t(f"rdim.{by}")}}
    hover = [f"{safe.plot(lab)}<br>{widgets.num(n)} {t('rcol.customers').lower()}<br>{widgets.money(r)}<br>{widgets.pct(s)}"
             for lab, n, r, s in zip(labels, df["customers"], df["revenue"], share, strict=True)]
    if chart_kind == "treemap":
        fig = charts.figure({"type": "treemap", "labels": labels, "parents": [""] * len(labels),
                             "values": df[metric], "hovertext": hover, "hoverinfo": "text",
                             "texttemplate": "%{label}<br>%{percentRoot:.1%}"})
        reportkit.chart(fig, df.assign(value=labels), f"phan_khuc_{by}", key="seg_tree", height=460,
                        fmt=csv_fmt)
    else:
        fig = charts.figure({"type": "bar", "x": labels, "y": df[metric], "hovertext": hover,
                             "hoverinfo": "text", "text": [widgets.pct(s) for s in share],
                             "textposition": "outside"},
                            xaxis={"type": "category", "title": {"text": t(f"rdim.{by}")}},
                            yaxis={"title": {"text": t(f"rcol.{metric}") + (" (₫)" if metric == "revenue" else "")},
                                   "tickformat": ",.0f"})
        if metric == "customers":
            charts.integer_axis(fig)
        event = reportkit.chart(fig, df.assign(value=labels), f"phan_khuc_{by}", key="seg_bar",
                                height=460, fmt=csv_fmt, on_select="rerun", selection_mode="points")
        idx = reportkit.selected_index(event, len(df))
        if idx is not None:
            picked = (df["value"].iloc[idx], None)
    reportkit.table(df.assign(value=labels)[["value", "customers", "revenue", "share", "revenue_share"]],
                    money=("revenue",), pct=("share", "revenue_share"), nums=("customers",),
                    headers={"value": t(f"rdim.{by}"), **reportkit.col_headers(
                        ["customers", "revenue", "share", "revenue_share"])})
    if picked is None:
        options = ["", *range(len(df))]
        chosen = st.selectbox(t("segments.pick"), options, placeholder=t("common.choose"), key="pick1",
                              format_func=lambda i: labels[i] if i != "" else "—")
        if chosen != "":
            picked = (df["value"].iloc[chosen], None)
else:
    lab1, lab2 = _labels(by, df["value"]), _labels(by2, df["value2"])
    shown = df.assign(label=lab1, label2=lab2)
    rows = list(dict.fromkeys(lab1))
    cols = list(dict.fromkeys(lab2))
    counts = shown.pivot_table(index="label", columns="label2", values="customers", aggfunc="sum",
                               fill_value=0).reindex(index=rows, columns=cols, fill_value=0)
    row_pct = shown.pivot_table(index="label", columns="label2", values="row_share", aggfunc="sum",
                                fill_value=0).reindex(index=rows, columns=cols, fill_value=0)
    text = [[f"{widgets.num(counts.iat[i, j])}<br>{widgets.pct(row_pct.iat[i, j])}"
             for j in range(len(cols))] for i in range(len(rows))]
    fig = charts.figure({"type": "heatmap", "z": counts.values, "x": cols, "y": rows, "text": text,
                         "texttemplate": "%{text}", "colorscale": charts.colorscale("Blues"),
                         "hovertemplate": "%{y} × %{x}<br>%{text}<extra></extra>"},
                        xaxis={"type": "category", "title": {"text": t(f"rdim.{by2}")}},
                        yaxis={"type": "category", "title": {"text": t(f"rdim.{by}")}, "autorange": "reversed"})
    st.caption(t("segments.heat_caption"))
    reportkit.chart(fig, df.assign(value=lab1, value2=lab2), f"phan_khuc_{by}_{by2}", key="seg_heat",
                    height=max(360, 40 * len(rows) + 120),
                    fmt={"headers": {"value": t(f"rdim.{by}"), "value2": t(f"rdim.{by2}")}})
    d1, d2 = st.columns(2)
    i1 = d1.selectbox(t("segments.pick_row", dim=t(f"rdim.{by}")), ["", *range(len(rows))], placeholder=t("common.choose"), key="pick_r",
                      format_func=lambda i: rows[i] if i != "" else "—")
    i2 = d2.selectbox(t("segments.pick_col", dim=t(f"rdim.{by2}")), ["", *range(len(cols))], placeholder=t("common.choose"), key="pick_c",
                      format_func=lambda i: cols[i] if i != "" else "—")
    if i1 != "" and i2 != "":
        hit = shown[(shown["label"] == rows[i1]) & (shown["label2"] == cols[i2])]
        if not hit.empty:
            picked = (hit["value"].iloc[0], hit["value2"].iloc[0])

if picked is not None:
    value, value2 = picked
    drill = segments.drill_filter(flt, period, by, value, by2, value2)
    st.subheader(t("segments.members"))
    if drill is None:
        st.info(t("segments.cannot_drill"), icon=":material/info:")
    elif not widgets.viewer_notice(scope):
        pass  # the members are per-customer rows: not for the executive viewer
    else:
        found = cache.query(segments.members, scope, drill, 50)
        st.caption(t("segments.members_caption", shown=widgets.num(len(found.rows)),
                     total=widgets.num(found.total)))
        if found.rows.empty:
            widgets.empty_state()
        else:
            listed = found.rows.drop(columns=[c for c in ("id",) if c in found.rows])
            reportkit.table(listed)
            reportkit.download(listed, "khach_hang_phan_khuc", key="dl_members")
        # Through drill.go like a chart click: a link would leave the list's widgets as
        # this session last set them (another drill's dates), narrowing the segment.
        if nav.may_open(scope, "pages/customers.py") and st.button(
                t("segments.open_list"), icon=":material/group:", key="seg_open_list"):
            to_list.go(drill)
