"""`crm report NAME` for the report pages: every name in every format, and the documented
contracts of `revenue --format json` and `top-customers --format csv`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from crm_data.accounts.scope import SYSTEM
from crm_data.cli import main
from crm_data.domain.periods import Period
from crm_data.reports import revenue

NAMES = {
    "revenue": [], "segments": ["--by", "region"], "funnel": [], "journey": [], "retention": [],
    "churn": [], "cohorts": [], "top-customers": [],
}


def run(capsys, url, *args) -> tuple[int, str, str]:
    code = main(["report", *args, "--database-url", url])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("name", list(NAMES))
def test_every_report_in_every_format(seeded_url, capsys, name, fmt, backend):
    code, out, err = run(capsys, seeded_url, name, *NAMES[name], "--from", "2026-01-01",
                         "--to", "2026-11-20", "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        doc = json.loads(out)
        assert doc["report"] == name and doc["rows"]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) > 1 and len(rows[0]) > 1
    else:
        assert out.startswith(f"{name}: 01/01/2026 – 20/11/2026")


def test_revenue_json_one_row_per_month(seeded, seeded_url, capsys, backend):
    code, out, _ = run(capsys, seeded_url, "revenue", "--granularity", "month", "--format", "json",
                       "--from", "2025-06-01", "--to", "2026-11-20")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [r["bucket"][:7] for r in rows] == \
        [f"{y}-{m:02d}" for y, m in [(2025, m) for m in range(6, 13)] + [(2026, m) for m in range(1, 12)]]
    assert all({"revenue", "orders", "buyers"} <= set(r) for r in rows)
    exp = revenue.by_bucket(seeded, SYSTEM, Period(dt.date(2025, 6, 1), dt.date(2026, 11, 20)), "month")
    assert [r["revenue"] for r in rows] == [int(v) for v in exp["revenue"]]
    assert [r["buyers"] for r in rows] == [int(v) for v in exp["buyers"]]


def test_revenue_json_zero_rows_for_empty_months(db_url, capsys, backend):
    code, out, _ = run(capsys, db_url, "revenue", "--granularity", "month", "--format", "json",
                       "--from", "2026-01-01", "--to", "2026-03-31")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [(r["revenue"], r["orders"], r["buyers"]) for r in rows] == [(0, 0, 0)] * 3


def test_top_customers_csv_columns(seeded_url, capsys, backend):
    code, out, _ = run(capsys, seeded_url, "top-customers", "--format", "csv", "--limit", "10")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 10
    for col in ("code", "orders", "first_order_date", "last_order_date", "total_spend",
                "days_since_last_order", "r_score", "f_score", "m_score"):
        assert col in rows[0], col
    spends = [int(r["total_spend"]) for r in rows]
    assert spends == sorted(spends, reverse=True)


def test_segments_two_dimensions_and_errors(seeded_url, capsys, backend):
    code, out, _ = run(capsys, seeded_url, "segments", "--by", "region", "--by", "tier", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["by"] == ["region", "tier"]
    assert sum(r["customers"] for r in doc["rows"]) == doc["customers"]
    code, _, err = run(capsys, seeded_url, "segments")
    assert code == 2 and "--by" in err
    code, _, err = run(capsys, seeded_url, "segments", "--by", "password_hash")
    assert code == 2 and "unknown dimension" in err


def test_funnel_split_and_churn_days(seeded_url, capsys, backend):
    code, out, _ = run(capsys, seeded_url, "funnel", "--by", "source", "--format", "json",
                       "--period", "last_12m")
    assert code == 0
    doc = json.loads(out)
    assert doc["split"] == "source" and "lost_reasons" in doc
    code, out90, _ = run(capsys, seeded_url, "churn", "--churn-days", "90", "--format", "json",
                         "--period", "last_12m")
    code2, out180, _ = run(capsys, seeded_url, "churn", "--format", "json", "--period", "last_12m")
    assert code == code2 == 0
    assert json.loads(out90)["churn_days"] == 90 and json.loads(out180)["churn_days"] == 180
    assert json.loads(out90)["total"] != json.loads(out180)["total"]
