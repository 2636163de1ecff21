"""Messages of personal data (Decree 13/2023): consent, a person's export, erasure."""

MESSAGES = {
    "enum.consent_channel.in_person": ("Trực tiếp", "In person"),
    "enum.consent_channel.paper": ("Phiếu giấy", "Paper form"),
    "enum.consent_channel.phone": ("Điện thoại", "Phone"),
    "enum.consent_channel.email": ("Email", "Email"),
    "enum.consent_channel.zalo": ("Zalo", "Zalo"),
    "enum.consent_channel.sms": ("SMS", "SMS"),
    "enum.consent_channel.website": ("Website", "Website"),
    "enum.consent_channel.other": ("Khác", "Other"),
    "cust.form.consent_channel": ("Kênh đồng ý / rút đồng ý", "Consent given / withdrawn via"),
    "privacy.consent": ("Đồng ý xử lý dữ liệu", "Data-processing consent"),
    "privacy.consent_given": ("Đã đồng ý ngày {date}{via}", "Given on {date}{via}"),
    "privacy.consent_withdrawn": ("Đã rút đồng ý ngày {date}{via}", "Withdrawn on {date}{via}"),
    "privacy.consent_none": ("Chưa đồng ý", "Not given"),
    "privacy.via": (" qua {channel}", " via {channel}"),
    "privacy.erased_banner": ("Dữ liệu cá nhân của khách hàng này đã bị xoá vĩnh viễn ngày {date}; "
                              "đơn hàng và số tiền được giữ ẩn danh.",
                              "This customer's personal data was erased on {date}; orders and "
                              "amounts are kept anonymously."),
    "privacy.erased_no_edit": ("Hồ sơ đã xoá dữ liệu cá nhân: không sửa được.",
                               "Personal data erased: this record cannot be edited."),
    "privacy.tab": ("Dữ liệu cá nhân", "Personal data"),
    "privacy.export_title": ("Xuất toàn bộ dữ liệu về người này", "Export everything about this person"),
    "privacy.export_help": ("Hồ sơ, đơn hàng và dòng hàng, thanh toán, tương tác, phản hồi, lịch hẹn, "
                            "điểm thưởng và nhật ký về họ. Mỗi lần tải được ghi vào nhật ký.",
                            "Profile, orders with lines, payments, interactions, feedback, "
                            "appointments, loyalty points and the audit entries about them. Every "
                            "download is recorded in the audit log."),
    "privacy.export_json": ("Tải JSON", "Download JSON"),
    "privacy.export_xlsx": ("Tải Excel", "Download Excel"),
    "privacy.erase_title": ("Xoá vĩnh viễn dữ liệu cá nhân", "Erase this person"),
    "privacy.erase_help": ("Ẩn danh họ tên, điện thoại, email, địa chỉ, ngày sinh, công ty, ghi chú, "
                           "thẻ và mọi ghi chú về người này, cả trong nhật ký cũ. Đơn hàng và số "
                           "tiền được giữ ẩn danh nên báo cáo doanh thu không đổi. Không thể hoàn tác.",
                           "Anonymises name, phone, email, address, birth date, company, notes, tags "
                           "and every note about this person, old audit entries included. Orders and "
                           "amounts are kept anonymously, so revenue reports do not change. This "
                           "cannot be undone."),
    "privacy.erase_confirm": ("Gõ mã khách hàng ({code}) để xác nhận", "Type the customer code ({code}) to confirm"),
    "privacy.erase_button": ("Xoá vĩnh viễn", "Erase permanently"),
    "privacy.erase_mismatch": ("Mã xác nhận không khớp: chưa xoá gì.",
                               "The confirmation does not match the code: nothing was erased."),
    "privacy.erased": ("Đã xoá vĩnh viễn dữ liệu cá nhân của {code}.", "Personal data of {code} erased."),
    "privacy.erase_not_allowed": ("Chỉ quản trị viên và quản lý được xoá dữ liệu cá nhân.",
                                  "Only administrators and managers can erase personal data."),
    "import.dup.erased": ("Mã {code} thuộc một khách đã bị xoá dữ liệu cá nhân: không nhập lại.",
                          "Code {code} belongs to a customer whose personal data was erased: "
                          "not imported again."),
}
