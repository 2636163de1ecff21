"""The import's fuzzy check: rows about to become new customers that the duplicate finder's
scoring (crm_data.dedupe.score) rates a likely duplicate of an existing customer born the
same day — a note on the row, not a refusal (the exact checks by code, phone and email stay
the import's own). Only rows with a birth date are looked at: one indexed-size read of the
customers born on those days, so a large file into an empty database costs nothing."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_data.admin import settings
from crm_data.dedupe.score import compare, person
from crm_data.imports.errors import Issue
from crm_data.storage.bulk import among
from crm_data.storage.models import Customer

_CHUNK = 500


def similar_notes(session: Session, rows: list[tuple[int, dict]],
                  max_id: int | None = None) -> list[tuple[int, Issue]]:
    """(file row, note) for each new row that looks like an existing customer (one with an
    id up to max_id: a chunked import compares with the customers from before it)."""
    new = [(n, person(0, v.get("full_name"), v.get("phone"), v.get("email"), v.get("birth_date"),
                      v.get("province_code"), v.get("address"))) for n, v in rows if v.get("birth_date")]
    if not new:
        return []
    threshold = settings.get(session, "dupes.min_score")
    days = sorted({p.birth_date for _n, p in new})
    c = Customer
    born: dict = defaultdict(list)
    for start in range(0, len(days), _CHUNK):
        for r in session.execute(select(c.id, c.code, c.full_name, c.phone, c.email, c.birth_date,
                                        c.province_code, c.address)
                                 .where(among(session, c.birth_date, days[start:start + _CHUNK]),
                                        c.deleted_at.is_(None), c.erased_at.is_(None),
                                        *([] if max_id is None else [c.id <= max_id]))):
            other = person(r.id, r.full_name, r.phone, r.email, r.birth_date, r.province_code, r.address)
            born[other.birth_date].append((r.code, other))
    notes = []
    for number, me in new:
        best = max(((compare(me, other), code) for code, other in born.get(me.birth_date, [])),
                   key=lambda x: x[0][0], default=None)
        if best and best[0][0] >= threshold and any(r.startswith("name") for r in best[0][1]):
            notes.append((number, Issue("import.note.similar", {"code": best[1], "score": best[0][0]})))
    return notes
