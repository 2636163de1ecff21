"""Small sample files a new user can import (sample_data/): customers and orders, CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from sqlalchemy import Engine, select

from crm_data import i18n
from crm_data.domain import geo
from crm_data.domain.clock import today
from crm_data.sample.seed import generate
from crm_data.storage.models import Customer, Order, OrderLine

CUSTOMER_HEADERS = ["Mã KH", "Họ và tên", "Số điện thoại", "Email", "Giới tính", "Ngày sinh",
                    "Tỉnh/Thành phố", "Địa chỉ", "Nguồn", "Kênh ưa thích", "Ghi chú"]
ORDER_HEADERS = ["Mã đơn", "Mã KH", "Ngày mua", "Sản phẩm", "Số lượng", "Đơn giá", "Giảm giá",
                 "Thành tiền", "Đã thanh toán", "Hình thức thanh toán"]
# The sample files' own codes: the demo data (and codes the app assigns) are KH… / DH…
# followed by digits only, so a first import of the samples into the demo database adds
# them all instead of matching (or, with "update", overwriting) demo customers.
SAMPLE_CUSTOMER_PREFIX, SAMPLE_ORDER_PREFIX = "KHM", "HDM"
SAMPLE_SEED = 2025  # not a seed the demo uses (42, tests 7): other phones and e-mails too


def write_sample_files(directory, seed: int = SAMPLE_SEED, ref: dt.date | None = None,
                       customers: int = 200, years: float = 1.5) -> dict[str, int]:
    """khach_hang_mau.csv / .xlsx and don_hang_mau.csv / .xlsx with Vietnamese headers and
    labels, from a generated in-memory database. Orders have one row per order line; the
    order's discount and payment are spread over its lines, so the rows of one "Mã đơn" add
    up to the order. Cancelled orders are left out. Returns {file name: data rows}."""
    from crm_data.storage.db import make_engine
    from crm_data.storage.schema import upgrade

    ref = ref or today()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        generate(engine, customers=customers, seed=seed, ref=ref, years=years,
                 with_demo_users=False, duplicates=False)  # files to import: no planted twins
        cust_rows, order_rows = _sample_codes(*_sample_rows(engine))
    finally:
        engine.dispose()
    written = {}
    for stem, headers, rows in (("khach_hang_mau", CUSTOMER_HEADERS, cust_rows),
                                ("don_hang_mau", ORDER_HEADERS, order_rows)):
        _write_csv(directory / f"{stem}.csv", headers, rows)
        _write_xlsx(directory / f"{stem}.xlsx", headers, rows)
        written[f"{stem}.csv"] = written[f"{stem}.xlsx"] = len(rows)
    return written


def _sample_rows(engine: Engine) -> tuple[list[list], list[list]]:
    by_code = geo.by_code()
    with engine.connect() as conn:
        custs = conn.execute(select(
            Customer.code, Customer.full_name, Customer.phone, Customer.email, Customer.gender,
            Customer.birth_date, Customer.province_code, Customer.address, Customer.source,
            Customer.preferred_channel, Customer.notes).order_by(Customer.id)).all()
        lines = conn.execute(
            select(Order.code, Customer.code, Order.order_date, OrderLine.description,
                   OrderLine.quantity, OrderLine.unit_price, OrderLine.amount, Order.subtotal,
                   Order.discount, Order.paid_amount, Order.amount, Order.payment_method,
                   Order.id)
            .join(Customer, Customer.id == Order.customer_id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.status == "completed")
            .order_by(Order.id, OrderLine.id)).all()
    cust_rows = []
    for c in custs:
        province = by_code.get(c.province_code)
        cust_rows.append([
            c.code, c.full_name, "0" + c.phone[3:] if c.phone else "", c.email or "",
            i18n.label("gender", c.gender, "vi") if c.gender else "", c.birth_date,
            province.name if province else "", c.address or "",
            i18n.label("source", c.source, "vi") if c.source else "",
            i18n.label("channel", c.preferred_channel, "vi") if c.preferred_channel else "",
            c.notes or "",
        ])
    order_rows = []
    # Spread each order's discount and payment over its lines, largest remainder last.
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].id == lines[i].id:
            j += 1
        group = lines[i:j]
        disc_left, paid_left = group[0].discount, group[0].paid_amount
        for k, ln in enumerate(group):
            if k == len(group) - 1:
                disc, paid = disc_left, paid_left
            else:
                disc = int(round(group[0].discount * ln.amount / group[0].subtotal / 1000)) * 1000
                disc = min(disc, disc_left)
                line_total = ln.amount - disc
                paid = (int(round(group[0].paid_amount * line_total / group[0].amount / 1000))
                        * 1000 if group[0].amount else 0)
                paid = min(paid, paid_left, line_total)
            disc_left -= disc
            paid_left -= paid
            order_rows.append([
                ln[0], ln[1], ln.order_date, ln.description, ln.quantity, ln.unit_price, disc,
                ln.amount - disc, paid, i18n.label("payment_method", ln.payment_method, "vi"),
            ])
        i = j
    return cust_rows, order_rows


def _sample_codes(cust_rows: list[list], order_rows: list[list]) -> tuple[list[list], list[list]]:
    """Customer codes KHM0001…, order codes HDM00001… in file order (column 0 of both, and
    the customer code in column 1 of the orders); e-mails with an underscore, which the
    demo generator never writes (an e-mail identifies a customer on import as a code does)."""
    customers = {r[0]: f"{SAMPLE_CUSTOMER_PREFIX}{i:04d}" for i, r in enumerate(cust_rows, 1)}
    orders: dict[str, str] = {}
    for r in order_rows:
        orders.setdefault(r[0], f"{SAMPLE_ORDER_PREFIX}{len(orders) + 1:05d}")
    return ([[customers[r[0]], r[1], r[2], _sample_email(r[3], i), *r[4:]]
             for i, r in enumerate(cust_rows, 1)],
            [[orders[r[0]], customers[r[1]], *r[2:]] for r in order_rows])


def _sample_email(email: str, number: int) -> str:
    """'hung.nguyen96@…' → 'hung_nguyen96@…'; 'taile325@…' → 'taile_325@…';
    'trangnguyen@…' → 'trangnguyen_07@…'."""
    if not email:
        return email
    local, domain = email.split("@", 1)
    name, digits = re.match(r"^(.*?)(\d*)$", local).groups()
    if "." in local:
        local = local.replace(".", "_")
    elif digits and name:
        local = f"{name}_{digits}"
    else:
        local = f"{local}_{number % 100:02d}"
    return f"{local}@{domain}"


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _write_csv(path: Path, headers: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for row in rows:
            w.writerow([_text(v) for v in row])


def _write_xlsx(path: Path, headers: list[str], rows: list[list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    # A fixed creation time keeps the file identical from one run to the next.
    wb.set_properties({"created": dt.datetime(2026, 1, 1), "author": "crm-dashboard"})
    ws = wb.add_worksheet("Dữ liệu")
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    money_fmt = wb.add_format({"num_format": "#,##0"})
    for col, h in enumerate(headers):
        ws.write_string(0, col, h, bold)
    widths = [len(h) for h in headers]
    for r, row in enumerate(rows, start=1):
        for col, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, col, dt.datetime.combine(v, dt.time()), date_fmt)
            elif isinstance(v, int) and not isinstance(v, bool):
                ws.write_number(r, col, v, money_fmt if v >= 1000 else None)
            else:
                ws.write_string(r, col, _text(v))  # phone numbers keep their leading 0
            widths[col] = max(widths[col], min(len(_text(v)), 50))
    for col, wdt in enumerate(widths):
        ws.set_column(col, col, wdt + 2)
    ws.freeze_panes(1, 0)
    wb.close()
