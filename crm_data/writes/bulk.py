"""Bulk edit of a selection: owner, tags, pipeline stage (one transaction for all)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from crm_data import audit, summary
from crm_data.db import unit_of_work
from crm_data.models import Customer, User
from crm_data.records import tags_column, tags_list
from crm_data.scope import Scope
from crm_data.writes.base import CUSTOMER_AUDIT_COLUMNS, NotFound, require_editor
from crm_data.writes.customer import _versioned_update
from crm_data.writes.stages import apply_move, check_move

MAX_BULK = 5000


@dataclass(frozen=True)
class BulkEdit:
    owner_id: int | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    stage: str | None = None  # pipeline stage
    lost_reason: str | None = None

    def is_empty(self) -> bool:
        return self == BulkEdit()


def bulk_edit(engine: Engine, scope: Scope, ids, edit: BulkEdit) -> int:
    """Apply `edit` to the visible customers among `ids`; returns how many changed."""
    require_editor(scope)
    ids = sorted({int(i) for i in ids})[:MAX_BULK]
    if not ids or edit.is_empty():
        return 0
    stage = reason = None
    if edit.stage:
        stage, reason = check_move("pipeline", edit.stage, edit.lost_reason)
    if edit.owner_id is not None and not scope.sees_all_customers and edit.owner_id != scope.user_id:
        raise PermissionError("staff may not hand customers to someone else")
    add = set(tags_list(tags_column(list(edit.add_tags))))
    remove = set(tags_list(tags_column(list(edit.remove_tags))))
    changed: list[int] = []
    with unit_of_work(engine) as s:
        if edit.owner_id is not None and s.scalar(select(User.id).where(
                User.id == edit.owner_id, User.active.is_(True), User.role != "viewer")) is None:
            raise NotFound(f"user {edit.owner_id}")
        rows = s.execute(select(*[Customer.__table__.c[n] for n in CUSTOMER_AUDIT_COLUMNS])
                         .where(Customer.id.in_(ids), scope.customer_clause(Customer))).mappings()
        for before in [dict(r) for r in rows]:
            values = {}
            if edit.owner_id is not None and before["owner_id"] != edit.owner_id:
                values["owner_id"] = edit.owner_id
            tags = tags_column(sorted((set(tags_list(before["tags"])) | add) - remove))
            if tags != (before["tags"] or ""):
                values["tags"] = tags
            if values:
                _versioned_update(s, before["id"], before["version"], values)
                audit.record(s, scope, "bulk_update", "customer", before["id"],
                             before={k: before[k] for k in values}, after=values)
                before = {**before, **values, "version": before["version"] + 1}
            moved = stage is not None and apply_move(s, scope, before, "pipeline", stage, reason)
            if values or moved:
                changed.append(before["id"])
        summary.refresh_customers(s, changed)
    return len(changed)
