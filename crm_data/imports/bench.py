"""bench_import(engine, rows): time an import of `rows` generated customer rows (CSV with
Vietnamese headers, every cell validated) through import_file, as `make bench` does.
write_customers_csv / write_orders_csv: the same kind of files written straight to disk,
row by row, for the imports-at-scale benchmark (a million rows never sit in memory)."""

from __future__ import annotations

import csv
import io
import random
import time

from crm_data.accounts.scope import SYSTEM

HEADERS = ["Mã KH", "Họ và tên", "Số điện thoại", "Email", "Giới tính", "Ngày sinh",
           "Tỉnh/Thành phố", "Địa chỉ", "Nguồn", "Kênh ưa thích", "Ghi chú"]
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
_GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hương", "Lan", "Minh", "Nam",
          "Ngọc", "Phúc", "Quân", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Đức"]
_PROVINCES = ["Hà Nội", "TP HCM", "Đà Nẵng", "Bình Dương", "Cần Thơ", "Hải Phòng", "Huế",
              "Nghệ An", "Đồng Nai", "Khánh Hòa"]
_SOURCES = ["Website", "Giới thiệu", "Mạng xã hội", "Khách vãng lai", "Sự kiện"]
_CHANNELS = ["Điện thoại", "Zalo", "Facebook", "Email", "SMS"]


def customers_csv(rows: int, seed: int = 1, start: int = 1) -> bytes:
    """`rows` distinct, valid customer rows (codes KH…, phones 09…/03…)."""
    buf = io.StringIO()
    _customer_rows(csv.writer(buf), rows, seed, start)
    return buf.getvalue().encode("utf-8-sig")


def write_customers_csv(path, rows: int, seed: int = 1, start: int = 1) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        _customer_rows(csv.writer(f), rows, seed, start)


ORDER_HEADERS = ["Mã đơn", "Mã KH", "Tên khách hàng", "Ngày mua", "Sản phẩm", "Số lượng",
                 "Đơn giá", "Giảm giá", "Thành tiền", "Đã thanh toán", "Hình thức thanh toán"]
_PRODUCTS = [("Cà phê rang xay 500g", 145_000), ("Nước mắm Phú Quốc 500ml", 89_000),
             ("Hạt điều rang muối 500g", 210_000), ("Trà Thái Nguyên 200g", 120_000),
             ("Bánh pía Sóc Trăng", 65_000), ("Mật ong rừng 1l", 350_000)]
_PAYMENTS = ["Tiền mặt", "Chuyển khoản", "Thu hộ (COD)", "Thẻ"]


def write_orders_csv(path, rows: int, customers: int, seed: int = 2,
                     new_share: float = 0.2) -> None:
    """`rows` order lines (about 1.3 lines per order, codes DH…) of the customers
    KH0000001… KH`customers` written by write_customers_csv, and a share of lines naming
    customers not in that file (imported with create_missing_customers)."""
    rnd = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(ORDER_HEADERS)
        written, order = 0, 0
        while written < rows:
            order += 1
            if rnd.random() < new_share:
                number = customers + 1 + rnd.randrange(max(1, rows // 5))
            else:
                number = 1 + rnd.randrange(customers)
            day = f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(2019, 2025)}"
            payment = rnd.choice(_PAYMENTS)
            for _line in range(min(1 + (rnd.random() < 0.3), rows - written)):
                product, price = rnd.choice(_PRODUCTS)
                qty = rnd.randint(1, 5)
                discount = rnd.choice([0, 0, 0, 10_000])
                amount = price * qty - discount
                w.writerow([f"DH{order:08d}", f"KH{number:07d}", f"Khách {number}", day, product,
                            qty, price, discount, amount, amount, payment])
                written += 1


def _customer_rows(w, rows: int, seed: int, start: int) -> None:
    rnd = random.Random(seed)
    w.writerow(HEADERS)
    for i in range(start, start + rows):
        family, given = rnd.choice(_FAMILY), rnd.choice(_GIVEN)
        middle = rnd.choice(["Văn", "Thị", "Minh", "Ngọc"])
        phone = f"0{rnd.choice('93')}{i:08d}"
        w.writerow([
            f"KH{i:07d}", f"{family} {middle} {given}", phone,
            f"kh{i}@example.vn" if rnd.random() < 0.6 else "",
            rnd.choice(["Nam", "Nữ"]),
            f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(1955, 2005)}",
            rnd.choice(_PROVINCES), f"{rnd.randint(1, 300)} đường số {rnd.randint(1, 50)}",
            rnd.choice(_SOURCES), rnd.choice(_CHANNELS), "",
        ])


def bench_import(engine, rows: int = 100_000, seed: int = 1) -> dict:
    """Import `rows` generated customers into `engine`; returns the figures."""
    from crm_data.imports.run import import_file

    data = customers_csv(rows, seed)
    started = time.perf_counter()
    result = import_file(engine, SYSTEM, data, "customers", name=f"bench_{rows}.csv",
                         on_error="skip", duplicates="skip")
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 2), "inserted": result.inserted,
            "rejected": result.rejected, "skipped": result.skipped,
            "rows_per_second": round(rows / seconds) if seconds else None}
