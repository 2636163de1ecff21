"""Two links between a customer's stage changes, kept on each stage_changes row so that the
funnel reads one covering index range instead of pairing changes at read time:

- left_at: the time of the customer's next change of the same kind (when they left the
  stage; NULL while they are still in it) — time in stage.
- previous_entry_at: when the customer last entered the same stage before this change
  (NULL the first time) — the change is the customer's first entry into the stage within a
  period starting at `a` exactly when previous_entry_at is NULL or before `a`, so distinct
  customers per stage become a plain count.

Changes are ordered by (changed_at, id), so two changes at the same instant pair in the
order they were recorded. `link` runs in every write's transaction for the customers it
touched (crm_data.summaries.refresh_customers) and for everyone on a rebuild.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from crm_data.storage.bulk import among
from crm_data.storage.models import StageChange as SC

_ORDER = (SC.changed_at, SC.id)


def link(session: Session, customer_ids: list[int] | None) -> None:
    """Set both links of these customers' changes (every customer's when None); only rows
    whose values differ are written."""
    nxt = func.lead(SC.changed_at).over(partition_by=(SC.customer_id, SC.kind), order_by=_ORDER)
    prev = func.lag(SC.changed_at).over(partition_by=(SC.customer_id, SC.kind, SC.to_stage),
                                        order_by=_ORDER)
    pairs = select(SC.id.label("id"), nxt.label("nxt"), prev.label("prev"))
    if customer_ids is not None:
        pairs = pairs.where(among(session, SC.customer_id, customer_ids))
    pairs = pairs.subquery("n")
    session.execute(update(SC)
                    .where(SC.id == pairs.c.id,
                           or_(SC.left_at.is_distinct_from(pairs.c.nxt),
                               SC.previous_entry_at.is_distinct_from(pairs.c.prev)))
                    .values(left_at=pairs.c.nxt, previous_entry_at=pairs.c.prev)
                    .execution_options(synchronize_session=False))


def first_entry_since(start):
    """The change is its customer's first entry into the stage on or after `start` (a
    datetime, or a per-row SQL expression)."""
    return or_(SC.previous_entry_at.is_(None), SC.previous_entry_at < start)


