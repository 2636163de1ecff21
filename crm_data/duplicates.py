"""Likely duplicates of a customer being entered: same phone, same email, or the same
name once folded (case, diacritics and đ ignored).

Phone and email are equality lookups on indexed columns; the name is a prefix match on
the folded search column, which starts with the folded name (crm_data.records).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crm_data.models import Customer
from crm_data.scope import Scope
from crm_data.text import fold

REASONS = ("phone", "email", "name")


@dataclass(frozen=True)
class Match:
    id: int
    code: str
    reason: str  # phone | email | name
    full_name: str | None  # None when the actor may not see that customer


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_duplicates(conn, scope: Scope, *, phone: str | None = None, email: str | None = None,
                    full_name: str | None = None, exclude_id: int | None = None,
                    limit: int = 5) -> list[Match]:
    """Alive customers sharing the phone (E.164) or email, or with the same folded name.

    Duplicates are looked for among every customer, since a staff member entering a
    customer someone else owns is exactly the case to catch; names of customers the actor
    may not see are withheld."""
    c = Customer
    tests = []
    if phone:
        tests.append(("phone", c.phone == phone))
    if email:
        tests.append(("email", c.email == email.strip().lower()))
    folded = fold(full_name)
    if folded:
        tests.append(("name", c.search_text.like(_escape(folded) + " |%", escape="\\")
                      | (c.search_text == folded)))
    found: dict[int, Match] = {}
    visible = scope.customer_clause(c)
    for reason, cond in tests:
        query = select(c.id, c.code, c.full_name, visible.label("visible")).where(
            cond, c.deleted_at.is_(None))
        if exclude_id is not None:
            query = query.where(c.id != int(exclude_id))
        for row in conn.execute(query.order_by(c.id).limit(limit)):
            if row.id not in found:
                found[row.id] = Match(int(row.id), row.code, reason,
                                      row.full_name if row.visible else None)
    return list(found.values())[:limit]
