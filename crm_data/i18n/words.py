"""Messages of the "every word in Vietnamese" work (issue 12): column headers of report
tables and downloads, enumerations the timeline showed raw, the customer page's new
sections, duplicate and bulk-edit wording, Streamlit placeholders, layout labels."""

MESSAGES = {
    # --- column headers of report frames (crm_data.reports.display.header) ----------------------
    "col.kpi": ("Chỉ số", "Measure"),
    "col.value": ("Giá trị", "Value"),
    "col.previous": ("Kỳ trước", "Previous period"),
    "col.change_prev": ("Thay đổi so với kỳ trước", "Change vs previous period"),
    "col.change_prev_pct": ("Thay đổi so với kỳ trước", "Change vs previous period"),
    "col.last_year": ("Cùng kỳ năm trước", "Same period last year"),
    "col.change_ly": ("Thay đổi so với cùng kỳ năm trước", "Change vs same period last year"),
    "col.change_ly_pct": ("Thay đổi so với cùng kỳ năm trước", "Change vs same period last year"),
    "col.bucket": ("Thời gian", "Period"),
    "col.new_customers": ("Khách hàng mới", "New customers"),
    "col.first_time_buyers": ("Khách mua lần đầu", "First-time buyers"),
    "col.profit": ("Lợi nhuận gộp", "Gross profit"),
    "col.split": ("Nhóm", "Group"),
    "col.reason": ("Lý do", "Reason"),
    "col.band": ("Số ngày từ lần mua cuối", "Days since last purchase"),
    "col.churned": ("Khách rời bỏ", "Churned customers"),
    "col.cohort": ("Tháng mua đầu", "First purchase month"),
    "col.size": ("Số khách", "Customers"),
    "col.avg_days_since": ("Số ngày TB từ lần mua cuối", "Average days since last purchase"),
    "col.customer_share": ("Tỷ trọng khách", "Share of customers"),
    "col.from_stage": ("Từ giai đoạn", "From stage"),
    "col.to_stage": ("Sang giai đoạn", "To stage"),
    "col.label": ("Nhóm", "Group"),
    "col.description": ("Sản phẩm / dịch vụ", "Item"),
    "col.quantity": ("Số lượng", "Quantity"),
    "col.unit_price": ("Đơn giá", "Unit price"),
    "col.line_total": ("Thành tiền", "Line total"),
    "col.subtotal": ("Tạm tính", "Subtotal"),
    "col.discount": ("Giảm giá", "Discount"),
    "col.paid_amount": ("Đã trả", "Paid"),
    "col.order_date": ("Ngày mua", "Order date"),
    "col.subject": ("Tiêu đề", "Subject"),
    "col.opened_at": ("Ngày mở", "Opened"),
    "col.resolved_at": ("Ngày xử lý xong", "Resolved"),
    "col.resolution_time": ("Thời gian xử lý", "Time to resolve"),
    "col.resolution": ("Cách xử lý", "Resolution"),
    "col.rating": ("Đánh giá", "Rating"),
    # --- enumerations the timeline showed raw ------------------------------------------
    "enum.order_status.completed": ("Hoàn thành", "Completed"),
    "enum.order_status.cancelled": ("Đã huỷ", "Cancelled"),
    "enum.appointment_status.open": ("Chưa làm", "Open"),
    "enum.appointment_status.done": ("Đã xong", "Done"),
    "enum.appointment_status.cancelled": ("Đã huỷ", "Cancelled"),
    "enum.loyalty_kind.earn": ("Tích điểm", "Points earned"),
    "enum.loyalty_kind.redeem": ("Đổi điểm", "Points redeemed"),
    "enum.loyalty_kind.adjust": ("Điều chỉnh điểm", "Points adjusted"),
}
MESSAGES.update({
    # --- layout -------------------------------------------------------------------------
    "overview.download_kpis": ("Tải các chỉ số (CSV)", "Download the KPIs (CSV)"),
    "overview.download_trend": ("Tải xu hướng theo thời gian (CSV)", "Download the trend (CSV)"),
})
MESSAGES.update({
    # --- customer page (finding 8) ------------------------------------------------------
    "col.industry": ("Ngành", "Industry"),
    "col.occupation": ("Nghề nghiệp", "Occupation"),
    "col.income_band": ("Thu nhập", "Income band"),
    "col.education": ("Học vấn", "Education"),
    "col.marital_status": ("Hôn nhân", "Marital status"),
    "words.orders_title": ("Đơn hàng (chi tiết từng đơn)", "Orders (with their lines)"),
    "words.orders_none": ("Khách chưa có đơn hàng.", "No orders yet."),
    "words.order_summary": (
        "Tạm tính {subtotal} − giảm giá {discount} = {amount} · đã trả {paid} · {method} · {channel}",
        "Subtotal {subtotal} − discount {discount} = {amount} · paid {paid} · {method} · {channel}"),
    "words.order_no_lines": ("Đơn này không có dòng hàng chi tiết.", "This order has no item lines."),
    "words.feedback_title": ("Khiếu nại, câu hỏi và đánh giá", "Complaints, questions and reviews"),
    "words.feedback_none": ("Chưa có phản hồi nào.", "No feedback yet."),
    "words.rating_none": ("Không chấm điểm", "No rating"),
    "words.record_feedback": ("Ghi nhận phản hồi", "Record feedback"),
})
MESSAGES.update({
    "col.feedback_kind": ("Loại phản hồi", "Kind"),
    "col.status": ("Trạng thái", "Status"),
})
MESSAGES.update({
    # --- bulk edit of a whole filtered list (finding 9) ---------------------------------
    "words.bulk_scope": ("Áp dụng cho", "Apply to"),
    "words.bulk_scope_selected": ("{n} khách đang chọn", "the {n} selected customers"),
    "words.bulk_scope_filtered": ("Tất cả {n} khách theo bộ lọc", "all {n} filtered customers"),
    "words.bulk_count_changed": (
        "Danh sách đã thay đổi: bộ lọc nay chọn {actual} khách chứ không phải {expected}. "
        "Chưa sửa gì; hãy xem lại và xác nhận lần nữa.",
        "The list changed: the filter now selects {actual} customers, not {expected}. Nothing "
        "was changed; check and confirm again."),
})
MESSAGES.update({
    # --- Streamlit's own texts, where its API lets us replace them (finding 11) --------
    "words.tags_placeholder": ("Chọn hoặc gõ nhãn…", "Choose or type tags…"),
    "words.upload_help": (
        "Kéo thả tệp vào ô này hoặc bấm nút chọn tệp (Browse files). Nhận tệp CSV, TXT, TSV "
        "hoặc Excel (XLSX).",
        "Drag a file onto the box or press Browse files. CSV, TXT, TSV or Excel (XLSX)."),
    "words.upload_help_json": (
        "Tệp ghép cột (.json) đã lưu từ lần nhập trước.",
        "A column mapping file (.json) saved from an earlier import."),
})
MESSAGES.update({
    "words.rejects_sheet": ("Dòng bị từ chối", "Rejected rows"),
})
