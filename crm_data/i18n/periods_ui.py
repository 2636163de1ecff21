"""Messages of the period picker, partial buckets, the funnel's cohort / flow views and the
Overview cards."""

MESSAGES = {
    # --- period picker ------------------------------------------------------------------
    "period.last_week": ("Tuần trước", "Last week"),
    "period.last_month": ("Tháng trước", "Last month"),
    "period.last_quarter": ("Quý trước", "Last quarter"),
    "period.last_year": ("Năm trước", "Last year"),
    "period.url_fixed": (
        "Khoảng ngày trong đường dẫn không hợp lệ hoặc quá rộng; đã điều chỉnh về khoảng "
        "hợp lệ.",
        "The dates in the link were invalid or too far apart; they were adjusted to a valid "
        "range."),
}
