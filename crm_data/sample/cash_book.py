"""Cash book and receivables: takings, expenses, debt collections and payment allocations."""

# - Every sample payment names one order and never exceeds what it owed, so its allocation
#   is that order, whole.
# - The cash book gets its voucher numbers (PT… / PC…) in book order (receipts of a day
#   before its payments), category keys, methods, counterparts, descriptions and, for debt
#   collections, the payment it receipts; the shop opens it with the owner's capital, enough
#   that the balance never goes below zero.

from __future__ import annotations

import datetime as dt

import numpy as np

from crm_data.sample.columns import _DATE, _INT, _STR, _TableData
from crm_data.sample.common import _Ctx

# The cash book stage's Vietnamese categories → the cash book's category keys, and who the
# money went to or came from.
_CATEGORY = {
    "thu công nợ": ("debt_collection", None),
    "thu bán hàng": ("sales", "Khách lẻ"),
    "tiền thuê mặt bằng": ("rent", "Chủ nhà"),
    "lương": ("salaries", "Nhân viên cửa hàng"),
    "điện nước": ("utilities", "Điện lực / Cấp nước"),
    "quảng cáo": ("advertising", "Facebook / Zalo Ads"),
    "nhập hàng": ("purchases", "Nhà cung cấp"),
    "vận chuyển": ("shipping", "Đơn vị vận chuyển"),
}
_METHOD = {"sales": "cash", "rent": "transfer", "salaries": "cash", "utilities": "transfer",
           "advertising": "card", "purchases": "transfer", "shipping": "cash"}
_CAPITAL_STEP = 10_000_000


def _cash_book(ctx: _Ctx) -> None:
    """Cash book: payments received, daily takings, monthly expenses."""
    D, admin_id, amount, completed = ctx.D, ctx.admin_id, ctx.amount, ctx.completed
    n_days = ctx.n_days
    o_cust_pos, o_day, o_owner, paid = ctx.o_cust_pos, ctx.o_day, ctx.o_owner, ctx.paid
    pay_amt = ctx.pay_amt
    pay_day, pay_order, r_cash, start = ctx.pay_day, ctx.pay_order, ctx.r_cash, ctx.start
    cash = []  # (day, kind, category, amount, customer pos or -1, order pos or -1, note, by)
    for o, d_, a in zip(pay_order.tolist(), pay_day.tolist(), pay_amt.tolist(), strict=True):
        cash.append((d_, "receipt", "thu công nợ", a, int(o_cust_pos[o]), o,
                     f"Thu nợ đơn DH{o + 1:07d}", int(o_owner[o])))
    takings = np.bincount(o_day[completed], weights=paid[completed], minlength=n_days)
    for d_ in np.flatnonzero(takings > 0).tolist():
        day_s = (start + dt.timedelta(days=d_)).strftime("%d/%m/%Y")
        cash.append((d_, "receipt", "thu bán hàng", int(round(takings[d_])), -1, -1,
                     f"Tổng thu bán hàng ngày {day_s}", admin_id or -1))
    month_of_day = (np.datetime64(start, "D") + np.arange(n_days).astype("timedelta64[D]")
                    ).astype("datetime64[M]")
    rev_by_day = np.bincount(o_day[completed], weights=amount[completed], minlength=n_days)
    avg_month_rev = rev_by_day.sum() / max(n_days / 30.44, 1)
    rent = int(max(round(avg_month_rev * 0.05, -5), 3_000_000))
    for m in np.unique(month_of_day).tolist():
        m_first = (dt.date(m.year, m.month, 1) - start).days
        m_rev = float(rev_by_day[month_of_day == np.datetime64(m, "M")].sum())
        ads = int(max(round(m_rev * r_cash.uniform(0.02, 0.04), -4), 1_000_000))
        items = [(5, "tiền thuê mặt bằng", rent, "Tiền thuê mặt bằng tháng"),
                 (10, "lương", int(max(round(m_rev * 0.12, -5), 5_000_000)),
                  "Lương nhân viên tháng"),
                 (15, "điện nước", int(max(round(m_rev * 0.012, -4), 500_000)),
                  "Tiền điện nước tháng"),
                 (20, "quảng cáo", ads, "Quảng cáo Facebook / Zalo tháng")]
        for k in range(3):
            stock = int(max(round(m_rev * 0.6 / 3 * r_cash.uniform(0.8, 1.2), -5), 1_000_000))
            items.append((3 + 9 * k, "nhập hàng", stock, "Nhập hàng tháng"))
        if r_cash.random() < 0.5:
            items.append((25, "vận chuyển", int(max(round(m_rev * 0.01, -4), 300_000)),
                          "Phí vận chuyển tháng"))
        for dom, cat, amt, note in items:
            d_ = m_first + dom - 1
            if 0 <= d_ <= D:
                cash.append((d_, "payment", cat, amt, -1, -1, f"{note} {m.month:02d}/{m.year}",
                             admin_id or -1))
    cash.sort(key=lambda r: (r[0], r[1], r[2], r[5], r[4]))
    ctx.cash = cash


def finish(ctx, tables: list) -> list:
    """The sample's tables with the cash book rebuilt and the payment allocations added."""
    from crm_data.storage.models import CashEntry, PaymentAllocation

    alloc = _TableData(PaymentAllocation.__table__, ctx.n_pay)
    alloc.add("id", _INT, np.arange(1, ctx.n_pay + 1))
    alloc.add("payment_id", _INT, np.arange(1, ctx.n_pay + 1))
    alloc.add("order_id", _INT, ctx.pay_order + 1)
    alloc.add("paid_on", _DATE, ctx.pay_day)
    alloc.add("amount", _INT, ctx.pay_amt)

    rows = _book(ctx)
    cash = _TableData(CashEntry.__table__, len(rows))
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in range(10)]
    day, kind, cat, amount, cust, order, desc, by, method, pay = cols
    k_c, k_o, k_by, k_p = (np.array(c, dtype=np.int64) for c in (cust, order, by, pay))
    counterpart = [(f"{ctx.codes[c]} {ctx.full_names[c]}" if c >= 0 else _CATEGORY_BY_KEY.get(k))
                   for c, k in zip(k_c.tolist(), cat, strict=True)]
    cash.add("id", _INT, np.arange(1, len(rows) + 1))
    cash.add("entry_date", _DATE, np.array(day, dtype=np.int64))
    cash.add("kind", _STR, list(kind))
    cash.add("category", _STR, list(cat))
    cash.add("amount", _INT, np.array(amount, dtype=np.int64))
    cash.add("customer_id", _INT, k_c + 1, k_c < 0)
    cash.add("order_id", _INT, k_o + 1, k_o < 0)
    cash.add("note", _STR, None)
    cash.add("created_by", _INT, np.maximum(k_by, 0), k_by < 0)
    cash.add("voucher_no", _STR, _vouchers(kind))
    cash.add("method", _STR, list(method))
    cash.add("counterpart", _STR, counterpart)
    cash.add("description", _STR, list(desc))
    cash.add("payment_id", _INT, k_p + 1, k_p < 0)
    return [cash if t.table.name == "cash_book" else t for t in tables] + [alloc]


_CATEGORY_BY_KEY = {key: who for key, who in _CATEGORY.values() if who} | {"other_income": "Chủ cửa hàng"}


def _book(ctx) -> list[tuple]:
    """(day, kind, category key, amount, customer pos, order pos, description, by, method,
    payment pos) in book order, the opening capital first."""
    payment_of = {(o, d): j for j, (o, d) in
                  enumerate(zip(ctx.pay_order.tolist(), ctx.pay_day.tolist(), strict=True))}
    rows = []
    for d_, kind, cat, amount, cust, order, note, by in ctx.cash:
        key = _CATEGORY[cat][0]
        j = payment_of.get((order, d_), -1) if key == "debt_collection" else -1
        method = str(ctx.pay_method[j]) if j >= 0 else _METHOD[key]
        rows.append((d_, kind, key, int(amount), cust, order, note, by, method, j))
    rows.sort(key=lambda r: (r[0], r[1] != "receipt"))  # stable: the base order within a day
    net = np.array([r[3] if r[1] == "receipt" else -r[3] for r in rows], dtype=np.int64)
    days = np.array([r[0] for r in rows], dtype=np.int64)
    if len(rows):
        last_of_day = np.r_[days[1:] != days[:-1], True]
        lowest = int(np.cumsum(net)[last_of_day].min())
    else:
        lowest = 0
    capital = max(0, -lowest) // _CAPITAL_STEP * _CAPITAL_STEP + _CAPITAL_STEP
    first = (0, "receipt", "other_income", capital, -1, -1, "Vốn chủ cửa hàng đưa vào quỹ",
             ctx.admin_id or -1, "cash", -1)
    return [first, *rows]


def _vouchers(kinds) -> list[str]:
    seq = {"receipt": 0, "payment": 0}
    out = []
    for kind in kinds:
        seq[kind] += 1
        out.append(("PT" if kind == "receipt" else "PC") + f"{seq[kind]:06d}")
    return out
