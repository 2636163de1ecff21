"""Order rows: a sale per row (or per order code: rows sharing a code, customer and date are
the lines of one order, as sales systems export invoice details). amount = subtotal −
discount; paid_amount defaults to amount; each line becomes an order_line."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from crm_data.domain.text import fold
from crm_data.imports import parsing
from crm_data.imports.cells import Row, enum_parser
from crm_data.imports.errors import Issue
from crm_data.imports.lookup import CodeSequence
from crm_data.imports.owners import Resolver, customer_id
from crm_data.records import validation as v
from crm_data.records.validation import Invalid
from crm_data.storage import bulk
from crm_data.storage.models import Order, OrderLine

CODE_PREFIX = "DH"
_STATUS = {
    "completed": "completed", "complete": "completed", "done": "completed",
    "hoan thanh": "completed", "da hoan thanh": "completed", "thanh cong": "completed",
    "da giao": "completed", "xong": "completed",
    "cancelled": "cancelled", "canceled": "cancelled", "huy": "cancelled", "da huy": "cancelled",
    "huy bo": "cancelled", "bi huy": "cancelled",
}


def status(value) -> str:
    found = _STATUS.get(fold(str(value)))
    if found is None:
        raise Invalid("import.invalid.status", {"value": str(value)})
    return found


def convert(row: Row) -> dict:
    out: dict = {}
    out["code"] = row.get("code", v.optional_text, 32)
    out["customer_code"] = row.get("customer_code", v.optional_text, 32)
    out["phone"] = row.phone()
    out["customer_name"] = row.get("customer_name", v.optional_text, 200)
    if not out["customer_code"] and not out["phone"] and not any(
            i.column in _header(row, "customer_code", "phone") for i in row.issues):
        row.issues.append(Issue("import.invalid.no_customer", {},
                                _first_header(row, "customer_code", "phone")))
    ordered_at = row.require("order_date", parsing.timestamp, not_future=True)
    out["ordered_at"] = ordered_at
    out["order_date"] = ordered_at.date() if ordered_at else None
    out["product"] = row.get("product", v.optional_text, 200)
    qty = row.get("quantity", parsing.quantity)
    out["quantity"] = qty or 1
    discount = row.get("discount", parsing.amount) or 0
    unit_price = row.get("unit_price", parsing.amount) if row.has("unit_price") else None
    amount = row.get("amount", parsing.amount) if row.has("amount") else None
    if unit_price is not None:
        subtotal = unit_price * out["quantity"]
        expected = subtotal - discount
        if expected < 0:
            row.issues.append(Issue("import.invalid.discount_too_big",
                                    {"discount": discount, "subtotal": subtotal},
                                    _first_header(row, "discount")))
        elif amount is not None and amount != expected:
            row.issues.append(Issue("import.invalid.amount_mismatch",
                                    {"amount": amount, "expected": expected, "subtotal": subtotal,
                                     "discount": discount}, _first_header(row, "amount")))
        amount = expected
    elif amount is not None:
        subtotal = amount + discount
        unit_price = subtotal // out["quantity"]
    elif not row.issues or not any(i.column in _header(row, "amount", "unit_price")
                                   for i in row.issues):
        row.issues.append(Issue("invalid.required", {}, _first_header(row, "amount", "unit_price")))
        subtotal = 0
    else:
        subtotal = 0
    out.update(unit_price=unit_price, subtotal=subtotal, discount=discount, amount=amount)
    paid = row.get("paid_amount", parsing.amount) if row.has("paid_amount") else None
    if paid is not None and amount is not None and paid > amount:
        row.issues.append(Issue("import.invalid.overpaid", {"paid": paid, "amount": amount},
                                _first_header(row, "paid_amount")))
    out["paid_amount"] = amount if paid is None else paid
    out["cost"] = row.get("cost", parsing.amount) if row.has("cost") else None
    out["payment_method"] = row.get("payment_method", enum_parser("payment_method"), memo=True)
    out["channel"] = row.get("channel", enum_parser("order_channel"), memo=True)
    out["status"] = (row.get("status", status, memo=True) if row.has("status") else None) or "completed"
    return out


def _header(row: Row, *names: str) -> set:
    return {row.cells[n][0] for n in names if n in row.cells}


def _first_header(row: Row, *names: str) -> str | None:
    return next((row.cells[n][0] for n in names if n in row.cells), None)


@dataclass
class PlannedOrder:
    number: int
    values: dict  # order-level values of the first row
    lines: list[dict]
    customer: object  # existing id or customers.Planned
    existing: tuple[int, int] | None = None  # (order id, its customer id) when updating
    rows: list[int] = field(default_factory=list)
    signatures: set = field(default_factory=set)


@dataclass
class StoredOrder:
    """An order an earlier chunk of the same file planned (by its code)."""
    number: int
    order_id: int | None  # None: skipped (already in the database)
    customer: int
    order_date: dt.date
    signatures: set  # digests of its lines' signatures
    is_update: bool = False


@dataclass
class Plan:
    resolver: Resolver
    inserts: list[PlannedOrder] = field(default_factory=list)
    updates: list[PlannedOrder] = field(default_factory=list)
    more_lines: list[tuple[StoredOrder, dict]] = field(default_factory=list)  # of earlier chunks' orders
    skipped: list[tuple[int, Issue]] = field(default_factory=list)
    rejected: list[tuple[int, Issue]] = field(default_factory=list)
    duplicates: list[tuple[int, Issue]] = field(default_factory=list)
    by_code: dict = field(default_factory=dict)  # code → PlannedOrder | StoredOrder

    @property
    def new_customers(self):
        return self.resolver.new_customers


_LINE_KEYS = ("product", "quantity", "unit_price", "subtotal", "discount", "amount",
              "paid_amount", "cost")


def _signature(values: dict) -> tuple:
    return tuple(sorted((k, str(val)) for k, val in values.items()))


def digest(signature: tuple) -> bytes:
    return hashlib.blake2b(repr(signature).encode(), digest_size=16).digest()


def plan(session: Session, ctx, rows: list[tuple[int, dict]], duplicates: str, *,
         resolver: Resolver, existing: dict[str, tuple[int, int]],
         stored: dict[str, StoredOrder], codes: CodeSequence) -> Plan:
    """One chunk: `existing` the database's orders (from before the import) with the chunk's
    codes, `stored` the orders earlier chunks planned with them."""
    del session, ctx
    out = Plan(resolver, by_code=dict(stored))
    by_code = out.by_code
    for number, values in rows:
        target, problem = resolver.resolve(number, values, values["ordered_at"])
        if problem is not None:
            out.rejected.append((number, problem))
            continue
        code = values.get("code")
        line = {k: values[k] for k in _LINE_KEYS}
        earlier = by_code.get(code) if code else None
        if isinstance(earlier, StoredOrder):
            sig = digest(_signature(values))
            if sig in earlier.signatures or not (earlier.customer == target
                                                 and earlier.order_date == values["order_date"]):
                issue = Issue("import.dup.order_in_file", {"row": earlier.number, "code": code})
                out.duplicates.append((number, issue))
                out.skipped.append((number, issue))
                continue
            earlier.signatures.add(sig)
            if earlier.order_id is None:
                out.skipped.append((number, Issue("import.dup.order_in_db", {"code": code})))
            else:
                out.more_lines.append((earlier, line))
            continue
        if earlier is not None:
            sig = _signature(values)
            same_order = (earlier.customer == target
                          and earlier.values["order_date"] == values["order_date"])
            if sig in earlier.signatures or not same_order:
                issue = Issue("import.dup.order_in_file", {"row": earlier.number, "code": code})
                out.duplicates.append((number, issue))
                out.skipped.append((number, issue))
                continue
            earlier.lines.append(line)  # another line of the same order
            earlier.rows.append(number)
            earlier.signatures.add(sig)
            continue
        planned = PlannedOrder(number, values, [line], target, rows=[number],
                               signatures={_signature(values)})
        if code and code in existing:
            issue = Issue("import.dup.order_in_db", {"code": code})
            out.duplicates.append((number, issue))
            if duplicates != "update":
                out.skipped.append((number, issue))
                by_code[code] = planned  # later lines of that order are skipped too
                planned.signatures = set()
                planned.values = dict(values, _skipped=True)
                continue
            planned.existing = existing[code]
            out.updates.append(planned)
        else:
            out.inserts.append(planned)
        if code:
            by_code[code] = planned
    # Lines of an order that was skipped are skipped with it.
    for code, p in by_code.items():
        if isinstance(p, PlannedOrder) and p.values.get("_skipped"):
            for n in p.rows[1:]:
                out.skipped.append((n, Issue("import.dup.order_in_db", {"code": code})))
    resolver.assign_codes()
    codes.see(p.values["code"] for p in out.inserts if p.values.get("code"))
    for p in out.inserts:
        if not p.values.get("code"):
            p.values["code"] = codes.take()
    return out


def existing_orders(session: Session, codes: set[str], max_id: int) -> dict[str, tuple[int, int]]:
    """code → (order id, customer id) of the orders from before the import (ids ≤ max_id)."""
    out: dict[str, tuple[int, int]] = {}
    items = sorted(codes)
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        for oid, code, cid in session.execute(
                select(Order.id, Order.code, Order.customer_id).where(
                    Order.code.in_(chunk), Order.id <= max_id)):
            out[code] = (oid, cid)
    return out


def max_codes(session: Session) -> set[str]:
    """The few longest / largest DH… codes: the sequence continues after the largest."""
    return set(session.scalars(
        select(Order.code).where(Order.code.like(f"{CODE_PREFIX}%"))
        .order_by(func.length(Order.code).desc(), Order.code.desc()).limit(50)))


def counts(p: Plan) -> tuple[int, int]:
    added = sum(1 for o, _line in p.more_lines if not o.is_update)
    return (sum(len(o.rows) for o in p.inserts) + added,
            sum(len(o.rows) for o in p.updates) + len(p.more_lines) - added)


def _order_row(p: PlannedOrder, cid: int, created_by: int | None) -> dict:
    lines = p.lines
    costs = [ln["cost"] for ln in lines]
    first = p.values
    ordered_at: dt.datetime = first["ordered_at"]
    return {
        "code": first["code"], "customer_id": cid, "order_date": first["order_date"],
        "ordered_at": ordered_at, "status": first["status"], "channel": first["channel"],
        "payment_method": first["payment_method"],
        "subtotal": sum(ln["subtotal"] for ln in lines),
        "discount": sum(ln["discount"] for ln in lines),
        "amount": sum(ln["amount"] for ln in lines),
        "cost": None if any(c is None for c in costs) else sum(costs),
        "paid_amount": sum(ln["paid_amount"] for ln in lines),
        "items_count": min(sum(ln["quantity"] for ln in lines), 32767),
        "created_by": created_by,
    }


def _line_rows(order_id: int, p: PlannedOrder) -> list[dict]:
    return [{"order_id": order_id, "product_id": None, "description": ln["product"],
             "quantity": ln["quantity"], "unit_price": ln["unit_price"],
             "unit_cost": None if ln["cost"] is None else ln["cost"] // ln["quantity"],
             "amount": ln["subtotal"]} for ln in p.lines]


def write(session: Session, p: Plan) -> tuple[set[int], dict[str, StoredOrder]]:
    """Write one chunk's plan: (customers touched, the chunk's orders to remember by code)."""
    created = p.resolver.insert_new(session)
    user = p.resolver.ctx.scope.user_id
    touched: set[int] = set(created.values())
    orders_t, lines_t = Order.__table__, OrderLine.__table__
    remember: dict[str, StoredOrder] = {}
    if p.inserts:
        params = [_order_row(o, customer_id(o.customer, created), user) for o in p.inserts]
        touched.update(r["customer_id"] for r in params)
        ids = bulk.insert_returning_ids(session, orders_t, params)
        bulk.insert_rows(session, lines_t,
                         [ln for oid, o in zip(ids, p.inserts, strict=True) for ln in _line_rows(oid, o)])
        for oid, o, row in zip(ids, p.inserts, params, strict=True):
            remember[row["code"]] = StoredOrder(o.number, oid, row["customer_id"],
                                                row["order_date"], {digest(s) for s in o.signatures})
    for o in p.updates:
        oid, old_cid = o.existing
        row = _order_row(o, customer_id(o.customer, created), user)
        code = row.pop("code")
        row.pop("created_by")
        session.execute(update(orders_t).where(orders_t.c.id == oid).values(row))
        session.execute(delete(lines_t).where(lines_t.c.order_id == oid))
        session.execute(insert(lines_t), _line_rows(oid, o))
        touched.update((old_cid, row["customer_id"]))
        remember[code] = StoredOrder(o.number, oid, row["customer_id"], row["order_date"],
                                     {digest(s) for s in o.signatures}, is_update=True)
    for code, o in p.by_code.items():
        if isinstance(o, PlannedOrder) and o.values.get("_skipped"):
            cid = customer_id(o.customer, created)
            remember[code] = StoredOrder(o.number, None, cid, o.values["order_date"],
                                         {digest(s) for s in o.signatures})
        elif isinstance(o, StoredOrder):
            remember[code] = o  # its signatures may have grown
    _add_lines(session, p.more_lines)
    p.resolver.end_chunk(created)
    return touched, remember


def _add_lines(session: Session, more: list[tuple[StoredOrder, dict]]) -> None:
    """Lines of orders an earlier chunk wrote: the order's totals grow by them, as if all
    its lines had been in one chunk."""
    if not more:
        return
    by_order: dict[int, list[dict]] = {}
    for o, line in more:
        by_order.setdefault(o.order_id, []).append(line)
    t = Order.__table__
    for oid, lines in by_order.items():
        costs = [ln["cost"] for ln in lines]
        items = t.c.items_count + sum(ln["quantity"] for ln in lines)
        session.execute(update(t).where(t.c.id == oid).values(
            subtotal=t.c.subtotal + sum(ln["subtotal"] for ln in lines),
            discount=t.c.discount + sum(ln["discount"] for ln in lines),
            amount=t.c.amount + sum(ln["amount"] for ln in lines),
            paid_amount=t.c.paid_amount + sum(ln["paid_amount"] for ln in lines),
            cost=None if any(c is None for c in costs) else t.c.cost + sum(costs),
            items_count=case((items > 32767, 32767), else_=items)))
        session.execute(insert(OrderLine.__table__), _line_rows(oid, PlannedOrder(0, {}, lines, None)))
