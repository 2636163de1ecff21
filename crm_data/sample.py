"""Deterministic, realistic Vietnamese sample data at any size (`crm seed`).

Everything is precomputed with numpy from one seed (one independent random stream per
concern, so that changing how interactions are drawn does not move the orders), every
primary key is assigned here, and the rows go to the database in chunks of 40,000 inside one
transaction: executemany of one compiled `insert(Table)` on SQLite (see _Writer), COPY on
PostgreSQL; the big tables' secondary indexes are built after their rows. Same seed + same
`ref` → the same rows, byte for byte. The summary (customer_stats) is rebuilt at the end.

The shape of the data, in short:
- customers: Vietnamese names from weighted family / middle / given name lists, carrier
  phone prefixes, the 34 provinces weighted by population, ~10 % businesses; created over
  the period with growth (later years bigger) and a little seasonality;
- lead funnel (stage_changes kind="pipeline"): new → contacted → qualified → quoted → won
  with a drop-out into "lost" (and a reason) at every step; ~6 % walk-in buyers go straight
  to won; leads whose next step would fall after `ref` are still open;
- orders: won customers buy minutes after the win, then again at personal mean intervals
  (log-normal, so order counts are heavy-tailed) and less often as their tenure grows;
  ~35 % of buyers churn at some point; the order dates follow a seasonal intensity (Tết ~2×
  in the three weeks before it, 8/3, 20/10, 11/11, 12/12, Black Friday; weekends a little
  busier); frequent buyers mostly buy everyday goods;
- journey (stage_changes kind="lifecycle"): awareness → consideration → first_purchase →
  repeat → loyal (→ advocate), lapsed once 180 days pass without a completed order (the one
  churn rule, crm_data.domain.labels), back again
  on the next one; the final stage equals `rules.lifecycle_from_stats` of the orders;
- receivables, later payments (never more than what is owed), monthly loyalty points and
  redemptions (a balance never goes below zero), interactions, feedback, appointments and
  a cash book.

Calibrated so that 100,000 customers give ~1,000,000 orders (~10 per customer including
those who never buy). As only about a quarter of the leads are ever won, a buyer makes ~40
orders on average over the period: a fifth of them 1–2, the median ~20, a tail of frequent
(mostly business) buyers with hundreds.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, Table, func, insert, select
from vietnam_provinces import Ward

from crm_data import (
    audit,
    i18n,
    sample_complaints,
    sample_dupes,
    sample_leadscore,
    sample_loyalty,
    sample_money,
    sample_today,
    summaries,
)
from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM
from crm_data.domain import clock, geo
from crm_data.domain.clock import today
from crm_data.domain.labels import CHURN_DAYS_DEFAULT, LOYAL_MIN_ORDERS
from crm_data.domain.text import fold
from crm_data.storage.db import is_sqlite, unit_of_work
from crm_data.storage.models import (
    Appointment,
    CashEntry,
    Customer,
    Feedback,
    Interaction,
    LoyaltyEntry,
    Order,
    OrderLine,
    Payment,
    Product,
    StageChange,
    User,
)

# --------------------------------------------------------------------------------------
# Users

# (username, password, role, display name): one demo login per role …
DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("admin", "admin123!", "admin", "Đỗ Minh Khoa"),
    ("manager", "manager123!", "manager", "Trần Thị Thu Hà"),
    ("staff", "staff123!", "staff", "Nguyễn Văn Bình"),
    ("viewer", "viewer123!", "viewer", "Lê Hoàng Nam"),
    # … and the sales team who own customers.
    ("lan", "staff123!", "staff", "Nguyễn Thị Lan"),
    ("minh", "staff123!", "staff", "Phạm Quang Minh"),
    ("hoa", "staff123!", "staff", "Lê Thị Hoa"),
    ("tuan", "staff123!", "staff", "Võ Anh Tuấn"),
]

# Share of customers owned by each user (None = not assigned).
_OWNER_SHARES: list[tuple[str | None, float]] = [
    ("staff", 0.22), ("lan", 0.18), ("minh", 0.18), ("hoa", 0.17), ("tuan", 0.14),
    ("manager", 0.06), (None, 0.05),
]


@dataclass
class SeedResult:
    customers: int
    orders: int
    order_lines: int
    payments: int
    interactions: int
    stage_changes: int
    seconds: float


def ensure_demo_users(engine: Engine) -> None:
    """Create the demo users that do not exist yet (idempotent; existing ones are left
    alone, passwords included). One argon2 hash per distinct password: the sales team
    shares the demo password "staff123!". Their passwords are published: generate() calls
    this only for a brand-new database (no users, no customers)."""
    with engine.connect() as conn:
        existing = set(conn.scalars(select(User.username)))
    missing = [u for u in DEMO_USERS if u[0] not in existing]
    if not missing:
        return
    hashes = {pw: auth.hash_password(pw) for pw in {u[1] for u in missing}}
    with unit_of_work(engine) as s:
        for username, password, role, name in missing:
            user = User(username=username, display_name=name, role=role,
                        password_hash=hashes[password], active=True, failed_logins=0)
            s.add(user)
            s.flush()
            audit.record(s, SYSTEM, "create", "user", user.id,
                         after={"username": username, "role": role})


def demo_logins(engine: Engine) -> list[tuple[str, str, str]]:
    """(username, password, role) of the one-per-role demo logins that still sign in with
    their published password (what `crm demo-info` prints)."""
    core = [u for u in DEMO_USERS if u[0] in ("admin", "manager", "staff", "viewer")]
    with engine.connect() as conn:
        rows = {r.username: r for r in conn.execute(
            select(User.username, User.password_hash, User.active, User.role)
            .where(User.username.in_([u[0] for u in core])))}
    return [(name, pw, role) for name, pw, role, _ in core
            if name in rows and rows[name].active and rows[name].role == role
            and auth.verify_password(rows[name].password_hash, pw)]


def is_new(engine: Engine) -> bool:
    """True when the database has neither customers nor users: sample data with the demo
    logins may go in without touching anybody's real data or accounts."""
    return is_empty(engine) and not auth.has_users(engine)


def is_empty(engine: Engine) -> bool:
    """True when the database has no customers yet."""
    with engine.connect() as conn:
        return conn.execute(select(Customer.id).limit(1)).first() is None


# --------------------------------------------------------------------------------------
# Vocabulary

# Family names with their approximate share; "A|B" is one slot resolved by region
# (Hoàng in the north, Huỳnh in the south; Vũ / Võ likewise).
_FAMILY: list[tuple[str, float]] = [
    ("Nguyễn", 36.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng|Huỳnh", 5.1),
    ("Phan", 4.5), ("Vũ|Võ", 3.9), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Đinh", 0.8), ("Trương", 0.7), ("Đoàn", 0.6), ("Lý", 0.5),
    ("Lâm", 0.5), ("Mai", 0.5), ("Trịnh", 0.5), ("Lương", 0.4), ("Hà", 0.4), ("Cao", 0.4),
    ("Tô", 0.3), ("Lưu", 0.3), ("Châu", 0.3), ("Tạ", 0.2), ("Thái", 0.2),
]
# Probability of the first spelling of an "A|B" slot, by region.
_FAMILY_NORTH_SHARE = {
    "Hoàng|Huỳnh": {"north": 0.9, "central": 0.55, "south": 0.2},
    "Vũ|Võ": {"north": 0.85, "central": 0.3, "south": 0.2},
}
_MIDDLE = {
    "male": [("Văn", 30), ("Minh", 12), ("Đức", 10), ("Quang", 8), ("Hữu", 7), ("Thành", 6),
             ("Quốc", 6), ("Công", 5), ("Hoàng", 4), ("Xuân", 4), ("Anh", 4), ("", 8)],
    "female": [("Thị", 35), ("Ngọc", 12), ("Thu", 8), ("Thanh", 8), ("Kim", 6), ("Thùy", 6),
               ("Phương", 5), ("Hồng", 5), ("Mỹ", 4), ("Bảo", 3), ("Minh", 3), ("", 5)],
}
_GIVEN = {
    "male": [
        ("An", 2), ("Bảo", 2), ("Bình", 2), ("Cường", 2), ("Dũng", 3), ("Duy", 2), ("Đạt", 2),
        ("Đông", 1), ("Hải", 2), ("Hào", 1), ("Hiếu", 2), ("Hoàng", 1), ("Hùng", 3), ("Huy", 3),
        ("Khang", 1), ("Khánh", 2), ("Khoa", 2), ("Kiên", 1), ("Lâm", 1), ("Long", 2),
        ("Lộc", 1), ("Minh", 3), ("Nam", 3), ("Nghĩa", 1), ("Nhân", 1), ("Phát", 1),
        ("Phong", 2), ("Phúc", 2), ("Quân", 2), ("Quang", 1), ("Sơn", 2), ("Tài", 1),
        ("Tâm", 1), ("Thắng", 2), ("Thành", 2), ("Thịnh", 1), ("Toàn", 1), ("Trí", 1),
        ("Trung", 2), ("Tuấn", 4), ("Tùng", 2), ("Việt", 1), ("Vinh", 1), ("Vũ", 1),
    ],
    "female": [
        ("Anh", 3), ("Chi", 2), ("Diệp", 1), ("Dung", 2), ("Duyên", 1), ("Giang", 2), ("Hà", 3),
        ("Hạnh", 2), ("Hằng", 2), ("Hiền", 2), ("Hoa", 2), ("Hồng", 1), ("Hương", 3),
        ("Huyền", 2), ("Lan", 3), ("Liên", 1), ("Linh", 4), ("Loan", 1), ("Ly", 1), ("Mai", 2),
        ("My", 2), ("Nga", 2), ("Ngân", 2), ("Ngọc", 2), ("Nhi", 2), ("Nhung", 2), ("Oanh", 1),
        ("Phương", 2), ("Quỳnh", 2), ("Tâm", 1), ("Thảo", 3), ("Thơ", 1), ("Thủy", 2),
        ("Trang", 4), ("Trâm", 1), ("Trinh", 1), ("Tuyết", 1), ("Uyên", 1), ("Vân", 2),
        ("Vy", 2), ("Xuân", 1), ("Yến", 2),
    ],
}
_STREETS = [
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Nguyễn Trãi",
    "Quang Trung", "Hùng Vương", "Lê Duẩn", "Điện Biên Phủ", "Phan Chu Trinh", "Nguyễn Du",
    "Hoàng Diệu", "Bà Triệu", "Nguyễn Thị Minh Khai", "Võ Thị Sáu", "Cách Mạng Tháng Tám",
    "Lạc Long Quân", "Âu Cơ", "Trần Phú", "Lê Lai", "Nguyễn Văn Cừ", "Phạm Văn Đồng",
    "Võ Văn Kiệt", "Ngô Quyền", "Lý Thái Tổ", "Lê Thánh Tông", "Nguyễn Chí Thanh",
    "Tôn Đức Thắng", "Hoàng Hoa Thám", "Pasteur", "Nguyễn Đình Chiểu",
]
_BRANDS = [
    "An Phát", "Minh Phát", "Thành Công", "Hưng Thịnh", "Phú Quý", "Đại Việt", "Sao Mai",
    "Hoàng Long", "Thiên Phú", "Tân Tiến", "Việt Nhật", "Kim Ngân", "Bảo Tín", "Nam Á",
    "Đông Dương", "Phương Nam", "Ánh Dương", "Trường Thịnh", "Vạn Xuân", "Hòa Bình",
    "Thịnh Vượng", "Tân Phát", "Gia Huy", "Minh Long", "Hải Đăng", "Phúc Lộc", "An Khang",
    "Việt Hưng", "Đức Thành", "Hồng Hà", "Sông Hàn", "Mê Kông", "Trường Sơn", "Lạc Hồng",
    "Bình Minh", "Ngọc Lan", "Kim Long", "Phú Gia", "Toàn Cầu", "Nhật Minh",
]
# industry → (weight, words for a company name, shop word for a household business or None)
_INDUSTRIES: dict[str, tuple[float, tuple[str, ...], str | None]] = {
    "retail": (0.30, ("Thương mại", "Thương mại Dịch vụ"), "Tạp hóa"),
    "food": (0.15, ("Thực phẩm", "Dịch vụ Ăn uống"), "Quán ăn"),
    "construction": (0.10, ("Xây dựng", "Đầu tư Xây dựng"), None),
    "manufacturing": (0.10, ("Sản xuất", "Sản xuất và Thương mại"), None),
    "logistics": (0.07, ("Vận tải", "Giao nhận Vận tải"), None),
    "education": (0.05, ("Giáo dục", "Đào tạo"), None),
    "healthcare": (0.06, ("Dược phẩm", "Thiết bị Y tế"), "Nhà thuốc"),
    "it": (0.07, ("Công nghệ", "Giải pháp Phần mềm"), None),
    "hospitality": (0.05, ("Du lịch", "Khách sạn"), "Nhà nghỉ"),
    "agriculture": (0.05, ("Nông sản", "Vật tư Nông nghiệp"), "Vật tư nông nghiệp"),
}
_NOTES_PERSON = [
    "Khách quen, thích được tư vấn qua Zalo.", "Chỉ gọi sau 17h.",
    "Hay mua quà biếu dịp Tết.", "Da nhạy cảm, tránh sản phẩm có cồn.",
    "Thích hàng nội địa Nhật.", "Giao hàng giờ hành chính.",
    "Khách được bạn bè giới thiệu.", "Quan tâm chương trình khách hàng thân thiết.",
    "Mua cho cả gia đình, hay hỏi khuyến mãi.", "Không thích nhận tin nhắn quảng cáo.",
]
_NOTES_BUSINESS = [
    "Cần xuất hóa đơn VAT.", "Thanh toán cuối tháng.", "Liên hệ kế toán khi đối chiếu công nợ.",
    "Đặt hàng số lượng lớn dịp cuối năm.", "Giao hàng tại kho.",
]

# (category, name, unit price in đồng, popularity)
_PRODUCTS: list[tuple[str, str, int, float]] = [
    ("Mỹ phẩm", "Sữa rửa mặt dịu nhẹ 150ml", 185_000, 1.4),
    ("Mỹ phẩm", "Kem chống nắng SPF50+ 50ml", 320_000, 1.4),
    ("Mỹ phẩm", "Serum vitamin C 30ml", 450_000, 1.0),
    ("Mỹ phẩm", "Son môi lì", 249_000, 1.2),
    ("Mỹ phẩm", "Nước tẩy trang micellar 400ml", 210_000, 1.2),
    ("Mỹ phẩm", "Mặt nạ dưỡng ẩm (hộp 10 miếng)", 150_000, 1.2),
    ("Mỹ phẩm", "Kem dưỡng ẩm ban đêm 50g", 520_000, 0.8),
    ("Mỹ phẩm", "Dầu gội thảo dược 500ml", 135_000, 1.3),
    ("Mỹ phẩm", "Nước hoa nữ 50ml", 1_850_000, 0.4),
    ("Thực phẩm chức năng", "Viên uống vitamin tổng hợp (60 viên)", 390_000, 1.0),
    ("Thực phẩm chức năng", "Collagen dạng nước (hộp 10 chai)", 650_000, 0.8),
    ("Thực phẩm chức năng", "Dầu cá Omega-3 (100 viên)", 420_000, 0.9),
    ("Thực phẩm chức năng", "Sữa bột dinh dưỡng người lớn 900g", 780_000, 0.8),
    ("Thực phẩm chức năng", "Tinh dầu thông đỏ (60 viên)", 1_250_000, 0.4),
    ("Thực phẩm chức năng", "Nước yến sào (hộp 6 hũ)", 360_000, 0.9),
    ("Thực phẩm chức năng", "Hồng sâm Hàn Quốc (hộp quà)", 2_450_000, 0.3),
    ("Thực phẩm chức năng", "Viên bổ não ginkgo (60 viên)", 310_000, 0.7),
    ("Đồ gia dụng", "Nồi chiên không dầu 5L", 1_690_000, 0.5),
    ("Đồ gia dụng", "Máy xay sinh tố", 890_000, 0.5),
    ("Đồ gia dụng", "Nồi cơm điện 1,8L", 1_150_000, 0.5),
    ("Đồ gia dụng", "Bình giữ nhiệt 500ml", 245_000, 1.0),
    ("Đồ gia dụng", "Bộ nồi inox 5 món", 1_350_000, 0.4),
    ("Đồ gia dụng", "Máy lọc không khí", 3_990_000, 0.2),
    ("Đồ gia dụng", "Quạt điện đứng", 750_000, 0.5),
    ("Đồ gia dụng", "Ấm siêu tốc 1,7L", 390_000, 0.8),
    ("Đồ gia dụng", "Máy hút bụi cầm tay", 2_290_000, 0.3),
    ("Đồ gia dụng", "Bộ dao kéo nhà bếp", 460_000, 0.6),
    ("Thời trang", "Áo thun cotton", 159_000, 1.4),
    ("Thời trang", "Áo sơ mi nam công sở", 385_000, 0.9),
    ("Thời trang", "Đầm suông nữ", 520_000, 0.8),
    ("Thời trang", "Quần jean", 450_000, 0.9),
    ("Thời trang", "Giày thể thao", 890_000, 0.6),
    ("Thời trang", "Túi xách nữ", 1_150_000, 0.4),
    ("Thời trang", "Áo dài may sẵn", 1_450_000, 0.3),
    ("Thời trang", "Khăn lụa tơ tằm", 280_000, 0.6),
    ("Thực phẩm", "Cà phê rang xay 500g", 145_000, 2.2),
    ("Thực phẩm", "Gạo ST25 túi 5kg", 185_000, 2.2),
    ("Thực phẩm", "Nước mắm Phú Quốc 500ml", 89_000, 2.0),
    ("Thực phẩm", "Trà Thái Nguyên 200g", 120_000, 1.6),
    ("Thực phẩm", "Hạt điều rang muối 500g", 210_000, 1.4),
    ("Thực phẩm", "Mật ong rừng 500ml", 250_000, 1.2),
    ("Thực phẩm", "Bánh pía sầu riêng (hộp 4 cái)", 68_000, 1.6),
    ("Thực phẩm", "Mứt Tết thập cẩm 500g", 165_000, 0.2),
    ("Thực phẩm", "Giỏ quà Tết cao cấp", 1_590_000, 0.1),
]
_TET_PRODUCTS = ("Mứt Tết thập cẩm 500g", "Giỏ quà Tết cao cấp", "Hồng sâm Hàn Quốc (hộp quà)",
                 "Nước yến sào (hộp 6 hũ)", "Trà Thái Nguyên 200g", "Hạt điều rang muối 500g")
_SKU_PREFIX = {"Mỹ phẩm": "MP", "Thực phẩm chức năng": "CN", "Đồ gia dụng": "GD",
               "Thời trang": "TT", "Thực phẩm": "TP"}

# Lunar New Year (Tết Nguyên Đán) in Vietnam.
TET_DATES = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
}
TET_PEAK_DAYS = 21

_INTERACTION_NOTES = {
    "consulted": ["Tư vấn sản phẩm, khách hài lòng.", "Giới thiệu chương trình khuyến mãi.",
                  "Hướng dẫn khách cách sử dụng sản phẩm.", "Tư vấn combo quà tặng.",
                  "Khách hỏi giá sỉ, đã báo giá."],
    "skipped": ["Khách chưa có nhu cầu.", "Khách từ chối nhận tư vấn.",
                "Khách đã mua ở nơi khác.", "Khách bận, không muốn trao đổi."],
    "no_answer": ["Không nghe máy.", "Thuê bao không liên lạc được.",
                  "Gọi hai lần không bắt máy.", "Đã nhắn Zalo, khách chưa xem."],
    "follow_up": ["Hẹn gọi lại cuối tuần.", "Khách cần suy nghĩ thêm, gọi lại sau.",
                  "Đã gửi báo giá, chờ phản hồi.", "Khách hẹn ghé cửa hàng."],
}
_COMPLAINTS = [
    ("Giao hàng chậm", "Đã xin lỗi và miễn phí vận chuyển đơn sau."),
    ("Sản phẩm bị lỗi", "Đã đổi sản phẩm mới cho khách."),
    ("Giao sai màu / kích cỡ", "Đã đổi đúng mẫu khách đặt."),
    ("Hàng bị móp méo khi giao", "Đã giao bù hàng mới."),
    ("Nhân viên tư vấn chưa nhiệt tình", "Đã nhắc nhở nhân viên, khách đồng ý."),
    ("Hoàn tiền chậm", "Đã hoàn tiền đầy đủ."),
    ("Sản phẩm gần hết hạn sử dụng", "Đã đổi lô hàng mới và tặng voucher 50.000 ₫."),
    ("Không nhận được quà tặng kèm", "Đã gửi bù quà tặng."),
]
_QUESTIONS = [
    ("Hỏi chính sách đổi trả", "Đã gửi chính sách đổi trả trong 7 ngày."),
    ("Hỏi thời gian giao hàng", "Đã báo thời gian giao 2–3 ngày."),
    ("Hỏi cách sử dụng sản phẩm", "Đã hướng dẫn qua Zalo."),
    ("Hỏi về chương trình tích điểm", "Đã giải thích cách tích và đổi điểm."),
    ("Hỏi hàng còn không", "Đã báo còn hàng tại cửa hàng."),
    ("Hỏi xuất hóa đơn VAT", "Đã hướng dẫn gửi thông tin xuất hóa đơn."),
]
_REVIEWS = {
    5: "Sản phẩm tốt, giao hàng nhanh, sẽ ủng hộ tiếp.",
    4: "Hàng ổn, đóng gói cẩn thận.",
    3: "Tạm được, giao hơi chậm.",
    2: "Chất lượng chưa như mong đợi.",
    1: "Không hài lòng, hàng bị lỗi.",
}
_APPOINTMENT_TITLES = {
    "appointment": ["Hẹn tư vấn tại cửa hàng", "Hẹn giới thiệu sản phẩm mới",
                    "Hẹn giao hàng và hướng dẫn sử dụng"],
    "call_back": ["Gọi lại báo giá", "Gọi lại chăm sóc sau mua", "Gọi lại xác nhận đơn hàng"],
    "reminder": ["Nhắc khách mua lại", "Nhắc thanh toán công nợ",
                 "Chúc mừng sinh nhật khách hàng", "Gửi ưu đãi cho khách thân thiết"],
}

# Mobile prefixes (after the leading 0) by carrier, and the carriers' market shares.
_CARRIERS: list[tuple[float, tuple[str, ...]]] = [
    (0.50, ("86", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39")),  # Viettel
    (0.24, ("88", "91", "94", "81", "82", "83", "84", "85")),  # Vinaphone
    (0.20, ("89", "90", "93", "70", "76", "77", "78", "79")),  # MobiFone
    (0.045, ("92", "56", "58")),  # Vietnamobile
    (0.015, ("99", "59")),  # Gmobile
]
# First digit after the prefix that the numbering plan allows (089 6–9, 099 not 2).
_PHONE_FIRST_DIGITS = {"89": (6, 7, 8, 9), "99": (0, 1, 3, 4, 5, 6, 7, 8, 9)}

# Pipeline: per-step conversion (contacted, qualified, quoted, won) for individuals / businesses.
_PIPE = ("new", "contacted", "qualified", "quoted", "won", "lost")
_STEP_P = {"individual": (0.75, 0.62, 0.65, 0.60), "business": (0.85, 0.72, 0.75, 0.70)}
_STEP_GAP_MEAN = (1.0, 3.0, 3.0, 4.0)  # extra days between steps (each step ≥ 1 day later)
_WALK_IN = 0.06
# Lost reason by the last stage reached before dropping out.
_LOST_REASONS = {
    0: [("no_response", 0.70), ("no_need", 0.15), ("bad_timing", 0.10), ("moved", 0.05)],
    1: [("no_need", 0.35), ("bad_timing", 0.25), ("no_response", 0.20), ("price", 0.15),
        ("moved", 0.05)],
    2: [("price", 0.35), ("competitor", 0.25), ("bad_timing", 0.20), ("no_need", 0.15),
        ("no_response", 0.05)],
    3: [("price", 0.40), ("competitor", 0.30), ("service", 0.10), ("bad_timing", 0.10),
        ("no_response", 0.10)],
}
_LIFE = ("awareness", "consideration", "first_purchase", "repeat", "loyal", "advocate", "lapsed")
_L = {s: i for i, s in enumerate(_LIFE)}

# Orders: personal mean interval between purchases (days of normal trading), log-normal.
_INTERVAL_MEDIAN = {"individual": 5.3, "business": 4.0}
_INTERVAL_SIGMA = {"individual": 1.0, "business": 0.8}
_CHURN = 0.35
# Purchase rate by tenure: floor + (1 - floor) · exp(-days since first purchase / days).
_TENURE_FLOOR = 0.25
_TENURE_DAYS = 150.0
_MAX_ORDERS = 400
_CANCELLED = 0.03
_PRICE_ELASTICITY = -0.8  # product popularity ∝ price ** this
_HOUR_WEIGHTS = np.array([3, 6, 8, 9, 7, 5, 6, 7, 7, 8, 9, 10, 8], dtype=float)  # 8h … 20h

_DAY = 86_400
_CHUNK = 40_000
_DROP_INDEX_ROWS = 50_000  # tables this big get their secondary indexes built after the load

# Enumeration values this module writes, checked against the i18n catalogue.
_ENUMS_USED = {
    "gender": ("male", "female", "other"),
    "income_band": ("under_10m", "10_20m", "20_40m", "over_40m"),
    "education": ("high_school", "college", "university", "postgraduate"),
    "marital_status": ("single", "married", "other"),
    "occupation": ("office", "business_owner", "worker", "student", "teacher", "healthcare",
                   "engineer", "farmer", "freelancer", "retired", "homemaker"),
    "industry": tuple(_INDUSTRIES),
    "channel": ("phone", "zalo", "facebook", "email", "sms"),
    "source": ("website", "social", "referral", "walk_in", "event", "ads", "survey"),
    "lifecycle_stage": _LIFE,
    "pipeline_stage": _PIPE,
    "lost_reason": ("price", "competitor", "no_need", "no_response", "bad_timing", "service",
                    "moved"),
    "interaction_kind": ("call", "email", "meeting", "zalo", "facebook", "sms", "visit"),
    "outcome": ("consulted", "skipped", "no_answer", "follow_up"),
    "feedback_kind": ("complaint", "question", "review"),
    "feedback_status": ("open", "in_progress", "resolved"),
    "payment_method": ("cash", "transfer", "card", "cod", "ewallet"),
    "order_channel": ("store", "online", "phone", "zalo"),
    "appointment_kind": ("appointment", "call_back", "reminder"),
}


def _check_enums() -> None:
    for field, values in _ENUMS_USED.items():
        known = set(i18n.choices(field))
        unknown = [v for v in values if v not in known]
        if unknown:
            raise RuntimeError(f"sample data uses unknown {field} values: {unknown}")


# --------------------------------------------------------------------------------------
# Small helpers


def _p(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _pick(rng: np.random.Generator, pairs, size: int) -> np.ndarray:
    """Indices into `pairs` ((value, weight) …) drawn by weight."""
    return rng.choice(len(pairs), size=size, p=_p([w for _, w in pairs]))


def _obj(values, index) -> np.ndarray:
    """values[index] as an object array that shares the few string objects."""
    return np.array(values, dtype=object)[np.asarray(index, dtype=np.int64)]


def _values(pairs) -> np.ndarray:
    return np.array([v for v, _ in pairs], dtype=object)


def _shop_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """Second of the day in shop hours (8:00–20:59), busiest at lunch and in the evening."""
    hours = 8 + rng.choice(len(_HOUR_WEIGHTS), size=size, p=_p(_HOUR_WEIGHTS))
    return (hours * 3600 + rng.integers(0, 3600, size)).astype(np.int64)


def _round_k(values) -> np.ndarray:
    """Round to whole thousands of đồng."""
    return (np.round(np.asarray(values, dtype=float) / 1000.0) * 1000).astype(np.int64)


def _group_starts(keys: np.ndarray) -> np.ndarray:
    """Start index of every run of equal values in a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def _group_ends(keys: np.ndarray) -> np.ndarray:
    """End index (exclusive) of every run of equal values in a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.r_[_group_starts(keys)[1:], len(keys)]


def _rank_in_group(keys: np.ndarray) -> np.ndarray:
    """0-based position of every element inside its run of equal keys (sorted array)."""
    n = len(keys)
    starts = _group_starts(keys)
    lengths = _group_ends(keys) - starts
    return np.arange(n) - np.repeat(starts, lengths)


def _tet(year: int) -> dt.date:
    return TET_DATES.get(year, dt.date(year, 2, 5))


def _black_friday(year: int) -> dt.date:
    nov1 = dt.date(year, 11, 1)
    first_friday = nov1 + dt.timedelta(days=(4 - nov1.weekday()) % 7)
    return first_friday + dt.timedelta(days=21)


def _day_weights(start: dt.date, n_days: int) -> np.ndarray:
    """Relative trading intensity of every day: weekends, Tết and the shopping days."""
    w = np.ones(n_days, dtype=float)
    index = {start + dt.timedelta(days=i): i for i in range(n_days)}

    def scale(day: dt.date, factor: float) -> None:
        i = index.get(day)
        if i is not None:
            w[i] *= factor

    for i in range(n_days):
        wd = (start + dt.timedelta(days=i)).weekday()
        w[i] = (0.92, 0.92, 0.92, 0.95, 1.0, 1.22, 1.15)[wd]
    for year in range(start.year, start.year + n_days // 365 + 2):
        tet = _tet(year)
        for k in range(1, TET_PEAK_DAYS + 1):  # rising to ~2.6× on the eve
            scale(tet - dt.timedelta(days=k), 1.6 + 1.0 * (TET_PEAK_DAYS - k) / TET_PEAK_DAYS)
        for k in range(TET_PEAK_DAYS + 1, TET_PEAK_DAYS + 15):  # gift season warming up
            scale(tet - dt.timedelta(days=k), 1.25)
        for k in range(0, 4):  # the holiday itself: most shops are closed
            scale(tet + dt.timedelta(days=k), 0.3)
        for k in range(4, 10):
            scale(tet + dt.timedelta(days=k), 0.8)
        for d in range(1, 9):  # Quốc tế Phụ nữ 8/3
            scale(dt.date(year, 3, d), 1.35 if d < 8 else 1.6)
        for d in range(13, 21):  # Phụ nữ Việt Nam 20/10
            scale(dt.date(year, 10, d), 1.3 if d < 20 else 1.5)
        for m in (11, 12):  # 11/11 and 12/12
            scale(dt.date(year, m, m), 1.9)
            scale(dt.date(year, m, m - 1), 1.25)
            scale(dt.date(year, m, m + 1), 1.25)
        bf = _black_friday(year)
        scale(bf, 1.9)
        scale(bf + dt.timedelta(days=1), 1.4)
        scale(bf + dt.timedelta(days=2), 1.3)
        scale(bf + dt.timedelta(days=3), 1.3)  # Cyber Monday
    return w


def _tet_window_mask(start: dt.date, n_days: int) -> np.ndarray:
    mask = np.zeros(n_days, dtype=bool)
    for year in range(start.year, start.year + n_days // 365 + 2):
        first = (_tet(year) - dt.timedelta(days=TET_PEAK_DAYS) - start).days
        lo, hi = max(first, 0), min(first + TET_PEAK_DAYS, n_days)
        if lo < hi:
            mask[lo:hi] = True
    return mask


# --------------------------------------------------------------------------------------
# Column data for one table, converted to driver values one chunk at a time.

_INT, _STR, _DATE, _DT, _BOOL = "int", "str", "date", "datetime", "bool"


@dataclass
class _Col:
    kind: str
    values: object  # numpy array, list, or a scalar for a constant column
    null: np.ndarray | None = None  # True where the value is NULL


class _TableData:
    def __init__(self, table: Table, n: int):
        self.table, self.n, self.cols = table, int(n), {}

    def add(self, name: str, kind: str, values, null=None) -> None:
        if name not in self.table.c:
            raise KeyError(f"{self.table.name}.{name}")
        if not np.isscalar(values) and values is not None and len(values) != self.n:
            raise ValueError(f"{self.table.name}.{name}: {len(values)} values for {self.n} rows")
        self.cols[name] = _Col(kind, values, null)


class _Writer:
    """Bulk inserts of one `insert(table)` per chunk, in the caller's connection.

    SQLite: the statement compiled once and executed by the driver's executemany with values
    already in the form SQLAlchemy stores them (ISO dates, datetimes with microseconds), so
    that millions of rows skip the per-row bind processing. PostgreSQL with psycopg 3: COPY
    in the same transaction. Other databases: Core executemany with Python values."""

    def __init__(self, conn, start: dt.date):
        self.conn = conn
        self.fast = conn.dialect.name == "sqlite"
        self.day0 = np.datetime64(start, "D")
        self._days: dict[tuple[bool, str], tuple[int, np.ndarray]] = {}
        self._span = (-101 * 366, 60 * 366)  # from birth dates to appointments, in days
        self._times: np.ndarray | None = None

    def _day_table(self, lo: int, hi: int, fast: bool, suffix: str = "") -> tuple[int, np.ndarray]:
        """Day offset → "yyyy-mm-dd" (or a date) for every day in [lo, hi], cached."""
        key = (fast, suffix)
        have = self._days.get(key)
        if have is None or lo < have[0] or hi >= have[0] + len(have[1]):
            lo, hi = min(lo, self._span[0]), max(hi, self._span[1])
            if have is not None:  # widen the cached range
                lo, hi = min(lo, have[0]), max(hi, have[0] + len(have[1]) - 1)
            days = self.day0 + np.arange(lo, hi + 1).astype("timedelta64[D]")
            values = (np.datetime_as_string(days, unit="D").astype(object) + suffix if fast
                      else np.array(days.tolist(), dtype=object))
            self._days[key] = have = (lo, values)
        return have

    def _time_table(self) -> np.ndarray:
        if self._times is None:
            self._times = np.array([f"{h:02d}:{m:02d}:{s:02d}.000000" for h in range(24)
                                    for m in range(60) for s in range(60)], dtype=object)
        return self._times

    def _convert(self, col: _Col, lo: int, hi: int, fast: bool) -> list:
        """Rows lo … hi-1 of a column as driver values (`fast`: SQLite's stored text for
        dates and datetimes) or Python values."""
        n = hi - lo
        if np.isscalar(col.values) or col.values is None:
            out = [col.values] * n
        elif col.kind == _DATE:
            days = np.asarray(col.values[lo:hi], dtype=np.int64)
            first, table = self._day_table(int(days.min()), int(days.max()), fast)
            out = table[days - first].tolist()
        elif col.kind == _DT:
            secs = np.asarray(col.values[lo:hi], dtype=np.int64)
            if fast:
                days, tod = np.divmod(secs, _DAY)
                first, table = self._day_table(int(days.min()), int(days.max()), True, " ")
                out = (table[days - first] + self._time_table()[tod]).tolist()
            else:
                out = (np.datetime64(self.day0, "s") + secs.astype("timedelta64[s]")).tolist()
        elif isinstance(col.values, np.ndarray):
            out = col.values[lo:hi].tolist()
        else:
            out = list(col.values[lo:hi])
        if col.null is not None:
            for i in np.flatnonzero(col.null[lo:hi]).tolist():
                out[i] = None
        return out

    def write(self, data: _TableData) -> int:
        # Building an index (or checking a foreign key) once over the loaded table is much
        # cheaper than keeping it up to date row by row: drop the table's secondary indexes
        # (and on PostgreSQL its foreign keys) and create them again exactly as the schema
        # defined them, in the same transaction.
        drop, create = self._secondary(data.table.name) if data.n >= _DROP_INDEX_ROWS else ([], [])
        for sql in drop:
            self.conn.exec_driver_sql(sql)
        written = self._write(data)
        for sql in create:
            self.conn.exec_driver_sql(sql)
        return written

    def _secondary(self, table: str) -> tuple[list[str], list[str]]:
        """(drop statements, create statements) for a table's secondary indexes / keys."""
        name = self.conn.dialect.name
        q = self.conn.dialect.identifier_preparer.quote
        if name == "sqlite":
            rows = self.conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL ORDER BY name", (table,)).all()
            return [f"DROP INDEX {q(n)}" for n, _ in rows], [sql for _, sql in rows]
        if name == "postgresql":
            fks = self.conn.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = to_regclass(%(t)s) AND contype = 'f' ORDER BY conname",
                {"t": table}).all()
            indexes = self.conn.exec_driver_sql(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = %(t)s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conrelid = to_regclass(%(t)s) AND c.conname = i.indexname) "
                "ORDER BY i.indexname", {"t": table}).all()
            drop = [f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(n)}" for n, _ in fks]
            drop += [f"DROP INDEX {q(n)}" for n, _ in indexes]
            create = [sql for _, sql in indexes]
            create += [f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(n)} {d}" for n, d in fks]
            return drop, create
        return [], []

    def _write(self, data: _TableData) -> int:
        names = list(data.cols)
        stmt = insert(data.table)
        copy = None
        if self.conn.dialect.name == "postgresql" and self.conn.dialect.driver == "psycopg":
            # COPY … FROM STDIN in the same transaction: far faster than INSERTs over the wire.
            quote = self.conn.dialect.identifier_preparer
            copy = (f"COPY {quote.format_table(data.table)} "
                    f"({', '.join(quote.quote(k) for k in names)}) FROM STDIN")
        if self.fast:
            compiled = stmt.compile(dialect=self.conn.dialect, column_keys=names)
            order = list(compiled.positiontup or [])
            if sorted(order) != sorted(names):  # defaults would be missing: use Core
                self.fast = False
            else:
                sql = str(compiled)
                self._check_formats(data)
        keys = order if self.fast else names

        def rows(lo: int) -> list[tuple]:
            hi = min(lo + _CHUNK, data.n)
            done: dict[tuple | None, list] = {}  # one conversion for columns sharing values
            columns = []
            for k in keys:
                col = data.cols[k]
                key = (id(col.values), col.kind) if col.null is None else None
                if key is None or key not in done:
                    done[key] = self._convert(col, lo, hi, self.fast)
                columns.append(done[key])
            return list(zip(*columns, strict=True))

        # The next chunk is converted in a second thread while the database takes this one
        # (sqlite3 and psycopg release the GIL while they work).
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = pool.submit(rows, 0) if data.n else None
            for lo in range(0, data.n, _CHUNK):
                chunk = ahead.result()
                if lo + _CHUNK < data.n:
                    ahead = pool.submit(rows, lo + _CHUNK)
                if self.fast:
                    self.conn.exec_driver_sql(sql, chunk)
                elif copy:
                    with self.conn.connection.driver_connection.cursor() as cur, \
                            cur.copy(copy) as cp:
                        for row in chunk:
                            cp.write_row(row)
                else:
                    self.conn.execute(stmt, [dict(zip(names, row, strict=True)) for row in chunk])
        return data.n

    def _check_formats(self, data: _TableData) -> None:
        """The pre-formatted dates must be exactly what SQLAlchemy itself would store."""
        if data.n == 0:
            return
        for name, col in data.cols.items():
            if col.kind not in (_DATE, _DT) or np.isscalar(col.values):
                continue
            process = data.table.c[name].type._cached_bind_processor(self.conn.dialect)
            fast, slow = self._convert(col, 0, 1, True)[0], self._convert(col, 0, 1, False)[0]
            if fast is not None and process is not None and process(slow) != fast:
                raise RuntimeError(f"date format mismatch for {data.table.name}.{name}: "
                                   f"{fast!r} != {process(slow)!r}")


# --------------------------------------------------------------------------------------
# The generator


@dataclass
class _Plan:
    tables: list[_TableData]
    counts: dict[str, int]
    start: dt.date  # day 0 of the period
    tag_rows: list | None = None  # the tags registry (crm_data.sample_leadscore)


def _owners(engine: Engine) -> tuple[list[int | None], list[float], list[int], int | None]:
    """Owner ids with their shares, the sales staff ids, and the admin (for the cash book)."""
    with engine.connect() as conn:
        users = conn.execute(select(User.id, User.username, User.role)
                             .where(User.active.is_(True)).order_by(User.id)).all()
    by_name = {u.username: u.id for u in users}
    admin = next((u.id for u in users if u.role == "admin"), None)
    if all(name in by_name for name, _ in _OWNER_SHARES if name):
        ids = [by_name[name] if name else None for name, _ in _OWNER_SHARES]
        shares = [s for _, s in _OWNER_SHARES]
    else:
        sellers = [u.id for u in users if u.role in ("staff", "manager")]
        ids = sellers or [None]
        shares = [1.0] * len(ids)
    staff = [i for i in ids if i is not None]
    return ids, shares, staff, admin


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    """Unique E.164 mobile numbers from real carrier prefixes."""
    prefixes: list[str] = []
    weights: list[float] = []
    for share, pres in _CARRIERS:
        for pre in pres:
            prefixes.append(pre)
            weights.append(share / len(pres))
    pre_idx = rng.choice(len(prefixes), size=n, p=_p(weights))
    pre_num = np.array([int(p) for p in prefixes], dtype=np.int64)

    def draw(idx: np.ndarray) -> np.ndarray:
        first = rng.integers(0, 10, len(idx))
        for pre, allowed in _PHONE_FIRST_DIGITS.items():
            sel = np.flatnonzero(np.array(prefixes, dtype=object)[idx] == pre)
            if len(sel):
                first[sel] = np.array(allowed)[rng.integers(0, len(allowed), len(sel))]
        return pre_num[idx] * 10_000_000 + first * 1_000_000 + rng.integers(0, 1_000_000, len(idx))

    numbers = draw(pre_idx)
    while True:
        _, first_pos = np.unique(numbers, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first_pos] = False
        if not dup.any():
            break
        numbers[dup] = draw(pre_idx[dup])
    return [f"+84{x}" for x in numbers.tolist()]


class _Ctx:
    """What one stage of the generator hands to the next: plain attributes, mostly numpy
    arrays indexed by customer position (0-based; the id is position + 1), by order
    position, and so on."""


def _customers(ctx: _Ctx) -> None:
    """Customers: when they came (growing, a little seasonal), who they are, where they live
    and how to reach them, and who owns them."""
    D, n, n_days, owner_ids = ctx.D, ctx.n, ctx.n_days, ctx.owner_ids
    owner_shares = ctx.owner_shares
    r_cust, r_names, start, weights = ctx.r_cust, ctx.r_names, ctx.start, ctx.weights
    growth = np.exp(np.log(1.5) * np.arange(n_days) / 365.25)  # +50 % a year
    acq = growth * np.sqrt(weights)
    c_day = np.sort(r_cust.choice(n_days, size=n, p=acq / acq.sum()))
    c_tod = ((8 + r_cust.integers(0, 12, n)) * 3600 + r_cust.integers(0, 3600, n)).astype(np.int64)
    created = c_day.astype(np.int64) * _DAY + c_tod
    order_c = np.lexsort((c_tod, c_day))
    created = created[order_c]
    c_day = created // _DAY
    ids = np.arange(1, n + 1, dtype=np.int64)
    codes = [f"KH{i:06d}" for i in ids.tolist()]

    business = r_cust.random(n) < 0.10
    u = r_cust.random(n)
    gender = _obj(("female", "male", "other"), (u >= 0.52).astype(int) + (u >= 0.995))
    gender[business & (u < 0.45)] = "female"
    gender[business & (u >= 0.45)] = "male"
    name_gender = np.where(gender == "other", np.where(r_cust.random(n) < 0.5, "female", "male"),
                           gender)
    provinces = geo.provinces()
    prov_i = r_cust.choice(len(provinces), size=n, p=_p([p.population_m for p in provinces]))
    prov_code = np.array([p.code for p in provinces], dtype=np.int64)[prov_i]
    region = np.array([p.region for p in provinces], dtype=object)[prov_i]

    # names
    fam_i = _pick(r_names, _FAMILY, n)
    fam_u = r_names.random(n)
    families = _values(_FAMILY)
    family = np.empty(n, dtype=object)
    for i, f in enumerate(families):
        sel = fam_i == i
        if "|" in f:
            a, b = f.split("|")
            share = np.vectorize(_FAMILY_NORTH_SHARE[f].get, otypes=[float])(region[sel])
            family[sel] = np.where(fam_u[sel] < share, a, b)
        else:
            family[sel] = f
    middle = np.empty(n, dtype=object)
    given = np.empty(n, dtype=object)
    for g in ("male", "female"):
        sel = np.flatnonzero(name_gender == g)
        middle[sel] = _values(_MIDDLE[g])[_pick(r_names, _MIDDLE[g], len(sel))]
        given[sel] = _values(_GIVEN[g])[_pick(r_names, _GIVEN[g], len(sel))]
    full_names = [" ".join(x for x in (f, m, g) if x) if m != g else f"{f} {g}"
                  for f, m, g in zip(family.tolist(), middle.tolist(), given.tolist(), strict=True)]

    # age and demographics
    age = np.clip(18 + r_cust.gamma(3.0, 6.5, n), 18, 80).astype(int)
    has_birth = r_cust.random(n) < np.where(business, 0.5, 0.85)
    birth_day = (D - age * 365.25 - r_cust.integers(0, 365, n)).astype(np.int64)
    occ_vals = np.array(_ENUMS_USED["occupation"], dtype=object)
    occ = occ_vals[r_cust.choice(len(occ_vals), n, p=_p([22, 12, 14, 8, 6, 5, 7, 6, 9, 5, 6]))]
    occ[(age < 23) & (r_cust.random(n) < 0.7)] = "student"
    occ[(age >= 60) & (r_cust.random(n) < 0.6)] = "retired"
    occ[business] = "business_owner"
    occ_null = r_cust.random(n) < 0.15
    income = np.array(_ENUMS_USED["income_band"], dtype=object)[
        r_cust.choice(4, n, p=[0.32, 0.36, 0.22, 0.10])]
    income[(occ == "student") & (r_cust.random(n) < 0.8)] = "under_10m"
    income_null = r_cust.random(n) < 0.2
    edu = np.array(_ENUMS_USED["education"], dtype=object)[
        r_cust.choice(4, n, p=[0.35, 0.2, 0.38, 0.07])]
    edu_null = r_cust.random(n) < 0.3
    married = r_cust.random(n) < np.clip((age - 22) / 12, 0.05, 0.85)
    marital = _obj(("single", "married"), married)
    marital[r_cust.random(n) < 0.03] = "other"
    marital_null = r_cust.random(n) < 0.25
    kind = _obj(("individual", "business"), business)

    chan_vals = np.array(["zalo", "phone", "facebook", "sms", "email"], dtype=object)
    pref = chan_vals[np.where(business,
                             r_cust.choice(5, n, p=[0.35, 0.30, 0.03, 0.02, 0.30]),
                             r_cust.choice(5, n, p=[0.42, 0.28, 0.18, 0.05, 0.07]))]
    pref_null = r_cust.random(n) < 0.05
    devices_vals = np.array(["mobile", "mobile,desktop", "mobile,tablet", "desktop",
                             "mobile,desktop,tablet"], dtype=object)
    devices = devices_vals[r_cust.choice(5, n, p=[0.56, 0.26, 0.08, 0.04, 0.06])]
    devices_null = r_cust.random(n) < 0.04
    src_vals = np.array(["social", "walk_in", "referral", "website", "ads", "event", "survey"],
                        dtype=object)
    source = src_vals[r_cust.choice(7, n, p=_p([26, 14, 16, 12, 18, 8, 6]))]
    owner_pos = r_cust.choice(len(owner_ids), size=n, p=_p(owner_shares))
    owner_arr = np.array([-1 if o is None else o for o in owner_ids], dtype=np.int64)[owner_pos]
    owner_null = owner_arr < 0
    consent = r_cust.random(n) < 0.72

    # industry and company
    industries = list(_INDUSTRIES)
    industry = np.array(industries, dtype=object)[
        r_cust.choice(len(industries), n, p=_p([v[0] for v in _INDUSTRIES.values()]))]
    comp_kind = r_cust.choice(3, n, p=[0.5, 0.2, 0.3])
    brand = r_cust.integers(0, len(_BRANDS), n)
    word_u = r_cust.integers(0, 2, n)
    companies: list[str | None] = [None] * n
    company_domain: list[str | None] = [None] * n
    for i in np.flatnonzero(business).tolist():
        ind = industry[i]
        _w, words, shop = _INDUSTRIES[ind]
        b = _BRANDS[brand[i]]
        if comp_kind[i] == 2 and shop:
            companies[i] = f"Hộ kinh doanh {shop} {b}"
        elif comp_kind[i] == 2:
            companies[i] = f"Hộ kinh doanh {full_names[i]}"
        else:
            typ = "Công ty TNHH" if comp_kind[i] == 0 else "Công ty CP"
            companies[i] = f"{typ} {words[word_u[i]]} {b}"
            company_domain[i] = fold(b).replace(" ", "") + (".com.vn" if word_u[i] else ".vn")
    industry_null = ~business

    # address
    wards_by_prov: dict[int, list[str]] = {}
    for w in Ward.iter_all():  # the 2025 wards (phường / xã / đặc khu) of every province
        wards_by_prov.setdefault(int(w.province_code), []).append(w.name)
    house = np.minimum(1 + r_cust.geometric(1 / 90, n), 999)
    sub = 1 + r_cust.integers(0, 40, n)
    street = r_cust.integers(0, len(_STREETS), n)
    addr_style = r_cust.random(n)
    ward_u = r_cust.random(n)
    addresses: list[str] = []
    for i in range(n):
        wards = wards_by_prov.get(int(prov_code[i])) or ["Phường Trung tâm"]
        ward = wards[int(ward_u[i] * len(wards))]
        if ward.startswith("Xã"):
            hamlet = "Ấp" if region[i] == "south" else ("Thôn" if addr_style[i] < 0.7 else "Xóm")
            addresses.append(f"{hamlet} {sub[i] % 12 + 1}, {ward}")
        elif addr_style[i] < 0.2:
            if region[i] == "south":
                addresses.append(f"{house[i]}/{sub[i]} {_STREETS[street[i]]}, {ward}")
            else:
                addresses.append(f"Số {sub[i]}, ngõ {house[i]} {_STREETS[street[i]]}, {ward}")
        else:
            road = "Đường " if addr_style[i] < 0.55 else ""
            addresses.append(f"{house[i]} {road}{_STREETS[street[i]]}, {ward}")
    address_null = r_cust.random(n) < 0.08

    phones = _phones(r_cust, n)

    # emails: folded name + digits, unique
    has_email = r_cust.random(n) < np.where(business, 0.9, 0.58)
    mail_u = r_cust.random(n)
    mail_pattern = r_cust.integers(0, 4, n)
    mail_digits = r_cust.integers(1, 1000, n)
    birth_year = (start.year + (birth_day // 365)).astype(int)
    emails: list[str | None] = [None] * n
    name_fold = {x: fold(x).replace(" ", "") for x in sorted(set(family) | set(middle) | set(given))}
    taken: set[str] = set()
    for i in np.flatnonzero(has_email).tolist():
        fam, giv, mid = name_fold[family[i]], name_fold[given[i]], name_fold[middle[i]]
        if company_domain[i] and mail_u[i] < 0.75:
            local = (giv, f"{giv}.{fam}", "ketoan", "kinhdoanh")[mail_pattern[i]]
            domain = company_domain[i]
        else:
            local = (f"{fam}{mid}{giv}", f"{giv}{fam}", f"{giv}.{fam}", f"{fam}{giv}")[
                mail_pattern[i]]
            if mail_u[i] < 0.45:
                local += str(birth_year[i] % 100 if has_birth[i] else mail_digits[i])
            elif mail_u[i] < 0.8:
                local += str(mail_digits[i])
            domain = ("gmail.com" if mail_u[i] < 0.82 or mail_u[i] >= 0.95 else
                      "yahoo.com" if mail_u[i] < 0.89 else "outlook.com")
        email = f"{local}@{domain}"
        k = 1
        while email in taken:
            k += 1
            email = f"{local}{k}@{domain}"
        taken.add(email)
        emails[i] = email
    ctx.address_null, ctx.addresses, ctx.birth_day = address_null, addresses, birth_day
    ctx.business = business
    ctx.c_day, ctx.codes, ctx.companies, ctx.consent = c_day, codes, companies, consent
    ctx.created = created
    ctx.devices, ctx.devices_null, ctx.edu, ctx.edu_null = devices, devices_null, edu, edu_null
    ctx.emails, ctx.family, ctx.full_names, ctx.gender = emails, family, full_names, gender
    ctx.given, ctx.has_birth, ctx.ids, ctx.income = given, has_birth, ids, income
    ctx.income_null = income_null
    ctx.industry, ctx.industry_null, ctx.kind, ctx.marital = industry, industry_null, kind, marital
    ctx.marital_null, ctx.middle, ctx.occ, ctx.occ_null = marital_null, middle, occ, occ_null
    ctx.owner_arr, ctx.owner_null, ctx.phones, ctx.pref = owner_arr, owner_null, phones, pref
    ctx.pref_null, ctx.prov_code, ctx.region, ctx.source = pref_null, prov_code, region, source


def _funnel(ctx: _Ctx) -> None:
    """The lead funnel: how far every lead got and when (each step a few days after the
    last), where it dropped out and why, and its lead score."""
    business, c_day, created, n = ctx.business, ctx.c_day, ctx.created, ctx.n
    r_funnel = ctx.r_funnel
    ref_end, source = ctx.ref_end, ctx.source
    walk_in = r_funnel.random(n) < _WALK_IN
    source[walk_in] = "walk_in"
    step_p = np.where(business[:, None], np.array(_STEP_P["business"]),
                      np.array(_STEP_P["individual"]))
    success = r_funnel.random((n, 4)) < step_p
    reached = np.cumprod(success, axis=1).sum(axis=1)  # 0 … 4 stages after "new"
    gaps = 1 + r_funnel.poisson(np.array(_STEP_GAP_MEAN), size=(n, 4))
    step_day = c_day[:, None] + np.cumsum(gaps, axis=1)
    step_tod = (8 + r_funnel.integers(0, 12, (n, 4))) * 3600 + r_funnel.integers(0, 3600, (n, 4))
    step_t = step_day * _DAY + step_tod  # times of contacted, qualified, quoted, won (or the drop)
    # walk-ins: new → won a few minutes after they were created
    step_t[walk_in, 3] = created[walk_in] + r_funnel.integers(60, 300, int(walk_in.sum()))
    reached[walk_in] = 4
    in_time = step_t <= ref_end
    eff = np.where(walk_in, np.where(in_time[:, 3], 4, 0),
                   np.minimum(reached, in_time.cumprod(axis=1).sum(axis=1)))
    drop_t = step_t[np.arange(n), np.minimum(reached, 3)]
    lost = (~walk_in) & (reached < 4) & (drop_t <= ref_end)
    reason_by_stage = np.empty(n, dtype=object)
    for stage, pairs in _LOST_REASONS.items():
        sel = np.flatnonzero(lost & (reached == stage))
        reason_by_stage[sel] = _values(pairs)[_pick(r_funnel, pairs, len(sel))]
    pipeline_stage = np.array(_PIPE, dtype=object)[eff]
    pipeline_stage[lost] = "lost"
    won = eff == 4
    won_t = step_t[:, 3]

    # lead score: higher the further the lead went
    base_score = np.array([18, 35, 52, 64, 76], dtype=float)[np.where(lost, reached, eff)]
    score = np.clip(np.round(base_score + r_funnel.normal(0, 12, n) - np.where(lost, 8, 0)),
                    0, 100).astype(np.int64)
    grade = _obj(("D", "C", "B", "A"), (score >= 25).astype(int) + (score >= 50) + (score >= 75))
    score_null = walk_in.copy()
    ctx.drop_t, ctx.eff, ctx.grade, ctx.lost = drop_t, eff, grade, lost
    ctx.pipeline_stage = pipeline_stage
    ctx.reached, ctx.reason_by_stage, ctx.score = reached, reason_by_stage, score
    ctx.score_null = score_null
    ctx.step_t, ctx.walk_in, ctx.won, ctx.won_t = step_t, walk_in, won, won_t


def _orders(ctx: _Ctx) -> None:
    """Orders of the won customers: the first minutes after the win, the next ones a seasonal
    Poisson process at a personal rate, thinned by tenure, until ref or until they churn;
    status, channel and payment method."""
    D, business, cum_w, r_orders = ctx.D, ctx.business, ctx.cum_w, ctx.r_orders
    walk_in = ctx.walk_in
    won, won_t = ctx.won, ctx.won_t
    buyers = np.flatnonzero(won)
    nb = len(buyers)
    b_bus = business[buyers]
    first_t = won_t[buyers] + np.where(walk_in[buyers], r_orders.integers(300, 1500, nb),
                                       r_orders.integers(300, 2400, nb))
    first_day = first_t // _DAY
    churner = r_orders.random(nb) < _CHURN
    window = D - first_day
    frac = np.where(churner, r_orders.beta(0.25, 2.0, nb), 1.0)
    end_day = first_day + np.floor(window * frac).astype(np.int64)
    op_len = cum_w[end_day] - cum_w[first_day]
    median = np.where(b_bus, _INTERVAL_MEDIAN["business"], _INTERVAL_MEDIAN["individual"])
    sigma = np.where(b_bus, _INTERVAL_SIGMA["business"], _INTERVAL_SIGMA["individual"])
    interval = median * np.exp(sigma * r_orders.standard_normal(nb))
    # Repeat purchases: a seasonal Poisson process at the personal rate, thinned by tenure
    # (new buyers come back more often than they will a year later).
    candidates = np.where(op_len > 0, r_orders.poisson(op_len / interval), 0)
    rep = np.repeat(np.arange(nb), candidates)
    u_op = cum_w[first_day][rep] + r_orders.random(len(rep)) * op_len[rep]
    x_day = np.clip(np.searchsorted(cum_w, u_op, side="left"), first_day[rep] + 1, end_day[rep])
    tenure = x_day - first_day[rep]
    keep = r_orders.random(len(rep)) < (_TENURE_FLOOR + (1 - _TENURE_FLOOR)
                                        * np.exp(-tenure / _TENURE_DAYS))
    keep &= _rank_in_group(rep) < _MAX_ORDERS - 1  # rep is grouped by buyer
    rep, x_day = rep[keep], x_day[keep]
    x_t = x_day * _DAY + _shop_seconds(r_orders, len(rep))
    o_cust_pos = np.concatenate([buyers, buyers[rep]])  # customer position (0-based)
    o_t = np.concatenate([first_t, x_t])
    o_first = np.concatenate([np.ones(nb, bool), np.zeros(len(rep), bool)])
    sort = np.lexsort((o_cust_pos, o_t))
    o_cust_pos, o_t, o_first = o_cust_pos[sort], o_t[sort], o_first[sort]
    n_orders = len(o_t)
    o_day = o_t // _DAY
    o_ids = np.arange(1, n_orders + 1, dtype=np.int64)
    o_bus = business[o_cust_pos]
    cancelled = r_orders.random(n_orders) < _CANCELLED
    completed = ~cancelled

    ch_vals = np.array(["store", "online", "zalo", "phone"], dtype=object)
    ch_i = np.where(o_bus, r_orders.choice(4, n_orders, p=[0.2, 0.15, 0.35, 0.3]),
                    r_orders.choice(4, n_orders, p=[0.5, 0.2, 0.2, 0.1]))
    ch_i[o_first & walk_in[o_cust_pos]] = 0
    channel = ch_vals[ch_i]
    pm_vals = np.array(["cash", "transfer", "card", "cod", "ewallet"], dtype=object)
    pm_by_channel = np.array([[0.50, 0.30, 0.12, 0.00, 0.08],   # store
                              [0.00, 0.30, 0.05, 0.45, 0.20],   # online
                              [0.10, 0.55, 0.00, 0.35, 0.00],   # zalo
                              [0.15, 0.50, 0.00, 0.35, 0.00]])  # phone
    cdf = np.cumsum(pm_by_channel, axis=1)[ch_i]
    pm_i = (r_orders.random(n_orders)[:, None] > cdf).sum(axis=1)
    pm_i = np.minimum(pm_i, 4)
    pm_i[o_bus & (r_orders.random(n_orders) < 0.7)] = 1
    method = pm_vals[pm_i]
    ctx.buyers, ctx.cancelled, ctx.channel, ctx.completed = buyers, cancelled, channel, completed
    ctx.interval, ctx.method, ctx.n_orders, ctx.nb = interval, method, n_orders, nb
    ctx.o_bus = o_bus
    ctx.o_cust_pos, ctx.o_day, ctx.o_ids, ctx.o_t = o_cust_pos, o_day, o_ids, o_t


def _order_lines(ctx: _Ctx) -> None:
    """Order lines (1–4 neighbouring products, quantities, prices, costs), then every
    order's totals: cost, discount, amount, and what was paid at checkout."""
    buyers, cancelled, completed, interval = ctx.buyers, ctx.cancelled, ctx.completed, ctx.interval
    n, n_orders, o_bus, o_cust_pos = ctx.n, ctx.n_orders, ctx.o_bus, ctx.o_cust_pos
    o_day = ctx.o_day
    owner_arr, r_lines, r_orders, tet_mask = ctx.owner_arr, ctx.r_lines, ctx.r_orders, ctx.tet_mask
    weights = ctx.weights
    P = len(_PRODUCTS)
    prices = np.array([p[2] for p in _PRODUCTS], dtype=np.int64)
    cost_rate = r_lines.uniform(0.55, 0.75, P)
    costs = _round_k(prices * cost_rate)
    cost_unknown = np.zeros(P, dtype=bool)
    cost_unknown[r_lines.choice(P, size=max(1, round(P * 0.1)), replace=False)] = True
    k_lines = np.where(o_bus, 1 + r_lines.choice(4, n_orders, p=[0.3, 0.3, 0.25, 0.15]),
                       1 + r_lines.choice(4, n_orders, p=[0.62, 0.24, 0.10, 0.04]))
    n_lines = int(k_lines.sum())
    l_order = np.repeat(np.arange(n_orders), k_lines)
    l_rank = _rank_in_group(l_order)
    popularity = np.array([p[3] for p in _PRODUCTS]) * (prices / 200_000.0) ** _PRICE_ELASTICITY
    p0 = r_lines.choice(P, size=n_orders, p=_p(popularity))
    # Frequent buyers mostly come back for everyday goods (the "Thực phẩm" shelf).
    grocery_idx = np.array([i for i, p in enumerate(_PRODUCTS) if p[0] == "Thực phẩm"
                            and p[1] not in _TET_PRODUCTS])
    grocery_share = np.zeros(n)
    grocery_share[buyers] = np.clip(0.85 - 0.5 * np.log10(interval / 5.0), 0.15, 0.85)
    grocery = r_lines.random(n_orders) < grocery_share[o_cust_pos]
    p0[grocery] = grocery_idx[r_lines.choice(len(grocery_idx), int(grocery.sum()),
                                             p=_p(popularity[grocery_idx]))]
    tet_idx = np.array([i for i, p in enumerate(_PRODUCTS) if p[1] in _TET_PRODUCTS])
    in_tet = tet_mask[o_day] & (r_lines.random(n_orders) < 0.35)
    p0[in_tet] = tet_idx[r_lines.integers(0, len(tet_idx), int(in_tet.sum()))]
    step = r_lines.integers(1, 4, n_lines)  # neighbours on the shelf: same category mostly
    step[l_rank == 0] = 0
    cs = np.cumsum(step)
    starts = _group_starts(l_order)
    offset = cs - np.repeat(cs[starts], k_lines)
    l_prod = (p0[l_order] + offset) % P  # distinct products within an order
    l_bus = o_bus[l_order]
    qty = np.where(l_bus, 1 + r_lines.poisson(2.0, n_lines),
                   1 + r_lines.choice(5, n_lines, p=[0.76, 0.16, 0.05, 0.02, 0.01]))
    l_price = prices[l_prod]
    qty = np.where(l_price >= 1_000_000, np.minimum(qty, 1 + r_lines.integers(0, 2, n_lines)), qty)
    l_amount = qty * l_price
    l_cost_null = cost_unknown[l_prod]
    l_unit_cost = costs[l_prod]
    subtotal = np.round(np.bincount(l_order, weights=l_amount, minlength=n_orders)).astype(np.int64)
    o_cost = np.round(np.bincount(l_order, weights=np.where(l_cost_null, 0, qty * l_unit_cost),
                                  minlength=n_orders)).astype(np.int64)
    o_cost_null = np.bincount(l_order, weights=l_cost_null, minlength=n_orders) > 0

    sale_day = weights[o_day] >= 1.3
    has_disc = r_orders.random(n_orders) < np.where(sale_day, 0.35, 0.12)
    pct = np.array([5, 10, 15])[r_orders.choice(3, n_orders, p=[0.4, 0.4, 0.2])]
    discount = np.where(has_disc, _round_k(subtotal * pct / 100.0), 0).astype(np.int64)
    amount = subtotal - discount

    debt_p = np.where(o_bus, 0.22, 0.05)
    owes = completed & (r_orders.random(n_orders) < debt_p)
    partial = owes & (r_orders.random(n_orders) < 0.6)
    paid = np.where(cancelled, 0, amount)
    part_paid = (np.floor(amount * r_orders.uniform(0.3, 0.8, n_orders) / 1000) * 1000
                 ).astype(np.int64)
    paid = np.where(partial, part_paid, np.where(owes, 0, paid)).astype(np.int64)
    o_owner = owner_arr[o_cust_pos]
    ctx.P, ctx.amount, ctx.cost_unknown, ctx.costs = P, amount, cost_unknown, costs
    ctx.discount = discount
    ctx.k_lines, ctx.l_amount, ctx.l_cost_null = k_lines, l_amount, l_cost_null
    ctx.l_order = l_order
    ctx.l_price, ctx.l_prod, ctx.l_unit_cost, ctx.n_lines = l_price, l_prod, l_unit_cost, n_lines
    ctx.o_cost, ctx.o_cost_null, ctx.o_owner, ctx.owes = o_cost, o_cost_null, o_owner, owes
    ctx.paid, ctx.prices, ctx.qty, ctx.subtotal = paid, prices, qty, subtotal


def _payments(ctx: _Ctx) -> None:
    """Later payments against receivables (never more than owed)."""
    D, amount, o_day, owes, paid = ctx.D, ctx.amount, ctx.o_day, ctx.owes, ctx.paid
    r_pay = ctx.r_pay
    debt_orders = np.flatnonzero(owes)
    remaining = (amount - paid)[debt_orders]
    pay_rows = []  # (order position, day, amount)
    day1 = o_day[debt_orders] + 1 + r_pay.geometric(1 / 12, len(debt_orders))
    settle = r_pay.random(len(debt_orders)) < 0.85
    full1 = r_pay.random(len(debt_orders)) < 0.65
    amt1 = np.where(full1, remaining,
                    np.floor(remaining * r_pay.uniform(0.3, 0.7, len(debt_orders)) / 1000) * 1000)
    amt1 = np.where(amt1 <= 0, remaining, amt1).astype(np.int64)
    ok1 = settle & (day1 <= D)
    pay_rows.append((debt_orders[ok1], day1[ok1], amt1[ok1]))
    rem2 = remaining - np.where(ok1, amt1, 0)
    day2 = day1 + 1 + r_pay.geometric(1 / 15, len(debt_orders))
    ok2 = ok1 & (rem2 > 0) & (r_pay.random(len(debt_orders)) < 0.6) & (day2 <= D)
    full2 = r_pay.random(len(debt_orders)) < 0.7
    amt2 = np.where(full2, rem2,
                    np.floor(rem2 * r_pay.uniform(0.3, 0.7, len(debt_orders)) / 1000) * 1000)
    amt2 = np.where(amt2 <= 0, rem2, amt2).astype(np.int64)
    pay_rows.append((debt_orders[ok2], day2[ok2], amt2[ok2]))
    pay_order = np.concatenate([r[0] for r in pay_rows])
    pay_day = np.concatenate([r[1] for r in pay_rows]).astype(np.int64)
    pay_amt = np.concatenate([r[2] for r in pay_rows]).astype(np.int64)
    ps = np.lexsort((pay_order, pay_day))
    pay_order, pay_day, pay_amt = pay_order[ps], pay_day[ps], pay_amt[ps]
    n_pay = len(pay_order)
    pay_t = pay_day * _DAY + _shop_seconds(r_pay, n_pay)
    pay_method = _obj(("transfer", "cash"), r_pay.random(n_pay) >= 0.75)
    ctx.n_pay, ctx.pay_amt, ctx.pay_day, ctx.pay_method = n_pay, pay_amt, pay_day, pay_method
    ctx.pay_order, ctx.pay_t = pay_order, pay_t


def _purchases(ctx: _Ctx) -> None:
    """Completed orders grouped by customer in time order, which the journey, the loyalty
    points and the tags read."""
    amount, completed, n, o_cust_pos = ctx.amount, ctx.completed, ctx.n, ctx.o_cust_pos
    o_day = ctx.o_day
    o_t = ctx.o_t
    comp = np.flatnonzero(completed)
    cs_order = comp[np.argsort(o_cust_pos[comp], kind="stable")]  # by customer, then time
    cc = o_cust_pos[cs_order]
    c_day_o = o_day[cs_order]
    c_t_o = o_t[cs_order]
    rank = _rank_in_group(cc) + 1  # 1-based count of completed orders so far
    n_comp = np.bincount(cc, minlength=n)
    spend = np.bincount(cc, weights=amount[cs_order], minlength=n)
    last_idx = _group_ends(cc) - 1
    last_day = np.full(n, -1, dtype=np.int64)
    last_day[cc[last_idx]] = c_day_o[last_idx]
    ctx.c_day_o, ctx.c_t_o, ctx.cc, ctx.cs_order = c_day_o, c_t_o, cc, cs_order
    ctx.last_day = last_day
    ctx.n_comp, ctx.rank, ctx.spend = n_comp, rank, spend


def _journey(ctx: _Ctx) -> None:
    """The journey: awareness at creation, consideration when contacted, then the stages the
    completed orders imply (rules.lifecycle_from_stats), lapsed on the CHURN_DAYS_DEFAULT-th day
    without one and back on the next, advocate for some loyal customers."""
    D, c_day_o, c_t_o, cc, created = ctx.D, ctx.c_day_o, ctx.c_t_o, ctx.cc, ctx.created
    eff = ctx.eff
    last_day, n, n_comp, r_misc, rank = ctx.last_day, ctx.n, ctx.n_comp, ctx.r_misc, ctx.rank
    ref_end, step_t, walk_in = ctx.ref_end, ctx.step_t, ctx.walk_in
    contacted_t = step_t[:, 0]
    considered = (~walk_in) & (eff >= 1)
    pre_stage = np.where(considered, _L["consideration"], _L["awareness"])

    def stage_of(k):
        return np.where(k >= LOYAL_MIN_ORDERS, _L["loyal"],
                        np.where(k >= 2, _L["repeat"], _L["first_purchase"]))

    prev_day = np.r_[-1, c_day_o[:-1]] if len(cc) else c_day_o
    gap = c_day_o - prev_day
    # rules.is_churned: lapsed on the churn day, last order + N (07:00, before shop hours)
    lapse_before = (rank > 1) & (gap >= CHURN_DAYS_DEFAULT)
    on_order = (rank == 1) | (rank == 2) | (rank == LOYAL_MIN_ORDERS) | lapse_before
    ev_from = np.where(lapse_before, _L["lapsed"],
                       np.where(rank == 1, pre_stage[cc], stage_of(rank - 1)))
    life_parts = [
        (np.arange(n), created, np.full(n, -1), np.full(n, _L["awareness"])),
        (np.flatnonzero(considered), contacted_t[considered],
         np.full(int(considered.sum()), _L["awareness"]),
         np.full(int(considered.sum()), _L["consideration"])),
        (cc[on_order], c_t_o[on_order], ev_from[on_order], stage_of(rank[on_order])),
        (cc[lapse_before], (prev_day[lapse_before] + CHURN_DAYS_DEFAULT) * _DAY + 7 * 3600,
         stage_of(rank[lapse_before] - 1), np.full(int(lapse_before.sum()), _L["lapsed"])),
    ]
    final_lapse = (n_comp > 0) & (D - last_day >= CHURN_DAYS_DEFAULT)
    fl = np.flatnonzero(final_lapse)
    life_parts.append((fl, (last_day[fl] + CHURN_DAYS_DEFAULT) * _DAY + 7 * 3600,
                       stage_of(n_comp[fl]), np.full(len(fl), _L["lapsed"])))
    lc = np.concatenate([p[0] for p in life_parts])
    lt = np.concatenate([p[1] for p in life_parts]).astype(np.int64)
    lf = np.concatenate([p[2] for p in life_parts])
    lto = np.concatenate([p[3] for p in life_parts])
    # advocates: some loyal customers recommend the shop after becoming loyal
    order_l = np.lexsort((lt, lc))
    lc, lt, lf, lto = lc[order_l], lt[order_l], lf[order_l], lto[order_l]
    last_ev = _group_ends(lc) - 1
    final_stage = np.full(n, _L["awareness"])
    final_stage[lc[last_ev]] = lto[last_ev]
    last_ev_t = np.zeros(n, dtype=np.int64)
    last_ev_t[lc[last_ev]] = lt[last_ev]
    adv_t = last_ev_t + (1 + r_misc.integers(0, 60, n)) * _DAY
    adv = (final_stage == _L["loyal"]) & (r_misc.random(n) < 0.15) & (adv_t <= ref_end)
    av = np.flatnonzero(adv)
    lc = np.concatenate([lc, av])
    lt = np.concatenate([lt, adv_t[av]])
    lf = np.concatenate([lf, np.full(len(av), _L["loyal"])])
    lto = np.concatenate([lto, np.full(len(av), _L["advocate"])])
    final_stage[av] = _L["advocate"]
    lifecycle_stage = np.array(_LIFE, dtype=object)[final_stage]
    ctx.lc, ctx.lf, ctx.lifecycle_stage, ctx.lt, ctx.lto = lc, lf, lifecycle_stage, lt, lto


def _pipeline_history(ctx: _Ctx) -> None:
    """stage_changes rows: the pipeline changes from the funnel beside the journey changes,
    in time order."""
    created, drop_t, eff, lc, lf, lost = ctx.created, ctx.drop_t, ctx.eff, ctx.lc, ctx.lf, ctx.lost
    lt, lto, n, owner_arr, reached = ctx.lt, ctx.lto, ctx.n, ctx.owner_arr, ctx.reached
    reason_by_stage = ctx.reason_by_stage
    step_t, walk_in = ctx.step_t, ctx.walk_in
    pipe_parts = [(np.arange(n), created, np.full(n, -1), np.zeros(n, int), np.full(n, -1))]
    for s in range(1, 5):
        sel = np.flatnonzero((eff >= s) & ~(walk_in & (s < 4)))
        frm = np.where(walk_in[sel], 0, s - 1)
        pipe_parts.append((sel, step_t[sel, s - 1], frm, np.full(len(sel), s),
                           np.full(len(sel), -1)))
    ls = np.flatnonzero(lost)
    pipe_parts.append((ls, drop_t[ls], reached[ls], np.full(len(ls), 5), ls))
    reason_vals = reason_by_stage  # by customer position
    sc_c = np.concatenate([p[0] for p in pipe_parts] + [lc])
    sc_t = np.concatenate([p[1] for p in pipe_parts] + [lt]).astype(np.int64)
    sc_kind = np.concatenate([np.zeros(sum(len(p[0]) for p in pipe_parts), np.int8),
                              np.ones(len(lc), np.int8)])
    pipe_names = np.array(_PIPE, dtype=object)
    life_names = np.array(_LIFE, dtype=object)
    sc_from = np.concatenate([
        np.where(np.concatenate([p[2] for p in pipe_parts]) < 0, None,
                 pipe_names[np.maximum(np.concatenate([p[2] for p in pipe_parts]), 0)]),
        np.where(lf < 0, None, life_names[np.maximum(lf, 0)]),
    ])
    sc_to = np.concatenate([pipe_names[np.concatenate([p[3] for p in pipe_parts])],
                            life_names[lto]])
    reason_pos = np.concatenate([np.concatenate([p[4] for p in pipe_parts]),
                                 np.full(len(lc), -1)])
    sc_reason = np.where(reason_pos < 0, None, reason_vals[np.maximum(reason_pos, 0)])
    sc_by = np.where(sc_kind == 0, owner_arr[sc_c], -1)
    sso = np.lexsort((sc_kind, sc_c, sc_t))
    sc_c, sc_t, sc_kind, sc_from, sc_to, sc_reason, sc_by = (
        a[sso] for a in (sc_c, sc_t, sc_kind, sc_from, sc_to, sc_reason, sc_by))
    n_sc = len(sc_c)
    last_pipe_t = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_pipe_t, sc_c[sc_kind == 0], sc_t[sc_kind == 0])
    ctx.last_pipe_t, ctx.n_sc, ctx.sc_by, ctx.sc_c = last_pipe_t, n_sc, sc_by, sc_c
    ctx.sc_from = sc_from
    ctx.sc_kind, ctx.sc_reason, ctx.sc_t, ctx.sc_to = sc_kind, sc_reason, sc_t, sc_to


def _loyalty(ctx: _Ctx) -> None:
    """Loyalty: one earn row per customer and month, some redemptions."""
    D, amount, c_day_o, cc, cs_order = ctx.D, ctx.amount, ctx.c_day_o, ctx.cc, ctx.cs_order
    r_loyal, start = ctx.r_loyal, ctx.start
    months = (np.datetime64(start, "D") + c_day_o.astype("timedelta64[D]")).astype("datetime64[M]")
    mon = months.astype(np.int64)
    key = cc.astype(np.int64) * 100_000 + (mon - mon.min() if len(mon) else mon)
    g_start = _group_starts(key)
    g_end = _group_ends(key)
    g_cust = cc[g_start]
    g_pts = (np.add.reduceat(amount[cs_order], g_start) // 10_000 if len(g_start)
             else np.zeros(0, np.int64)).astype(np.int64)
    g_day = c_day_o[g_end - 1]
    g_mon = months[g_start]
    g_cum = np.cumsum(g_pts) - np.repeat(np.cumsum(g_pts)[_group_starts(g_cust)] -
                                         g_pts[_group_starts(g_cust)],
                                         _group_ends(g_cust) - _group_starts(g_cust))
    cust_start = _group_starts(g_cust)
    cust_len = _group_ends(g_cust) - cust_start
    pick = cust_start + (r_loyal.random(len(cust_start)) * cust_len).astype(np.int64)
    red_ok = (r_loyal.random(len(cust_start)) < 0.4) & (g_cum[pick] >= 200)
    red_g = pick[red_ok]
    red_pts = (np.floor(g_cum[red_g] * r_loyal.uniform(0.3, 0.9, len(red_g)) / 50) * 50
               ).astype(np.int64)
    red_day = np.minimum(g_day[red_g] + r_loyal.integers(0, 31, len(red_g)), D)
    keep = red_pts >= 50
    red_g, red_pts, red_day = red_g[keep], red_pts[keep], red_day[keep]
    ly_c = np.concatenate([g_cust, g_cust[red_g]])
    ly_day = np.concatenate([g_day, red_day])
    ly_kind = _obj(("earn", "redeem"), np.r_[np.zeros(len(g_cust)), np.ones(len(red_g))])
    ly_pts = np.concatenate([g_pts, -red_pts])
    # one note string per month, shared by the rows of that month
    mon_i = g_mon.astype(np.int64)
    first_mon = int(mon_i.min()) if len(mon_i) else 0
    month_notes = [f"Tích điểm tháng {m % 12 + 1:02d}/{1970 + m // 12}"
                   for m in range(first_mon, int(mon_i.max()) + 1 if len(mon_i) else 0)]
    ly_note = np.concatenate([np.array(month_notes + [""], dtype=object)[mon_i - first_mon],
                              _obj(("Đổi điểm lấy voucher",), np.zeros(len(red_g)))])
    lyo = np.lexsort((ly_kind == "redeem", ly_c, ly_day))
    ly_c, ly_day, ly_kind, ly_pts, ly_note = (a[lyo]
                                              for a in (ly_c, ly_day, ly_kind, ly_pts, ly_note))
    ctx.ly_c, ctx.ly_day, ctx.ly_kind, ctx.ly_note = ly_c, ly_day, ly_kind, ly_note
    ctx.ly_pts = ly_pts


def _interactions(ctx: _Ctx) -> None:
    """Interactions: the calls and messages that moved a lead through the funnel (or lost
    it), care after purchases, nurturing of open leads."""
    c_t_o, cc, created, drop_t, eff = ctx.c_t_o, ctx.cc, ctx.created, ctx.drop_t, ctx.eff
    lost, n, n_comp, owner_arr, r_inter = ctx.lost, ctx.n, ctx.n_comp, ctx.owner_arr, ctx.r_inter
    reached, ref_end, staff_ids, step_t = ctx.reached, ctx.ref_end, ctx.staff_ids, ctx.step_t
    walk_in, won, won_t = ctx.walk_in, ctx.won, ctx.won_t
    kinds = np.array(_ENUMS_USED["interaction_kind"], dtype=object)
    KI = {k: i for i, k in enumerate(kinds)}
    outcomes = np.array(["consulted", "skipped", "no_answer", "follow_up"], dtype=object)
    OC = {o: i for i, o in enumerate(outcomes)}
    it_parts = []

    def kind_draw(size, pairs):
        return np.array([KI[k] for k, _ in pairs])[_pick(r_inter, pairs, size)]

    step_kinds = [
        [("call", 0.6), ("zalo", 0.3), ("sms", 0.1)],
        [("call", 0.4), ("zalo", 0.3), ("meeting", 0.2), ("email", 0.1)],
        [("email", 0.35), ("zalo", 0.35), ("meeting", 0.2), ("call", 0.1)],
        [("visit", 0.5), ("meeting", 0.2), ("call", 0.3)],
    ]
    for s in range(1, 5):
        sel = np.flatnonzero((eff >= s) & ~walk_in)
        t = step_t[sel, s - 1] - r_inter.integers(600, 3600, len(sel))
        oc = np.where(r_inter.random(len(sel)) < (0.5 if s == 3 else 0.85), OC["consulted"],
                      OC["follow_up"])
        it_parts.append((sel, t, kind_draw(len(sel), step_kinds[s - 1]), oc))
    wsel = np.flatnonzero(walk_in & won)
    it_parts.append((wsel, won_t[wsel] - 30, np.full(len(wsel), KI["visit"]),
                     np.full(len(wsel), OC["consulted"])))
    lsel = np.flatnonzero(lost)
    it_parts.append((lsel, drop_t[lsel] - r_inter.integers(600, 3600, len(lsel)),
                     kind_draw(len(lsel), [("call", 0.7), ("zalo", 0.3)]),
                     np.where(reached[lsel] == 0, OC["no_answer"], OC["skipped"])))
    # care after purchase and nurturing of open leads
    care_n = np.where(n_comp > 0, r_inter.poisson(np.minimum(1 + n_comp / 6, 6)),
                      r_inter.poisson(0.4, n))
    care_c = np.repeat(np.arange(n), care_n)
    first_buy = np.full(n, -1, dtype=np.int64)
    if len(cc):
        first_buy[cc[_group_starts(cc)]] = c_t_o[_group_starts(cc)]
    lo = np.where(first_buy[care_c] >= 0, first_buy[care_c], created[care_c])
    hi = np.where(first_buy[care_c] >= 0, ref_end,
                  np.minimum(created[care_c] + 120 * _DAY, ref_end))
    care_day = (lo + r_inter.random(len(care_c)) * np.maximum(hi - lo, 0)) // _DAY
    care_t = np.maximum(care_day * _DAY + _shop_seconds(r_inter, len(care_c)), lo + 60)
    care_ok = care_t <= ref_end
    it_parts.append((care_c[care_ok], care_t[care_ok],
                     kind_draw(int(care_ok.sum()), [("call", 0.35), ("zalo", 0.35), ("sms", 0.1),
                                                    ("facebook", 0.1), ("email", 0.1)]),
                     _pick(r_inter, [("consulted", 0.45), ("skipped", 0.2), ("no_answer", 0.2),
                                     ("follow_up", 0.15)], int(care_ok.sum()))))
    it_c = np.concatenate([p[0] for p in it_parts])
    it_t = np.concatenate([p[1] for p in it_parts]).astype(np.int64)
    it_k = np.concatenate([p[2] for p in it_parts])
    it_o = np.concatenate([p[3] for p in it_parts])
    it_ok = it_t >= created[it_c]
    it_c, it_t, it_k, it_o = it_c[it_ok], it_t[it_ok], it_k[it_ok], it_o[it_ok]
    ito = np.lexsort((it_c, it_t))
    it_c, it_t, it_k, it_o = it_c[ito], it_t[ito], it_k[ito], it_o[ito]
    n_it = len(it_c)
    it_note = np.empty(n_it, dtype=object)
    for o, notes in _INTERACTION_NOTES.items():
        sel = np.flatnonzero(it_o == OC[o])
        it_note[sel] = np.array(notes, dtype=object)[r_inter.integers(0, len(notes), len(sel))]
    it_next = it_t // _DAY + 1 + r_inter.integers(0, 7, n_it)
    it_next_null = it_o != OC["follow_up"]
    staff_arr = np.array(staff_ids or [-1], dtype=np.int64)
    it_user = np.where(owner_arr[it_c] >= 0, owner_arr[it_c],
                       staff_arr[r_inter.integers(0, len(staff_arr), n_it)])
    ctx.first_buy, ctx.it_c, ctx.it_k, ctx.it_next = first_buy, it_c, it_k, it_next
    ctx.it_next_null = it_next_null
    ctx.it_note, ctx.it_o, ctx.it_t, ctx.it_user, ctx.kinds = it_note, it_o, it_t, it_user, kinds
    ctx.n_it, ctx.outcomes = n_it, outcomes


def _feedback(ctx: _Ctx) -> None:
    """Feedback: complaints from ~3 % of buyers (resolved within 0–14 days unless recent),
    reviews with a rating, questions."""
    created, first_buy, n, n_comp = ctx.created, ctx.first_buy, ctx.n, ctx.n_comp
    r_feed = ctx.r_feed
    ref_end = ctx.ref_end
    # (customer pos, kind, status, subject, body, rating, opened, resolved, resolution)
    fb_rows = []
    buyer_pos = np.flatnonzero(n_comp > 0)
    fb_u = r_feed.random((len(buyer_pos), 3))
    fb_when = r_feed.random((len(buyer_pos), 3))
    for j, c in enumerate(buyer_pos.tolist()):
        lo_t = first_buy[c]
        span = max(ref_end - lo_t, 0)
        if fb_u[j, 0] < 0.03:
            opened = int(lo_t + fb_when[j, 0] * span)
            subj, res = _COMPLAINTS[int(fb_u[j, 1] * 1000) % len(_COMPLAINTS)]
            hours = int(r_feed.exponential(3.0) * 24 + 1)
            resolved = opened + min(hours, 14 * 24) * 3600
            if resolved <= ref_end and r_feed.random() < 0.95:
                fb_rows.append((c, "complaint", "resolved", subj, None, None, opened, resolved,
                                res))
            else:
                st = "in_progress" if r_feed.random() < 0.6 else "open"
                fb_rows.append((c, "complaint", st, subj, None, None, opened, None, None))
        if fb_u[j, 2] < 0.15:
            opened = int(lo_t + fb_when[j, 2] * span)
            rating = int(r_feed.choice(5, p=[0.07, 0.06, 0.12, 0.30, 0.45])) + 1
            fb_rows.append((c, "review", "resolved", f"Đánh giá {rating} sao", _REVIEWS[rating],
                            rating, opened, min(opened + 3600 * int(1 + r_feed.integers(0, 24)),
                                                max(ref_end, opened)), None))
    q_sel = np.flatnonzero(r_feed.random(n) < 0.05)
    for c in q_sel.tolist():
        opened = int(created[c] + r_feed.random() * max(ref_end - created[c], 0))
        subj, res = _QUESTIONS[int(r_feed.integers(0, len(_QUESTIONS)))]
        resolved = opened + int(r_feed.integers(1, 48)) * 3600
        if resolved <= ref_end:
            fb_rows.append((c, "question", "resolved", subj, None, None, opened, resolved, res))
        else:
            fb_rows.append((c, "question", "open", subj, None, None, opened, None, None))
    fb_rows.sort(key=lambda r: (r[6], r[0], r[1]))
    ctx.fb_rows = fb_rows


def _appointments(ctx: _Ctx) -> None:
    """Appointments: done in the past, open in the next two weeks."""
    D, c_day, created, n, r_appt = ctx.D, ctx.c_day, ctx.created, ctx.n, ctx.r_appt
    ref_end = ctx.ref_end
    ap_rows = []  # (customer pos, kind, title, due, status, done)
    ap_kinds = list(_APPOINTMENT_TITLES)
    future = np.flatnonzero(r_appt.random(n) < 0.025)
    past = np.flatnonzero(r_appt.random(n) < 0.06)
    who = np.concatenate([future, past])
    m = len(who)
    a_kind = r_appt.integers(0, 3, m)
    a_title = r_appt.integers(0, 12, m)
    a_tod = _shop_seconds(r_appt, m)
    ahead = D + 1 + r_appt.integers(0, 14, len(future))
    since = (r_appt.random(len(past)) * np.maximum(D - c_day[past] - 1, 0)).astype(np.int64)
    a_day = np.concatenate([ahead, c_day[past] + 1 + since])
    a_x = r_appt.random(m)
    a_done = r_appt.integers(0, 7200, m)
    for j, c in enumerate(who.tolist()):
        k = ap_kinds[a_kind[j]]
        title = _APPOINTMENT_TITLES[k][a_title[j] % len(_APPOINTMENT_TITLES[k])]
        day = int(a_day[j])
        due = day * _DAY + int(a_tod[j])
        if j < len(future):
            ap_rows.append((c, k, title, due, "open", None))
        elif due <= created[c]:
            continue
        elif day >= D - 3 and a_x[j] < 0.5:  # a few overdue ones nobody has closed yet
            ap_rows.append((c, k, title, due, "open", None))
        elif a_x[j] < 0.9:
            ap_rows.append((c, k, title, due, "done", max(min(due + int(a_done[j]), ref_end), due)))
        else:
            ap_rows.append((c, k, title, due, "cancelled", None))
    ap_rows.sort(key=lambda r: (r[3], r[0]))
    ctx.ap_rows = ap_rows


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


def _tags_and_search(ctx: _Ctx) -> None:
    """Tags, notes, the search column and updated_at."""
    D, business, c_day_o, cc, codes = ctx.D, ctx.business, ctx.c_day_o, ctx.cc, ctx.codes
    companies, created, emails, family = ctx.companies, ctx.created, ctx.emails, ctx.family
    given, industry, last_pipe_t, middle = ctx.given, ctx.industry, ctx.last_pipe_t, ctx.middle
    n, n_comp, nb, phones, r_misc, ref = ctx.n, ctx.n_comp, ctx.nb, ctx.phones, ctx.r_misc, ctx.ref
    spend, start = ctx.spend, ctx.start
    tags = [""] * n
    tag_lists: list[list[str]] = [[] for _ in range(n)]
    if nb:
        vip_cut = np.quantile(spend[n_comp > 0], 0.98) if (n_comp > 0).any() else np.inf
        for c in np.flatnonzero((spend >= vip_cut) & (n_comp > 0)).tolist():
            tag_lists[c].append("vip")
    tet_years = [y for y in range(start.year, ref.year + 1)
                 if 0 <= (_tet(y) - start).days <= D]
    if tet_years and len(cc):
        y = tet_years[-1]
        t_hi = (_tet(y) - start).days
        t_lo = t_hi - TET_PEAK_DAYS
        bought = np.unique(cc[(c_day_o >= t_lo) & (c_day_o < t_hi)])
        for c in bought[r_misc.random(len(bought)) < 0.3].tolist():
            tag_lists[c].append(f"tet{y}")
    for c in np.flatnonzero(business & (industry == "retail") & (n_comp >= 5)).tolist():
        tag_lists[c].append("dai_ly")
    for c in np.flatnonzero(r_misc.random(n) < 0.02).tolist():
        tag_lists[c].append("khach_si" if business[c] else "can_cham_soc")
    for c, lst in enumerate(tag_lists):
        if lst:
            tags[c] = "," + ",".join(lst) + ","
    note_u = r_misc.random(n)
    note_i = r_misc.integers(0, 1000, n)
    notes = [None] * n
    for c in np.flatnonzero(note_u < 0.08).tolist():
        pool = _NOTES_BUSINESS if business[c] else _NOTES_PERSON
        notes[c] = pool[note_i[c] % len(pool)]

    # crm_data.domain.text.search_text(name, code, phone, email, company), with the folding of the
    # few distinct name parts and companies done once (the tests check it is the same text).
    folded: dict[str, str] = {}

    def fold_once(text: str) -> str:
        if text not in folded:
            folded[text] = fold(text)
        return folded[text]

    search = []
    for i, (f, m, g) in enumerate(zip(family.tolist(), middle.tolist(), given.tolist(),
                                      strict=True)):
        name = " ".join(fold_once(x) for x in (f, m, g) if x) if m != g \
            else f"{fold_once(f)} {fold_once(g)}"
        parts = [name, codes[i].lower(), "0" + phones[i][3:]]
        if emails[i]:
            parts.append(emails[i])
        if companies[i]:
            parts.append(fold_once(companies[i]))
        search.append(" | ".join(parts))
    updated = np.maximum(created, last_pipe_t)
    ctx.notes, ctx.search, ctx.tags, ctx.updated = notes, search, tags, updated


def _tables(ctx: _Ctx) -> _Plan:
    """The generated columns, table by table."""
    t_prod = _TableData(Product.__table__, ctx.P)
    cat_count: dict[str, int] = {}
    skus = []
    for cat, _name, _price, _pop in _PRODUCTS:
        cat_count[cat] = cat_count.get(cat, 0) + 1
        skus.append(f"{_SKU_PREFIX[cat]}{cat_count[cat]:03d}")
    t_prod.add("id", _INT, np.arange(1, ctx.P + 1))
    t_prod.add("sku", _STR, skus)
    t_prod.add("name", _STR, [p[1] for p in _PRODUCTS])
    t_prod.add("category", _STR, [p[0] for p in _PRODUCTS])
    t_prod.add("unit_price", _INT, ctx.prices)
    t_prod.add("unit_cost", _INT, ctx.costs, ctx.cost_unknown)
    t_prod.add("active", _BOOL, True)

    tc = _TableData(Customer.__table__, ctx.n)
    tc.add("id", _INT, ctx.ids)
    tc.add("code", _STR, ctx.codes)
    tc.add("full_name", _STR, ctx.full_names)
    tc.add("search_text", _STR, ctx.search)
    tc.add("phone", _STR, ctx.phones)
    tc.add("email", _STR, ctx.emails)
    tc.add("gender", _STR, ctx.gender)
    tc.add("birth_date", _DATE, ctx.birth_day, ~ctx.has_birth)
    tc.add("address", _STR, ctx.addresses, ctx.address_null)
    tc.add("province_code", _INT, ctx.prov_code)
    tc.add("region", _STR, ctx.region)
    tc.add("occupation", _STR, ctx.occ, ctx.occ_null)
    tc.add("income_band", _STR, ctx.income, ctx.income_null)
    tc.add("education", _STR, ctx.edu, ctx.edu_null)
    tc.add("marital_status", _STR, ctx.marital, ctx.marital_null)
    tc.add("kind", _STR, ctx.kind)
    tc.add("company", _STR, ctx.companies)
    tc.add("industry", _STR, ctx.industry, ctx.industry_null)
    tc.add("preferred_channel", _STR, ctx.pref, ctx.pref_null)
    tc.add("devices", _STR, ctx.devices, ctx.devices_null)
    tc.add("source", _STR, ctx.source)
    tc.add("owner_id", _INT, np.maximum(ctx.owner_arr, 0), ctx.owner_null)
    tc.add("lifecycle_stage", _STR, ctx.lifecycle_stage)
    tc.add("pipeline_stage", _STR, ctx.pipeline_stage)
    tc.add("lost_reason", _STR, ctx.reason_by_stage, ~ctx.lost)
    tc.add("lead_score", _INT, ctx.score, ctx.score_null)
    tc.add("lead_grade", _STR, ctx.grade, ctx.score_null)
    tc.add("tags", _STR, ctx.tags)
    tc.add("consent", _BOOL, ctx.consent)
    tc.add("consent_at", _DT, ctx.created, ~ctx.consent)
    tc.add("notes", _STR, ctx.notes)
    tc.add("created_at", _DT, ctx.created)
    tc.add("updated_at", _DT, ctx.updated)
    tc.add("version", _INT, 1)
    tc.add("deleted_at", _DT, None)

    to = _TableData(Order.__table__, ctx.n_orders)
    to.add("id", _INT, ctx.o_ids)
    to.add("code", _STR, _LazyCodes("DH", 7, ctx.n_orders))
    to.add("customer_id", _INT, ctx.o_cust_pos + 1)
    to.add("order_date", _DATE, ctx.o_day)
    to.add("ordered_at", _DT, ctx.o_t)
    to.add("status", _STR, _obj(("completed", "cancelled"), ctx.cancelled))
    to.add("channel", _STR, ctx.channel)
    to.add("payment_method", _STR, ctx.method)
    to.add("subtotal", _INT, ctx.subtotal)
    to.add("discount", _INT, ctx.discount)
    to.add("amount", _INT, ctx.amount)
    to.add("cost", _INT, ctx.o_cost, ctx.o_cost_null)
    to.add("paid_amount", _INT, ctx.paid)
    to.add("items_count", _INT, ctx.k_lines)
    to.add("created_by", _INT, np.maximum(ctx.o_owner, 0), ctx.o_owner < 0)
    to.add("created_at", _DT, ctx.o_t)

    names_arr = np.array([p[1] for p in _PRODUCTS], dtype=object)
    tl = _TableData(OrderLine.__table__, ctx.n_lines)
    tl.add("id", _INT, np.arange(1, ctx.n_lines + 1))
    tl.add("order_id", _INT, ctx.l_order + 1)
    tl.add("product_id", _INT, ctx.l_prod + 1)
    tl.add("description", _STR, _Lookup(names_arr, ctx.l_prod))
    tl.add("quantity", _INT, ctx.qty)
    tl.add("unit_price", _INT, ctx.l_price)
    tl.add("unit_cost", _INT, ctx.l_unit_cost, ctx.l_cost_null)
    tl.add("amount", _INT, ctx.l_amount)

    tp = _TableData(Payment.__table__, ctx.n_pay)
    tp.add("id", _INT, np.arange(1, ctx.n_pay + 1))
    tp.add("customer_id", _INT, ctx.o_cust_pos[ctx.pay_order] + 1)
    tp.add("order_id", _INT, ctx.pay_order + 1)
    tp.add("paid_on", _DATE, ctx.pay_day)
    tp.add("amount", _INT, ctx.pay_amt)
    tp.add("method", _STR, ctx.pay_method)
    tp.add("note", _STR, [f"Thanh toán công nợ đơn DH{o + 1:07d}" for o in ctx.pay_order.tolist()])
    pay_by = ctx.o_owner[ctx.pay_order]
    tp.add("created_by", _INT, np.maximum(pay_by, 0), pay_by < 0)
    tp.add("created_at", _DT, ctx.pay_t)

    ti = _TableData(Interaction.__table__, ctx.n_it)
    ti.add("id", _INT, np.arange(1, ctx.n_it + 1))
    ti.add("customer_id", _INT, ctx.it_c + 1)
    ti.add("user_id", _INT, np.maximum(ctx.it_user, 0), ctx.it_user < 0)
    ti.add("kind", _STR, ctx.kinds[ctx.it_k])
    ti.add("outcome", _STR, ctx.outcomes[ctx.it_o])
    ti.add("occurred_at", _DT, ctx.it_t)
    ti.add("note", _STR, ctx.it_note)
    ti.add("next_step_date", _DATE, ctx.it_next, ctx.it_next_null)

    tf = _TableData(Feedback.__table__, len(ctx.fb_rows))
    if ctx.fb_rows:
        fcols = list(zip(*ctx.fb_rows, strict=True))
    else:
        fcols = [[] for _ in range(9)]
    f_c = np.array(fcols[0], dtype=np.int64)
    tf.add("id", _INT, np.arange(1, len(ctx.fb_rows) + 1))
    tf.add("customer_id", _INT, f_c + 1)
    tf.add("kind", _STR, list(fcols[1]))
    tf.add("status", _STR, list(fcols[2]))
    tf.add("subject", _STR, list(fcols[3]))
    tf.add("body", _STR, list(fcols[4]))
    rating = np.array([-1 if x is None else x for x in fcols[5]], dtype=np.int64)
    tf.add("rating", _INT, np.maximum(rating, 0), rating < 0)
    tf.add("opened_at", _DT, np.array(fcols[6], dtype=np.int64))
    resolved = np.array([-1 if x is None else x for x in fcols[7]], dtype=np.int64)
    tf.add("resolved_at", _DT, np.maximum(resolved, 0), resolved < 0)
    tf.add("resolution", _STR, list(fcols[8]))
    f_owner = ctx.owner_arr[f_c] if len(f_c) else np.zeros(0, np.int64)
    tf.add("assigned_to", _INT, np.maximum(f_owner, 0), f_owner < 0)

    ta = _TableData(Appointment.__table__, len(ctx.ap_rows))
    acols = list(zip(*ctx.ap_rows, strict=True)) if ctx.ap_rows else [[] for _ in range(6)]
    a_c = np.array(acols[0], dtype=np.int64)
    a_owner = ctx.owner_arr[a_c] if len(a_c) else np.zeros(0, np.int64)
    ta.add("id", _INT, np.arange(1, len(ctx.ap_rows) + 1))
    ta.add("customer_id", _INT, a_c + 1)
    ta.add("user_id", _INT, np.maximum(a_owner, 0), a_owner < 0)
    ta.add("kind", _STR, list(acols[1]))
    ta.add("title", _STR, list(acols[2]))
    ta.add("due_at", _DT, np.array(acols[3], dtype=np.int64))
    ta.add("status", _STR, list(acols[4]))
    done = np.array([-1 if x is None else x for x in acols[5]], dtype=np.int64)
    ta.add("done_at", _DT, np.maximum(done, 0), done < 0)
    ta.add("note", _STR, None)

    tly = _TableData(LoyaltyEntry.__table__, len(ctx.ly_c))
    tly.add("id", _INT, np.arange(1, len(ctx.ly_c) + 1))
    tly.add("customer_id", _INT, ctx.ly_c + 1)
    tly.add("entry_date", _DATE, ctx.ly_day)
    tly.add("kind", _STR, ctx.ly_kind)
    tly.add("points", _INT, ctx.ly_pts)
    tly.add("order_id", _INT, None)
    tly.add("note", _STR, ctx.ly_note)

    tcash = _TableData(CashEntry.__table__, len(ctx.cash))
    kcols = list(zip(*ctx.cash, strict=True)) if ctx.cash else [[] for _ in range(8)]
    k_c = np.array(kcols[4], dtype=np.int64)
    k_o = np.array(kcols[5], dtype=np.int64)
    k_by = np.array(kcols[7], dtype=np.int64)
    tcash.add("id", _INT, np.arange(1, len(ctx.cash) + 1))
    tcash.add("entry_date", _DATE, np.array(kcols[0], dtype=np.int64))
    tcash.add("kind", _STR, list(kcols[1]))
    tcash.add("category", _STR, list(kcols[2]))
    tcash.add("amount", _INT, np.array(kcols[3], dtype=np.int64))
    tcash.add("customer_id", _INT, k_c + 1, k_c < 0)
    tcash.add("order_id", _INT, k_o + 1, k_o < 0)
    tcash.add("note", _STR, list(kcols[6]))
    tcash.add("created_by", _INT, np.maximum(k_by, 0), k_by < 0)

    tsc = _TableData(StageChange.__table__, ctx.n_sc)
    tsc.add("id", _INT, np.arange(1, ctx.n_sc + 1))
    tsc.add("customer_id", _INT, ctx.sc_c + 1)
    tsc.add("kind", _STR, _obj(("pipeline", "lifecycle"), ctx.sc_kind))
    tsc.add("from_stage", _STR, ctx.sc_from)
    tsc.add("to_stage", _STR, ctx.sc_to)
    tsc.add("changed_at", _DT, ctx.sc_t)
    tsc.add("changed_by", _INT, np.maximum(ctx.sc_by, 0), ctx.sc_by < 0)
    tsc.add("lost_reason", _STR, ctx.sc_reason)

    tables = sample_money.finish(ctx, [
        t_prod, tc, to, tl, tp, ti, tf, ta, tly,
        *sample_loyalty.tables(ctx, _TableData, (_INT, _STR, _DATE, _DT, _BOOL)), tcash, tsc])
    counts = {t.table.name: t.n for t in tables}
    return _Plan(tables, counts, ctx.start)


# Planned times that may lie ahead of "now" (the rest are events that have happened).
_SCHEDULED = {("appointments", "due_at")}


def reference(ref: dt.date | dt.datetime | None = None) -> tuple[dt.date, int | None]:
    """(the last day of the data, the second of that day nothing may happen after, or None
    for the whole day). A datetime is that moment; no ref is now (Vietnam time), so that a
    demo seeded at 09:30 has no sale at 15:00 today; a date other than today is the whole
    day (reproducible data for a fixed day)."""
    if isinstance(ref, dt.datetime):
        return ref.date(), ref.hour * 3600 + ref.minute * 60 + ref.second
    current = clock.now()
    day = ref or clock.today()
    if day == current.date():
        return day, current.hour * 3600 + current.minute * 60 + current.second
    return day, None


def _cap_last_day(tables: list[_TableData], D: int, cap: int) -> None:
    """Squeeze the events of the last day, in their order, into 00:00 … cap: nothing happens
    later today than now, and every sequence (win → first order → payment) keeps its order."""
    lo, hi = D * _DAY, (D + 1) * _DAY
    done: dict[int, np.ndarray] = {}  # columns sharing one array (ordered_at / created_at)
    for t in tables:
        for name, col in t.cols.items():
            if (col.kind != _DT or col.values is None or np.isscalar(col.values)
                    or (t.table.name, name) in _SCHEDULED):
                continue
            key = id(col.values)
            if key not in done:
                values = np.asarray(col.values, dtype=np.int64)
                last_day = (values >= lo) & (values < hi)
                out = values.copy()
                out[last_day] = lo + (values[last_day] - lo) * cap // _DAY
                done[key] = out
            col.values = done[key]


def _build(engine: Engine, n: int, seed: int, ref: dt.date, years: float,
           cap: int | None = None, duplicates: bool = True) -> _Plan:
    """Every row of a seed, as columns: the stages below, one after the other."""
    ctx = _Ctx()
    ctx.n, ctx.ref = n, ref
    # One independent random stream per concern: drawing, say, more interactions does not
    # move the orders.
    (ctx.r_cust, ctx.r_names, ctx.r_funnel, ctx.r_orders, ctx.r_lines, ctx.r_pay, ctx.r_loyal,
     ctx.r_inter, ctx.r_feed, ctx.r_appt, ctx.r_cash, ctx.r_misc) = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12))
    # Days are counted from the first day of the period (day D is ref); times are seconds
    # since that day's midnight.
    ctx.n_days = max(int(round(years * 365.25)), 30) + 1
    ctx.D = ctx.n_days - 1
    ctx.start = ref - dt.timedelta(days=ctx.D)
    ctx.ref_end = ctx.D * _DAY + _DAY - 1
    ctx.weights = _day_weights(ctx.start, ctx.n_days)
    ctx.cum_w = np.cumsum(ctx.weights)
    ctx.tet_mask = _tet_window_mask(ctx.start, ctx.n_days)
    ctx.owner_ids, ctx.owner_shares, ctx.staff_ids, ctx.admin_id = _owners(engine)
    for stage in (_customers, _funnel, _orders, _order_lines, _payments, _purchases, _journey,
                  _pipeline_history, _loyalty, sample_loyalty.redemptions, _interactions,
                  _feedback, _appointments,
                  _cash_book, _tags_and_search):
        stage(ctx)
    sample_today.add(ctx, seed)  # due follow-ups, appointments today, late complaints
    if duplicates:
        sample_dupes.plant(ctx, seed)
    plan = _tables(ctx)
    plan.tag_rows = sample_leadscore.extend(ctx, plan, engine, seed)
    if cap is not None:
        _cap_last_day(plan.tables, ctx.D, cap)
    return plan


class _LazyCodes:
    """"DH0000001" … built per chunk instead of a million strings at once."""

    def __init__(self, prefix: str, width: int, n: int):
        self.prefix, self.width, self.n = prefix, width, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, s: slice) -> list[str]:
        numbers = np.arange(s.start + 1, min(s.stop, self.n) + 1).astype(f"U{self.width}")
        return np.strings.add(self.prefix, np.strings.zfill(numbers, self.width)).tolist()


class _Lookup:
    """values[index] per chunk (e.g. a product name for every order line)."""

    def __init__(self, values: np.ndarray, index: np.ndarray):
        self.values, self.index = values, index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, s: slice) -> list:
        return self.values[self.index[s]].tolist()


def _after_load(conn, tables: list[_TableData]) -> None:
    """PostgreSQL: explicit ids do not move the id sequences, so move them past the rows;
    and give the planner statistics of the loaded tables (the summary rebuild that follows
    picks bad plans without them)."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        top = select(func.max(t.table.c.id)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(t.table.name, "id"),
                                        func.coalesce(top, 0) + 1, False)))
        conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.quote(t.table.name)}")


def generate(engine: Engine, customers: int = 5000, seed: int = 42,
             ref: dt.date | dt.datetime | None = None, years: float = 3.0,
             with_demo_users: bool = True, duplicates: bool = True) -> SeedResult:
    """Fill an empty database (schema at head) with sample data; returns the row counts.
    The data ends at `ref` (see reference(): by default now, Vietnam time)."""
    started = time.perf_counter()
    if customers < 1:
        raise ValueError("customers must be at least 1")
    ref, cap = reference(ref)
    _check_enums()
    if not is_empty(engine):
        raise ValueError("the database already has customers; seed an empty database")
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Product)).scalar():
            raise ValueError("the database already has products; seed an empty database")
    if with_demo_users and not auth.has_users(engine):
        ensure_demo_users(engine)  # never next to real accounts
    plan = _build(engine, int(customers), int(seed), ref, float(years), cap, duplicates)
    counts = plan.counts

    with engine.connect() as conn:
        if is_sqlite(engine):
            # Seeding only, on this connection: no fsync (a crash leaves a file to delete),
            # and no foreign-key lookups for ids generated consistent (the tests check them
            # with PRAGMA foreign_key_check). Both are put back afterwards.
            raw = conn.connection.driver_connection
            before = {p: raw.execute(f"PRAGMA {p}").fetchone()[0]
                      for p in ("synchronous", "foreign_keys")}
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                writer = _Writer(conn, plan.start)
                for t in plan.tables:
                    writer.write(t)
                sample_leadscore.write_tags(conn, plan.tag_rows, plan.start)
                _after_load(conn, plan.tables)
                sample_complaints.add(conn, seed, ref, cap, _COMPLAINTS)
        finally:
            if is_sqlite(engine):
                for p, value in before.items():
                    raw.execute(f"PRAGMA {p}={int(value)}")
    del plan  # the rebuild below reads the database, not these arrays

    summaries.rebuild_all(engine, ref)
    with unit_of_work(engine) as s:
        audit.record(s, SYSTEM, "seed", "database", None, detail={
            "seed": seed, "ref": ref.isoformat(), "years": years, **counts})
    return SeedResult(
        customers=counts["customers"], orders=counts["orders"],
        order_lines=counts["order_lines"], payments=counts["payments"],
        interactions=counts["interactions"], stage_changes=counts["stage_changes"],
        seconds=round(time.perf_counter() - started, 2))


# --------------------------------------------------------------------------------------
# Small sample files a new user can import (sample_data/)

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
