"""Erase a person (Decree 13/2023), irreversibly, in one write transaction. The scan of
every free-text column for their name, phone or email runs before it, on a read
connection, so colleagues' saves do not wait for it (seconds on a large audit log).

- The customer row: name, phone, email, address, birth date, company, notes, tags, devices
  and the search text are removed (`erased_at` set). The code stays, so the orders stay
  linked, and so do the coarse categories the reports group by (province, region, gender,
  kind, source, …): orders and amounts are kept anonymously and every revenue and overview
  figure stays what it was, and so do the segments but two: their age band and tags are
  gone.
- Free text about them: interaction notes, feedback subject / body / resolution,
  appointment titles and notes, payment and cash-book notes are blanked.
- Old audit snapshots about them (the customer and their records) lose every personal
  field of their before / after / detail JSON.
- Everywhere else free text is kept, but any occurrence of their name (current or former,
  in the usual spellings), phone (in its usual forms) or email is replaced by "[erased]":
  other audit rows (export filters, …), order-line descriptions, loyalty notes, saved
  segments, other customers' notes.
- The erasure itself is audited with counts only.

Soft delete (crm_data.writes.customer) is a different thing: it keeps everything and can be
restored. Only admins and managers may erase; they confirm by typing the customer code.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from crm_data import audit, summaries
from crm_data.accounts.access import refuse
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import now
from crm_data.domain.text import fold
from crm_data.privacy.person_data import audit_about, record_ids
from crm_data.records.derived import customer_search_text
from crm_data.records.writing import NotFound
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import (
    Appointment,
    AuditLog,
    CashEntry,
    ChurnReason,
    Customer,
    CustomerMerge,
    Feedback,
    FeedbackNote,
    Interaction,
    LoyaltyEntry,
    OrderLine,
    Payment,
    SavedSegment,
)

ERASED = "[erased]"
# Keys of personal values in audit JSON snapshots (customer fields and free text).
PERSONAL_KEYS = frozenset({
    "full_name", "phone", "email", "address", "birth_date", "company", "notes", "tags",
    "tag_keys", "devices", "search_text", "note", "body", "subject", "resolution", "title", "description",
    "lines",
})
# Blanked in the person's own rows: table → {column: value}.
OWN_TEXT = {
    Interaction: {"note": None},
    Feedback: {"subject": ERASED, "body": None, "resolution": None},
    FeedbackNote: {"body": None},
    Appointment: {"title": ERASED, "note": None},
    Payment: {"note": None},
    CashEntry: {"note": None, "counterpart": ERASED},  # a receipt names its payer
    ChurnReason: {"note": None},
}
# Free-text columns searched everywhere for the person's identifiers.
SWEPT = (
    (AuditLog, ("before", "after", "detail")), (OrderLine, ("description",)),
    (LoyaltyEntry, ("note",)), (SavedSegment, ("name", "query")), (Customer, ("notes", "tags", "tag_keys")),
    (Interaction, ("note",)), (Feedback, ("subject", "body", "resolution")), (FeedbackNote, ("body",)),
    (Appointment, ("title", "note")), (Payment, ("note",)),
    (CashEntry, ("note", "counterpart", "description")),
    (CustomerMerge, ("before",)),  # both records' full before-state (crm_data.dedupe.merge)
    (ChurnReason, ("note",)),
)
# A name is searched for outside the person's own rows only when it cannot be a common
# word: two words or more, six characters or more.
MIN_NAME = 6
CHUNK = 1000


class NotConfirmed(ValueError):
    """The typed confirmation is not the customer's code: nothing was erased."""


@dataclass(frozen=True)
class Erased:
    customer_id: int
    code: str
    rows: dict[str, int]


def _name_forms(name: str) -> set[str]:
    forms = set()
    for base in {unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)}:
        forms |= {base, base.lower(), base.upper(), base.title()}
    forms.add(fold(name))
    return forms


def _phone_forms(e164: str) -> set[str]:
    if not e164.startswith("+84"):
        return {e164}
    rest = e164[3:]
    national = "0" + rest
    return {e164, national, "84" + rest, f"+84 {rest[:3]} {rest[3:6]} {rest[6:]}",
            f"{national[:4]} {national[4:7]} {national[7:]}",
            f"{national[:4]}.{national[4:7]}.{national[7:]}"}


def _encoded(forms: set[str]) -> set[str]:
    """The same text as it appears in JSON with ASCII escapes and in URL query strings."""
    out = set(forms)
    for f in forms:
        out |= {json.dumps(f)[1:-1], json.dumps(f, ensure_ascii=False)[1:-1], quote_plus(f), quote(f)}
    return {f for f in out if f}


def _history(session: Session, customer_id: int) -> dict[str, set[str]]:
    """Names, phones and emails the customer has had: today's and those in old snapshots."""
    found: dict[str, set[str]] = {"full_name": set(), "phone": set(), "email": set()}
    q = select(AuditLog.before, AuditLog.after).where(
        AuditLog.entity == "customer", AuditLog.entity_id == str(customer_id))
    for before, after in session.execute(q):
        for text in (before, after):
            try:
                doc = json.loads(text) if text else None
            except ValueError:
                continue
            if isinstance(doc, dict):
                for key, values in found.items():
                    if isinstance(doc.get(key), str) and doc[key] and doc[key] != ERASED:
                        values.add(doc[key])
    return found


def identifiers(session: Session, customer: dict) -> list[str]:
    """Every spelling of the person's names, phones and emails to search free text for,
    longest first."""
    seen = _history(session, customer["id"])
    for key in seen:
        if customer.get(key) and customer[key] != ERASED:
            seen[key].add(customer[key])
    forms: set[str] = set()
    for name in seen["full_name"]:
        if len(name.strip()) >= MIN_NAME and len(name.split()) >= 2:
            forms |= _name_forms(name.strip())
    for phone in seen["phone"]:
        forms |= _phone_forms(phone)
    for email in seen["email"]:
        forms |= {email, email.lower()}
    return sorted(_encoded(forms), key=len, reverse=True)


def _scrub(value):
    """A JSON value with every personal field emptied (recursively)."""
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_KEYS and v is not None else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _scrub_text(text: str | None) -> str | None:
    try:
        doc = json.loads(text) if text else None
    except ValueError:
        return text  # not JSON: left to the identifier sweep
    return audit.to_json(_scrub(doc)) if isinstance(doc, dict | list) else text


def _scrub_audit_about(session: Session, customer_id: int) -> int:
    rows = session.execute(select(AuditLog.id, AuditLog.before, AuditLog.after, AuditLog.detail)
                           .where(audit_about(customer_id, record_ids(session, customer_id)))).all()
    n = 0
    for row in rows:
        new = {k: _scrub_text(getattr(row, k)) for k in ("before", "after", "detail")}
        if any(new[k] != getattr(row, k) for k in new):
            session.execute(update(AuditLog).where(AuditLog.id == row.id).values(**new))
            n += 1
    return n


def _pattern(forms, flags: int = 0) -> re.Pattern:
    """Any of the forms as a whole word: erasing "Trần Văn An" leaves "Trần Văn Anh" alone."""
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags)


def _locate(engine: Engine, forms: list[str]) -> dict:
    """Read-only pass, before the write transaction (no write lock held while every free-text
    column is read): per table, the ids of rows holding an identifier, and the last id seen."""
    found: dict = {}
    if not forms:
        return found
    hit = _pattern({f.lower() for f in forms})
    with engine.connect() as conn:
        for model, columns in SWEPT:
            table = model.__table__
            last = conn.execute(select(func.max(table.c.id))).scalar() or 0
            query = select(table.c.id, *[table.c[n] for n in columns]).where(table.c.id <= last)
            ids = set()
            for row in conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query):
                if any(v and hit.search(v.lower()) for v in row[1:]):
                    ids.add(row[0])
            found[model] = (sorted(ids), last)
    return found


def _replace(session: Session, found: dict, forms: list[str]) -> int:
    """Replace the identifiers (any case) in the rows found, and in rows added since."""
    if not forms:
        return 0
    pattern = _pattern(forms, re.IGNORECASE)
    n = 0
    for model, columns in SWEPT:
        table = model.__table__
        ids, last = found.get(model, ([], 0))
        conds = [table.c.id > last] + [table.c.id.in_(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]
        for cond in conds:
            for row in session.execute(select(table.c.id, *[table.c[c] for c in columns]).where(cond)).all():
                new = {c: pattern.sub(ERASED, v) for c, v in zip(columns, row[1:], strict=True)
                       if v and pattern.search(v)}
                if new:
                    session.execute(update(table).where(table.c.id == row[0]).values(new))
                    n += 1
    return n


def erase_person(engine: Engine, scope: Scope, customer_id: int, confirm: str) -> Erased:
    """Anonymise one customer everywhere (see the module doc); `confirm` must be their code."""
    if scope.role not in ("admin", "manager"):
        raise refuse(engine, scope, "erase", customer_id=int(customer_id))
    with Session(engine) as s:
        c = _customer(s, customer_id, confirm)
        found = _locate(engine, identifiers(s, c))
    with unit_of_work(engine) as s:
        c = _customer(s, customer_id, confirm)
        forms = identifiers(s, c)
        at = now()
        s.execute(update(Customer.__table__).where(Customer.id == c["id"]).values(
            full_name=ERASED, phone=None, email=None, address=None, birth_date=None, company=None,
            notes=None, tags="", tag_keys="", devices=None, erased_at=at, updated_at=at, version=c["version"] + 1,
            search_text=customer_search_text(None, c["code"], None, None, None)))
        rows = {"customer": 1}
        for model, values in OWN_TEXT.items():
            rows[model.__tablename__] = s.execute(
                update(model).where(model.customer_id == c["id"]).values(**values)
                .execution_options(synchronize_session=False)).rowcount
        rows["audit_about"] = _scrub_audit_about(s, c["id"])
        rows["text_elsewhere"] = _replace(s, found, forms)
        summaries.refresh_customers(s, [c["id"]])
        audit.record(s, scope, "erase", "customer", c["id"], detail={"rows": rows})
        return Erased(c["id"], c["code"], rows)


def _customer(session: Session, customer_id: int, confirm: str) -> dict:
    c = session.execute(select(Customer.__table__).where(Customer.id == int(customer_id))).mappings().first()
    if c is None:
        raise NotFound(customer_id)
    if str(confirm or "").strip().upper() != c["code"].upper():
        raise NotConfirmed(customer_id)
    return dict(c)
