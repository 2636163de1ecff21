"""Time arithmetic that compiles the same on SQLite and PostgreSQL (see also
crm_data.periods.days_between for DATE − DATE in whole days)."""

from __future__ import annotations

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_diff(FunctionElement):
    """Fractional days from `start` to `end` (DATETIME or DATE columns)."""

    type = Float()
    inherit_cache = True
    name = "days_diff"


@compiles(days_diff, "postgresql")
def _days_diff_pg(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM (CAST({end} AS TIMESTAMP) - CAST({start} AS TIMESTAMP))) / 86400.0)"


@compiles(days_diff, "sqlite")
def _days_diff_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"
