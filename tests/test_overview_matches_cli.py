"""The Overview page shows exactly the numbers of `crm report overview --format json`."""

import json

from crm_data.cli import main
from crm_data.domain import formatting
from crm_data.i18n import t
from crm_data.reports.overview import MONEY_KPIS
from tests.apptest import database, run_page


def _shown(key, value):
    if value is None:
        return "—"
    if key in MONEY_KPIS:
        return formatting.compact_money(value)
    if key == "repeat_rate":
        return formatting.percent(value)
    return formatting.number(value)


def test_overview_page_equals_cli_json(seeded_url, capsys, backend):
    for period in ("this_month", "this_year", "last_12m"):
        assert main(["report", "overview", "--format", "json", "--period", period,
                     "--database-url", seeded_url]) == 0
        kpis = json.loads(capsys.readouterr().out)["kpis"]
        at = run_page(seeded_url, "pages/overview.py", "admin")
        with database(seeded_url):
            at.selectbox(key="period").set_value(period).run()
        shown = {m.label: m.value for m in at.metric}
        for key, value in kpis.items():
            label = t(f"kpi.{key}")
            if label in shown:
                assert shown[label] == _shown(key, value), (period, key)
        assert shown[t("kpi.total_customers")] == formatting.number(kpis["total_customers"])
        assert shown[t("kpi.revenue")] == formatting.compact_money(kpis["revenue"])
        assert kpis["total_customers"] > 0


def test_overview_view_is_shareable_by_url(seeded_url, capsys, backend):
    """A link with period and filters opens the same numbers, and the page keeps the URL in
    the filter's canonical form (keys, not translated labels)."""
    assert main(["report", "overview", "--format", "json", "--period", "this_year",
                 "--filter", "regions=south&tiers=vip&tiers=regular",
                 "--database-url", seeded_url]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    at = run_page(seeded_url, "pages/overview.py", "manager", lang="en",
                  query={"period": "this_year", "regions": "south", "tiers": ["vip", "regular"]})
    shown = {m.label: m.value for m in at.metric}
    assert shown[t("kpi.new_customers", "en")] == formatting.number(kpis["new_customers"], "en")
    assert shown[t("kpi.orders", "en")] == formatting.number(kpis["orders"], "en")
    assert at.query_params["period"] == ["this_year"] or at.query_params["period"] == "this_year"
    assert sorted(at.query_params.get_all("tiers") if hasattr(at.query_params, "get_all")
                  else at.query_params["tiers"]) == ["regular", "vip"]
