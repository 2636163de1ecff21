"""Find likely duplicate pairs among all alive customers, and keep them in duplicate_pairs.

Blocking instead of comparing every pair (n² = 5·10⁹ at 100,000 customers): one narrow read
of the identity columns, then only customers sharing a blocking key are compared — the same
phone, the same email, the same token-sorted folded name in the same province or with the
same birth date, the same birth date in the same province (catches typos in the name), the
same folded address with the same initials of the name. A key shared by more than MAX_BLOCK customers (a shop's switchboard
number, a placeholder email) is too common to be evidence and is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import Engine, delete, insert, select, update

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.dedupe.score import Person, compare, person
from crm_data.domain.clock import now
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, DuplicatePair

MAX_BLOCK = 100



def _keys(p: Person) -> list[tuple]:
    """The blocks a record is in. The same name in the same province alone scores below
    any sensible threshold (NAME + PROVINCE), so it is no block of its own: with a phone,
    email, birth date or address in common the pair is in that block."""
    keys = []
    if p.phone:
        keys.append(("p", p.phone))
    if p.email:
        keys.append(("e", p.email))
    if p.birth_date:
        if p.name_key:
            keys.append(("nb", p.name_key, p.birth_date))
        if p.province_code is not None:
            keys.append(("bp", p.birth_date, p.province_code))
    if p.address:  # with the names' initials: a shared street address alone is common
        keys.append(("a", p.address, "".join(sorted(w[0] for w in p.name.split()))))
    return keys


@dataclass(frozen=True)
class Pair:
    a_id: int
    b_id: int
    score: int
    reasons: list[str]


def people(conn) -> list[Person]:
    """Every alive, not erased customer's identity fields."""
    c = Customer
    rows = conn.execute(select(c.id, c.full_name, c.phone, c.email, c.birth_date, c.province_code,
                               c.address)
                        .where(c.deleted_at.is_(None), c.erased_at.is_(None)))
    return [person(*r) for r in rows]


def candidate_pairs(persons: list[Person]) -> set[tuple[int, int]]:
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        for k in _keys(p):
            blocks[k].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            pairs.update(combinations(members, 2))
    return pairs


def find_pairs(conn, min_score: int) -> list[Pair]:
    """Pairs scoring min_score or more, best first (a_id < b_id)."""
    persons = people(conn)
    out = []
    for i, j in candidate_pairs(persons):
        a, b = persons[i], persons[j]
        score, reasons = compare(a, b)
        if score >= min_score:
            lo, hi = sorted((a.id, b.id))
            out.append(Pair(lo, hi, score, reasons))
    out.sort(key=lambda p: (-p.score, p.a_id, p.b_id))
    return out


def refresh(engine: Engine, scope: Scope) -> int:
    """Run the finder and replace the open pairs (dismissed ones stay dismissed); returns
    the number of open pairs."""
    _require(scope)
    with engine.connect() as conn:
        found = find_pairs(conn, settings.get(conn, "dupes.min_score"))
    with unit_of_work(engine) as s:
        dismissed = {(a, b) for a, b in s.execute(
            select(DuplicatePair.a_id, DuplicatePair.b_id).where(DuplicatePair.dismissed_at.is_not(None)))}
        s.execute(delete(DuplicatePair).where(DuplicatePair.dismissed_at.is_(None)))
        at = now()
        rows = [{"a_id": p.a_id, "b_id": p.b_id, "score": p.score, "reasons": ",".join(p.reasons),
                 "found_at": at} for p in found if (p.a_id, p.b_id) not in dismissed]
        for start in range(0, len(rows), 1000):
            s.execute(insert(DuplicatePair), rows[start:start + 1000])
        audit.record(s, scope, "find_duplicates", "duplicate_pairs", None,
                     detail={"pairs": len(rows)})
    return len(rows)


def open_pairs(conn, limit: int = 200):
    """Open pairs of two alive customers, best first, with both names and codes."""
    a, b = Customer.__table__.alias("a"), Customer.__table__.alias("b")
    dp = DuplicatePair
    return conn.execute(
        select(dp.id, dp.score, dp.reasons, dp.a_id, a.c.code.label("a_code"),
               a.c.full_name.label("a_name"), dp.b_id, b.c.code.label("b_code"),
               b.c.full_name.label("b_name"))
        .join(a, a.c.id == dp.a_id).join(b, b.c.id == dp.b_id)
        .where(dp.dismissed_at.is_(None), a.c.deleted_at.is_(None), b.c.deleted_at.is_(None))
        .order_by(dp.score.desc(), dp.id).limit(limit)).all()


def dismiss(engine: Engine, scope: Scope, pair_id: int) -> None:
    """"Not a duplicate": the pair is not listed again by later runs."""
    _require(scope)
    with unit_of_work(engine) as s:
        changed = s.execute(update(DuplicatePair)
                            .where(DuplicatePair.id == int(pair_id), DuplicatePair.dismissed_at.is_(None))
                            .values(dismissed_at=now(), dismissed_by=scope.user_id)).rowcount
        if changed:
            audit.record(s, scope, "dismiss_duplicate", "duplicate_pairs", pair_id)


def _require(scope: Scope) -> None:
    if scope.role not in ("admin", "manager"):
        raise PermissionError("duplicates are handled by an admin or a manager")


def pair_list(engine: Engine, scope: Scope, limit: int = 200) -> list:
    """open_pairs for the page and the CLI (admin, manager)."""
    _require(scope)
    with engine.connect() as conn:
        return [tuple(r) for r in open_pairs(conn, limit)]
