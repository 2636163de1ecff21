"""Messages of the read replica (CRM_DATABASE_READ_URL): figures behind this session's write."""

MESSAGES = {
    "replica.behind": (
        "Thay đổi của bạn đã được lưu; số liệu báo cáo có thể chậm vài giây so với nó (máy chủ đọc "
        "đang cập nhật); tải lại trang sau giây lát để xem số mới nhất.",
        "Your change is saved; report figures may be a few seconds behind it (the "
        "read server is catching up); reload the page in a moment for the latest figures."),
}
