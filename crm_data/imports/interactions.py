"""Interaction rows (calls, messages, meetings …): customer by code or phone, when, kind,
outcome, note, next step, and the member of staff (by username; default: the importer)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.orm import Session

from crm_data.imports import parsing
from crm_data.imports.cells import Row, enum_parser
from crm_data.imports.errors import Issue
from crm_data.imports.owners import Resolver, customer_id
from crm_data.records import validation as v
from crm_data.storage.models import Interaction


def convert(row: Row) -> dict:
    out: dict = {}
    out["customer_code"] = row.get("customer_code", v.optional_text, 32)
    out["phone"] = row.phone()
    out["customer_name"] = row.get("customer_name", v.optional_text, 200)
    if not out["customer_code"] and not out["phone"] and not row.issues:
        header = next((row.cells[n][0] for n in ("customer_code", "phone") if n in row.cells), None)
        row.issues.append(Issue("import.invalid.no_customer", {}, header))
    out["occurred_at"] = row.require("occurred_at", parsing.timestamp, not_future=True)
    out["kind"] = row.require("kind", enum_parser("interaction_kind"), memo=True)
    out["outcome"] = row.require("outcome", enum_parser("outcome"), memo=True)
    out["note"] = row.get("note", v.optional_text, v.LONG_TEXT)
    out["next_step_date"] = row.get("next_step_date", parsing.date)
    user = row.get("user", row.ctx.user_id) if row.has("user") else None
    out["user_id"] = user if user is not None else row.ctx.scope.user_id
    return out


@dataclass
class Plan:
    resolver: Resolver
    inserts: list[tuple[object, dict]] = field(default_factory=list)
    skipped: list[tuple[int, Issue]] = field(default_factory=list)
    rejected: list[tuple[int, Issue]] = field(default_factory=list)
    duplicates: list[tuple[int, Issue]] = field(default_factory=list)

    @property
    def new_customers(self):
        return self.resolver.new_customers


def plan(session: Session, ctx, rows: list[tuple[int, dict]], duplicates: str, *,
         resolver: Resolver) -> Plan:
    """Interactions have no natural key: every good row is a new interaction."""
    del session, ctx, duplicates
    out = Plan(resolver)
    for number, values in rows:
        target, problem = resolver.resolve(number, values, values["occurred_at"])
        if problem is not None:
            out.rejected.append((number, problem))
        else:
            out.inserts.append((target, values))
    resolver.assign_codes()
    return out


def counts(p: Plan) -> tuple[int, int]:
    return len(p.inserts), 0


_COLUMNS = ("user_id", "kind", "outcome", "occurred_at", "note", "next_step_date")


def write(session: Session, p: Plan) -> set[int]:
    """Write one chunk's plan; returns the customers touched."""
    created = p.resolver.insert_new(session)
    touched: set[int] = set(created.values())
    params = [{"customer_id": customer_id(t, created), **{c: vals[c] for c in _COLUMNS}}
              for t, vals in p.inserts]
    touched.update(r["customer_id"] for r in params)
    if params:
        session.execute(insert(Interaction.__table__), params)
    p.resolver.end_chunk(created)
    return touched
