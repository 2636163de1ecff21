"""Bad links and bad input, file limits of the importer, backups."""

MESSAGES = {
    # Links (query parameters) that cannot be used
    "link.bad_id": ("Đường dẫn không hợp lệ: mã số trong địa chỉ không chỉ tới bản ghi nào.",
                    "Invalid link: the id in the address does not name any record."),
    "link.bad_period": ("Khoảng thời gian trong đường dẫn không hợp lệ (chỉ từ {start} đến {end}); "
                        "đang hiển thị khoảng thời gian mặc định.",
                        "The period in the link is not valid (only {start} to {end}); "
                        "showing the default period."),
    "link.bad_value": ("Đường dẫn có giá trị không hợp lệ cho “{field}”: đã bỏ qua.",
                       "The link holds an invalid value for “{field}”: ignored."),
    "invalid.amount_too_large": ("Số tiền quá lớn: {value}", "Amount too large: {value}"),
    # Import file limits (crm_data.imports.reading)
    "import.file.too_many_rows": ("Tệp có hơn {max} dòng dữ liệu: hãy chia nhỏ tệp rồi nhập từng phần.",
                                  "The file has more than {max} data rows: split it and import the parts."),
    "import.file.too_many_columns": ("Tệp có {n} cột, vượt giới hạn {max} cột.",
                                     "The file has {n} columns, more than the limit of {max}."),
    "import.file.field_too_long": ("Tệp có một ô dài hơn {max} ký tự (dòng {row}): không đọc.",
                                   "A cell is longer than {max} characters (row {row}): not read."),
    "import.file.unzipped_too_large": (
        "Tệp Excel khi giải nén lớn {size} MB, vượt giới hạn {max} MB: hãy lưu dạng CSV hoặc chia nhỏ.",
        "The Excel file unpacks to {size} MB, more than the limit of {max} MB: save it as CSV "
        "or split it."),
    "import.file.compression": (
        "Tệp Excel nén bất thường (một phần giải nén lớn gấp {ratio} lần): không đọc vì lý do an toàn.",
        "The Excel file is compressed abnormally (one part unpacks {ratio} times larger): "
        "not read, for safety."),
    "import.file.xml_dtd": (
        "Tệp Excel chứa khai báo DTD / thực thể XML (Excel không tạo ra những khai báo này): "
        "không đọc vì lý do an toàn.",
        "The Excel file holds an XML DTD / entity declaration (Excel never writes one): "
        "not read, for safety."),
    "import.file.bad_csv": ("Không đọc được tệp CSV: {reason}", "The CSV file cannot be read: {reason}"),
    # Backups (crm backup / crm restore)
    "backup.done": ("Đã sao lưu {tables} bảng, {rows} dòng vào {path}.",
                    "Backed up {tables} tables, {rows} rows to {path}."),
    "backup.restored": ("Đã khôi phục {tables} bảng, {rows} dòng từ {path}.",
                        "Restored {tables} tables, {rows} rows from {path}."),
    "backup.exists": ("Tệp {path} đã có: chọn tên khác hoặc thêm --yes để ghi đè.",
                      "{path} exists: choose another name or add --yes to overwrite it."),
    "backup.same_file": ("{path} là chính cơ sở dữ liệu đang chạy: chọn tệp khác.",
                         "{path} is the live database itself: choose another file."),
    "backup.confirm": ("Khôi phục sẽ thay toàn bộ dữ liệu hiện có: thêm --yes để xác nhận.",
                       "Restoring replaces all current data: add --yes to confirm."),
    "backup.not_found": ("Không tìm thấy tệp sao lưu: {path}", "Backup file not found: {path}"),
    "backup.not_crm": ("{path} không phải bản sao lưu của crm-dashboard: {reason}",
                       "{path} is not a crm-dashboard backup: {reason}"),
    "backup.unknown_revision": (
        "Bản sao lưu ở phiên bản lược đồ {revision}, phần mềm này không biết phiên bản đó.",
        "The backup is at schema revision {revision}, which this software does not know."),
    "backup.tool_missing": ("Không tìm thấy {tool} (cài gói postgresql-client).",
                            "{tool} not found (install the postgresql-client package)."),
    "backup.tool_failed": ("{tool} thất bại: {reason}", "{tool} failed: {reason}"),
}
