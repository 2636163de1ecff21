"""How many customers carry each label today — active, at risk, churned, prospect — by the
one definition (crm_data.domain.labels.status_expr, configured window). The Retention page, the CLI
(`crm report retention`) and the tests read this; the groups at_risk / churned, the at-risk
list, the recency bands and the journey stage "lapsed" hold the same sets."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from crm_data.accounts.scope import Scope
from crm_data.domain import labels
from crm_data.domain.clock import today
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.storage.models import CustomerRollup
from crm_data.storage.models import CustomerStats as S
from crm_data.summaries import customer_rollup as cr
from crm_data.summaries import rollups


def label_counts(engine: Engine, scope: Scope, flt: CustomerFilter | None = None,
                 churn_days: int | None = None) -> dict[str, int]:
    """{active, at_risk, churned, prospect: customers} visible to the scope."""
    from crm_data.reports.retention import window

    ref = today()
    days = window(engine, churn_days)
    cells = rollups.owner_condition(scope, flt, CustomerRollup)
    with engine.connect() as conn:
        if cells is not None:  # customer_rollup's last-order cells by day; prospects = the rest
            status = labels.status_expr(CustomerRollup.day, ref, days)
            q = (select(status.label("status"), CustomerRollup.customers)
                 .where(cells, CustomerRollup.kind == cr.LAST_ORDER).subquery("l"))
            found = dict(conn.execute(select(q.c.status, func.sum(q.c.customers)).group_by(q.c.status)).all())
            everyone = conn.execute(select(cr.count(CustomerRollup.kind == cr.CREATED)).where(cells)).scalar_one()
            found["prospect"] = int(everyone) - sum(int(v) for v in found.values())
        else:
            status = labels.status_expr(S.last_order_date, ref, days).label("status")
            inner = customers_from().add_columns(status).where(*customer_where(scope, flt, ref)).subquery("l")
            found = dict(conn.execute(select(inner.c.status, func.count()).group_by(inner.c.status)).all())
    return {k: int(found.get(k, 0) or 0) for k in labels.STATUSES}
