"""Why a churned customer left — one SQL expression for the churn-reasons report
(crm_data.reports.retention.churn_reasons) and the filter of its bars (CustomerFilter.churn_reason).

The latest reason recorded for the buyer (churn_reasons, crm_data.writes.churn) first, then
customers.lost_reason (set with the pipeline's lost stage) when present, otherwise "complaint"
when the customer opened a complaint before the end of the churn day (last purchase + N days),
otherwise "not_recorded".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, exists, func, select

from crm_data.domain.sqltime import days_diff
from crm_data.storage.models import ChurnReason, Customer, CustomerStats, Feedback

COMPLAINT = "complaint"
NOT_RECORDED = "not_recorded"  # also the filters' word for "no reason recorded" (NULL)


def churn_reason(churn_days: int, c=Customer, s=CustomerStats) -> ColumnElement[str]:
    complaint = exists().where(
        Feedback.customer_id == c.id, Feedback.kind == "complaint",
        days_diff(s.last_order_date, Feedback.opened_at) < churn_days + 1)
    recorded = (select(ChurnReason.reason).where(ChurnReason.customer_id == c.id)
                .order_by(ChurnReason.recorded_at.desc(), ChurnReason.id.desc()).limit(1)
                .correlate(c).scalar_subquery())
    guess = case((c.lost_reason.is_not(None), c.lost_reason), (complaint, COMPLAINT),
                 else_=NOT_RECORDED)
    return func.coalesce(recorded, guess)
