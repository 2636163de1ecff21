"""Which customer a transaction row (order, interaction) belongs to: by customer code, else
by phone; unknown customers are created minimally when the user asks for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crm_data.imports import customers
from crm_data.imports.cells import Context
from crm_data.imports.errors import Issue
from crm_data.imports.lookup import CodeSequence, CustomerIndex


@dataclass
class Resolver:
    ctx: Context
    index: CustomerIndex
    create_missing: bool
    new_customers: list[customers.Planned] = field(default_factory=list)
    _new_by_key: dict[tuple[str, str], customers.Planned] = field(default_factory=dict)
    _codes: CodeSequence | None = None

    @classmethod
    def load(cls, session: Session, ctx: Context, create_missing: bool) -> Resolver:
        return cls(ctx, CustomerIndex.load(session), create_missing)

    def resolve(self, number: int, values: dict) -> tuple[int | customers.Planned | None, Issue | None]:
        """(existing customer id | customer to create, None) or (None, reason)."""
        code, phone = values.get("customer_code"), values.get("phone")
        hit = self.index.by_code.get(code) if code else None
        if hit is None and not code and phone:
            hit = self.index.by_phone.get(phone)
        if hit is not None:
            if hit.deleted:
                return None, Issue("import.customer.deleted", {"code": hit.code})
            if not (self.ctx.scope.sees_all_customers or hit.owner_id == self.ctx.scope.user_id):
                return None, Issue("import.customer.not_yours", {"code": hit.code})
            return hit.id, None
        if code and phone and phone in self.index.by_phone:
            other = self.index.by_phone[phone].code
            return None, Issue("import.customer.phone_elsewhere", {"code": code, "other": other})
        key = ("code", code) if code else ("phone", phone)
        planned = self._new_by_key.get(key)
        if planned is not None:
            return planned, None
        if not self.create_missing:
            return None, Issue("import.customer.unknown", {"value": code or phone})
        new_values = {"full_name": values.get("customer_name") or code or phone}
        if code:
            new_values["code"] = code
        if phone:
            new_values["phone"] = phone
        if self.ctx.scope.role == "staff":
            new_values["owner_id"] = self.ctx.scope.user_id
        planned = customers.Planned(number, new_values)
        self.new_customers.append(planned)
        self._new_by_key[key] = planned
        if phone and code:
            self._new_by_key.setdefault(("phone", phone), planned)
        return planned, None

    def assign_codes(self) -> None:
        codes = CodeSequence(customers.CODE_PREFIX, set(self.index.by_code) | {
            p.values["code"] for p in self.new_customers if p.values.get("code")})
        for p in self.new_customers:
            if not p.values.get("code"):
                p.values["code"] = codes.take()

    def insert_new(self, session: Session, steps) -> dict[int, int]:
        """Insert the customers to create; returns id(planned) → new customer id."""
        out: dict[int, int] = {}
        for chunk in steps.chunks(self.new_customers):
            ids = customers.insert_rows(session, chunk)
            for p in chunk:
                out[id(p)] = ids[p.values["code"]]
        return out


def customer_id(target, created: dict[int, int]) -> int:
    return target if isinstance(target, int) else created[id(target)]
