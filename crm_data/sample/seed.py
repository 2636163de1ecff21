"""generate(): the order of the parts, their random streams, the bulk load, the summary rebuild."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, func, select

from crm_data import audit, summaries
from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM
from crm_data.domain import clock
from crm_data.sample import complaints, leadscore, loyalty, today
from crm_data.sample import duplicates as dupes
from crm_data.sample.activity import _COMPLAINTS, _appointments, _feedback, _interactions
from crm_data.sample.cash_book import _cash_book
from crm_data.sample.columns import _DT, _Plan, _TableData
from crm_data.sample.common import _DAY, _Ctx
from crm_data.sample.enums import _check_enums
from crm_data.sample.funnel import _funnel, _journey, _pipeline_history
from crm_data.sample.loyalty import _loyalty
from crm_data.sample.orders import _order_lines, _orders, _payments, _purchases
from crm_data.sample.people import _customers
from crm_data.sample.seasons import _day_weights, _tet_window_mask
from crm_data.sample.tables import _tables
from crm_data.sample.tags_and_search import _tags_and_search
from crm_data.sample.users import _owners, ensure_demo_users, is_empty
from crm_data.sample.writer import _after_load, _Writer
from crm_data.storage.db import is_sqlite, unit_of_work
from crm_data.storage.models import Product


@dataclass
class SeedResult:
    customers: int
    orders: int
    order_lines: int
    payments: int
    interactions: int
    stage_changes: int
    seconds: float


# Planned times that may lie ahead of "now" (the rest are events that have happened).
_SCHEDULED = {("appointments", "due_at")}


def reference(ref: dt.date | dt.datetime | None = None) -> tuple[dt.date, int | None]:
    """(the last day of the data, the second of that day nothing may happen after, or None
    for the whole day). A datetime is that moment; no ref is now (Vietnam time), so that a
    demo seeded at 09:30 has no sale at 15:00 today; a date other than today is the whole
    day (reproducible data for a fixed day)."""
    if isinstance(ref, dt.datetime):
        return ref.date(), ref.hour * 3600 + ref.minute * 60 + ref.second
    current = clock.now()
    day = ref or clock.today()
    if day == current.date():
        return day, current.hour * 3600 + current.minute * 60 + current.second
    return day, None


def _cap_last_day(tables: list[_TableData], D: int, cap: int) -> None:
    """Squeeze the events of the last day, in their order, into 00:00 … cap: nothing happens
    later today than now, and every sequence (win → first order → payment) keeps its order."""
    lo, hi = D * _DAY, (D + 1) * _DAY
    done: dict[int, np.ndarray] = {}  # columns sharing one array (ordered_at / created_at)
    for t in tables:
        for name, col in t.cols.items():
            if (col.kind != _DT or col.values is None or np.isscalar(col.values)
                    or (t.table.name, name) in _SCHEDULED):
                continue
            key = id(col.values)
            if key not in done:
                values = np.asarray(col.values, dtype=np.int64)
                last_day = (values >= lo) & (values < hi)
                out = values.copy()
                out[last_day] = lo + (values[last_day] - lo) * cap // _DAY
                done[key] = out
            col.values = done[key]


def _build(engine: Engine, n: int, seed: int, ref: dt.date, years: float,
           cap: int | None = None, duplicates: bool = True) -> _Plan:
    """Every row of a seed, as columns: the stages below, one after the other."""
    ctx = _Ctx()
    ctx.n, ctx.ref = n, ref
    # One independent random stream per concern: drawing, say, more interactions does not
    # move the orders.
    (ctx.r_cust, ctx.r_names, ctx.r_funnel, ctx.r_orders, ctx.r_lines, ctx.r_pay, ctx.r_loyal,
     ctx.r_inter, ctx.r_feed, ctx.r_appt, ctx.r_cash, ctx.r_misc) = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12))
    # Days are counted from the first day of the period (day D is ref); times are seconds
    # since that day's midnight.
    ctx.n_days = max(int(round(years * 365.25)), 30) + 1
    ctx.D = ctx.n_days - 1
    ctx.start = ref - dt.timedelta(days=ctx.D)
    ctx.ref_end = ctx.D * _DAY + _DAY - 1
    ctx.weights = _day_weights(ctx.start, ctx.n_days)
    ctx.cum_w = np.cumsum(ctx.weights)
    ctx.tet_mask = _tet_window_mask(ctx.start, ctx.n_days)
    ctx.owner_ids, ctx.owner_shares, ctx.staff_ids, ctx.admin_id = _owners(engine)
    for stage in (_customers, _funnel, _orders, _order_lines, _payments, _purchases, _journey,
                  _pipeline_history, _loyalty, loyalty.redemptions, _interactions,
                  _feedback, _appointments,
                  _cash_book, _tags_and_search):
        stage(ctx)
    today.add(ctx, seed)  # due follow-ups, appointments today, late complaints
    if duplicates:
        dupes.plant(ctx, seed)
    plan = _tables(ctx)
    plan.tag_rows = leadscore.extend(ctx, plan, engine, seed)
    if cap is not None:
        _cap_last_day(plan.tables, ctx.D, cap)
    return plan


def generate(engine: Engine, customers: int = 5000, seed: int = 42,
             ref: dt.date | dt.datetime | None = None, years: float = 3.0,
             with_demo_users: bool = True, duplicates: bool = True) -> SeedResult:
    """Fill an empty database (schema at head) with sample data; returns the row counts.
    The data ends at `ref` (see reference(): by default now, Vietnam time)."""
    started = time.perf_counter()
    if customers < 1:
        raise ValueError("customers must be at least 1")
    ref, cap = reference(ref)
    _check_enums()
    if not is_empty(engine):
        raise ValueError("the database already has customers; seed an empty database")
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Product)).scalar():
            raise ValueError("the database already has products; seed an empty database")
    if with_demo_users and not auth.has_users(engine):
        ensure_demo_users(engine)  # never next to real accounts
    plan = _build(engine, int(customers), int(seed), ref, float(years), cap, duplicates)
    counts = plan.counts

    with engine.connect() as conn:
        if is_sqlite(engine):
            # Seeding only, on this connection: no fsync (a crash leaves a file to delete),
            # and no foreign-key lookups for ids generated consistent (the tests check them
            # with PRAGMA foreign_key_check). Both are put back afterwards.
            raw = conn.connection.driver_connection
            before = {p: raw.execute(f"PRAGMA {p}").fetchone()[0]
                      for p in ("synchronous", "foreign_keys")}
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                writer = _Writer(conn, plan.start)
                for t in plan.tables:
                    writer.write(t)
                leadscore.write_tags(conn, plan.tag_rows, plan.start)
                _after_load(conn, plan.tables)
                complaints.add(conn, seed, ref, cap, _COMPLAINTS)
        finally:
            if is_sqlite(engine):
                for p, value in before.items():
                    raw.execute(f"PRAGMA {p}={int(value)}")
    del plan  # the rebuild below reads the database, not these arrays

    summaries.rebuild_all(engine, ref)
    with unit_of_work(engine) as s:
        audit.record(s, SYSTEM, "seed", "database", None, detail={
            "seed": seed, "ref": ref.isoformat(), "years": years, **counts})
    return SeedResult(
        customers=counts["customers"], orders=counts["orders"],
        order_lines=counts["order_lines"], payments=counts["payments"],
        interactions=counts["interactions"], stage_changes=counts["stage_changes"],
        seconds=round(time.perf_counter() - started, 2))
