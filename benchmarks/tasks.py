"""The non-page figures: summary rebuild (rules applied to every customer), the per-write
summary refresh, export and import of 100,000 rows. Each returns a result row."""

from __future__ import annotations

import time
from importlib import import_module

from sqlalchemy import Engine, select

from benchmarks.config import IMPORT_ROWS


def _row(name: str, seconds: float | None, rows: int | None = None, note: str = "",
         status: str = "ok") -> dict:
    return {"task": name, "status": status, "seconds": None if seconds is None else round(seconds, 3),
            "rows": rows, "note": note}


def _available(module: str, names: tuple[str, ...]) -> str | None:
    try:
        mod = import_module(module)
    except ImportError as exc:
        return f"not available yet: {exc}"
    missing = [n for n in names if not hasattr(mod, n)]
    return f"{module} has no {', '.join(missing)}" if missing else None


def summary_rebuild(engine: Engine, today) -> dict:
    """Every customer's figures, RFM scores, tier and groups recomputed (crm rebuild)."""
    from crm_data import summary

    started = time.perf_counter()
    count = summary.rebuild_all(engine, today)
    return _row("summary_rebuild", time.perf_counter() - started, count,
                "crm_data.summary.rebuild_all: rules applied to every customer")


def summary_refresh(engine: Engine, today, n: int = 1000) -> dict:
    """The per-write path: refresh_customers for n customers inside one unit of work."""
    from crm_data.db import unit_of_work
    from crm_data.models import Customer
    from crm_data.summary import refresh_customers

    with engine.connect() as conn:
        ids = list(conn.execute(select(Customer.id).order_by(Customer.id).limit(n)).scalars())
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        refresh_customers(session, ids, today)
    return _row(f"summary_refresh_{n}", time.perf_counter() - started, len(ids),
                "crm_data.summary.refresh_customers in one transaction")


def export_rows(engine: Engine, scope, tmpdir) -> dict:
    why = _available("crm_data.exports", ("export_customers",))
    if why:
        return _row("export_csv", None, None, why, "skipped")
    from crm_data import exports
    from crm_data.filters import CustomerFilter

    path = tmpdir / "export.csv"
    started = time.perf_counter()
    n = exports.export_customers(engine, scope, CustomerFilter(), "csv", path)
    elapsed = time.perf_counter() - started
    return _row("export_csv", elapsed, n,
                f"crm_data.exports.export_customers, every customer, CSV "
                f"{path.stat().st_size / 1e6:.1f} MB")


def import_rows(engine: Engine, scope, tmpdir) -> dict:
    why = _available("crm_data.imports", ("import_file",))
    if why:
        return _row(f"import_{IMPORT_ROWS}", None, None, why, "skipped")
    return _row(f"import_{IMPORT_ROWS}", None, None, "import_file landed: wire it here", "skipped")
