"""How many customers carry each label today — active, at risk, churned, prospect — by the
one definition (crm_data.rules.status_expr, configured window). The Retention page, the CLI
(`crm report retention`) and the tests read this; the groups at_risk / churned, the at-risk
list, the recency bands and the journey stage "lapsed" hold the same sets."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from crm_data import rules
from crm_data.clock import today
from crm_data.filters import CustomerFilter
from crm_data.models import CustomerStats as S
from crm_data.reports.base import customer_where, customers_from
from crm_data.scope import Scope


def label_counts(engine: Engine, scope: Scope, flt: CustomerFilter | None = None,
                 churn_days: int | None = None) -> dict[str, int]:
    """{active, at_risk, churned, prospect: customers} visible to the scope."""
    from crm_data.reports.retention import window

    ref = today()
    status = rules.status_expr(S.last_order_date, ref, window(engine, churn_days)).label("status")
    inner = customers_from().add_columns(status).where(*customer_where(scope, flt, ref)).subquery("l")
    with engine.connect() as conn:
        found = dict(conn.execute(select(inner.c.status, func.count()).group_by(inner.c.status)).all())
    return {k: int(found.get(k, 0)) for k in rules.STATUSES}
