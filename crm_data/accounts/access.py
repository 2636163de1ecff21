"""Permission checks of the data layer that leave an audit row when they refuse, so an
actor probing for data they may not see shows up in the audit log."""

from __future__ import annotations

from sqlalchemy import Engine

from crm_data import audit
from crm_data.accounts.scope import Scope


def refuse(engine: Engine, scope: Scope, what: str, **detail) -> PermissionError:
    """Record the refusal ("denied", entity = what was asked) and return the error to raise."""
    audit.log(engine, scope, "denied", what, None, detail={"role": scope.role, **detail})
    return PermissionError(f"role {scope.role!r} may not {what.replace('_', ' ')}")


def require_personal_data(engine: Engine, scope: Scope, what: str) -> None:
    """Per-customer rows (codes, names, owners, amounts, tags) are personal data: the
    executive viewer gets aggregates only."""
    if not scope.can_see_personal_data:
        raise refuse(engine, scope, what)


def require_admin(engine: Engine, scope: Scope, what: str) -> None:
    if not scope.can_admin:
        raise refuse(engine, scope, what)
