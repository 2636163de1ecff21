"""Lookalike leads page and reasons (crm_data.lookalike, pages/lookalike.py)."""

MESSAGES = {
    "page.lookalike": ("Khách tiềm năng giống khách tốt nhất", "Lookalike leads"),
    "lookalike.title": ("Khách tiềm năng giống khách tốt nhất", "Lookalike leads"),
    "lookalike.intro": (
        "Khách tiềm năng chưa mua hàng, xếp theo mức giống khách tốt nhất (hồi quy logistic trên "
        "các thông tin có lúc còn là khách tiềm năng).",
        "Leads who have not bought, ranked by how much they look like the best customers "
        "(logistic regression on what was known while they were leads)."),
    "lookalike.best": ("Khách tốt nhất là", "Best customers are"),
    "lookalike.best.vip": ("Hạng VIP", "VIP tier"),
    "lookalike.best.value": ("Khả năng còn mua × giá trị dự kiến cao nhất",
                             "Top P(alive) × expected value"),
    "lookalike.best.segment": ("Một phân khúc đã lưu", "A saved segment"),
    "lookalike.best_segment": ("Phân khúc #{id}", "Segment #{id}"),
    "lookalike.segment": ("Phân khúc", "Segment"),
    "lookalike.no_segments": ("Chưa có phân khúc đã lưu nào.", "No saved segment yet."),
    "lookalike.fit": ("Tính lại mô hình", "Fit the model"),
    "lookalike.fitting": ("Đang tính mô hình…", "Fitting the model…"),
    "lookalike.fitted": ("Đã tính lại mô hình.", "The model was fitted."),
    "lookalike.no_value_fit": (
        "Chưa có mô hình khả năng còn mua và giá trị dự kiến (chạy crm model fit), nên chưa "
        "xác định được khách giá trị nhất.",
        "There is no P(alive) / expected value fit yet (run crm model fit), so the most "
        "valuable customers are not known."),
    "lookalike.bad_segment": ("Không tìm thấy phân khúc này.", "This segment was not found."),
    "lookalike.no_fit": ("Chưa có mô hình nào: chọn khách tốt nhất rồi bấm “Tính lại mô hình”.",
                         "No fit yet: choose the best customers and press “Fit the model”."),
    "lookalike.fit_of": ("Mô hình ngày {day}; khách tốt nhất: {best}.",
                         "Fitted on {day}; best customers: {best}."),
    "lookalike.other_best": (
        "Mô hình đang lưu dùng định nghĩa khác; bấm “Tính lại mô hình” để có điểm theo lựa chọn này.",
        "The stored fit uses another definition; press “Fit the model” for scores by this choice."),
    "lookalike.metric.auc": ("AUC kiểm định", "Validated AUC"),
    "lookalike.metric.ci": ("Khoảng tin cậy 95 %", "95 % interval"),
    "lookalike.metric.cv": ("AUC kiểm định chéo", "Cross-validated AUC"),
    "lookalike.metric.lift": ("Lift nhóm 10 % điểm cao nhất", "Top-decile lift"),
    "lookalike.metric.n": ("Khách huấn luyện / kiểm định", "Training / test leads"),
    "lookalike.caveat": (
        "Cách kiểm định: mô hình học trên khách tạo trước ngày {split} (thông tin lúc chưa mua), "
        "rồi chấm điểm khách tạo từ ngày đó; {pos_test} trong {n_test} khách kiểm định là khách "
        "tốt nhất. AUC 0,5 là đoán ngẫu nhiên; lift 3 nghĩa là nhóm 10 % điểm cao nhất có tỉ lệ "
        "khách tốt gấp 3 lần trung bình. Khách mới tạo chưa có nhiều thời gian để thành khách "
        "tốt, nên số liệu này là ước lượng thận trọng.",
        "How it was checked: the model learnt from leads created before {split} (what was known "
        "before they bought) and scored the leads created from that day; {pos_test} of the "
        "{n_test} test leads are best customers. An AUC of 0.5 is guessing; a lift of 3 means "
        "the top 10 % by score hold 3 times the average share of best customers. Recent leads "
        "had less time to become best customers, so these figures are conservative."),
    "lookalike.verdict.too_few_positives": (
        "Dữ liệu chưa đủ để chấm điểm: cần ít nhất {min} khách tốt nhất (và {min} khách khác) "
        "trong cả phần huấn luyện và phần kiểm định; hiện có {pos_train} và {pos_test}.",
        "The data cannot support a score: at least {min} best customers (and {min} others) are "
        "needed in both the training and the test leads; there are {pos_train} and {pos_test}."),
    "lookalike.verdict.not_better_than_chance": (
        "Dữ liệu chưa đủ để chấm điểm: trên các khách kiểm định, mô hình không tốt hơn đoán ngẫu "
        "nhiên một cách chắc chắn (khoảng tin cậy của AUC chứa 0,5). Không hiển thị điểm.",
        "The data cannot support a score: on the test leads the model is not reliably better "
        "than guessing (the AUC's interval includes 0.5). No score is shown."),
    "lookalike.limit": ("Số khách hiển thị", "Leads shown"),
    "lookalike.unassigned": ("Chỉ khách chưa có người phụ trách", "Only leads without an owner"),
    "lookalike.empty": ("Không còn khách tiềm năng nào được chấm điểm.", "No scored lead left."),
    "lookalike.col.code": ("Mã", "Code"),
    "lookalike.col.name": ("Họ tên", "Name"),
    "lookalike.col.owner": ("Phụ trách", "Owner"),
    "lookalike.col.stage": ("Giai đoạn", "Stage"),
    "lookalike.col.score": ("Mức giống", "Likeness"),
    "lookalike.col.reasons": ("Lý do chính", "Top reasons"),
    "lookalike.assign_to": ("Giao cho", "Assign to"),
    "lookalike.assign": ("Giao {n} khách trong danh sách", "Assign the {n} leads listed"),
    "lookalike.assigned": ("Đã giao {n} khách.", "{n} leads assigned."),
    "lookalike.export": ("Tải đúng danh sách này (CSV)", "Download exactly this list (CSV)"),
    "lookalike.settings": ("Cài đặt mô hình", "Model settings"),
    "lookalike.setting.value_top_pct": ("Khách giá trị nhất: top % theo P(alive) × giá trị",
                                        "Most valuable: top % by P(alive) × value"),
    "lookalike.setting.test_pct": ("% khách mới nhất dùng để kiểm định",
                                   "% of the latest leads held out for the test"),
    "lookalike.setting.min_positives": ("Số khách tốt nhất tối thiểu để chấm điểm",
                                        "Fewest best customers to give a score"),
    "lookalike.save_settings": ("Lưu cài đặt", "Save settings"),
    "lookalike.settings_saved": ("Đã lưu cài đặt.", "Settings saved."),
    # Reasons: the largest positive contributions to a lead's score, as sentences.
    "lookalike.reason.source": ("Đến từ nguồn {value}", "Came through {value}"),
    "lookalike.reason.channel": ("Thích liên hệ qua {value}", "Prefers {value}"),
    "lookalike.reason.region": ("Ở {value}", "Lives in the {value} region"),
    "lookalike.reason.province": ("Ở {value}", "Lives in {value}"),
    "lookalike.reason.kind": ("Loại khách: {value}", "Customer kind: {value}"),
    "lookalike.reason.industry": ("Thuộc ngành {value}", "Works in {value}"),
    "lookalike.reason.occupation": ("Nghề nghiệp: {value}", "Occupation: {value}"),
    "lookalike.reason.income": ("Thu nhập {value}", "Income {value}"),
    "lookalike.reason.age": ("Tuổi {value} khi thành khách tiềm năng",
                             "Aged {value} on becoming a lead"),
    "lookalike.reason.contacts": ("{value} lần tiếp xúc trước khi mua", "{value} contacts before buying"),
    "lookalike.reason.contact_kind": ("Đã được liên hệ qua {value}", "Was contacted by {value}"),
    "lookalike.reason.answer": ("Trả lời “{answer}” cho câu hỏi “{question}”",
                                "Answered “{answer}” to “{question}”"),
    "lookalike.reason.other": ("{field}: {value}", "{field}: {value}"),
    "lookalike.band.age.u25": ("dưới 25", "under 25"),
    "lookalike.band.age.25_34": ("25–34", "25–34"),
    "lookalike.band.age.35_44": ("35–44", "35–44"),
    "lookalike.band.age.45_54": ("45–54", "45–54"),
    "lookalike.band.age.55p": ("từ 55", "55 or over"),
    "lookalike.band.contacts.0": ("Chưa có", "No"),
    "lookalike.band.contacts.1_2": ("1–2", "1–2"),
    "lookalike.band.contacts.3_5": ("3–5", "3–5"),
    "lookalike.band.contacts.6p": ("Từ 6", "6 or more"),
}
