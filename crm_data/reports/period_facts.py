"""Aggregates of a fact table over several periods in one statement, a period at a time: a
UNION ALL of the periods (constant rows) joined to the table's date range, grouped by period,
then turned into one row (period-major, as FILTERed aggregates over `date in p1 OR p2 OR …`
would give).

Why: under a filter the Overview reads three periods at once. With the OR, SQLite reads the
three ranges as a MULTI-INDEX OR (every row id kept in a set to drop duplicates) and evaluates
every FILTER of every period on every row; joined to the periods each range is a plain
index range whose rows feed only their own period's aggregates (S, a region: the orders part
~60 → ~25 ms). Used on SQLite only: PostgreSQL keeps the OR statement (its plans were not re-measured)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, Select, and_, func, literal, select, union_all

from crm_data.domain.periods import Period


def one_row(periods: list[Period], date_col, as_dt: bool, where: list, measures: list) -> Select:
    """One row: for each period, each of `measures` — (aggregate over the fact rows, value when
    the period has no row or None to keep NULL). `where`: the other conditions on the rows."""
    kind = DateTime if as_dt else Date
    bounds = [(p.start, p.end_exclusive) for p in periods]
    if as_dt:
        bounds = [(dt.datetime.combine(lo, dt.time()), dt.datetime.combine(hi, dt.time()))
                  for lo, hi in bounds]
    # A UNION ALL of constant rows: SQLite's VALUES takes no column names in FROM.
    p = union_all(*[select(literal(i, Integer).label("i"), literal(lo, kind).label("lo"),
                           literal(hi, kind).label("hi")) for i, (lo, hi) in enumerate(bounds)]) \
        .subquery("periods")
    labels = [f"m{k}" for k in range(len(measures))]
    g = (select(p.c.i, *[agg.label(lb) for (agg, _), lb in zip(measures, labels, strict=True)])
         .select_from(p.join(date_col.table, and_(date_col >= p.c.lo, date_col < p.c.hi)))
         .where(*where).group_by(p.c.i).subquery("per_period"))
    cols = []
    for i in range(len(periods)):
        for (_, empty), lb in zip(measures, labels, strict=True):
            v = func.max(g.c[lb]).filter(g.c.i == i)
            cols.append(v if empty is None else func.coalesce(v, empty))
    return select(*cols).select_from(g)

