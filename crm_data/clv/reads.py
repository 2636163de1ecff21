"""What the pages show of the CLV model: one customer's scores, customers per P(alive) band
(aggregates, for every role), and the customers of high value whose P(alive) is falling
(personal data: not for the viewer). Scope and filter apply inside, as everywhere."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.clv import fit as clv_fit
from crm_data.domain.clock import today
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where
from crm_data.records.clv_bands import BANDS, NOT_SCORED, band_expr
from crm_data.storage.models import Customer, CustomerClv, CustomerStats

latest_fit = clv_fit.latest

SCORE_COLUMNS = ("p_alive", "p_alive_before", "expected_30", "expected_90", "expected_365",
                 "expected_spend", "expected_value", "frequency", "recency_weeks", "age_weeks",
                 "mean_spend")


def customer_scores(engine: Engine, scope: Scope, customer_id: int) -> dict | None:
    """The latest scores of one visible customer; None when not scored (or not visible)."""
    require_personal_data(engine, scope, "personal_data")
    cols = [getattr(CustomerClv, c) for c in SCORE_COLUMNS]
    query = (select(*cols).join(Customer, Customer.id == CustomerClv.customer_id)
             .where(CustomerClv.customer_id == int(customer_id), scope.customer_clause(Customer)))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def band_counts(engine: Engine, scope: Scope, flt: CustomerFilter | None = None,
                ref: dt.date | None = None) -> pd.DataFrame:
    """Buyers scored per P(alive) band: band, customers, expected_value (Σ VND), in band
    order; every band present (0 when empty). Aggregates only: every role."""
    band = band_expr(CustomerClv.p_alive).label("band")
    query = (select(band, func.count().label("customers"),
                    func.coalesce(func.sum(CustomerClv.expected_value), 0).label("expected_value"))
             .select_from(CustomerClv)  # the buyers scored (a quarter of the customers) first
             .join(Customer, Customer.id == CustomerClv.customer_id)
             .where(*customer_where(scope, flt, ref or today())).group_by(band))
    if flt is not None and not flt.is_empty():  # only a filter reads customer_stats (L: ~½ the time)
        query = query.join(CustomerStats, CustomerStats.customer_id == Customer.id)
    with engine.connect() as conn:
        got = {r.band: (int(r.customers), int(r.expected_value)) for r in conn.execute(query)}
    return pd.DataFrame([(b, *got.get(b, (0, 0))) for b in BANDS],
                        columns=["band", "customers", "expected_value"])


def falling(engine: Engine, scope: Scope, flt: CustomerFilter | None = None, limit: int = 50,
            ref: dt.date | None = None) -> pd.DataFrame:
    """Customers whose P(alive) fell by at least clv.falling_points percentage points over
    the last clv.compare_days days, highest expected value first (value at stake), then the
    biggest fall: code, full_name, p_alive_before, p_alive, expected_value, total_spend,
    last_order_date."""
    require_personal_data(engine, scope, "customer_rows")
    drop = settings.get(engine, "clv.falling_points") / 100
    fall = CustomerClv.p_alive_before - CustomerClv.p_alive
    query = (select(Customer.id, Customer.code, Customer.full_name, CustomerClv.p_alive_before,
                    CustomerClv.p_alive, CustomerClv.expected_value, CustomerStats.total_spend,
                    CustomerStats.last_order_date)
             .select_from(Customer)
             .join(CustomerStats, CustomerStats.customer_id == Customer.id)
             .join(CustomerClv, CustomerClv.customer_id == Customer.id)
             .where(*customer_where(scope, flt, ref or today()), fall >= drop)
             .order_by(CustomerClv.expected_value.desc(), fall.desc(), Customer.id)
             .limit(limit))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


__all__ = ["BANDS", "NOT_SCORED", "band_counts", "customer_scores", "falling", "latest_fit"]
