"""Saved segments: a named CustomerFilter (stored as its URL query string), kept per user
and optionally shared with everyone; opened from a link (?segment=ID)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import aliased

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import now
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.records import validation
from crm_data.records.writing import NotFound, ValidationFailed, collect
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import SavedSegment, User

MAX_QUERY = 4000


def _visible(scope: Scope):
    return or_(SavedSegment.owner_id == scope.user_id, SavedSegment.shared.is_(True))


def save_segment(engine: Engine, scope: Scope, name: str, flt: CustomerFilter,
                 shared: bool = False) -> int:
    if not scope.can_edit:
        raise PermissionError(f"role {scope.role!r} may not save segments")
    values = collect({"name": lambda: validation.required_text(name, 120)})
    query = flt.query_string()
    if len(query) > MAX_QUERY:
        raise ValidationFailed({"name": validation.Invalid("invalid.too_long", {"max": MAX_QUERY})})
    with unit_of_work(engine) as s:
        row = SavedSegment(owner_id=scope.user_id, name=values["name"], query=query,
                           shared=bool(shared), created_at=now())
        s.add(row)
        s.flush()
        audit.record(s, scope, "create", "saved_segment", row.id,
                     after={"name": row.name, "query": query, "shared": row.shared})
        return row.id


def list_segments(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The actor's own segments and those others shared, newest first."""
    owner = aliased(User)
    query = (select(SavedSegment.id, SavedSegment.name, SavedSegment.query, SavedSegment.shared,
                    SavedSegment.owner_id, owner.display_name.label("owner"),
                    SavedSegment.created_at)
             .outerjoin(owner, owner.id == SavedSegment.owner_id)
             .where(_visible(scope))
             .order_by(SavedSegment.created_at.desc(), SavedSegment.id.desc()))
    with engine.connect() as conn:
        df = pd.read_sql(query, conn)
    df["mine"] = df["owner_id"] == scope.user_id
    return df


def get_segment(engine: Engine, scope: Scope, segment_id: int) -> dict | None:
    """A segment the actor owns or that is shared, with its filter; None otherwise."""
    with engine.connect() as conn:
        row = conn.execute(select(SavedSegment.id, SavedSegment.name, SavedSegment.query,
                                  SavedSegment.shared, SavedSegment.owner_id)
                           .where(SavedSegment.id == int(segment_id), _visible(scope))
                           ).mappings().first()
    if row is None:
        return None
    return {**row, "filter": filter_of(row["query"])}


def segment_filter(engine: Engine, segment_id: int) -> CustomerFilter | None:
    """Any segment's filter, whoever owns it (the command line acts as the system)."""
    with engine.connect() as conn:
        query = conn.execute(select(SavedSegment.query)
                             .where(SavedSegment.id == int(segment_id))).scalar()
    return None if query is None else filter_of(query)


def filter_of(query: str) -> CustomerFilter:
    from urllib.parse import parse_qs

    return CustomerFilter.from_query(parse_qs(query or "", keep_blank_values=False))


def _own(session, scope: Scope, segment_id: int) -> SavedSegment:
    row = session.get(SavedSegment, int(segment_id))
    if row is None or (row.owner_id != scope.user_id and not scope.can_admin):
        raise NotFound(segment_id)
    return row


def set_shared(engine: Engine, scope: Scope, segment_id: int, shared: bool) -> None:
    with unit_of_work(engine) as s:
        row = _own(s, scope, segment_id)
        before = row.shared
        s.execute(update(SavedSegment).where(SavedSegment.id == row.id).values(shared=bool(shared)))
        audit.record(s, scope, "update", "saved_segment", row.id,
                     before={"shared": before}, after={"shared": bool(shared)})


def delete_segment(engine: Engine, scope: Scope, segment_id: int) -> None:
    with unit_of_work(engine) as s:
        row = _own(s, scope, segment_id)
        audit.record(s, scope, "delete", "saved_segment", row.id,
                     before={"name": row.name, "query": row.query, "shared": row.shared})
        s.delete(row)
