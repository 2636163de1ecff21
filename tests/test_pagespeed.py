"""Report pages' script runs: what keeps them fast (issue 16, "Budgets")."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_full_garbage_collection_after_every_script_run():
    # Streamlit's default gc.collect() after each run cost a third to half of a report page's
    # run at 100,000 customers and delayed the finished run reaching the browser.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


# Amounts, counts and shares as the report tables hold them (ints, numpy, floats, halves).
_VALUES = [0, 1, -1, 7, 999, 1000, 1234567, -987654321, 12345678901, 0.5, 1.5, 2.5, 1234.5678,
           -0.049, 0.0005, 0.1234, 1.0, 99.95]


def test_formatting_is_babels_own_output():
    import datetime as dt

    import numpy as np
    from babel.dates import format_date
    from babel.numbers import format_currency, format_decimal, format_percent

    from crm_data.domain import formatting

    values = _VALUES + [np.int64(1234567), np.float64(0.375)]
    for lg, loc in formatting.LOCALES.items():
        for v in values:
            for digits in (0, 1, 2):
                fmt = "#,##0" + ("." + "0" * digits if digits else "")
                assert formatting.number(v, lg, digits) == format_decimal(v, format=fmt, locale=loc)
                assert formatting.percent(v, lg, digits) == format_percent(v, format=fmt + "%", locale=loc)
        assert formatting.date(dt.date(2026, 2, 3), lg) == format_date(dt.date(2026, 2, 3), "dd/MM/yyyy", locale=loc)
    for v in values:
        assert formatting.vnd(v, "vi") == format_currency(round(v), "VND", locale="vi_VN",
                                                          format_type="standard", currency_digits=True)


def test_formatting_parses_the_locale_once_not_per_value(monkeypatch):
    # Parsing the locale and the pattern for every cell was two thirds of the formatting time
    # of a 500-row table (Retention's at-risk list).
    from babel import Locale

    from crm_data.domain import formatting

    calls = []
    real = Locale.parse.__func__
    def parse(cls, identifier, *args, **kwargs):
        if isinstance(identifier, str):  # a Locale object passes straight through
            calls.append(identifier)
        return real(cls, identifier, *args, **kwargs)

    monkeypatch.setattr(Locale, "parse", classmethod(parse))
    formatting._loc.cache_clear()
    for v in range(200):
        formatting.number(v * 1000, "vi")
        formatting.vnd(v * 1000, "vi")
        formatting.percent(v / 200, "vi")
    assert len(calls) <= 3


def test_report_csv_is_made_when_fetched_not_on_every_run(monkeypatch):
    import pandas as pd

    from crm_ui import reportkit, widgets

    presented, buttons = [], []
    real_present = reportkit.present
    monkeypatch.setattr(reportkit, "present",
                        lambda df, lang, **kw: presented.append(kw) or real_present(df, lang, **kw))
    monkeypatch.setattr(widgets, "audited", lambda make, name, rows, what="report": (make, name, rows))
    monkeypatch.setattr(widgets.st, "download_button", lambda label, data, **kw: buttons.append(data))
    frame = pd.DataFrame({"bucket": ["2026-11-02", "2026-11-09"], "revenue": [1_500_000, 0]})
    reportkit.download(frame, "doanh_thu", key="dl", granularity="week")
    assert presented == []  # a page run formats nothing for the file
    make, name, rows = buttons[0]
    assert (name, rows) == ("doanh_thu.csv", 2)
    assert b"1500000" in make() and presented[0]["csv"] is True


def test_report_charts_are_built_as_dicts_without_graph_objects(seeded_url, backend, monkeypatch):
    # graph_objects validated and path-parsed every property on every run ("title_text",
    # update_yaxes(secondary_y=…)): more time than the page's queries at 100,000 customers.
    import json

    import plotly.basedatatypes as bdt
    import pytest

    from tests.apptest import app, database, errors, open_tab

    if backend != "sqlite":
        pytest.skip("pages hold no SQL: one backend proves it")
    parsed = []
    real = bdt._str_to_dict_path_full
    monkeypatch.setattr(bdt, "_str_to_dict_path_full", lambda *a: parsed.append(a) or real(*a))
    with database(seeded_url):
        at = app(seeded_url, "manager")
        at.run()
        parsed.clear()  # the landing page: another test's business
        at.switch_page("pages/revenue.py").run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for tab in ("pareto", "segments"):  # the other charts' lazy tabs
        open_tab(at, seeded_url, "pages/revenue.py", tab)
        specs += [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert errors(at) == []
    assert len(specs) == 3 and parsed == []
    trend = specs[0]
    # the layout make_subplots gave: counts on a right-hand axis over the money axis
    assert trend["layout"]["yaxis2"]["overlaying"] == "y" and trend["layout"]["yaxis2"]["side"] == "right"
    assert {tr.get("yaxis") for tr in trend["data"]} == {None, "y2"}
    assert trend["layout"]["yaxis2"]["tickformat"] == ",d" and trend["layout"]["separators"] == ",."
    assert "template" in trend["layout"]  # Streamlit's theme, as a go.Figure carries it
