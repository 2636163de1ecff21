"""The sample files in sample_data/ (khach_hang_mau / don_hang_mau, CSV and XLSX) import
cleanly through the CLI and through the page."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.cli import main
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_data"


def _need(*names: str):
    missing = [n for n in names if not (SAMPLES / n).is_file()]
    if missing:
        pytest.skip(f"sample files not there yet: {', '.join(missing)}")


def _count(engine, table: str) -> int:
    return int(pd.read_sql(f"select count(*) as n from {table}", engine)["n"][0])  # noqa: S608


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_sample_files_import_cleanly_through_the_cli(db_url, engine, ext, capsys):
    _need(f"khach_hang_mau.{ext}", f"don_hang_mau.{ext}")
    for kind, name in (("customers", "khach_hang_mau"), ("orders", "don_hang_mau")):
        code = main(["import", kind, str(SAMPLES / f"{name}.{ext}"), "--database-url", db_url,
                     "--quiet", "--lang", "en"])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert "Rejected" not in out.out and "Skipped" not in out.out, out
    customers = _count(engine, "customers")
    assert customers > 0 and _count(engine, "orders") > 0
    assert _count(engine, "customer_stats") == customers


def test_sample_xlsx_imports_through_the_page(db_url, engine):
    _need("khach_hang_mau.xlsx")
    from crm_data.sample import ensure_demo_users
    from tests.apptest import app, database, errors

    ensure_demo_users(engine)
    data = (SAMPLES / "khach_hang_mau.xlsx").read_bytes()
    with database(db_url):
        at = app(db_url, "admin")
        at.run()
        at.switch_page("pages/import.py")
        at.run()
        at.file_uploader(key="import_file").set_value(("khach_hang_mau.xlsx", data, "x"))
        at.run()
        assert errors(at) == [] and not at.warning
        at.button(key="import_run").click()
        at.run()
        assert errors(at) == [] and at.success
    assert _count(engine, "customers") > 0
