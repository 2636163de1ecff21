"""Likely duplicates of a customer being entered: same phone, same email, or the same
name once folded (case, diacritics and đ ignored) in any word order, or a similar name
that the duplicate finder's scoring (crm_data.dedupe.score) rates a likely duplicate
together with the birth date, address and province.

Phone and email are equality lookups on indexed columns; the name is a prefix match on
the folded search column, which starts with the folded name (crm_data.records.derived), for each
rotation of its words ("Nam Nguyễn Văn" finds "Nguyễn Văn Nam"); records born the same day
are scored with the finder's rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.dedupe.score import compare, person
from crm_data.domain.text import fold
from crm_data.storage.models import Customer

FUZZY_CANDIDATES = 50

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
                    limit: int = 5, birth_date=None, province_code: int | None = None,
                    address: str | None = None) -> list[Match]:
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
    words = folded.split()
    for k in range(len(words)):
        variant = " ".join(words[k:] + words[:k])
        tests.append(("name", c.search_text.like(_escape(variant) + " |%", escape="\\")
                      | (c.search_text == variant)))
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
    if birth_date and folded:
        _similar(conn, found, visible, person(0, full_name, phone, email, birth_date, province_code,
                                              address), exclude_id)
    return list(found.values())[:limit]


def _similar(conn, found: dict, visible, me, exclude_id) -> None:
    """Records born the same day whose name, address and province make a likely duplicate."""
    c = Customer
    query = select(c.id, c.code, c.full_name, c.phone, c.email, c.birth_date, c.province_code,
                   c.address, visible.label("visible")).where(
        c.birth_date == me.birth_date, c.deleted_at.is_(None), c.id.not_in(list(found) or [0]))
    if exclude_id is not None:
        query = query.where(c.id != int(exclude_id))
    threshold = settings.get(conn, "dupes.min_score")
    for row in conn.execute(query.order_by(c.id).limit(FUZZY_CANDIDATES)):
        other = person(row.id, row.full_name, row.phone, row.email, row.birth_date,
                       row.province_code, row.address)
        score, reasons = compare(me, other)
        if score >= threshold and any(r.startswith("name") for r in reasons):
            found[row.id] = Match(int(row.id), row.code, "name",
                                  row.full_name if row.visible else None)
