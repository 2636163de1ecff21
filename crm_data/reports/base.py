"""What reports share beyond the WHERE clause (crm_data.filters.where): the top spenders."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func

from crm_data.filters.where import customers_from
from crm_data.storage.models import Customer, CustomerStats


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
