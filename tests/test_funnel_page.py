"""The funnel page (issue 12, finding 2): the cohort view by default, reading the numbers of
crm_data.reports.funnel.cohort; the flow view selectable and labelled as such; median days
only with enough ended stays, otherwise "not enough data" instead of a chart of one bar."""

from __future__ import annotations

import json

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import preset
from crm_data.i18n import t
from crm_data.reports import funnel
from tests.apptest import auth_for, database, errors, run_page


def _funnel_trace(at):
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return next(tr for tr in spec["data"] if tr["type"] == "funnel")


def _scope(url, role):
    who = auth_for(url, role)
    return Scope(who["user_id"], who["username"], who["role"])


def test_cohort_view_is_the_default_and_draws_the_cohort(seeded_url, seeded, backend):
    at = run_page(seeded_url, "pages/funnel.py", "manager", query={"period": "this_year"})
    assert errors(at) == []
    assert at.segmented_control(key="view").value == "cohort"
    want = funnel.cohort(seeded, _scope(seeded_url, "manager"), preset("this_year"))
    main = want[want["stage"] != funnel.LOST]
    trace = _funnel_trace(at)
    assert [int(x) for x in _values(trace["x"])] == [int(n) for n in main["reached"]]
    assert any(t("funnel.cohort_caption", start="01/01/2026", end="20/11/2026") == c.value
               for c in at.caption)
    table = at.dataframe[0].value
    assert t("rcol.reached") in table.columns
    for text in table[t("rcol.conv_prev")]:  # no step above 100 %
        assert text == "—" or float(text.rstrip("%").replace(".", "").replace(",", ".")) <= 100


def test_flow_view_is_selectable_and_labelled(seeded_url, seeded, backend):
    at = run_page(seeded_url, "pages/funnel.py", "manager", query={"period": "this_year"})
    with database(seeded_url):
        at.segmented_control(key="view").set_value("flow").run()
    assert errors(at) == []
    assert t("funnel.view_flow") in at.segmented_control(key="view").options
    want = funnel.funnel(seeded, _scope(seeded_url, "manager"), preset("this_year"))
    main = want[want["stage"] != funnel.LOST]
    assert [int(x) for x in _values(_funnel_trace(at)["x"])] == [int(n) for n in main["entered"]]
    assert t("rcol.entered") in at.dataframe[0].value.columns
    assert any(c.value.startswith(t("funnel.caption", start="01/01/2026", end="20/11/2026")[:20])
               for c in at.caption)


def test_median_needs_enough_stays(seeded_url, seeded, backend):
    # The last week: a handful of leads, most still in their first stage.
    at = run_page(seeded_url, "pages/funnel.py", "manager", query={"period": "this_week"})
    assert errors(at) == []
    want = funnel.cohort(seeded, _scope(seeded_url, "manager"), preset("this_week"))
    few = want[(want["durations"] < funnel.MIN_DURATIONS) & ~want["stage"].isin(("won", "lost"))]
    assert not few.empty, "the sample's last week has stages with too few stays"
    table = at.dataframe[0].value
    medians = list(table[t("rcol.median_days")])
    for i in few.index:
        assert medians[i] == t("funnel.not_enough"), (want.loc[i, "stage"], medians[i])
    if (want["durations"] >= funnel.MIN_DURATIONS).sum() == 0:
        assert any(t("funnel.median_not_enough", n=funnel.MIN_DURATIONS) == i.value for i in at.info)
    else:  # the median chart draws only the stages with enough stays
        spec = json.loads(at.get("plotly_chart")[1].proto.spec)
        drawn = [x for tr in spec["data"] for x in tr["x"]]
        assert len(drawn) == int((want["durations"] >= funnel.MIN_DURATIONS).sum())


def test_no_median_chart_of_one_bar_at_zero(seeded_url, backend):
    """A custom day with a single lead: "not enough data", not an empty chart."""
    at = run_page(seeded_url, "pages/funnel.py", "manager",
                  query={"period": "custom", "from": "2026-11-20", "to": "2026-11-20"})
    assert errors(at) == []
    charts = at.get("plotly_chart")
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        for tr in spec["data"]:
            if tr["type"] == "bar" and tr.get("name") == t("rcol.median_days"):
                raise AssertionError("median chart drawn from too few stays")
    assert any(t("funnel.median_not_enough", n=funnel.MIN_DURATIONS) == i.value for i in at.info) \
        or any(i.value == t("common.no_data") for i in at.info)


def _values(x):
    """Plotly JSON may hold a typed array ({"dtype", "bdata"}) instead of a list."""
    if isinstance(x, dict) and "bdata" in x:
        import base64

        import numpy as np

        return list(np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"])))
    return x


def test_split_by_period_names_the_partial_weeks(seeded_url, backend):
    at = run_page(seeded_url, "pages/funnel.py", "manager",
                  query={"period": "this_quarter", "gran": "week"})
    with database(seeded_url):
        at.segmented_control(key="split").set_value("period").run()
    assert errors(at) == []
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [tr["name"] for tr in spec["data"]]
    partial = [n for n in names if t("partial.week") in n]
    assert partial == [f"28/09/2026 ({t('partial.week')})", f"16/11/2026 ({t('partial.week')})"]
    assert t("funnel.split_created") in at.segmented_control(key="split").options


def test_view_and_split_are_keys_in_the_url(seeded_url, backend):
    at = run_page(seeded_url, "pages/funnel.py", "manager", lang="en")
    with database(seeded_url):
        at.segmented_control(key="view").set_value("flow").run()
        at.segmented_control(key="split").set_value("source").run()
    assert at.query_params["view"] in ("flow", ["flow"])
    assert at.query_params["split"] in ("source", ["source"])
    again = run_page(seeded_url, "pages/funnel.py", "manager", query={"view": "flow", "split": "owner"})
    assert again.segmented_control(key="view").value == "flow"
    assert again.segmented_control(key="split").value == "owner"
    assert errors(again) == []
