"""Who is acting, and which customers they may see: applied in the data layer only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement

from crm_data.storage.models import Customer

ROLES = ("admin", "manager", "staff", "viewer")


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    username: str
    role: str

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    # Permissions by role (DESIGN.md, "Who uses it").
    @property
    def can_edit(self) -> bool:
        return self.role in ("admin", "manager", "staff")

    @property
    def can_export(self) -> bool:
        return self.role in ("admin", "manager", "staff")

    @property
    def can_see_personal_data(self) -> bool:
        return self.role != "viewer"

    @property
    def can_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_all_customers(self) -> bool:
        return self.role in ("admin", "manager", "viewer")

    def customer_clause(self, customer=Customer) -> ColumnElement[bool]:
        """Rows of `customer` (the table or an alias) this actor may see; never deleted ones."""
        alive = customer.deleted_at.is_(None)
        if self.sees_all_customers:
            return alive
        return alive & (customer.owner_id == self.user_id)


# The command line acts as the system administrator.
SYSTEM = Scope(user_id=None, username="system", role="admin")
