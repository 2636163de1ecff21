"""Giữ chân / Retention and churn. Labels (active / at risk / churned) have ONE definition,
crm_data.domain.labels, with the configured churn window N (crm_data.rules.store; a report may be asked
for another N, the default is always the configured one).

- recency_bands(): days since the last purchase (customer_stats.last_order_date vs today) in
  bands whose edges include the labels' boundaries, lower edge inclusive: 0–29, 30–(N//2 − 1),
  N//2–(N − 1) (= at risk), N–364, ≥ 365 (= churned), and never; so the day N is in a
  churned band, as it is in the groups.
- churn_by_bucket(): a customer churns on last_order_date + N days (labels.churn_day);
  counted in the bucket of that day when it falls in the period and not after today.
- churn_reasons(): for the customers churning in the period, the recorded reason:
  customers.lost_reason (set with the pipeline's lost stage) when present, otherwise
  "complaint" when the customer has a complaint (feedback kind='complaint') dated on or
  before the churn day, otherwise "not_recorded".
- cohorts(): monthly acquisition cohorts (month of the first completed order) × months
  since; cell = share of the cohort buying in that month. Scans orders from the first
  cohort month on, grouped by customer month in SQL; returns the small matrix.
- at_risk(): the customers labelled at risk (N//2 ≤ days since < N, the group "at risk"),
  with how far each is past its own purchase rhythm (days since − 1.5 × avg interval).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import BigInteger, Date, Engine, and_, case, func, literal, select

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.domain import labels
from crm_data.domain.clock import today
from crm_data.domain.labels import CHURN_DAYS_DEFAULT
from crm_data.domain.periods import Period, as_date, bucket, buckets, days_between, next_bucket
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.records.churn_reason import churn_reason
from crm_data.reports.base import top_by_spend
from crm_data.storage.models import Customer as C
from crm_data.storage.models import CustomerRollup, Order
from crm_data.storage.models import CustomerStats as S
from crm_data.summaries import customer_rollup as cr
from crm_data.summaries import rollups

NEVER = "never"
RISK_FACTOR = 1.5


def window(engine: Engine, churn_days: int | None) -> int:
    """The churn window asked for, else the configured one."""
    from crm_data.rules import store as rules_store

    return rules_store.churn_days(engine) if churn_days is None else int(churn_days)


def band_edges(churn_days: int) -> tuple:
    """(band, min days, max days) — inclusive; None = open. Edges 30 and 365 plus the labels'
    boundaries N // 2 and N."""
    cuts = sorted({30, churn_days // 2, churn_days, 365} - {0})
    out, lo = [], 0
    for cut in cuts:
        out.append((f"{lo}_{cut - 1}", lo, cut - 1))
        lo = cut
    out.append((f"{lo}_plus", lo, None))
    return tuple(out)


RECENCY_BANDS = band_edges(CHURN_DAYS_DEFAULT)  # with the default window


def band_label(band: str, lang: str = "vi") -> str:
    from crm_data.i18n import t

    if band == NEVER:
        return t("rband.never", lang)
    lo, hi = band.split("_")
    return t("rband.from", lang, lo=lo) if hi == "plus" else t("rband.range", lang, lo=lo, hi=hi)


def recency_bands(engine: Engine, scope: Scope, period: Period,
                  flt: CustomerFilter | None = None) -> pd.DataFrame:
    """band, customers, share — as of today (the period does not apply), bands of the
    configured window (band_edges)."""
    del period
    ref = today()
    edges = band_edges(window(engine, None))
    cells = rollups.owner_condition(scope, flt, CustomerRollup)
    last = CustomerRollup.day if cells is not None else S.last_order_date
    whens = [] if cells is not None else [(S.last_order_date.is_(None), NEVER)]
    for band, _lo, hi in edges:
        if hi is not None:
            whens.append((last >= ref - dt.timedelta(days=hi), band))
    expr = case(*whens, else_=edges[-1][0])
    with engine.connect() as conn:
        if cells is not None:  # customer_rollup: last-order cells by band; never = the rest
            q = (select(expr.label("band"), CustomerRollup.customers).where(cells, CustomerRollup.kind == cr.LAST_ORDER)
                 .subquery("b"))
            found = {r.band: int(r.n) for r in conn.execute(
                select(q.c.band, func.sum(q.c.customers).label("n")).group_by(q.c.band))}
            everyone = conn.execute(select(cr.count(CustomerRollup.kind == cr.CREATED)).where(cells)).scalar_one()
            found[NEVER] = int(everyone) - sum(found.values())
        else:
            inner = customers_from().add_columns(expr.label("band")).where(*customer_where(scope, flt, ref)) \
                .subquery("b")
            q = select(inner.c.band, func.count().label("customers")).group_by(inner.c.band)
            found = {r.band: int(r.customers) for r in conn.execute(q)}
    order = [b[0] for b in edges] + [NEVER]
    total = sum(found.values())
    return pd.DataFrame([{"band": b, "customers": found.get(b, 0),
                          "share": found.get(b, 0) / total if total else 0.0} for b in order])


def churn_window(period: Period, churn_days: int, ref: dt.date):
    """last_order_date range of customers whose churn day (labels.churn_day) falls in the
    period (≤ today)."""
    lo = labels.churned_last_order_until(period.start, churn_days)
    hi = labels.churned_last_order_until(min(period.end, ref), churn_days)
    return lo, hi


def churn_by_bucket(engine: Engine, scope: Scope, period: Period, granularity: str = "month",
                    churn_days: int | None = None,
                    flt: CustomerFilter | None = None) -> pd.DataFrame:
    """bucket, churned: customers whose churn day falls in each bucket (zeros included)."""
    ref = today()
    churn_days = window(engine, churn_days)
    lo, hi = churn_window(period, churn_days, ref)
    starts = buckets(period, granularity)
    shift = dt.timedelta(days=churn_days)
    # Bucket index of the churn day, from cut-offs computed here: no SQL date arithmetic.
    cells = rollups.owner_condition(scope, flt, CustomerRollup)
    last = CustomerRollup.day if cells is not None else S.last_order_date
    whens = [(last < next_bucket(b, granularity) - shift, i) for i, b in enumerate(starts)]
    idx = case(*whens, else_=len(starts) - 1)
    if cells is not None:  # customer_rollup's last-order cells of the window
        inner = (select(idx.label("i"), CustomerRollup.customers.label("n"))
                 .where(cells, cr.in_days(cr.LAST_ORDER, lo, hi + dt.timedelta(days=1))).subquery("ch"))
        q = select(inner.c.i, func.sum(inner.c.n).label("n")).group_by(inner.c.i)
    else:
        inner = (customers_from().add_columns(idx.label("i"))
                 .where(*customer_where(scope, flt, ref), S.last_order_date >= lo, S.last_order_date <= hi)
                 .subquery("ch"))
        q = select(inner.c.i, func.count().label("n")).group_by(inner.c.i)
    with engine.connect() as conn:
        found = {int(r.i): int(r.n) for r in conn.execute(q)} if lo <= hi else {}
    return pd.DataFrame([{"bucket": b, "churned": found.get(i, 0)} for i, b in enumerate(starts)],
                        columns=["bucket", "churned"])


def churn_reasons(engine: Engine, scope: Scope, period: Period,
                  churn_days: int | None = None,
                  flt: CustomerFilter | None = None) -> pd.DataFrame:
    """reason, customers, share, median_days_since (how long since they stopped)."""
    ref = today()
    churn_days = window(engine, churn_days)
    lo, hi = churn_window(period, churn_days, ref)
    cols = ["reason", "customers", "share", "avg_days_since"]
    if lo > hi:
        return pd.DataFrame(columns=cols)
    since = days_between(S.last_order_date, literal(ref, Date))
    inner = (customers_from().add_columns(churn_reason(churn_days).label("reason"), since.label("since"))
             .where(*customer_where(scope, flt, ref), S.last_order_date >= lo, S.last_order_date <= hi)
             .subquery("r"))
    q = select(inner.c.reason, func.count().label("customers"),
               func.avg(inner.c.since).label("avg_days_since")).group_by(inner.c.reason)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=["reason", "customers", "avg_days_since"])
    total = int(df["customers"].sum()) if not df.empty else 0
    df["customers"] = df["customers"].astype(int)
    df["avg_days_since"] = df["avg_days_since"].astype(float).round(0)
    df["share"] = df["customers"] / total if total else 0.0
    return df[cols].sort_values(["customers", "reason"], ascending=[False, True]).reset_index(drop=True)


def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def cohorts(engine: Engine, scope: Scope, period: Period,
            flt: CustomerFilter | None = None) -> pd.DataFrame:
    """cohort (first day of the month of the first order, cohorts starting in the period),
    size, then one column per month since acquisition: m0, m1, … (share of the cohort with
    a completed order in that month; months not yet reached are NaN)."""
    ref = today()
    first_month = period.start.replace(day=1)
    last_day = min(period.end, ref)
    months = buckets(Period(first_month, last_day), "month")
    horizon = len(months)
    where = [*customer_where(scope, flt, ref), S.first_order_date >= first_month,
             S.first_order_date <= last_day]
    if horizon <= MASK_MONTHS:
        sizes, active = _cohort_cells_from_summary(engine, where, horizon)
    else:
        sizes, active = _cohort_cells_from_orders(engine, where, first_month, ref)
    rows = []
    for cohort in months:
        size = sizes.get(cohort, 0)
        row: dict = {"cohort": cohort, "size": size}
        for k in range(horizon):
            month_idx = _month_index(cohort) + k
            if month_idx > _month_index(ref):
                row[f"m{k}"] = None
            else:
                row[f"m{k}"] = active.get((cohort, k), 0) / size if size else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["cohort", "size", *[f"m{k}" for k in range(horizon)]])


MASK_MONTHS = 63  # months after the first that customer_stats.active_months records


def _cohort_cells_from_summary(engine: Engine, where: list, horizon: int) -> tuple[dict, dict]:
    """({cohort: size}, {(cohort, k): customers active in month k}) from one pass over the
    cohort customers' summary rows: bit k of active_months."""
    inner = (customers_from().add_columns(bucket(S.first_order_date, "month").label("cohort"),
                                          S.active_months.label("mask"))
             .where(*where).subquery("c"))
    bits = [func.sum(case((inner.c.mask.op("&")(literal(1 << k, BigInteger)) != 0, 1), else_=0))
            for k in range(horizon)]
    q = select(inner.c.cohort, func.count(), *bits).group_by(inner.c.cohort)
    sizes, active = {}, {}
    with engine.connect() as conn:
        for cohort, size, *counts in conn.execute(q):
            cohort = as_date(cohort)
            sizes[cohort] = int(size)
            active |= {(cohort, k): int(n or 0) for k, n in enumerate(counts)}
    return sizes, active


def _cohort_cells_from_orders(engine: Engine, where: list, first_month: dt.date,
                              ref: dt.date) -> tuple[dict, dict]:
    """The same from the orders, for horizons longer than the summary's bits: distinct
    (customer, month) of the cohorts' customers' orders, then the cohort of each."""
    cb = bucket(S.first_order_date, "month")
    size_inner = customers_from().add_columns(cb.label("cohort")).where(*where).subquery("cs")
    size_q = select(size_inner.c.cohort, func.count().label("n")).group_by(size_inner.c.cohort)
    cohort_ids = customers_from().add_columns(C.id).where(*where)
    months_q = (select(Order.customer_id.label("cid"), bucket(Order.order_date, "month").label("month"))
                .where(Order.customer_id.in_(cohort_ids), Order.status == "completed",
                       Order.order_date >= first_month, Order.order_date <= ref)
                .distinct().subquery("cm"))
    act_q = (select(cb.label("cohort"), months_q.c.month, func.count().label("n"))
             .join_from(months_q, S, S.customer_id == months_q.c.cid)
             .group_by(cb, months_q.c.month))
    with engine.connect() as conn:
        sizes = {as_date(r.cohort): int(r.n) for r in conn.execute(size_q)}
        active = {}
        for r in conn.execute(act_q):
            cohort = as_date(r.cohort)
            active[(cohort, _month_index(as_date(r.month)) - _month_index(cohort))] = int(r.n)
    return sizes, active


def cohort_counts(engine: Engine, scope: Scope, period: Period,
                  flt: CustomerFilter | None = None) -> pd.DataFrame:
    """The same matrix as counts of customers instead of shares (for the CSV / CLI)."""
    df = cohorts(engine, scope, period, flt)
    out = df.copy()
    for col in [c for c in df.columns if c.startswith("m")]:
        out[col] = (df[col] * df["size"]).round().astype("Int64")
    return out


@dataclass(frozen=True)
class AtRisk:
    rows: pd.DataFrame
    total: int


def at_risk(engine: Engine, scope: Scope, period: Period, churn_days: int | None = None,
            limit: int = 500, flt: CustomerFilter | None = None) -> AtRisk:
    """The customers labelled at risk today (rules: N // 2 <= days since < N — the same set
    as the group "at risk"), largest spend first, with overdue_days = days since − 1.5 × their
    own average interval (blank for a single purchase). Per-customer rows: refused (and
    audited) for a role without personal data."""
    require_personal_data(engine, scope, "customer_rows")
    del period  # as of today
    ref = today()
    churn_days = window(engine, churn_days)
    since = days_between(S.last_order_date, literal(ref, Date))
    cond = and_(S.last_order_date <= labels.at_risk_last_order_until(ref, churn_days),
                S.last_order_date > labels.churned_last_order_until(ref, churn_days))
    where = [*customer_where(scope, flt, ref), cond]
    cols = [C.code.label("code"), C.full_name.label("full_name"), C.phone.label("phone"),
            S.last_order_date.label("last_order_date"), since.label("days_since"),
             S.avg_interval_days.label("avg_interval_days"), S.orders_count.label("orders"),
             S.total_spend.label("total_spend"), C.owner_id.label("owner_id")]
    rows, total = top_by_spend(engine, cols, where, limit)
    if not rows.empty:
        rows["last_order_date"] = rows["last_order_date"].map(as_date)
        interval = pd.to_numeric(rows["avg_interval_days"], errors="coerce")
        rows["overdue_days"] = (rows["days_since"] - interval * RISK_FACTOR).round().astype("Int64")
    else:
        rows["overdue_days"] = pd.Series(dtype="Int64")
    return AtRisk(rows, total)
