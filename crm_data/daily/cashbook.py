"""Sổ thu chi / Cash book: receipts (phiếu thu, PT…) and payments (phiếu chi, PC…).

Balance on a day = opening balance (settings "cashbook.opening_balance", the cash held
before the first entry) + Σ receipts − Σ payments up to that day. The box cannot hold less
than nothing: a payment that would take the balance below zero on its day or any later day
is refused (a missing receipt is recorded first, or the opening balance corrected), so the
book read back is always a possible one. A customer payment creates its receipt in the
payment's own transaction (receipt_for_payment).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts import access
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.domain.clock import now, today
from crm_data.domain.periods import Period, bucket
from crm_data.domain.periods import as_date as _as_date
from crm_data.records import validation
from crm_data.records.validation import Invalid
from crm_data.records.writing import ValidationFailed, collect
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import CashEntry

OPENING_KEY = "cashbook.opening_balance"
KINDS = ("receipt", "payment")
PREFIX = {"receipt": "PT", "payment": "PC"}
CATEGORIES = {
    "receipt": ("sales", "debt_collection", "other_income"),
    "payment": ("purchases", "rent", "salaries", "utilities", "advertising", "shipping",
                "other_expense"),
}
COLUMNS = ["id", "entry_date", "voucher_no", "kind", "category", "description", "counterpart",
           "method", "receipt", "payment", "balance", "note"]


def require_cashbook(engine: Engine, scope: Scope) -> None:
    """The cash book is the shop's money: admin and manager only."""
    if scope.role not in ("admin", "manager"):
        raise access.refuse(engine, scope, "cash_book")


def opening_balance(bind) -> int:
    return settings.get(bind, OPENING_KEY)


def _signed():
    return case((CashEntry.kind == "receipt", CashEntry.amount), else_=-CashEntry.amount)


def balance_on(bind, day: dt.date) -> int:
    """The balance at the end of `day` (a Connection or Session)."""
    total = bind.execute(select(func.coalesce(func.sum(_signed()), 0))
                         .where(CashEntry.entry_date <= day)).scalar_one()
    return opening_balance(bind) + int(total)


def _lowest_from(session: Session, day: dt.date) -> int:
    """The lowest end-of-day balance from `day` on (the balance of `day` if nothing later)."""
    per_day = (select(CashEntry.entry_date.label("d"), func.sum(_signed()).label("net"))
               .where(CashEntry.entry_date > day).group_by(CashEntry.entry_date).subquery())
    running = select(func.sum(per_day.c.net).over(order_by=per_day.c.d).label("run")).subquery()
    lowest_later = session.execute(select(func.min(running.c.run))).scalar()
    start = balance_on(session, day)
    return start + min(0, int(lowest_later or 0))


def next_voucher(session: Session, kind: str) -> str:
    prefix = PREFIX[kind]
    last = session.execute(select(func.max(CashEntry.voucher_no))
                           .where(CashEntry.voucher_no.like(prefix + "%"))).scalar()
    number = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _insert(session: Session, scope: Scope, values: dict) -> tuple[int, str]:
    voucher = next_voucher(session, values["kind"])
    row = CashEntry(voucher_no=voucher, created_by=scope.user_id, created_at=now(), **values)
    session.add(row)
    session.flush()
    return row.id, voucher


def _kind(value) -> str:
    if value not in KINDS:
        raise Invalid("cash.invalid.kind")
    return value


def _category(kind: str | None, value) -> str:
    text = validation.clean_text(value)
    if kind in CATEGORIES and text not in CATEGORIES[kind]:
        raise Invalid("cash.invalid.category")
    return text


def add_entry(engine: Engine, scope: Scope, raw: dict) -> int:
    """A receipt or payment typed in the cash-book form (admin, manager), audited."""
    require_cashbook(engine, scope)
    kind = raw.get("kind")
    values = collect({
        "kind": lambda: _kind(kind),
        "entry_date": lambda: validation.date(raw.get("entry_date"), not_future=True) or today(),
        "category": lambda: _category(kind, raw.get("category")),
        "amount": lambda: _positive(raw.get("amount")),
        "method": lambda: validation.enum("payment_method", raw.get("method")) or "cash",
        "counterpart": lambda: validation.optional_text(raw.get("counterpart"), 200),
        "description": lambda: validation.required_text(raw.get("description"), 300),
        "note": lambda: validation.optional_text(raw.get("note"), 300),
    })
    with unit_of_work(engine) as s:
        if values["kind"] == "payment":
            lowest = _lowest_from(s, values["entry_date"])
            if values["amount"] > lowest:
                raise ValidationFailed({"amount": Invalid("cash.invalid.below_zero",
                                                          {"balance": max(lowest, 0)})})
        entry_id, voucher = _insert(s, scope, values)
        audit.record(s, scope, "create", "cash_entry", entry_id, after={"voucher_no": voucher, **values})
        return entry_id


def voucher_of(engine: Engine, entry_id: int) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(CashEntry.voucher_no).where(CashEntry.id == int(entry_id))).scalar()


def _positive(value) -> int:
    number = validation.amount(value)
    if number <= 0:
        raise Invalid("cust.invalid.positive", {"value": str(value)})
    return number


def receipt_for_payment(session: Session, scope: Scope, payment_id: int, customer: dict,
                        amount: int, paid_on: dt.date, method: str | None) -> tuple[int, str]:
    """The receipt (phiếu thu) of a customer payment, in the payment's transaction."""
    return _insert(session, scope, {
        "kind": "receipt", "entry_date": paid_on, "category": "debt_collection", "amount": amount,
        "method": method or "cash", "customer_id": customer["id"], "payment_id": payment_id,
        "counterpart": f"{customer['code']} {customer['full_name']}",
        "description": f"Thu công nợ {customer['code']}", "note": None})


def _where(period: Period, kind: str | None, category: str | None, method: str | None) -> list:
    conds = [CashEntry.entry_date >= period.start, CashEntry.entry_date <= period.end]
    if kind:
        conds.append(CashEntry.kind == kind)
    if category:
        conds.append(CashEntry.category == category)
    if method:
        conds.append(CashEntry.method == method)
    return conds


def entries(engine: Engine, scope: Scope, period: Period, kind: str | None = None,
            category: str | None = None, method: str | None = None) -> pd.DataFrame:
    """The entries of the period in book order (date, voucher id) with the book's balance
    after each (over every entry, so a filtered list still shows the true cash held)."""
    require_cashbook(engine, scope)
    with engine.connect() as conn:
        start = balance_on(conn, period.start - dt.timedelta(days=1))
        q = (select(CashEntry.id, CashEntry.entry_date, CashEntry.voucher_no, CashEntry.kind,
                    CashEntry.category, CashEntry.description, CashEntry.counterpart, CashEntry.method,
                    CashEntry.amount, CashEntry.note)
             .where(*_where(period, None, None, None)).order_by(CashEntry.entry_date, CashEntry.id))
        rows = [tuple(r) for r in conn.execute(q)]
    df = pd.DataFrame(rows, columns=["id", "entry_date", "voucher_no", "kind", "category", "description",
                                     "counterpart", "method", "amount", "note"])
    df["entry_date"] = df["entry_date"].map(_as_date)
    df["receipt"] = df["amount"].where(df["kind"] == "receipt", 0).astype("int64")
    df["payment"] = df["amount"].where(df["kind"] == "payment", 0).astype("int64")
    # The running balance over the whole book of the period (one month: a few thousand rows),
    # then the filter: a filtered list still shows the cash held after each entry.
    df["balance"] = (start + (df["receipt"] - df["payment"]).cumsum()).astype("int64")
    for col, value in (("kind", kind), ("category", category), ("method", method)):
        if value:
            df = df[df[col] == value]
    df = df.reset_index(drop=True)
    return df[COLUMNS]


def summary(engine: Engine, scope: Scope, period: Period) -> dict:
    """Opening balance, receipts, payments and closing balance of the period."""
    require_cashbook(engine, scope)
    with engine.connect() as conn:
        opening = balance_on(conn, period.start - dt.timedelta(days=1))
        rec, pay = conn.execute(
            select(func.coalesce(func.sum(case((CashEntry.kind == "receipt", CashEntry.amount), else_=0)), 0),
                   func.coalesce(func.sum(case((CashEntry.kind == "payment", CashEntry.amount), else_=0)), 0))
            .where(*_where(period, None, None, None))).one()
    return {"opening": opening, "receipts": int(rec), "payments": int(pay),
            "closing": opening + int(rec) - int(pay)}


def balance_by(engine: Engine, scope: Scope, period: Period, granularity: str = "day") -> pd.DataFrame:
    """Per day / week / month with entries: receipts, payments and the closing balance
    (opening + running sum)."""
    require_cashbook(engine, scope)
    with engine.connect() as conn:
        opening = balance_on(conn, period.start - dt.timedelta(days=1))
        b = bucket(CashEntry.entry_date, granularity).label("bucket")
        q = (select(b, func.sum(case((CashEntry.kind == "receipt", CashEntry.amount), else_=0)).label("receipts"),
                    func.sum(case((CashEntry.kind == "payment", CashEntry.amount), else_=0)).label("payments"))
             .where(*_where(period, None, None, None)).group_by(b).order_by(b))
        df = pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=["bucket", "receipts", "payments"])
    df["bucket"] = df["bucket"].map(_as_date)
    for col in ("receipts", "payments"):
        df[col] = df[col].astype("int64")
    df["balance"] = (opening + (df["receipts"] - df["payments"]).cumsum()).astype("int64")
    return df


def by_category(engine: Engine, scope: Scope, period: Period) -> pd.DataFrame:
    """kind, category, entries, amount of the period, biggest first within each kind."""
    require_cashbook(engine, scope)
    q = (select(CashEntry.kind, CashEntry.category, func.count().label("entries"),
                func.sum(CashEntry.amount).label("amount"))
         .where(*_where(period, None, None, None))
         .group_by(CashEntry.kind, CashEntry.category)
         .order_by(CashEntry.kind.desc(), func.sum(CashEntry.amount).desc()))
    with engine.connect() as conn:
        df = pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=["kind", "category", "entries", "amount"])
    df["amount"] = df["amount"].astype("int64")
    return df
