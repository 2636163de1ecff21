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
    # --- funnel: cohort and flow views --------------------------------------------------
    "funnel.view": ("Cách đếm", "Count"),
    "funnel.view_cohort": ("Khách mới trong kỳ đã đi đến đâu", "Leads created in the period"),
    "funnel.view_flow": ("Lượt vào giai đoạn trong kỳ", "Stage entries in the period"),
    "funnel.cohort_caption": (
        "Khách tiềm năng được tạo trong kỳ {start} – {end} và giai đoạn xa nhất mỗi người đã "
        "đạt được tính đến nay.",
        "Leads created in {start} – {end} and the furthest stage each has reached by now."),
    "funnel.cohort_definitions": (
        "Mỗi bước đếm những khách trong nhóm đã đạt giai đoạn đó hoặc xa hơn, nên không bước "
        "nào vượt quá 100 %; Thất bại = số khách trong nhóm hiện đang ở giai đoạn thất bại. Số "
        "ngày trung vị chỉ hiện khi có ít nhất {n} lượt đã rời giai đoạn.",
        "Each step counts the leads of the group who reached that stage or a later one, so no "
        "step exceeds 100 %; Lost = those of the group who are lost now. Median days are shown "
        "only with at least {n} stays that have ended."),
    "funnel.median_rule": (
        "Số ngày trung vị chỉ hiện khi có ít nhất {n} lượt đã rời giai đoạn.",
        "Median days are shown only with at least {n} stays that have ended."),
    "funnel.split_created": ("Thời gian tạo khách", "Created in"),
    "funnel.not_enough": ("chưa đủ dữ liệu", "not enough data"),
    "funnel.median_not_enough": (
        "Chưa đủ dữ liệu để tính số ngày trung vị: cần ít nhất {n} lượt đã rời một giai đoạn "
        "trong kỳ này. Hãy chọn kỳ dài hơn.",
        "Not enough data for median days: at least {n} ended stays in a stage are needed in this "
        "period. Choose a longer period."),
    "rcol.reached": ("Số khách đã đạt giai đoạn", "Reached"),
    "rcol.durations": ("Số lượt tính trung vị", "Stays measured"),
    # --- partial buckets on trend charts -------------------------------------------------
    "partial.week": ("tuần chưa trọn", "partial week"),
    "partial.month": ("tháng chưa trọn", "partial month"),
    "partial.quarter": ("quý chưa trọn", "partial quarter"),
    "partial.year": ("năm chưa trọn", "partial year"),
    "partial.hover": ("<br>{what}: {n}/{total} ngày trong kỳ", "<br>{what}: {n} of {total} days in the period"),
    "partial.note": (
        "Cột nhạt, gạch chéo = {what}: chỉ gồm các ngày {days} trong kỳ; số liệu của những ngày "
        "đó là chính xác nhưng không so được với các cột trọn vẹn.",
        "Light, hatched bar = {what}: only the days {days} are in the period; their figures are "
        "exact but not comparable with the whole bars."),
    "funnel.flow_above_100": (
        "Ở cách đếm theo lượt, một bước có thể lớn hơn bước trước: nhiều khách đã qua bước trước "
        "từ trước kỳ này. Tỷ lệ chuyển đổi thật của khách mới: chọn \"Khách mới trong kỳ đã đi "
        "đến đâu\".",
        "Counting entries, a step can exceed the one before: many leads passed the previous step "
        "before this period. For the real conversion of new leads choose \"Leads created in the "
        "period\"."),
    "funnel.lost_cohort": ("Lý do của những khách trong nhóm hiện đang thất bại.",
                           "Reasons of the leads of the group who are lost now."),
    "funnel.lost_flow": ("Các lần chuyển sang thất bại trong kỳ, theo lý do.",
                         "Changes to lost during the period, by reason."),
}
