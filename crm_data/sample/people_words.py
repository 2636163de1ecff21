"""The words the sample people are made of: names, streets, brands, industries, notes, phones."""

from __future__ import annotations

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
