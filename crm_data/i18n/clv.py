"""Messages of the CLV model (P(alive), expected purchases and value; crm_data.clv)."""

MESSAGES = {
    "clv.section": ("Khả năng còn mua và giá trị dự kiến", "Still buying? Expected purchases and value"),
    "clv.p_alive": ("Khả năng còn mua: {pct}", "Probability still active: {pct}"),
    "clv.p_alive_before": ("{days} ngày trước: {pct}", "{days} days ago: {pct}"),
    "clv.expected": ("Số lần mua dự kiến", "Expected purchases"),
    "clv.expected_n": ("{days} ngày tới", "next {days} days"),
    "clv.expected_value": ("Giá trị dự kiến {days} ngày tới", "Expected value, next {days} days"),
    "clv.expected_spend": ("Chi tiêu dự kiến mỗi lần mua", "Expected spend per purchase"),
    "clv.not_scored": ("Chưa có điểm: khách chưa mua hàng hoặc mô hình chưa chạy.",
                       "No score yet: no purchase, or the model has not been fitted."),
    "clv.history": ("Theo mô hình: {x} lần mua lại, lần cuối sau lần đầu {tx} tuần, khách từ {T} tuần.",
                    "As the model sees it: {x} repeat purchases, the last {tx} weeks after the first, "
                    "a customer for {T} weeks."),
    "clv.fit_caption": ("Mô hình BG/NBD + Gamma-Gamma, chạy ngày {day} trên {n} khách đã mua: "
                        "r={r}, α={alpha} (tuần), a={a}, b={b}; p={p}, q={q}, γ={gamma} ₫.",
                        "BG/NBD + Gamma-Gamma model fitted on {day} over {n} buyers: "
                        "r={r}, α={alpha} (weeks), a={a}, b={b}; p={p}, q={q}, γ={gamma} ₫."),
    "clv.holdout": ("Kiểm tra: mô hình chạy đến {end} dự báo {pred} lần mua lại sau đó, thực tế {actual} "
                    "(sai số {err}).",
                    "Check: fitted up to {end}, the model predicted {pred} repeat purchases after it, "
                    "{actual} happened (error {err})."),
    "clv.no_fit": ("Mô hình khả năng còn mua chưa chạy (lệnh crm model fit; sau đó chạy lại mỗi đêm).",
                   "The still-buying model has not been fitted yet (crm model fit; refitted nightly after)."),
    "clv.bands_title": ("Khả năng còn mua của khách đã mua", "Buyers by probability still active"),
    "clv.col.band": ("Khả năng còn mua", "Probability still active"),
    "clv.col.customers": ("Số khách", "Customers"),
    "clv.col.expected_value": ("Giá trị dự kiến (₫)", "Expected value (₫)"),
    "clv.col.p_alive_before": ("Trước", "Before"),
    "clv.col.p_alive": ("Nay", "Now"),
    "clv.falling_title": ("Khách giá trị cao có khả năng còn mua đang giảm",
                          "High-value customers whose chance of buying is falling"),
    "clv.falling_caption": ("Khả năng còn mua giảm từ {points} điểm % trở lên so với {days} ngày trước; "
                            "giá trị dự kiến cao nhất trước.",
                            "Probability still active down {points} percentage points or more against "
                            "{days} days ago; highest expected value first."),
    "clv.falling_none": ("Không có khách nào có khả năng còn mua giảm mạnh.",
                         "No customer's probability of still buying fell that much."),
    "clv.settings": ("Cài đặt mô hình (quản trị)", "Model settings (admin)"),
    "clv.settings_saved": ("Đã lưu; áp dụng từ lần chạy mô hình tới.", "Saved; used from the next fit on."),
    "clv.save": ("Lưu cài đặt", "Save settings"),
    "setting.clv.horizon_days": ("Giá trị dự kiến trong (ngày)", "Expected value over (days)"),
    "setting.clv.holdout_days": ("Số ngày giữ lại để kiểm tra (0 = không)", "Holdout days for the check (0 = off)"),
    "setting.clv.compare_days": ("So với bao nhiêu ngày trước", "Compare with how many days ago"),
    "setting.clv.falling_points": ("Giảm ít nhất (điểm %)", "Fallen by at least (percentage points)"),
    "enum.clv_band.p0_25": ("Dưới 25 %", "Under 25 %"),
    "enum.clv_band.p25_50": ("25–50 %", "25–50 %"),
    "enum.clv_band.p50_75": ("50–75 %", "50–75 %"),
    "enum.clv_band.p75_100": ("Từ 75 %", "75 % and over"),
    "enum.clv_band.none": ("Chưa có điểm", "Not scored"),
    "rdim.p_alive_band": ("Khả năng còn mua", "Probability still active"),
    "cust.col.p_alive": ("Khả năng còn mua", "Still active"),
    "cust.col.expected_value": ("Giá trị dự kiến (₫)", "Expected value (₫)"),
    "cust.filter.p_alive_bands": ("Khả năng còn mua", "Probability still active"),
    "cust.filter.value_min": ("Giá trị dự kiến từ (₫)", "Expected value from (₫)"),
}
