"""Bulk edit of a selection or of every customer a filter selects: owner, tags, pipeline
stage (one transaction for all)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Engine, func, select

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import today
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where
from crm_data.records import tags as tag_rules
from crm_data.records import validation
from crm_data.records.derived import tags_column, tags_list
from crm_data.records.validation import Invalid
from crm_data.records.writing import (
    CUSTOMER_AUDIT_COLUMNS,
    NotFound,
    ValidationFailed,
    require_editor,
)
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, CustomerStats, User
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


def _prepare(scope: Scope, edit: BulkEdit):
    stage = reason = None
    if edit.stage:
        stage, reason = check_move("pipeline", edit.stage, edit.lost_reason)
    if edit.owner_id is not None and not scope.sees_all_customers and edit.owner_id != scope.user_id:
        raise PermissionError("staff may not hand customers to someone else")
    add = tag_rules.parse(list(edit.add_tags))
    try:
        validation.tags(", ".join(add))  # each tag fits the registry
    except Invalid as exc:
        raise ValidationFailed({"add_tags": exc}) from exc
    remove = {tag_rules.key(t) for t in edit.remove_tags}
    return stage, reason, add, remove


def _apply(s, scope: Scope, edit: BulkEdit, where, prepared, inner: bool = True) -> list[int]:
    """Apply the edit to the customers `where` selects (scope already in it); their ids.
    `inner`: only customers with a summary row, as the list shows them."""
    stage, reason, add, remove = prepared
    if edit.owner_id is not None and s.scalar(select(User.id).where(
            User.id == edit.owner_id, User.active.is_(True), User.role != "viewer")) is None:
        raise NotFound(f"user {edit.owner_id}")
    rows = s.execute(select(*[Customer.__table__.c[n] for n in CUSTOMER_AUDIT_COLUMNS])
                     .select_from(Customer)
                     .join(CustomerStats, CustomerStats.customer_id == Customer.id, isouter=not inner)
                     .where(*where).order_by(Customer.id)).mappings()
    changed: list[int] = []
    # Added tags take the spelling first entered; removing "khach si" removes "Khách Sỉ".
    add = tags_list(tag_rules.canonical(s, add)) if add else []
    for before in [dict(r) for r in rows]:
        values = {}
        if edit.owner_id is not None and before["owner_id"] != edit.owner_id:
            values["owner_id"] = edit.owner_id
        tags = tags_column([t for t in [*tags_list(before["tags"]), *add]
                            if tag_rules.key(t) not in remove])
        if tags != (before["tags"] or ""):
            values["tags"] = tags
            values["tag_keys"] = tag_rules.keys_column(tags)
        if values:
            _versioned_update(s, before["id"], before["version"], values)
            audit.record(s, scope, "bulk_update", "customer", before["id"],
                         before={k: before[k] for k in values}, after=values)
            before = {**before, **values, "version": before["version"] + 1}
        moved = stage is not None and apply_move(s, scope, before, "pipeline", stage, reason)
        if values or moved:
            changed.append(before["id"])
    summaries.refresh_customers(s, changed)
    return changed


def bulk_edit(engine: Engine, scope: Scope, ids, edit: BulkEdit) -> int:
    """Apply `edit` to the visible customers among `ids`; returns how many changed."""
    require_editor(scope)
    ids = sorted({int(i) for i in ids})[:MAX_BULK]
    if not ids or edit.is_empty():
        return 0
    prepared = _prepare(scope, edit)
    with unit_of_work(engine) as s:
        where = [Customer.id.in_(ids), scope.customer_clause(Customer)]
        return len(_apply(s, scope, edit, where, prepared, inner=False))


class CountChanged(Exception):
    """The filter selects another number of customers than the user confirmed."""

    def __init__(self, expected: int, actual: int):
        super().__init__(f"confirmed {expected} customers, the filter now selects {actual}")
        self.expected, self.actual = expected, actual


def count_filtered(engine: Engine, scope: Scope, flt: CustomerFilter) -> int:
    """How many customers `bulk_edit_filtered` would touch (the confirmation's N)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Customer)
                               .join(CustomerStats, CustomerStats.customer_id == Customer.id)
                               .where(*customer_where(scope, flt, today()))))


def bulk_edit_filtered(engine: Engine, scope: Scope, flt: CustomerFilter, edit: BulkEdit,
                       expected: int) -> int:
    """Apply `edit` to every visible customer the filter selects (the list's own WHERE:
    scope + CustomerFilter), in one transaction. `expected` is the N the user confirmed;
    when the filter now selects another number, nothing is written (CountChanged).
    Audited per customer, plus one row with the filter and the count."""
    require_editor(scope)
    if edit.is_empty():
        return 0
    prepared = _prepare(scope, edit)
    where = customer_where(scope, flt, today())
    with unit_of_work(engine) as s:
        actual = int(s.scalar(select(func.count()).select_from(Customer)
                              .join(CustomerStats, CustomerStats.customer_id == Customer.id)
                              .where(*where)))
        if actual != int(expected):
            raise CountChanged(int(expected), actual)
        changed = _apply(s, scope, edit, where, prepared)
        audit.record(s, scope, "bulk_update_filtered", "customers", None,
                     detail={"filter": flt.query_string(), "matched": actual,
                             "changed": len(changed), "edit": asdict(edit)})
        return len(changed)
