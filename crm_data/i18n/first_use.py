"""Messages of the first-use work (issue 12: imported history, time and churn, CLI)."""

MESSAGES = {
    "kpi.def.new_customers": (
        "Khách hàng mới: khách được tạo trong kỳ (khách tạo từ đơn hàng nhập vào bắt đầu từ "
        "đơn đầu tiên của họ)",
        "New customers: customers created in the period (a customer created from imported "
        "orders starts at their first order)"),
    "kpi.def.churned": (
        "Rời bỏ: không mua hàng từ {days} ngày trở lên (tính từ lần mua cuối)",
        "Churned: no purchase for {days} days or more (since the last purchase)"),
}
