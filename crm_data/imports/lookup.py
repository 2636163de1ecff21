"""The database side of an import: existing customers by code / phone / email, users by
name, and the next free codes ("KH…", "DH…")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_data.domain.text import fold
from crm_data.storage.models import Customer, Order, User


@dataclass(frozen=True)
class Existing:
    id: int
    code: str
    owner_id: int | None
    deleted: bool
    erased: bool = False  # personal data erased: an import may not bring it back


@dataclass
class CustomerIndex:
    by_code: dict[str, Existing] = field(default_factory=dict)
    by_phone: dict[str, Existing] = field(default_factory=dict)  # live customers only
    by_email: dict[str, Existing] = field(default_factory=dict)  # live customers only

    @classmethod
    def load(cls, session: Session) -> CustomerIndex:
        index = cls()
        rows = session.execute(select(Customer.id, Customer.code, Customer.phone, Customer.email,
                                      Customer.owner_id, Customer.deleted_at, Customer.erased_at))
        for cid, code, phone, email, owner, deleted_at, erased_at in rows:
            item = Existing(cid, code, owner, deleted_at is not None, erased_at is not None)
            index.by_code[code] = item
            if deleted_at is None:
                if phone:
                    index.by_phone.setdefault(phone, item)
                if email:
                    index.by_email.setdefault(email.lower(), item)
        return index


def users_by_name(session: Session) -> dict[str, int]:
    """Folded username and display name → user id (usernames win a clash)."""
    out: dict[str, int] = {}
    rows = session.execute(select(User.id, User.username, User.display_name)
                           .where(User.active.is_(True))).all()
    for uid, _username, display in rows:
        if display:
            out.setdefault(fold(display), uid)
    for uid, username, _display in rows:
        out[fold(username)] = uid
    return out


class CodeSequence:
    """Next free codes PREFIX + digits, continuing the largest one in use."""

    def __init__(self, prefix: str, used: set[str], width: int = 6):
        self.prefix = prefix
        self.used = used
        pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
        numbers = [(int(m.group(1)), len(m.group(1))) for c in used if (m := pattern.match(c))]
        self.next = max((n for n, _ in numbers), default=0) + 1
        self.width = max((w for _, w in numbers), default=width)

    def take(self) -> str:
        while True:
            code = f"{self.prefix}{self.next:0{self.width}d}"
            self.next += 1
            if code not in self.used:
                self.used.add(code)
                return code


def order_codes(session: Session, prefix: str = "DH") -> set[str]:
    return set(session.scalars(select(Order.code).where(Order.code.like(f"{prefix}%"))))
