"""The audit log: who did what, when, with before / after."""

from __future__ import annotations

import datetime as dt
import decimal
import json

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_data.accounts.scope import Scope
from crm_data.storage.meta import bump_data_version
from crm_data.storage.models import AuditLog


def _default(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value)
    return str(value)


def to_json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=_default, sort_keys=True)


def record(session: Session, scope: Scope, action: str, entity: str | None = None,
           entity_id=None, before: dict | None = None, after: dict | None = None,
           detail: str | dict | None = None, *, changes_data: bool = True) -> None:
    """Add an audit row to the caller's transaction (and mark cached results stale)."""
    session.add(AuditLog(
        user_id=scope.user_id, username=scope.username, action=action, entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=to_json(before), after=to_json(after),
        detail=detail if isinstance(detail, str) or detail is None else to_json(detail),
    ))
    if changes_data:
        bump_data_version(session)


def log(engine: Engine, scope: Scope, action: str, entity: str | None = None, entity_id=None,
        detail: str | dict | None = None) -> None:
    """An audit row in a transaction of its own, for events that change no data
    (downloads, refusals, failed imports): cached results stay valid."""
    from crm_data.storage.db import unit_of_work

    with unit_of_work(engine) as s:
        record(s, scope, action, entity, entity_id, detail=detail, changes_data=False)
