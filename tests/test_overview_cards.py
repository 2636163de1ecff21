"""Overview cards (issue 12, finding 4): each card shows its value, the change against the
previous period and the change against the same period last year — both on the card, not in
a tooltip — with the numbers of `crm report overview`; interactions are a card too. The
trend marks the weeks only partly inside the period (finding 10)."""

from __future__ import annotations

import json

from crm_data.cli import main
from crm_data.domain import formatting
from crm_data.domain.periods import partial_buckets, preset
from crm_data.i18n import t
from crm_data.reports.overview import KPI_KEYS, MONEY_KPIS
from tests.apptest import database, run_page


def _shown(key, value):
    if value is None:
        return "—"
    if key in MONEY_KPIS:
        return formatting.compact_money(value)
    if key == "repeat_rate":
        return formatting.percent(value)
    return formatting.number(value)


def test_cards_show_change_vs_previous_and_last_year(seeded_url, capsys, backend):
    assert main(["report", "overview", "--format", "json", "--period", "this_year",
                 "--database-url", seeded_url]) == 0
    doc = json.loads(capsys.readouterr().out)
    at = run_page(seeded_url, "pages/overview.py", "manager", query={"period": "this_year"})
    metrics = {m.label: m for m in at.metric}
    ly_lines = [c.value for c in at.caption if t("common.prev_year") in c.value]
    prev_lines = [c.value for c in at.caption if t("common.prev_period") in c.value]
    assert len(ly_lines) == len(prev_lines) == len(KPI_KEYS), "both changes on every card"
    for key, line, prev_line in zip(KPI_KEYS, ly_lines, prev_lines, strict=True):
        card = metrics[t(f"kpi.{key}")]  # interactions included
        cur, prev, ly = doc["kpis"][key], doc["previous"][key], doc["last_year"][key]
        assert card.value == _shown(key, cur), key
        assert f"({_shown(key, ly)})" in line, (key, line)
        assert f"({_shown(key, prev)})" in prev_line, (key, prev_line)
        if key == "repeat_rate":
            continue  # changes in percentage points
        if prev:
            assert formatting.percent((cur - prev) / abs(prev)) in prev_line, (key, prev_line)
        if ly:
            assert formatting.percent((cur - ly) / abs(ly)) in line, (key, line)
    assert metrics[t("kpi.interactions")].value == formatting.number(doc["kpis"]["interactions"])


def test_trend_marks_partial_weeks(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager",
                  query={"period": "this_quarter", "gran": "week"})
    cut = {formatting.date(c) for c in partial_buckets(preset("this_quarter"), "week")}
    assert len(cut) == 2  # the week of 01/10 and the week of today
    whole, partial = _bars(at)
    assert partial["name"] == f"{t('kpi.revenue')} – {t('partial.week')}", "a legend entry says so"
    assert partial["marker"]["pattern"]["shape"] == "/"
    assert {x for x, y in zip(partial["x"], _values(partial["y"]), strict=True) if y is not None} == cut
    assert {x for x, y in zip(whole["x"], _values(whole["y"]), strict=True) if y is None} == cut
    labels = whole["x"]
    assert labels[0] in cut and labels[-1] in cut and not cut & set(labels[1:-1])
    assert any(t("partial.week") in c.value for c in at.caption)
    with database(seeded_url):
        at.selectbox(key="period").set_value("last_quarter").run()
        at.selectbox(key="gran").set_value("month").run()
    whole, partial = _bars(at)
    assert partial is None and None not in _values(whole["y"])
    assert not any(t("partial.month") in c.value for c in at.caption)


def _bars(at):
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = [tr for tr in spec["data"] if tr["type"] == "bar"]
    return bars[0], (bars[1] if len(bars) > 1 else None)


def _values(y):
    """Plotly JSON may hold a typed array ({"dtype", "bdata"}) instead of a list."""
    if isinstance(y, dict) and "bdata" in y:
        import base64

        import numpy as np

        return [None if v != v else v for v in
                np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))]
    return y


def test_revenue_and_churn_trends_mark_partial_weeks(seeded_url, backend):
    """The same marking on the other weekly trends: revenue and churned customers."""
    cut = {formatting.date(c) for c in partial_buckets(preset("this_quarter"), "week")}
    for page in ("pages/revenue.py", "pages/retention.py"):
        at = run_page(seeded_url, page, "manager", query={"period": "this_quarter", "gran": "week"})
        charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        hatched = [tr for spec in charts for tr in spec["data"]
                   if tr["type"] == "bar" and t("partial.week") in (tr.get("name") or "")]
        assert hatched, page
        for tr in hatched:
            assert {x for x, y in zip(tr["x"], _values(tr["y"]), strict=True) if y is not None} <= cut
        assert any(t("partial.week") in c.value for c in at.caption), page
