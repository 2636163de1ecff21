"""The customer list ordered by a CLV score (crm_data.customers.listing, sort p_alive /
expected_value), read in two parts: the scored customers by the score (an index walk on
customer_clv, then a join per row) and the customers without a score by id (an anti-join).

The list's order is (coalesce(score, -1), id): every score is ≥ 0, so that order is exactly
"scored by score, then not scored by id" (descending: the reverse), and each part stops at
the page's size instead of sorting a million coalesced keys (L: 2.7 s as admin)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, literal, tuple_

from crm_data.storage.models import Customer, CustomerClv

NOT_SCORED = -1  # the list's sort value of a customer without a score (crm_data.customers.listing.SORTS)
SCORES = {"p_alive": CustomerClv.p_alive, "expected_value": CustomerClv.expected_value}


def _parts(base: Select, sort: str, descending: bool, after: tuple | None) -> list[Select]:
    """The page's parts in list order, each with its _sort column, bound and order."""
    col = SCORES[sort]
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    scored = (base.where(CustomerClv.customer_id.is_not(None)).add_columns(col.label("_sort"))
              .order_by(direction(col), direction(Customer.id)))
    unscored = (base.where(CustomerClv.customer_id.is_(None))
                .add_columns(literal(NOT_SCORED, col.type).label("_sort"))
                .order_by(direction(Customer.id)))
    if after is None:
        return [scored, unscored] if descending else [unscored, scored]
    value, last_id = after[0], int(after[1])
    if value is None or value < 0:  # the previous page ended among the customers not scored
        unscored = unscored.where(Customer.id < last_id if descending else Customer.id > last_id)
        return [unscored] if descending else [unscored, scored]
    bound = tuple_(literal(value, col.type), literal(last_id))
    scored = scored.where(tuple_(col, Customer.id) < bound if descending else tuple_(col, Customer.id) > bound)
    return [scored, unscored] if descending else [scored]


def read_page(conn, base: Select, sort: str, descending: bool, after: tuple | None,
              limit: int) -> pd.DataFrame:
    """At most `limit` rows of `base` (the list's SELECT) in the list's order, with _sort."""
    rows, keys = [], None
    for part in _parts(base, sort, descending, after):
        result = conn.execute(part.limit(limit - len(rows)))
        keys = list(result.keys())
        rows += result.all()
        if len(rows) >= limit:
            break
    # as pd.read_sql builds its frame, from the rows of both parts at once (same dtypes)
    return pd.DataFrame.from_records(rows, columns=keys, coerce_float=True)
