"""The database side of an import: existing customers by code / phone / email, users by
name, and the next free codes ("KH…", "DH…")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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
    keys: dict[int, tuple] = field(default_factory=dict)  # for_keys: id → (Existing, code, phone, email)

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

    @classmethod
    def for_keys(cls, session: Session, codes: set, phones: set, emails: set, max_id: int,
                 before: dict[int, tuple] | None = None) -> CustomerIndex:
        """The index load() would give, cut to these keys, for the customers as they were
        before the import: ids up to max_id, and for the ones the import has updated
        already their keys as they were (`before`: id → (Existing, code, phone, email))."""
        before = before or {}
        c = Customer
        query = select(c.id, c.code, c.phone, c.email, c.owner_id, c.deleted_at, c.erased_at)
        found: dict[int, tuple] = {}
        for column, wanted in ((c.code, codes), (c.phone, phones), (c.email, emails)):
            items = sorted(wanted)
            for start in range(0, len(items), _IN_BATCH):
                part = items[start:start + _IN_BATCH]
                for cid, code, phone, email, owner, deleted_at, erased_at in session.execute(
                        query.where(column.in_(part), c.id <= max_id)):
                    if cid not in before:
                        found[cid] = (Existing(cid, code, owner, deleted_at is not None,
                                               erased_at is not None), code, phone, email)
        for cid, entry in before.items():
            _item, code, phone, email = entry
            if code in codes or phone in phones or (email and email.lower() in emails):
                found[cid] = entry
        index = cls()
        for cid in sorted(found):  # load() reads in id order: the first phone / email wins
            item, code, phone, email = found[cid]
            index.keys[cid] = found[cid]
            index.by_code[code] = item
            if not item.deleted:
                if phone:
                    index.by_phone.setdefault(phone, item)
                if email:
                    index.by_email.setdefault(email.lower(), item)
        return index



_IN_BATCH = 500


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
    """Next free codes PREFIX + digits, continuing the largest one in use. Only the largest
    number and the widest code seen matter, so codes can be shown a chunk at a time (see)."""

    def __init__(self, prefix: str, used: set[str] | None = None, width: int = 6):
        self.prefix = prefix
        self.next = 1
        self._default = width
        self._width: int | None = None
        self._pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
        self.see(used or ())

    def see(self, codes: Iterable[str]) -> None:
        for c in codes:
            if not c:
                continue
            m = self._pattern.match(c)
            if m:
                self.next = max(self.next, int(m.group(1)) + 1)
                self._width = max(self._width or 0, len(m.group(1)))

    @property
    def width(self) -> int:
        return self._default if self._width is None else self._width

    def take(self) -> str:
        # next is above every number seen: the code cannot be one in use.
        code = f"{self.prefix}{self.next:0{self.width}d}"
        self.next += 1
        return code


def customer_codes(session: Session, prefix: str = "KH") -> Iterator[str]:
    """Every customer code starting with the prefix, streamed (for CodeSequence.see)."""
    return session.execute(select(Customer.code).where(Customer.code.like(f"{prefix}%"))
                           .execution_options(yield_per=20_000)).scalars()


def order_codes(session: Session, prefix: str = "DH") -> set[str]:
    return set(session.scalars(select(Order.code).where(Order.code.like(f"{prefix}%"))))
