"""Accounts: sign-in, sessions, the Users page and its forms."""

MESSAGES = {
    # Sign-in: one message whatever the username, whether it exists or is waiting.
    "login.failed_wait": ("Không đăng nhập được: sai tên đăng nhập hoặc mật khẩu, hoặc đã thử quá "
                          "nhiều lần. Thử lại sau {seconds} giây.",
                          "Could not sign in: wrong username or password, or too many tries. "
                          "Try again in {seconds} seconds."),
    "login.session_ended": ("Phiên làm việc đã kết thúc (lâu không dùng, hết hạn hoặc tài khoản "
                            "đã thay đổi). Hãy đăng nhập lại.",
                            "Your session has ended (idle, expired or the account changed). "
                            "Please sign in again."),
    "login.signing_in": ("Đang đăng nhập…", "Signing in…"),
    # Users page
    "users.title": ("Người dùng", "Users"),
    "users.caption": ("Thêm người dùng, đổi vai trò, khoá / mở tài khoản, đặt lại mật khẩu và gỡ "
                      "chờ đăng nhập. Mọi thay đổi được ghi nhật ký.",
                      "Add users, change roles, disable / enable accounts, reset passwords and "
                      "clear sign-in waits. Every change is audited."),
    "users.not_admin": ("Chỉ quản trị viên được quản lý người dùng.",
                        "Only an administrator can manage users."),
    "users.col.username": ("Tên đăng nhập", "Username"),
    "users.col.display_name": ("Tên hiển thị", "Display name"),
    "users.col.role": ("Vai trò", "Role"),
    "users.col.active": ("Đang hoạt động", "Active"),
    "users.col.last_login": ("Đăng nhập gần nhất", "Last sign-in"),
    "users.col.failed": ("Lần sai gần đây", "Recent failures"),
    "users.col.wait": ("Phải chờ (giây)", "Wait (seconds)"),
    "users.add": ("Thêm người dùng", "Add a user"),
    "users.username": ("Tên đăng nhập (chữ, số, '.', '_')", "Username (letters, digits, '.', '_')"),
    "users.display_name": ("Tên hiển thị", "Display name"),
    "users.role": ("Vai trò", "Role"),
    "users.password": ("Mật khẩu (ít nhất {min} ký tự)", "Password (at least {min} characters)"),
    "users.add_submit": ("Thêm", "Add"),
    "users.added": ("Đã thêm người dùng {name}.", "User {name} added."),
    "users.change": ("Sửa người dùng", "Change a user"),
    "users.pick": ("Người dùng", "User"),
    "users.set_role": ("Đổi vai trò", "Change role"),
    "users.role_set": ("Đã đổi vai trò của {name}.", "Role of {name} changed."),
    "users.new_password": ("Mật khẩu mới", "New password"),
    "users.reset_password": ("Đặt lại mật khẩu", "Reset password"),
    "users.password_reset": ("Đã đặt lại mật khẩu của {name}; các phiên đang mở đã kết thúc.",
                             "Password of {name} reset; their open sessions have ended."),
    "users.disable": ("Khoá tài khoản", "Disable"),
    "users.enable": ("Mở lại tài khoản", "Enable"),
    "users.disabled": ("Đã khoá {name}; phiên đang mở kết thúc ở lần thao tác tới.",
                       "{name} disabled; their open session ends on its next click."),
    "users.enabled": ("Đã mở lại {name}.", "{name} enabled."),
    "users.unlock": ("Gỡ chờ đăng nhập", "Clear sign-in wait"),
    "users.unlocked": ("Đã gỡ chờ đăng nhập cho {name}.", "Sign-in wait cleared for {name}."),
    "users.err.not_admin": ("Chỉ quản trị viên được quản lý người dùng.",
                            "Only an administrator can manage users."),
    "users.err.password": ("Mật khẩu phải có ít nhất {min} ký tự.",
                           "The password must have at least {min} characters."),
    "users.err.unknown": ("Không có người dùng này.", "No such user."),
    "users.err.username": ("Tên đăng nhập gồm 1–{max} chữ cái, chữ số, '.' hoặc '_'.",
                           "A username has 1–{max} letters, digits, '.' or '_'."),
    "users.err.role": ("Vai trò không hợp lệ.", "Unknown role."),
    "users.err.exists": ("Tên đăng nhập này đã có người dùng.", "This username is taken."),
    "users.err.last_admin": ("Không thể khoá hoặc đổi vai trò của quản trị viên cuối cùng còn "
                             "hoạt động.",
                             "The last active administrator cannot be disabled or given "
                             "another role."),
    "nav.refused": ("Vai trò của bạn không được mở trang này. Hãy chọn một trang ở thanh bên.",
                    "Your role may not open this page. Pick a page in the sidebar."),
}
