"""Sample receivables and cash book (called from crm_data.sample._tables).

- Every sample payment names one order and never exceeds what it owed, so its allocation
  is that order, whole.
- The cash book gets its voucher numbers (PT… / PC…) in book order (receipts of a day
  before its payments), category keys, methods, counterparts, descriptions and, for debt
  collections, the payment it receipts; the shop opens it with the owner's capital, enough
  that the balance never goes below zero.
"""

from __future__ import annotations

import numpy as np

# The base sample's Vietnamese categories → the cash book's category keys, and who the
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


def finish(ctx, tables: list) -> list:
    """The sample's tables with the cash book rebuilt and the payment allocations added."""
    from crm_data import sample as base
    from crm_data.storage.models import CashEntry, PaymentAllocation

    alloc = base._TableData(PaymentAllocation.__table__, ctx.n_pay)
    alloc.add("id", base._INT, np.arange(1, ctx.n_pay + 1))
    alloc.add("payment_id", base._INT, np.arange(1, ctx.n_pay + 1))
    alloc.add("order_id", base._INT, ctx.pay_order + 1)
    alloc.add("paid_on", base._DATE, ctx.pay_day)
    alloc.add("amount", base._INT, ctx.pay_amt)

    rows = _book(ctx)
    cash = base._TableData(CashEntry.__table__, len(rows))
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in range(10)]
    day, kind, cat, amount, cust, order, desc, by, method, pay = cols
    k_c, k_o, k_by, k_p = (np.array(c, dtype=np.int64) for c in (cust, order, by, pay))
    counterpart = [(f"{ctx.codes[c]} {ctx.full_names[c]}" if c >= 0 else _CATEGORY_BY_KEY.get(k))
                   for c, k in zip(k_c.tolist(), cat, strict=True)]
    cash.add("id", base._INT, np.arange(1, len(rows) + 1))
    cash.add("entry_date", base._DATE, np.array(day, dtype=np.int64))
    cash.add("kind", base._STR, list(kind))
    cash.add("category", base._STR, list(cat))
    cash.add("amount", base._INT, np.array(amount, dtype=np.int64))
    cash.add("customer_id", base._INT, k_c + 1, k_c < 0)
    cash.add("order_id", base._INT, k_o + 1, k_o < 0)
    cash.add("note", base._STR, None)
    cash.add("created_by", base._INT, np.maximum(k_by, 0), k_by < 0)
    cash.add("voucher_no", base._STR, _vouchers(kind))
    cash.add("method", base._STR, list(method))
    cash.add("counterpart", base._STR, counterpart)
    cash.add("description", base._STR, list(desc))
    cash.add("payment_id", base._INT, k_p + 1, k_p < 0)
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
