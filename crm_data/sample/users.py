"""The demo logins, who owns the sample customers, and whether a database is new or empty."""

from __future__ import annotations

from sqlalchemy import Engine, select

from crm_data import audit
from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, User

# (username, password, role, display name): one demo login per role …
DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("admin", "admin123!", "admin", "Đỗ Minh Khoa"),
    ("manager", "manager123!", "manager", "Trần Thị Thu Hà"),
    ("staff", "staff123!", "staff", "Nguyễn Văn Bình"),
    ("viewer", "viewer123!", "viewer", "Lê Hoàng Nam"),
    # … and the sales team who own customers.
    ("lan", "staff123!", "staff", "Nguyễn Thị Lan"),
    ("minh", "staff123!", "staff", "Phạm Quang Minh"),
    ("hoa", "staff123!", "staff", "Lê Thị Hoa"),
    ("tuan", "staff123!", "staff", "Võ Anh Tuấn"),
]

# Share of customers owned by each user (None = not assigned).
_OWNER_SHARES: list[tuple[str | None, float]] = [
    ("staff", 0.22), ("lan", 0.18), ("minh", 0.18), ("hoa", 0.17), ("tuan", 0.14),
    ("manager", 0.06), (None, 0.05),
]


def ensure_demo_users(engine: Engine) -> None:
    """Create the demo users that do not exist yet (idempotent; existing ones are left
    alone, passwords included). One argon2 hash per distinct password: the sales team
    shares the demo password "staff123!". Their passwords are published: generate() calls
    this only for a brand-new database (no users, no customers)."""
    with engine.connect() as conn:
        existing = set(conn.scalars(select(User.username)))
    missing = [u for u in DEMO_USERS if u[0] not in existing]
    if not missing:
        return
    hashes = {pw: auth.hash_password(pw) for pw in {u[1] for u in missing}}
    with unit_of_work(engine) as s:
        for username, password, role, name in missing:
            user = User(username=username, display_name=name, role=role,
                        password_hash=hashes[password], active=True, failed_logins=0)
            s.add(user)
            s.flush()
            audit.record(s, SYSTEM, "create", "user", user.id,
                         after={"username": username, "role": role})


def demo_logins(engine: Engine) -> list[tuple[str, str, str]]:
    """(username, password, role) of the one-per-role demo logins that still sign in with
    their published password (what `crm demo-info` prints)."""
    core = [u for u in DEMO_USERS if u[0] in ("admin", "manager", "staff", "viewer")]
    with engine.connect() as conn:
        rows = {r.username: r for r in conn.execute(
            select(User.username, User.password_hash, User.active, User.role)
            .where(User.username.in_([u[0] for u in core])))}
    return [(name, pw, role) for name, pw, role, _ in core
            if name in rows and rows[name].active and rows[name].role == role
            and auth.verify_password(rows[name].password_hash, pw)]


def is_new(engine: Engine) -> bool:
    """True when the database has neither customers nor users: sample data with the demo
    logins may go in without touching anybody's real data or accounts."""
    return is_empty(engine) and not auth.has_users(engine)


def is_empty(engine: Engine) -> bool:
    """True when the database has no customers yet."""
    with engine.connect() as conn:
        return conn.execute(select(Customer.id).limit(1)).first() is None


def _owners(engine: Engine) -> tuple[list[int | None], list[float], list[int], int | None]:
    """Owner ids with their shares, the sales staff ids, and the admin (for the cash book)."""
    with engine.connect() as conn:
        users = conn.execute(select(User.id, User.username, User.role)
                             .where(User.active.is_(True)).order_by(User.id)).all()
    by_name = {u.username: u.id for u in users}
    admin = next((u.id for u in users if u.role == "admin"), None)
    if all(name in by_name for name, _ in _OWNER_SHARES if name):
        ids = [by_name[name] if name else None for name, _ in _OWNER_SHARES]
        shares = [s for _, s in _OWNER_SHARES]
    else:
        sellers = [u.id for u in users if u.role in ("staff", "manager")]
        ids = sellers or [None]
        shares = [1.0] * len(ids)
    staff = [i for i in ids if i is not None]
    return ids, shares, staff, admin
