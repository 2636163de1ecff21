"""stage_changes.left_at: the time of the customer's next change of the same kind (NULL
while they are still in the stage). Time in stage is then a column, not a window over the
whole history at read time.

Changes are ordered by (changed_at, id), so two changes at the same instant pair in the
order they were recorded. `link` runs in every write's transaction for the customers it
touched (crm_data.summary.refresh_customers) and for everyone on a rebuild.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_data.models import StageChange as SC


def link(session: Session, customer_ids: list[int] | None) -> None:
    """Set left_at of these customers' changes (every customer's when None); only rows
    whose value differs are written."""
    nxt = func.lead(SC.changed_at).over(partition_by=(SC.customer_id, SC.kind),
                                        order_by=(SC.changed_at, SC.id))
    pairs = select(SC.id.label("id"), nxt.label("nxt"))
    if customer_ids is not None:
        pairs = pairs.where(SC.customer_id.in_(customer_ids))
    pairs = pairs.subquery("n")
    session.execute(update(SC).where(SC.id == pairs.c.id, SC.left_at.is_distinct_from(pairs.c.nxt))
                    .values(left_at=pairs.c.nxt)
                    .execution_options(synchronize_session=False))
