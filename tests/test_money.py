"""Receivables and cash book (crm_data.daily): ageing on its edge days and the cash balance
against independent pandas computations over the raw rows, payment allocation, refusals,
the receipt in the payment's transaction, the legacy-payment migration, the XLSX book, the
CLI reports and the sample."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import func, select, text

from crm_data import cli, summaries
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.daily import cashbook, cashbook_xlsx, receivables
from crm_data.domain.periods import Period
from crm_data.storage import schema
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import (
    AuditLog,
    CashEntry,
    Customer,
    CustomerStats,
    Order,
    Payment,
    PaymentAllocation,
)
from crm_data.writes import ValidationFailed, activity
from tests.conftest import FIXED_TODAY

DAY = FIXED_TODAY
TERMS = 30
MANAGER = Scope(None, "manager", "manager")


def _customer(s, code: str) -> int:
    c = Customer(code=code, full_name=f"Khách {code}")
    s.add(c)
    s.flush()
    return c.id


def _order(s, cid: int, day: dt.date, amount: int, paid: int = 0, status: str = "completed") -> int:
    n = s.scalar(select(func.count()).select_from(Order)) + 1
    o = Order(code=f"T{n:05d}", customer_id=cid, order_date=day,
              ordered_at=dt.datetime.combine(day, dt.time(10)), status=status, subtotal=amount,
              amount=amount, paid_amount=paid)
    s.add(o)
    s.flush()
    return o.id


def _frame(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def _pandas_ageing(engine, day: dt.date) -> pd.DataFrame:
    """Independent: raw orders and allocations → open per order → bucket per days past due."""
    orders = _frame(engine, "SELECT id, customer_id, order_date, status, amount, paid_amount FROM orders")
    alloc = _frame(engine, "SELECT order_id, paid_on, amount AS a FROM payment_allocations")
    alloc = alloc[pd.to_datetime(alloc["paid_on"]).dt.date <= day].groupby("order_id")["a"].sum()
    o = orders[(orders["status"] == "completed")
               & (pd.to_datetime(orders["order_date"]).dt.date <= day)].copy()
    o["open"] = o["amount"] - o["paid_amount"] - o["id"].map(alloc).fillna(0)
    o = o[o["open"] > 0]
    past_due = [(day - (d + dt.timedelta(days=TERMS))).days for d in pd.to_datetime(o["order_date"]).dt.date]
    o["age"] = pd.cut(past_due, [-10**6, 0, 30, 60, 90, 10**6], labels=list(receivables.BUCKETS))
    got = o.groupby("age", observed=False).agg(orders=("id", "size"), customers=("customer_id", "nunique"),
                                               amount=("open", "sum"))
    return got.reindex(list(receivables.BUCKETS)).fillna(0).astype("int64").reset_index()


def test_ageing_buckets_on_their_edge_days_match_pandas(engine):
    d0 = DAY - dt.timedelta(days=TERMS)  # an order of this day is due today: not yet past due
    with unit_of_work(engine) as s:
        a, b, c = (_customer(s, k) for k in ("KA", "KB", "KC"))
        for i, past_due in enumerate((0, 1, 30, 31, 60, 61, 90, 91, -5, 400)):
            _order(s, (a, b, c)[i % 3], d0 - dt.timedelta(days=past_due), 100_000 * (i + 1), paid=10_000)
        _order(s, a, d0 - dt.timedelta(days=45), 500_000, paid=500_000)  # paid at checkout
        _order(s, b, d0 - dt.timedelta(days=45), 700_000, status="cancelled")
        summaries.refresh_customers(s, [a, b, c])
    # Paid today: settles C's oldest order (61 days past due) and a little of the next,
    # which on the day before still owed it all.
    activity.record_payment(engine, SYSTEM, c, {"amount": 600_000, "paid_on": DAY})
    for day in (DAY, DAY - dt.timedelta(days=1)):
        got = receivables.ageing(engine, SYSTEM, day)
        want = _pandas_ageing(engine, day)
        assert got[["age", "orders", "customers", "amount"]].to_dict("records") == \
            want[["age", "orders", "customers", "amount"]].to_dict("records"), day
    got = receivables.ageing(engine, SYSTEM, DAY).set_index("age")["orders"]
    assert got.tolist() == [2, 2, 2, 1, 2]  # the edges: 0 | 1, 30 | 31, 60 | 90 | 91, 400
    before = receivables.ageing(engine, SYSTEM, DAY - dt.timedelta(days=1)).set_index("age")["orders"]
    assert before["d61_90"] == 2 and before["not_due"] == 3  # one day earlier: 1 past due is not
    # Today list: per customer, the overdue amount and the due date of the oldest overdue order.
    with engine.connect() as conn:
        today_rows = {r.customer_id: (r.due_on, r.amount) for r in conn.execute(receivables.overdue_for_today(DAY))}
    open_orders = receivables.orders(engine, SYSTEM, DAY, limit=None)
    overdue = open_orders[open_orders["days_past_due"] > 0]
    for cid, code in ((a, "KA"), (b, "KB"), (c, "KC")):
        mine = overdue[overdue["customer_code"] == code]
        due_on, amount = today_rows[cid]
        assert (receivables._as_date(due_on), int(amount)) == (mine["due_on"].min(), int(mine["open"].sum()))
    # Stats debt = the open balance.
    with engine.connect() as conn:
        debt = conn.execute(select(func.sum(CustomerStats.debt))).scalar()
    assert debt == receivables.totals(engine, SYSTEM, DAY)["open"]


def test_payment_goes_to_the_oldest_open_orders_with_its_receipt(engine):
    with unit_of_work(engine) as s:
        cid = _customer(s, "KP")
        newest = _order(s, cid, DAY - dt.timedelta(days=2), 300_000)
        oldest = _order(s, cid, DAY - dt.timedelta(days=20), 100_000, paid=0)
        middle = _order(s, cid, DAY - dt.timedelta(days=10), 250_000, paid=50_000)
    pid = activity.record_payment(engine, MANAGER, cid, {"amount": "250.000", "paid_on": DAY,
                                                          "method": "transfer"})
    with engine.connect() as conn:
        alloc = dict(conn.execute(select(PaymentAllocation.order_id, PaymentAllocation.amount)
                                  .where(PaymentAllocation.payment_id == pid)).all())
        receipt = conn.execute(select(CashEntry.kind, CashEntry.amount, CashEntry.category,
                                      CashEntry.voucher_no, CashEntry.method, CashEntry.entry_date)
                               .where(CashEntry.payment_id == pid)).one()
        debt = conn.execute(select(CustomerStats.debt).where(CustomerStats.customer_id == cid)).scalar()
        audited = conn.execute(select(AuditLog.after).where(AuditLog.entity == "payment")).scalar()
    assert alloc == {oldest: 100_000, middle: 150_000}  # the middle one partly, the newest not
    assert newest not in alloc
    assert tuple(receipt[:5]) == ("receipt", 250_000, "debt_collection", "PT000001", "transfer")
    assert debt == 300_000 + 50_000 == receivables.totals(engine, SYSTEM, DAY)["open"]
    assert '"voucher_no": "PT000001"' in audited
    assert cashbook.balance_on(engine.connect(), DAY) == 250_000


def test_payment_above_the_open_balance_is_refused(engine):
    with unit_of_work(engine) as s:
        cid = _customer(s, "KR")
        _order(s, cid, DAY - dt.timedelta(days=5), 200_000, paid=50_000)
    with pytest.raises(ValidationFailed) as exc:
        activity.record_payment(engine, MANAGER, cid, {"amount": 150_001})
    assert exc.value.errors["amount"].key == "cust.invalid.exceeds_debt"
    assert exc.value.errors["amount"].values == {"debt": 150_000}
    with engine.connect() as conn:
        for table in (Payment, PaymentAllocation, CashEntry):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0


def test_receipt_and_allocations_roll_back_with_the_payment(engine, monkeypatch):
    with unit_of_work(engine) as s:
        cid = _customer(s, "KX")
        _order(s, cid, DAY - dt.timedelta(days=5), 200_000)

    def broken(*args, **kwargs):
        raise RuntimeError("summary failed")

    monkeypatch.setattr(summaries, "refresh_customers", broken)  # after the receipt is written
    with pytest.raises(RuntimeError):
        activity.record_payment(engine, MANAGER, cid, {"amount": 100_000})
    with engine.connect() as conn:
        for table in (Payment, PaymentAllocation, CashEntry):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0


def test_migration_allocates_legacy_payments_and_numbers_vouchers(engine):
    cfg = schema.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customers (id, code, full_name, search_text, kind, lifecycle_stage, "
                          "pipeline_stage, tags, consent, created_at, updated_at, version) VALUES "
                          "(1, 'K1', 'A', '', 'individual', 'awareness', 'new', '', false, :t, :t, 1)"),
                     {"t": dt.datetime(2026, 1, 1)})
        for oid, day, amount, paid in ((1, "2026-01-05", 100, 0), (2, "2026-01-03", 300, 100), (3, "2026-02-01", 50, 0)):
            conn.execute(text("INSERT INTO orders (id, code, customer_id, order_date, ordered_at, status, "
                              "subtotal, discount, amount, paid_amount, items_count, created_at) VALUES "
                              "(:i, :c, 1, :d, :t, 'completed', :a, 0, :a, :p, 1, :t)"),
                         {"i": oid, "c": f"D{oid}", "d": day, "t": dt.datetime(2026, 1, 1), "a": amount, "p": paid})
        # One names order 1; the other names none (oldest first: order 2, then 1's rest).
        for pid, order_id, day, amount in ((1, 1, "2026-01-10", 60), (2, None, "2026-01-20", 250)):
            conn.execute(text("INSERT INTO payments (id, customer_id, order_id, paid_on, amount, created_at) "
                              "VALUES (:i, 1, :o, :d, :a, :t)"),
                         {"i": pid, "o": order_id, "d": day, "a": amount, "t": dt.datetime(2026, 1, 1)})
        conn.execute(text("INSERT INTO cash_book (id, entry_date, kind, category, amount, note) VALUES "
                          "(1, '2026-01-02', 'payment', 'x', 5, 'chi'), (2, '2026-01-01', 'receipt', 'x', 9, 'thu'),"
                          " (3, '2026-01-03', 'receipt', 'x', 1, NULL)"))
    schema.upgrade(engine)
    with engine.connect() as conn:
        alloc = sorted(conn.execute(text("SELECT payment_id, order_id, amount FROM payment_allocations")).all())
        vouchers = dict(conn.execute(text("SELECT id, voucher_no FROM cash_book")).all())
    # Payment 2 (250): order 2 (older than 1) 200, the 40 left of order 1, then 10 of order 3.
    assert [tuple(r) for r in alloc] == [(1, 1, 60), (2, 1, 40), (2, 2, 200), (2, 3, 10)]
    assert vouchers == {2: "PT000001", 1: "PC000001", 3: "PT000002"}


def _entry(engine, kind, day, amount, category=None, method="cash"):
    category = category or cashbook.CATEGORIES[kind][0]
    return cashbook.add_entry(engine, MANAGER, {"kind": kind, "entry_date": day, "amount": amount,
                                                "category": category, "method": method,
                                                "description": f"{kind} {amount}"})


def test_cash_balance_by_day_is_the_running_sum(engine):
    settings.set_value(engine, SYSTEM, cashbook.OPENING_KEY, 1_000_000)
    d = [DAY - dt.timedelta(days=k) for k in (9, 7, 7, 4, 2, 0)]
    _entry(engine, "receipt", d[0], 500_000)
    _entry(engine, "payment", d[1], 1_200_000, "rent", "transfer")
    _entry(engine, "receipt", d[2], 300_000)
    _entry(engine, "payment", d[3], 200_000)
    _entry(engine, "receipt", d[4], 50_000, "other_income")
    _entry(engine, "payment", d[5], 100_000, "utilities")
    raw = _frame(engine, "SELECT id, entry_date, kind, amount FROM cash_book ORDER BY entry_date, id")
    raw["entry_date"] = pd.to_datetime(raw["entry_date"]).dt.date
    raw["net"] = raw["amount"].where(raw["kind"] == "receipt", -raw["amount"])
    period = Period(d[1], DAY)
    before = 1_000_000 + raw.loc[raw["entry_date"] < period.start, "net"].sum()
    inside = raw[raw["entry_date"] >= period.start]
    daily = inside.groupby("entry_date")["net"].sum().cumsum() + before
    got = cashbook.balance_by(engine, MANAGER, period, "day")
    assert dict(zip(got["bucket"], got["balance"], strict=True)) == {k: int(v) for k, v in daily.items()}
    rows = cashbook.entries(engine, MANAGER, period)
    assert rows["balance"].tolist() == (inside["net"].cumsum() + before).astype(int).tolist()
    assert rows["voucher_no"].tolist()[:2] == ["PC000001", "PT000002"]
    total = cashbook.summary(engine, MANAGER, period)
    assert (total["opening"], total["closing"]) == (before, rows["balance"].iloc[-1])
    cats = cashbook.by_category(engine, MANAGER, period).set_index("category")["amount"].to_dict()
    assert cats == {"rent": 1_200_000, "purchases": 200_000, "utilities": 100_000, "sales": 300_000,
                    "other_income": 50_000}
    # A filtered list keeps the book's balance after each entry.
    receipts = cashbook.entries(engine, MANAGER, period, kind="receipt")
    assert receipts["balance"].tolist() == rows.loc[rows["kind"] == "receipt", "balance"].tolist()


def test_a_payment_taking_the_cash_below_zero_is_refused(engine):
    _entry(engine, "receipt", DAY - dt.timedelta(days=10), 300_000)
    _entry(engine, "payment", DAY - dt.timedelta(days=3), 200_000)
    with pytest.raises(ValidationFailed) as exc:  # today: 100,000 left
        _entry(engine, "payment", DAY, 100_001)
    assert exc.value.errors["amount"].key == "cash.invalid.below_zero"
    with pytest.raises(ValidationFailed):  # back-dated: the later payment would overdraw
        _entry(engine, "payment", DAY - dt.timedelta(days=5), 150_000)
    _entry(engine, "payment", DAY - dt.timedelta(days=5), 100_000)
    with engine.connect() as conn:
        assert cashbook.balance_on(conn, DAY) == 0


def test_cash_book_is_for_admin_and_manager(engine):
    for role in ("staff", "viewer"):
        with pytest.raises(PermissionError):
            cashbook.entries(engine, Scope(None, role, role), Period(DAY, DAY))
        with pytest.raises(PermissionError):
            cashbook.add_entry(engine, Scope(None, role, role), {})
    with pytest.raises(PermissionError):
        receivables.debtors(engine, Scope(None, "viewer", "viewer"), DAY)
    with engine.connect() as conn:
        denied = conn.execute(select(func.count()).where(AuditLog.action == "denied")).scalar()
    assert denied == 5


def test_cash_book_xlsx_layout(engine):
    settings.set_value(engine, SYSTEM, cashbook.OPENING_KEY, 2_000_000)
    _entry(engine, "receipt", DAY - dt.timedelta(days=3), 500_000)
    _entry(engine, "payment", DAY - dt.timedelta(days=1), 700_000)
    period = Period(DAY - dt.timedelta(days=5), DAY)
    rows = cashbook.entries(engine, MANAGER, period)
    data = cashbook_xlsx.workbook(rows, cashbook.summary(engine, MANAGER, period), period, "=Cửa hàng An",
                                  "@lọc")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=6)]
    # user text is never a formula: a string cell, shown as typed (no apostrophe)
    assert (cells[0][0], sheet.cell(1, 1).data_type) == ("=Cửa hàng An", "s")
    assert (cells[3][0], sheet.cell(4, 1).data_type) == ("@lọc", "s")
    assert cells[1][0] == "SỔ THU CHI TIỀN"
    assert cells[2][0] == "Từ ngày 15/11/2026 đến ngày 20/11/2026"
    assert cells[4] == ["Ngày", "Số chứng từ", "Diễn giải", "Thu", "Chi", "Tồn"]
    assert cells[5][2:] == ["Số dư đầu kỳ", None, None, 2_000_000]
    assert cells[6][:6] == [dt.datetime(2026, 11, 17), "PT000001", "receipt 500000", 500_000, None, 2_500_000]
    assert cells[7][1:6] == ["PC000001", "payment 700000", None, 700_000, 1_800_000]
    assert cells[8][2:5] == ["Cộng phát sinh trong kỳ", 500_000, 700_000]
    assert cells[9][2:] == ["Số dư cuối kỳ", None, None, 1_800_000]
    assert sheet.cell(7, 1).number_format == "dd/mm/yyyy"


def _cli_json(capsys, url, *args) -> dict:
    assert cli.main(["report", *args, "--database-url", url, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_reports_print_the_data_layer_numbers_and_the_sample_fits(seeded, seeded_url, capsys):
    doc = _cli_json(capsys, seeded_url, "receivables", "--period", "last_12m", "--limit", "5")
    age = receivables.ageing(seeded, SYSTEM, DAY)
    assert [(r["age"], r["amount"]) for r in doc["rows"]] == list(zip(age["age"], age["amount"].tolist(), strict=True))
    assert all(a > 0 for a in age["amount"])  # the sample owes in every bucket
    assert doc["open"] == int(age["amount"].sum())
    assert [r["code"] for r in doc["debtors"]] == receivables.debtors(seeded, SYSTEM, DAY, limit=5)["code"].tolist()
    trend = receivables.trend(seeded, SYSTEM, Period(dt.date(2025, 12, 1), DAY), "month")
    assert [r["outstanding"] for r in doc["trend"]] == trend["outstanding"].tolist()
    assert doc["trend"][-1]["outstanding"] == doc["open"]  # today's debt, two ways
    doc = _cli_json(capsys, seeded_url, "cashbook", "--period", "last_12m", "--granularity", "month")
    period = Period(dt.date(2025, 12, 1), DAY)
    by = cashbook.balance_by(seeded, SYSTEM, period, "month")
    assert [r["balance"] for r in doc["rows"]] == by["balance"].tolist()
    assert doc["closing"] == cashbook.summary(seeded, SYSTEM, period)["closing"]
    # The sample's book never goes below zero at the end of any day; each payment has its
    # receipt and is allocated whole.
    daily = cashbook.balance_by(seeded, SYSTEM, Period(dt.date(2000, 1, 1), DAY), "day")
    assert daily["balance"].min() >= 0
    with seeded.connect() as conn:
        paid = conn.execute(select(func.count(), func.sum(Payment.amount))).one()
        allocated = conn.execute(select(func.count(), func.sum(PaymentAllocation.amount))).one()
        receipts = conn.execute(select(func.count(), func.sum(CashEntry.amount))
                                .where(CashEntry.payment_id.is_not(None))).one()
    assert tuple(paid) == tuple(allocated) == tuple(receipts)
