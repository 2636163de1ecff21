"""bench_import(engine, rows): time an import of `rows` generated customer rows (CSV with
Vietnamese headers, every cell validated) through import_file, as `make bench` does."""

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
    rnd = random.Random(seed)
    buf = io.StringIO()
    w = csv.writer(buf)
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
    return buf.getvalue().encode("utf-8-sig")


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
