"""A click on a chart mark (a Plotly selection in session state, as the browser sends it)
switches to the customer list with the mark's filter in the URL, and the list counts what
the mark shows — on every report chart that stands for customers. The viewer gets no click;
staff land on their own customers only."""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pytest

from crm_data.accounts.scope import Scope
from crm_data.customers import drill as marks
from crm_data.customers.listing import count_customers
from crm_data.domain.clock import today
from crm_data.domain.formatting import number
from crm_data.domain.periods import preset
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import funnel, overview, retention, revenue, segments
from crm_data.reports.customer_trend import customers_by_bucket
from crm_data.storage.db import make_engine
from tests.apptest import auth_for, database, errors, run_page

QUERY = {"period": "this_year", "gran": "month"}


def _scope(url: str, role: str) -> Scope:
    a = auth_for(url, role)
    return Scope(a["user_id"], a["username"], a["role"])


def _array(v):
    """A Plotly JSON array: a list, or {"dtype", "bdata"(, "shape")} (base64)."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(x) for x in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v)


def figure(at, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def shown(at, key: str, curve: int, i: int, axis: str = "y") -> float:
    """The number a chart mark shows (from the figure the page drew)."""
    return float(_array(figure(at, key)["data"][curve][axis])[i])


def period_of(at):
    return preset(at.session_state["period"])


def open_page(url: str, page: str, role: str, query=QUERY, tab: str | None = None, **widgets):
    """The page as `role`, with widget values set as a user would (the period kept in
    the session, whatever the page's default); `tab`: a report page's tab, from the URL."""
    at = run_page(url, page, role, query={**query, "tab": tab} if tab else query)
    with database(url):
        for key, value in {"period": query.get("period", "this_year"), **widgets}.items():
            at.session_state[key] = value
        at.run()
    assert errors(at) == []
    return at


def click(at, url: str, key: str, curve: int, i: int):
    with database(url):
        at.session_state[key] = {"selection": {"points": [
            {"curve_number": curve, "point_index": i, "point_number": i}], "box": [], "lasso": []}}
        at.run()
    assert errors(at) == []
    return at


def landed(at, url: str, role: str) -> tuple[CustomerFilter, int]:
    """The filter in the URL of the customers page the click switched to, and its count
    (checked against the page's own total caption)."""
    assert at.title and at.title[0].value == "Danh sách khách hàng"
    flt = CustomerFilter.from_query(dict(at.query_params))
    eng = make_engine(url)
    n = count_customers(eng, _scope(url, role), flt)
    eng.dispose()
    assert at.caption[0].value.startswith(f"{number(n, 'vi')} khách hàng phù hợp"), at.caption[0].value
    return flt, n


@pytest.mark.parametrize("role", ["manager", "staff"])
@pytest.mark.parametrize("curve,measure", [(0, "new_customers"), (1, "first_time_buyers"), (2, "buyers")])
def test_overview_customer_bar(seeded_url, seeded, role, curve, measure, backend):
    at = open_page(seeded_url, "pages/overview.py", role)
    period = period_of(at)
    bars = customers_by_bucket(seeded, _scope(seeded_url, role), period, at.session_state["gran"])
    i = int(bars[measure].to_numpy().argmax())
    value = shown(at, "customer_bars", curve, i)
    assert value == int(bars[measure].iloc[i]) > 0
    flt, n = landed(click(at, seeded_url, "customer_bars", curve, i), seeded_url, role)
    assert n == value
    assert flt == marks.trend_bucket(CustomerFilter(), period, at.session_state.get("gran", "month"),
                                     bars["bucket"].iloc[i], measure)


def test_overview_revenue_bar_leads_to_buyers(seeded_url, seeded, backend):
    at = open_page(seeded_url, "pages/overview.py", "manager")
    trend = overview.trend(seeded, _scope(seeded_url, "manager"), period_of(at), at.session_state["gran"])
    assert shown(at, "trend", 0, 2) == trend["revenue"].iloc[2]
    _flt, n = landed(click(at, seeded_url, "trend", 0, 2), seeded_url, "manager")
    assert n == int(trend["buyers"].iloc[2]) > 0


def test_funnel_stage(seeded_url, backend):
    """The cohort view (the default): the period's leads who reached the stage or a later one."""
    at = open_page(seeded_url, "pages/funnel.py", "manager")
    value = shown(at, "funnel", 0, 1, "x")
    flt, n = landed(click(at, seeded_url, "funnel", 0, 1), seeded_url, "manager")
    assert flt.pipeline_reached == funnel.STAGES[1:] and flt.created_from is not None
    assert n == value > 0


def test_funnel_stage_flow_view(seeded_url, backend):
    at = open_page(seeded_url, "pages/funnel.py", "manager", view="flow")
    value = shown(at, "funnel", 0, 1, "x")
    flt, n = landed(click(at, seeded_url, "funnel", 0, 1), seeded_url, "manager")
    assert flt.stage_next == funnel.STAGES[1] and n == value > 0


def test_funnel_split_bar(seeded_url, backend):
    at = open_page(seeded_url, "pages/funnel.py", "manager", split="lead_grade")
    value = shown(at, "funnel_split", 1, 1)
    at = click(at, seeded_url, "funnel_split", 1, 1)
    # The grade pills bind the URL in their translated labels (as the stage pills do), so
    # the landing filter is read from the widget, not parsed from the URL.
    assert at.title[0].value == "Danh sách khách hàng" and len(at.session_state["lead_grades"]) == 1
    assert at.caption[0].value.startswith(f"{number(int(value), 'vi')} khách hàng phù hợp") and value > 0


def test_journey_stage(seeded_url, backend):
    at = open_page(seeded_url, "pages/journey.py", "staff")
    value = shown(at, "dist", 0, 1)
    flt, n = landed(click(at, seeded_url, "dist", 0, 1), seeded_url, "staff")
    assert len(flt.lifecycle_stages) == 1 and n == value > 0


def test_journey_stage_over_time(seeded_url, backend):
    at = open_page(seeded_url, "pages/journey.py", "manager", period="last_12m")
    spec = figure(at, "over_time")
    curve = len(spec["data"]) - 1
    i = int(_array(spec["data"][curve]["y"]).argmax())
    value = shown(at, "over_time", curve, i)
    flt, n = landed(click(at, seeded_url, "over_time", curve, i), seeded_url, "manager")
    assert flt.lifecycle_on is not None and n == value > 0


def test_sankey_link_picked(seeded_url, backend):
    at = open_page(seeded_url, "pages/journey.py", "manager")
    value = float(_array(figure(at, "sankey")["data"][0]["link"]["value"])[0])
    with database(seeded_url):
        at.selectbox(key="sankey_pick").set_value(0).run()
        at.button(key="sankey_open").click().run()
    assert errors(at) == []
    flt, n = landed(at, seeded_url, "manager")
    assert flt.stage_kind == "lifecycle" and n == value > 0


def test_recency_band(seeded_url, backend):
    at = open_page(seeded_url, "pages/retention.py", "manager")
    value = shown(at, "recency", 0, 5)
    flt, n = landed(click(at, seeded_url, "recency", 0, 5), seeded_url, "manager")
    assert flt.has_purchased is False and n == value > 0  # the "never bought" band


def test_churn_bar(seeded_url, backend):
    at = open_page(seeded_url, "pages/retention.py", "manager")
    # trace 0: the whole weeks (a cut week is a gap there, drawn by its own trace)
    i = int(np.nanargmax(_array(figure(at, "churn")["data"][0]["y"]).astype(float)))
    value = shown(at, "churn", 0, i)
    _flt, n = landed(click(at, seeded_url, "churn", 0, i), seeded_url, "manager")
    assert n == value > 0


def test_cohort_cell(seeded_url, seeded, backend):
    at = open_page(seeded_url, "pages/retention.py", "manager", tab="cohorts")
    coh = retention.cohort_counts(seeded, _scope(seeded_url, "manager"), period_of(at))
    z = _array(figure(at, "cohorts")["data"][0]["z"]).astype(float)
    cells = [(i, j) for i in range(z.shape[0]) for j in range(z.shape[1]) if z[i][j] == z[i][j]]
    pick = next(k for k, (i, j) in enumerate(cells) if j == 1)  # the first cohort, a month on
    i, j = cells[pick]
    flt, n = landed(click(at, seeded_url, "cohorts", 1, pick), seeded_url, "manager")
    assert flt.first_order_from == coh["cohort"].iloc[i]
    assert n == int(coh[f"m{j}"].iloc[i]) == round(z[i][j] * int(coh["size"].iloc[i]))


def test_revenue_pareto_point(seeded_url, seeded, backend):
    at = open_page(seeded_url, "pages/revenue.py", "manager", tab="pareto")
    par = revenue.pareto(seeded, _scope(seeded_url, "manager"), None)
    i = int((par["customer_share"] >= 0.2).to_numpy().argmax())
    assert shown(at, "pareto", 0, i, "x") == par["customer_share"].iloc[i]
    _flt, n = landed(click(at, seeded_url, "pareto", 0, i), seeded_url, "manager")
    assert n == int(par["customers"].iloc[i]) > 0


def test_revenue_segment_bar(seeded_url, seeded, backend):
    at = open_page(seeded_url, "pages/revenue.py", "manager", tab="segments")
    seg = segments.segment_counts(seeded, _scope(seeded_url, "manager"), period_of(at), "tier")
    assert shown(at, "by_segment", 0, 0) == seg["revenue"].iloc[0]
    flt, n = landed(click(at, seeded_url, "by_segment", 0, 0), seeded_url, "manager")
    assert flt.tiers == (seg["value"].iloc[0],) and n == int(seg["customers"].iloc[0])


def test_revenue_trend_bar(seeded_url, seeded, backend):
    at = open_page(seeded_url, "pages/revenue.py", "manager")
    trend = revenue.by_bucket(seeded, _scope(seeded_url, "manager"), period_of(at), at.session_state["gran"])
    i = int(trend["buyers"].to_numpy().argmax())
    line = len(figure(at, "trend")["data"]) - 1  # after the bars (and their cut-bucket twins)
    assert shown(at, "trend", line, i) == trend["buyers"].iloc[i]  # the buyers line
    _flt, n = landed(click(at, seeded_url, "trend", 1, i), seeded_url, "manager")  # a bar
    assert n == int(trend["buyers"].iloc[i]) > 0


def test_viewer_gets_no_click(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "viewer", query=QUERY)
    assert errors(at) == []
    specs = [c.proto for c in at.get("plotly_chart")]
    assert specs and all(not s.selection_mode for s in specs)  # no chart offers a selection
    with database(seeded_url):
        at.run()
    assert at.title[0].value != "Danh sách khách hàng"


def test_list_shows_and_drops_the_chart_condition(seeded_url, backend):
    flt = CustomerFilter(bought_from=today() - dt.timedelta(days=30), bought_to=today())
    at = run_page(seeded_url, "pages/customers.py", "manager", query=flt.to_query())
    assert errors(at) == []
    _flt, n = landed(at, seeded_url, "manager")
    eng = make_engine(seeded_url)
    everyone = count_customers(eng, _scope(seeded_url, "manager"), CustomerFilter())
    eng.dispose()
    assert 0 < n < everyone
    assert any("Lọc từ biểu đồ" in m.value for m in at.markdown)
    with database(seeded_url):
        at.button(key="drill_clear").click().run()
    assert "bought_from" not in at.query_params
    assert at.caption[0].value.startswith(f"{number(everyone, 'vi')} khách hàng phù hợp")


def test_churn_reason_bar(seeded_url, backend):
    at = open_page(seeded_url, "pages/retention.py", "manager")
    value = shown(at, "reasons", 0, 0, "x")  # the most frequent reason
    flt, n = landed(click(at, seeded_url, "reasons", 0, 0), seeded_url, "manager")
    assert flt.churn_reason and flt.churn_reason_days == 180 and flt.last_order_to is not None
    assert n == value > 0
    # the list says why in words, not the raw key
    banner = next(m.value for m in at.markdown if "Lọc từ biểu đồ" in m.value)
    assert "lý do rời bỏ" in banner and flt.churn_reason not in banner


@pytest.mark.parametrize("view", ["cohort", "flow"])
def test_lost_reason_bar(seeded_url, view, backend):
    at = open_page(seeded_url, "pages/funnel.py", "manager", view=view)
    spec = figure(at, "lost")
    i = len(_array(spec["data"][0]["x"])) - 1  # the least frequent reason
    value = shown(at, "lost", 0, i, "x")
    flt, n = landed(click(at, seeded_url, "lost", 0, i), seeded_url, "manager")
    assert (flt.lost_reason_now if view == "cohort" else flt.stage_reason)
    assert n == value > 0
    banner = next(m.value for m in at.markdown if "Lọc từ biểu đồ" in m.value)
    reason = flt.lost_reason_now or flt.stage_reason
    assert "lý do" in banner and reason not in banner  # the reason in words


def test_lost_reason_bar_staff_sees_own(seeded_url, seeded, backend):
    at = open_page(seeded_url, "pages/funnel.py", "staff")
    lost = funnel.cohort_lost_reasons(seeded, _scope(seeded_url, "staff"), period_of(at))
    assert shown(at, "lost", 0, 0, "x") == lost["count"].iloc[0]
    _flt, n = landed(click(at, seeded_url, "lost", 0, 0), seeded_url, "staff")
    assert n == int(lost["count"].iloc[0]) > 0


def test_segment_list_is_the_segment_after_another_drill(seeded_url, seeded, backend):
    """The list's date widgets still hold an earlier drill's range: opening a segment's
    list drops them (a plain link kept them and narrowed the segment)."""
    stale = CustomerFilter(created_from=dt.date(2026, 10, 1), created_to=today())
    at = run_page(seeded_url, "pages/customers.py", "manager", query=stale.to_query())
    assert errors(at) == [] and at.session_state["created_from"] == stale.created_from
    with database(seeded_url):
        at.switch_page("pages/segments.py")
        at.query_params.clear()
        at.run()
        at.selectbox(key="pick1").select_index(1).run()
        assert errors(at) == []
        seg = segments.segment_counts(seeded, _scope(seeded_url, "manager"), period_of(at),
                                      at.session_state["by"])
        at.button(key="seg_open_list").click().run()
    assert errors(at) == []
    flt, n = landed(at, seeded_url, "manager")
    assert flt.created_from is None
    assert n == int(seg["customers"].iloc[0]) > 0
