"""One person's data (Decree 13/2023): who may reach it, and "export everything about this
person" as JSON or XLSX: profile, orders with their lines, payments, interactions,
feedback, appointments, loyalty points, stage history, lead answers, cash-book entries
and the audit entries about them. Every export is audited (counts only, no data).

The page (pages/customer.py) and `crm privacy export` call export_person().
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.access import refuse
from crm_data.accounts.scope import Scope
from crm_data.records.writing import NotFound
from crm_data.storage.models import (
    Appointment,
    AuditLog,
    CashEntry,
    ChurnReason,
    Customer,
    CustomerStats,
    Feedback,
    FeedbackNote,
    Interaction,
    LeadAnswer,
    LoyaltyEntry,
    LoyaltyRedemption,
    Order,
    OrderLine,
    Payment,
    StageChange,
    User,
)

FORMATS = ("json", "xlsx")
MIME = {"json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Tables with a customer_id: section name → model.
OWN_TABLES = {
    "orders": Order, "payments": Payment, "interactions": Interaction, "feedback": Feedback,
    "appointments": Appointment, "loyalty": LoyaltyEntry, "stage_changes": StageChange,
    "lead_answers": LeadAnswer, "cash_book": CashEntry, "feedback_notes": FeedbackNote,
    "loyalty_redemptions": LoyaltyRedemption, "churn_reasons": ChurnReason,
}
# Audit entities whose rows are about the customer when their id is one of theirs.
AUDITED_RECORDS = {"order": Order, "payment": Payment, "interaction": Interaction,
                   "feedback": Feedback, "appointment": Appointment}


def person_clause(scope: Scope):
    """Whose data this actor may export: admins and managers anyone's (a soft-deleted
    customer too: a request may come after deletion), staff their own live customers."""
    if scope.sees_all_customers:
        return Customer.id.is_not(None)
    return scope.customer_clause(Customer)


def require_person(engine: Engine, scope: Scope, session: Session, customer_id: int) -> dict:
    """The customer row this actor may reach (NotFound otherwise); a viewer is refused
    and the refusal audited."""
    if not scope.can_see_personal_data:
        raise refuse(engine, scope, "personal_data", customer_id=int(customer_id))
    row = session.execute(select(Customer.__table__).where(
        Customer.id == int(customer_id), person_clause(scope))).mappings().first()
    if row is None:
        raise NotFound(customer_id)
    return dict(row)


def find_customer(engine: Engine, scope: Scope, code: str) -> int | None:
    """A reachable customer's id by code (deleted ones too, for admins and managers)."""
    with Session(engine) as s:
        return s.scalar(select(Customer.id).where(Customer.code == str(code).strip().upper(),
                                                  person_clause(scope)))


def _rows(session: Session, query) -> list[dict]:
    return [dict(r) for r in session.execute(query).mappings()]


def audit_about(customer_id: int, records: dict[str, list[int]]):
    """WHERE clause of the audit rows about a customer and their records (ix_audit_entity)."""
    conds = [and_(AuditLog.entity == "customer", AuditLog.entity_id == str(customer_id))]
    for entity, ids in records.items():
        if ids:
            conds.append(and_(AuditLog.entity == entity, AuditLog.entity_id.in_([str(i) for i in ids])))
    return or_(*conds)


def record_ids(session: Session, customer_id: int) -> dict[str, list[int]]:
    """Ids of the customer's orders, payments, … as audit entities."""
    return {entity: list(session.scalars(select(model.id).where(model.customer_id == customer_id)))
            for entity, model in AUDITED_RECORDS.items()}


def collect(session: Session, customer: dict) -> dict[str, list[dict]]:
    """Every row about the customer, by section (each a list of plain dicts)."""
    cid = customer["id"]
    owner = session.execute(select(User.username, User.display_name)
                            .where(User.id == customer["owner_id"])).first()
    profile = {k: v for k, v in customer.items() if k != "search_text"}
    profile["owner"] = owner.display_name if owner else None
    out: dict[str, list[dict]] = {"profile": [profile]}
    out["summary"] = _rows(session, select(CustomerStats.__table__)
                           .where(CustomerStats.customer_id == cid))
    for name, model in OWN_TABLES.items():
        out[name] = _rows(session, select(model.__table__).where(model.customer_id == cid)
                          .order_by(model.id))
    order_ids = [o["id"] for o in out["orders"]]
    out["order_lines"] = _rows(session, select(OrderLine.__table__)
                               .where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.id)) \
        if order_ids else []
    out["audit"] = _rows(session, select(AuditLog.__table__)
                         .where(audit_about(cid, record_ids(session, cid))).order_by(AuditLog.id))
    return out


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value)
    return value


def to_json(bundle: dict[str, list[dict]]) -> bytes:
    """One document: the profile, and each order with its lines nested."""
    lines: dict[int, list[dict]] = {}
    for line in bundle["order_lines"]:
        lines.setdefault(line["order_id"], []).append(line)
    doc = {"profile": bundle["profile"][0], "summary": (bundle["summary"] or [None])[0],
           "orders": [{**o, "lines": lines.get(o["id"], [])} for o in bundle["orders"]]}
    doc.update({k: v for k, v in bundle.items() if k not in ("profile", "summary", "orders", "order_lines")})
    return json.dumps(doc, ensure_ascii=False, indent=2, default=_plain).encode("utf-8")


def to_xlsx(bundle: dict[str, list[dict]]) -> bytes:
    """One sheet per section; every text cell written as text (never a formula)."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for name, rows in bundle.items():
        sheet = book.add_worksheet(name[:31])
        columns = list(rows[0]) if rows else ["-"]
        sheet.write_row(0, 0, columns, bold)
        for r, row in enumerate(rows, start=1):
            for c, key in enumerate(columns):
                value = _plain(row.get(key))
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return buf.getvalue()


def export_person(engine: Engine, scope: Scope, customer_id: int, fmt: str) -> bytes:
    """Everything about one person as JSON or XLSX bytes; the export is audited with the
    row count of each section (never the data)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    with Session(engine) as s:
        customer = require_person(engine, scope, s, customer_id)
        bundle = collect(s, customer)
    data = to_json(bundle) if fmt == "json" else to_xlsx(bundle)
    audit.log(engine, scope, "person_export", "customer", customer["id"],
              detail={"format": fmt, "rows": {k: len(v) for k, v in bundle.items()}})
    return data
