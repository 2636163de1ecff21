"""Move a customer to another pipeline (lead) or lifecycle (journey) stage; every move is
a stage_changes row, which the funnel and the journey reports count."""

from __future__ import annotations

from sqlalchemy import Engine

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import now
from crm_data.records import validation
from crm_data.records.validation import Invalid
from crm_data.records.writing import Conflict, ValidationFailed, customer_row, require_editor
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import StageChange
from crm_data.writes.customer import _versioned_update

KINDS = {"pipeline": "pipeline_stage", "lifecycle": "lifecycle_stage"}


def check_move(kind: str, to_stage, lost_reason) -> tuple[str, str | None]:
    """(stage, lost reason) or ValidationFailed: a lost lead needs its reason."""
    if kind not in KINDS:
        raise ValueError(kind)
    errors = {}
    stage = reason = None
    try:
        stage = validation.enum(KINDS[kind], to_stage, required=True)
    except Invalid as exc:
        errors["stage"] = exc
    if stage == "lost":
        try:
            reason = validation.enum("lost_reason", lost_reason, required=True)
        except Invalid as exc:
            errors["lost_reason"] = exc
    if errors:
        raise ValidationFailed(errors)
    return stage, reason


def apply_move(session, scope: Scope, before: dict, kind: str, stage: str,
               reason: str | None) -> bool:
    """Within a transaction: update the customer row and add the stage_changes row.
    Returns False when the customer is already at that stage."""
    column = KINDS[kind]
    if before[column] == stage:
        return False
    values = {column: stage}
    if kind == "pipeline":
        values["lost_reason"] = reason
    _versioned_update(session, before["id"], before["version"], values)
    session.add(StageChange(customer_id=before["id"], kind=kind, from_stage=before[column],
                            to_stage=stage, changed_at=now(), changed_by=scope.user_id,
                            lost_reason=reason))
    audit.record(session, scope, "stage", "customer", before["id"],
                 before={column: before[column], "lost_reason": before.get("lost_reason")},
                 after=values)
    return True


def move_stage(engine: Engine, scope: Scope, customer_id: int, to_stage: str, *,
               kind: str = "pipeline", lost_reason: str | None = None,
               version: int | None = None) -> bool:
    """Move one customer; with `version`, refused (Conflict) if the record changed since."""
    require_editor(scope)
    stage, reason = check_move(kind, to_stage, lost_reason)
    with unit_of_work(engine) as s:
        before = customer_row(s, scope, customer_id)
        if version is not None and before["version"] != int(version):
            raise Conflict(customer_id)
        if before[KINDS[kind]] == stage:
            raise ValidationFailed({"stage": Invalid("cust.invalid.same_stage")})
        apply_move(s, scope, before, kind, stage, reason)
        summaries.refresh_customers(s, [customer_id])
    return True
