"""Free-text customer search: diacritic- and case-insensitive, phone in any common form.

Matches the maintained, indexed `customers.search_text` column (see crm_data.domain.text), never
a Python function over every row.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, or_

from crm_data.domain.phones import phone_search_digits
from crm_data.domain.text import fold
from crm_data.storage.models import Customer

_PHONEISH = re.compile(r"^[\d\s().+\-]{6,}$")
MAX_TERMS = 6
_CODE = re.compile(r"^kh\d{6}$")


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_clause(query: str, c=Customer) -> ColumnElement[bool]:
    query = (query or "").strip()[:200]
    if _PHONEISH.match(query):
        digits = phone_search_digits(query)
        if digits:
            return c.phone == "+84" + digits
        bare = re.sub(r"\D", "", query).lstrip("0")
        if bare.startswith("84") and len(bare) > 9:
            bare = bare[2:]
        return c.phone.like(f"%{_like_escape(bare)}%", escape="\\")
    terms = fold(query).split()[:MAX_TERMS]
    if len(terms) == 1 and _CODE.match(terms[0]):
        return c.code == terms[0].upper()  # a whole customer code: the unique index
    if not terms:
        return and_(True)
    return and_(*[c.search_text.like(f"%{_like_escape(t)}%", escape="\\") for t in terms])


def matches_any(query: str, c=Customer) -> ColumnElement[bool]:
    """Any term matches (for duplicate suggestions)."""
    terms = fold(query).split()[:MAX_TERMS]
    return or_(*[c.search_text.like(f"%{_like_escape(t)}%", escape="\\") for t in terms])
