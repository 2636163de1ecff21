"""Customers per bucket of a period (the Overview's customer bars): new customers,
first-time buyers and active buyers — the KPIs of the same names (crm_data.reports.overview)
bucket by bucket, so that each bar is a set of customers a click can list
(crm_data.customers.drill.trend_bucket).

- new_customers: customers created in the bucket.
- first_time_buyers: customers whose first completed order falls in the bucket.
- buyers: distinct customers with a completed order in the bucket.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from crm_data.accounts.scope import Scope
from crm_data.domain.periods import Period, as_date, bucket
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.reports import overview
from crm_data.storage.models import CustomerRollup
from crm_data.storage.models import CustomerStats as S
from crm_data.summaries import customer_rollup as cr
from crm_data.summaries import rollups

COLUMNS = ["bucket", "new_customers", "first_time_buyers", "buyers"]


def customers_by_bucket(engine: Engine, scope: Scope, period: Period, granularity: str,
                        flt: CustomerFilter | None = None) -> pd.DataFrame:
    """bucket, new_customers, first_time_buyers, buyers — every bucket of the period."""
    trend = overview.trend(engine, scope, period, granularity, flt)
    return combine(trend, first_time_by_bucket(engine, scope, period, granularity, flt))


def first_time_by_bucket(engine: Engine, scope: Scope, period: Period, granularity: str,
                         flt: CustomerFilter | None = None) -> dict:
    """{bucket: first-time buyers} of the buckets that have any: the one figure of the bars
    that overview.trend does not give (the page has that trend cached already)."""
    start, end_x = period.start, period.end_exclusive
    cells = rollups.owner_condition(scope, flt, CustomerRollup)
    if cells is not None:  # customer_rollup's first-order cells (regions / owners at most)
        b = bucket(CustomerRollup.day, granularity).label("bucket")
        q = (select(b, func.sum(CustomerRollup.customers).label("n"))
             .where(cells, cr.in_days(cr.FIRST_ORDER, start, end_x)).group_by(b))
    else:
        b = bucket(S.first_order_date, granularity).label("bucket")
        q = (customers_from().add_columns(b, func.count().label("n"))
             .where(*customer_where(scope, flt), S.first_order_date >= start,
                    S.first_order_date < end_x)
             .group_by(b))
    with engine.connect() as conn:
        return {as_date(r.bucket): int(r.n) for r in conn.execute(q)}


def combine(trend: pd.DataFrame, first: dict) -> pd.DataFrame:
    """The bars from overview.trend's frame and first_time_by_bucket's counts."""
    out = trend[["bucket", "new_customers", "buyers"]].copy()
    out["first_time_buyers"] = [first.get(b, 0) for b in out["bucket"]]
    return out[COLUMNS]
