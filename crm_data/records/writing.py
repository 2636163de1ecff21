"""What every customer write shares: errors, the editor check, the visible-row lock."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_data.accounts.scope import Scope
from crm_data.records.validation import Invalid
from crm_data.storage.models import Customer


class ValidationFailed(ValueError):
    """Invalid input; `errors` maps each bad field to its Invalid (i18n key + values)."""

    def __init__(self, errors: dict[str, Invalid]):
        super().__init__(", ".join(f"{k}: {v.key}" for k, v in errors.items()))
        self.errors = errors


class DuplicateFound(Exception):
    """Likely duplicates exist; the caller asks the user and retries with confirm=True."""

    def __init__(self, matches: list):
        super().__init__(f"{len(matches)} likely duplicate(s)")
        self.matches = matches


class Conflict(Exception):
    """The record changed since it was loaded (optimistic locking); nothing was written."""


class NotFound(LookupError):
    """No such customer, deleted, or not visible to this actor."""


def require_editor(scope: Scope) -> None:
    if not scope.can_edit:
        raise PermissionError(f"role {scope.role!r} may not edit customers")


def collect(checks: dict[str, Callable[[], object]]) -> dict:
    """Run each field's validator; all bad fields are reported at once."""
    values, errors = {}, {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except Invalid as exc:
            errors[name] = exc
    if errors:
        raise ValidationFailed(errors)
    return values


CUSTOMER_AUDIT_COLUMNS = tuple(
    c.name for c in Customer.__table__.columns if c.name not in ("search_text",))


def customer_row(session: Session, scope: Scope, customer_id: int) -> dict:
    """The visible, alive customer as a dict (NotFound otherwise)."""
    row = session.execute(
        select(*[Customer.__table__.c[n] for n in CUSTOMER_AUDIT_COLUMNS])
        .where(Customer.id == int(customer_id), scope.customer_clause(Customer))
    ).mappings().first()
    if row is None:
        raise NotFound(customer_id)
    return dict(row)
