"""`crm report … --format table` reads like the pages: money as `1.827.556.000 ₫`, counts as
integers, never scientific notation; `crm report … | head -1` ends quietly; unknown profit
(no cost known) is empty / null / "—" in every report, never 0."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import update

from crm_data.cli import main
from crm_data.domain import formatting
from crm_data.reports.overview import KPI_KEYS, MONEY_KPIS
from crm_data.sample import ensure_demo_users
from crm_data.storage.models import Order
from crm_data.summaries import rebuild_all
from tests.conftest import ROOT

SCIENTIFIC = re.compile(r"\d\.\d+e[+-]\d+", re.IGNORECASE)
EVERY = {
    "overview": [], "new-customers": [], "revenue": [], "segments": ["--by", "region"],
    "funnel": [], "journey": [], "retention": [], "churn": [], "cohorts": [],
    "top-customers": [],
}


def run(capsys, url, *args) -> tuple[int, str, str]:
    code = main(["report", *args, "--database-url", url])
    out = capsys.readouterr()
    return code, out.out, out.err


def _table_rows(text: str) -> dict[str, list[str]]:
    """First cell → the other cells of each line (cells are separated by 2+ spaces)."""
    rows = {}
    for line in text.splitlines()[2:]:
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize("name", list(EVERY))
def test_no_report_prints_scientific_notation_or_float_counts(seeded_url, capsys, name, backend):
    code, out, err = run(capsys, seeded_url, name, *EVERY[name], "--period", "this_year")
    assert code == 0, err
    assert not SCIENTIFIC.search(out), out
    assert not re.search(r"\b\d+\.0\b", out), out  # counts as integers, not 12.0


def test_overview_table_reads_like_the_page(seeded_url, capsys, backend):
    code, out, _ = run(capsys, seeded_url, "overview", "--period", "this_year", "--format", "json")
    kpis = json.loads(out)["kpis"]
    code, out, err = run(capsys, seeded_url, "overview", "--period", "this_year")
    assert code == 0, err
    rows = _table_rows(out)
    assert set(KPI_KEYS) <= set(rows)
    for key in KPI_KEYS:
        value = kpis[key]
        if key in MONEY_KPIS:
            expected = formatting.vnd(value)
        elif key == "repeat_rate":
            expected = formatting.percent(value)
        else:
            expected = formatting.number(value)
        assert rows[key][0] == expected.replace("\xa0", " "), (key, rows[key])
    assert rows["revenue"][0].endswith("₫") and "." in rows["revenue"][0]


@pytest.mark.parametrize("name", ["overview", "revenue", "top-customers"])
def test_report_piped_into_head_ends_quietly(seeded_url, name, backend):
    env = dict(os.environ, CRM_DATABASE_URL=seeded_url, PYTHONPATH=str(ROOT))
    # Many rows so that the pipe is closed while the report is still writing.
    cmd = (f"{sys.executable} -m crm_data.cli report {name} --period last_12m --granularity day "
           f"--limit 5000 --format csv | head -1")
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_broken_pipe_in_main_is_quiet(seeded_url, monkeypatch, capsys, backend):
    class Closed(io.StringIO):
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):  # main() points the descriptor at /dev/null: give it a real one
            return self._fd

    closed = Closed()
    read_fd, write_fd = os.pipe()
    closed._fd = write_fd
    monkeypatch.setattr(sys, "stdout", closed)
    try:
        code = main(["report", "overview", "--database-url", seeded_url])
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert code == 141  # 128 + SIGPIPE, as a shell reports a command ended by a closed pipe
    assert "Traceback" not in capsys.readouterr().err


def _without_costs(url: str) -> None:
    from crm_data.storage.db import make_engine

    engine = make_engine(url)
    ensure_demo_users(engine)
    with engine.begin() as conn:
        conn.execute(update(Order).values(cost=None))
    rebuild_all(engine)
    engine.dispose()


def test_unknown_profit_is_empty_everywhere(db_url, capsys, backend):
    """Orders imported without a cost column: profit is unknown, in every report alike."""
    assert main(["import", "orders", str(ROOT / "sample_data" / "mau_nhap_don_hang.csv"),
                 "--database-url", db_url, "--create-missing-customers", "--quiet"]) == 0
    capsys.readouterr()
    _without_costs(db_url)
    common = ("--from", "2026-01-01", "--to", "2026-11-20")

    _, out, _ = run(capsys, db_url, "overview", *common, "--format", "json")
    assert json.loads(out)["kpis"]["profit"] is None
    _, out, _ = run(capsys, db_url, "revenue", *common, "--format", "json")
    doc = json.loads(out)
    assert any(r["orders"] for r in doc["rows"])
    assert all(r["profit"] is None for r in doc["rows"])
    assert doc["total"]["profit"] is None
    _, out, _ = run(capsys, db_url, "top-customers", *common, "--format", "json")
    top = json.loads(out)["rows"]
    assert top and all(r["total_profit"] is None for r in top)

    _, out, _ = run(capsys, db_url, "revenue", *common, "--format", "csv")
    assert {r["profit"] for r in csv.DictReader(io.StringIO(out))} == {""}
    _, out, _ = run(capsys, db_url, "top-customers", *common, "--format", "csv")
    assert {r["total_profit"] for r in csv.DictReader(io.StringIO(out))} == {""}
    for name in ("overview", "revenue", "top-customers"):
        _, out, _ = run(capsys, db_url, name, *common)
        assert "NaN" not in out and "<NA>" not in out and "None" not in out, out
    _, out, _ = run(capsys, db_url, "overview", *common)
    assert _table_rows(out)["profit"][0] == "—"
    _, out, _ = run(capsys, db_url, "revenue", *common)
    header = re.split(r"\s{2,}", out.splitlines()[1].strip())
    profit_col = header.index("profit")
    for cells in _table_rows(out).values():
        assert [header[0], *cells][profit_col] == "—"


def test_unknown_profit_on_the_revenue_page(db_url, capsys, backend):
    assert main(["import", "orders", str(ROOT / "sample_data" / "mau_nhap_don_hang.csv"),
                 "--database-url", db_url, "--create-missing-customers", "--quiet"]) == 0
    capsys.readouterr()
    _without_costs(db_url)
    from crm_data.i18n import t
    from tests.apptest import database, run_page

    at = run_page(db_url, "pages/revenue.py", "admin")
    with database(db_url):
        at.selectbox(key="period").set_value("this_year").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown[t("kpi.profit")] == "—"
    assert shown[t("kpi.revenue")] != "—"
