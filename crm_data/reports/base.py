"""What every report shares: the customers an actor may see under a filter, as SQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, func, select

from crm_data.filters import CustomerFilter
from crm_data.models import Customer, CustomerStats
from crm_data.scope import Scope


def customer_where(scope: Scope, flt: CustomerFilter | None,
                   ref: dt.date | None = None) -> list[ColumnElement[bool]]:
    """Scope first, then the filter: the one WHERE every customer-level report uses."""
    conds = [scope.customer_clause(Customer)]
    if flt is not None and not flt.is_empty():
        conds.append(flt.clause(Customer, CustomerStats, ref))
    return conds


def customers_from() -> Select:
    """customers joined 1:1 with their summary row."""
    return select().select_from(Customer).join(
        CustomerStats, CustomerStats.customer_id == Customer.id
    )


def visible_customer_ids(scope: Scope, flt: CustomerFilter | None, ref: dt.date | None = None):
    """Subquery of the ids of visible customers, for reports over transactions."""
    return customers_from().add_columns(Customer.id).where(*customer_where(scope, flt, ref))


def top_by_spend(engine: Engine, cols: list, where: list, limit: int) -> tuple[pd.DataFrame, int]:
    """The customers matching `where`, biggest lifetime spenders first (at most `limit`,
    columns `cols` of customers / customer_stats), and how many match in all."""
    q = (customers_from().add_columns(*cols).where(*where)
         .order_by(CustomerStats.total_spend.desc(), Customer.id).limit(limit))
    n = customers_from().add_columns(func.count()).where(*where)
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.key for c in cols])
        total = int(conn.execute(n).scalar_one())
    return rows, total
