"""Derived data kept exact inside every write: each customer's figures and classification
(customer_stats), the order / stage-flow / customer rollups behind the reports, the first
entries per stage (stage_exits), open orders, and the day's loyalty expiry.

The one entry point every write calls, in the write's own transaction, with the customers it
touched: `refresh_customers(session, ids)`. `rebuild_all(engine)` recomputes everything
(`crm rebuild`, a new rule version); `ensure_fresh(engine)` does it once a day, because labels
such as "at risk" move with the calendar even when nothing is written.
"""

from crm_data.summaries.refresh import (
    STATS_DAY,
    ensure_fresh,
    rebuild_all,
    refresh_customers,
    sync_lifecycle_and_flows,
)

__all__ = ["STATS_DAY", "ensure_fresh", "rebuild_all", "refresh_customers",
           "sync_lifecycle_and_flows"]
