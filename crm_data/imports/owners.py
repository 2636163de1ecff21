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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_data.imports import customers
from crm_data.imports.cells import Context
from crm_data.imports.errors import Issue
from crm_data.imports.keystore import SEP, KeyStore, key
from crm_data.imports.lookup import CodeSequence, CustomerIndex, customer_codes
from crm_data.storage import bulk
from crm_data.storage.bulk import among
from crm_data.storage.models import Customer


@dataclass
class Resolver:
    """Used a chunk at a time (begin_chunk → resolve each row → assign_codes → insert_new →
    end_chunk): customers this import created in earlier chunks are found through a
    KeyStore and come back as ids, like existing customers."""

    ctx: Context
    create_missing: bool
    codes: CodeSequence  # customer codes, continued across chunks
    max_id: int = 0  # the customers from before the import
    index: CustomerIndex = field(default_factory=CustomerIndex)
    store: KeyStore | None = None
    new_customers: list[customers.Planned] = field(default_factory=list)  # this chunk's
    _new_by_key: dict[tuple[str, str], customers.Planned | int] = field(default_factory=dict)
    _stored: set = field(default_factory=set)
    created: int = 0
    earliest: dict[int, dt.datetime] = field(default_factory=dict)  # this chunk: id → first row

    @classmethod
    def start(cls, session: Session, ctx: Context, create_missing: bool,
              codes: CodeSequence) -> Resolver:
        codes.see(customer_codes(session, customers.CODE_PREFIX))
        max_id = session.scalar(select(func.max(Customer.id))) or 0
        return cls(ctx, create_missing, codes, max_id, store=KeyStore())

    def begin_chunk(self, session: Session, values: list[dict]) -> None:
        codes = {v["customer_code"] for v in values if v.get("customer_code")}
        phones = {v["phone"] for v in values if v.get("phone")}
        self.index = CustomerIndex.for_keys(session, codes, phones, set(), self.max_id)
        wanted = [key("code", c) for c in codes] + [key("phone", p) for p in phones]
        self._new_by_key = {tuple(k.split(SEP, 1)): cid
                            for k, cid in self.store.get_many(wanted).items()}
        self._stored = set(self._new_by_key)
        self.new_customers = []

    def end_chunk(self, created: dict[int, int]) -> None:
        """Remember the keys of the customers this chunk created (created: insert_new's)."""
        self.store.put_many({key(*k): created[id(p)] for k, p in self._new_by_key.items()
                             if k not in self._stored})
        self.created += len(self.new_customers)

    def close(self) -> None:
        self.store.close()

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
        wanted = ("code", code) if code else ("phone", phone)
        planned = self._new_by_key.get(wanted)
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
        self._new_by_key[wanted] = planned
        if phone and code:
            self._new_by_key.setdefault(("phone", phone), planned)
        return planned, None

    def assign_codes(self) -> None:
        self.codes.see(p.values["code"] for p in self.new_customers if p.values.get("code"))
        for p in self.new_customers:
            if not p.values.get("code"):
                p.values["code"] = self.codes.take()

    def insert_new(self, session: Session) -> dict[int, int]:
        """Insert this chunk's customers to create; returns id(planned) → new customer id."""
        ids = customers.insert_rows(session, self.new_customers)
        return {id(p): ids[p.values["code"]] for p in self.new_customers}

    def start_at_earliest(self, session: Session) -> None:
        """Move the customers of this chunk's rows created after their earliest row back to
        it (a derived correction like the journey stage: no version bump). Customers the
        chunk created were inserted at it already; the ones of earlier chunks (and the
        existing ones) move only if this chunk has an earlier row."""
        earliest, self.earliest = self.earliest, {}
        ids = sorted(earliest)
        moved = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for cid, created in session.execute(select(Customer.id, Customer.created_at)
                                                .where(among(session, Customer.id, chunk))):
                if created is None or earliest[cid] < created:
                    moved.append({"id": cid, "created_at": earliest[cid]})
        bulk.update_by_id(session, Customer.__table__, moved, "created_at")


def customer_id(target, created: dict[int, int]) -> int:
    return target if isinstance(target, int) else created[id(target)]
