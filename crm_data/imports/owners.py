"""Which customer a transaction row (order, interaction) belongs to: by customer code, else
by phone; unknown customers are created minimally when the user asks for it.

A customer cannot have bought (or been contacted) before they were a customer: one created
here starts at their earliest row in the file (not at the time of the import), and an
existing customer whose creation is later than their earliest row is moved back to it, so
that a history imported in several files still gives new customers per month = first-time
buyers per month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from crm_data.imports import customers
from crm_data.imports.cells import Context
from crm_data.imports.errors import Issue
from crm_data.imports.lookup import CodeSequence, CustomerIndex
from crm_data.storage.models import Customer


@dataclass
class Resolver:
    ctx: Context
    index: CustomerIndex
    create_missing: bool
    new_customers: list[customers.Planned] = field(default_factory=list)
    _new_by_key: dict[tuple[str, str], customers.Planned] = field(default_factory=dict)
    _codes: CodeSequence | None = None
    earliest: dict[int, dt.datetime] = field(default_factory=dict)  # existing id → first row

    @classmethod
    def load(cls, session: Session, ctx: Context, create_missing: bool) -> Resolver:
        return cls(ctx, CustomerIndex.load(session), create_missing)

    def resolve(self, number: int, values: dict, at: dt.datetime | None = None
                ) -> tuple[int | customers.Planned | None, Issue | None]:
        """(existing customer id | customer to create, None) or (None, reason); `at` is the
        row's time (order / interaction), the earliest of which starts the customer."""
        target, problem = self._resolve(number, values)
        if at is not None and problem is None:
            if isinstance(target, int):
                if target not in self.earliest or at < self.earliest[target]:
                    self.earliest[target] = at
            elif target.values.get("created_at") is None or at < target.values["created_at"]:
                target.values["created_at"] = at
        return target, problem

    def _resolve(self, number: int, values: dict) -> tuple[int | customers.Planned | None, Issue | None]:
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


    def start_at_earliest(self, session: Session) -> set[int]:
        """Move existing customers created after their earliest row back to it (a derived
        correction like the journey stage: no version bump). Returns the ids moved."""
        ids = sorted(self.earliest)
        moved = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for cid, created in session.execute(select(Customer.id, Customer.created_at)
                                                .where(Customer.id.in_(chunk))):
                if created is None or self.earliest[cid] < created:
                    moved.append({"cid": cid, "at": self.earliest[cid]})
        if moved:
            table = Customer.__table__
            session.execute(update(table).where(table.c.id == bindparam("cid"))
                            .values(created_at=bindparam("at")), moved)
        return {m["cid"] for m in moved}


def customer_id(target, created: dict[int, int]) -> int:
    return target if isinstance(target, int) else created[id(target)]
