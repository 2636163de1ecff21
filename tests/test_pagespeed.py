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
