"""What validation says about a field (required, too long, bad phone, email, date or number), and the settings form."""

MESSAGES = {
    "invalid.required": ("Bắt buộc nhập.", "Required."),
    "invalid.too_long": ("Dài quá {max} ký tự.", "Longer than {max} characters."),
    "invalid.phone": ("Số điện thoại không hợp lệ: {value}", "Not a valid Vietnamese phone number: {value}"),
    "invalid.phone_converted": ("Đã đổi số 11 số cũ sang số mới.", "Old 11-digit number converted."),
    "invalid.email": ("Email không hợp lệ: {value}", "Not a valid email: {value}"),
    "invalid.date": ("Ngày không hợp lệ: {value} (dd/mm/yyyy)", "Not a valid date: {value} (dd/mm/yyyy)"),
    "invalid.future_date": ("Ngày không được ở tương lai: {value}", "Date cannot be in the future: {value}"),
    "invalid.province": ("Không nhận ra tỉnh/thành phố: {value}", "Unknown province: {value}"),
    "invalid.amount": ("Số tiền không hợp lệ: {value}", "Not a valid amount: {value}"),
    "invalid.negative": ("Số tiền không được âm: {value}", "Amount cannot be negative: {value}"),
    "invalid.choice": ("Giá trị không hợp lệ: {value}", "Unknown value: {value}"),
    "invalid.duplicate_phone": ("Số điện thoại đã có ở khách {code}.", "Phone already used by customer {code}."),
    "invalid.duplicate_email": ("Email đã có ở khách {code}.", "Email already used by customer {code}."),
    "invalid.duplicate_code": ("Mã khách hàng đã tồn tại: {code}", "Customer code already exists: {code}"),
    "setting.invalid.range": ("Nhập số nguyên từ {low} đến {high}", "Enter a whole number from {low} to {high}"),
}
