"""Reading the audit log: filter by user, action, record and dates, newest first, keyset
paginated; the same rows for the Audit page, its CSV export and `crm audit`.

Append-only from the application: nothing here (or anywhere in the UI and CLI) edits or
deletes an audit row; only erasure of a person (crm_data.privacy.erasure) anonymises their text.

Every query is served by one index of migration 0008: ix_audit_user_at (user),
ix_audit_action_at (action), ix_audit_entity (record), ix_audit_at (dates alone).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import BinaryIO

from sqlalchemy import Engine, and_, literal, select, tuple_

from crm_data import audit
from crm_data.accounts.access import require_admin
from crm_data.accounts.scope import Scope
from crm_data.domain.spreadsheet import neutralise
from crm_data.storage.models import AuditLog, User

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
COLUMNS = ("id", "at", "username", "action", "entity", "entity_id", "before", "after", "detail")
# Actions the application writes (the page offers these; the CLI takes any word).
ACTIONS = (
    "login", "login_failed", "login_locked", "logout", "create", "update", "delete", "restore",
    "bulk_update", "stage", "resolve", "import", "import_failed", "export", "download",
    "person_export", "erase", "denied", "seed", "assign", "reply", "reopen",
)


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None  # a username ("system": the command line)
    action: str | None = None
    entity: str | None = None  # customer, order, user, customers, audit_log, …
    entity_id: str | None = None  # with entity: one record
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive

    def describe(self) -> dict:
        """The filter as plain values (the export's audit detail, the CLI's JSON)."""
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in asdict(self).items() if v not in (None, "")}


@dataclass
class AuditPage:
    rows: list[dict]
    next_after: tuple | None  # (at, id) of the last row when there are more


def _conditions(conn, flt: AuditFilter) -> list:
    conds = []
    if flt.user:
        user_id = conn.execute(select(User.id).where(User.username == flt.user)).scalar()
        # A user's rows by id (ix_audit_user_at); names typed at a failed login or the
        # command line's "system" have no user row.
        conds.append(AuditLog.user_id == user_id if user_id is not None
                     else and_(AuditLog.user_id.is_(None), AuditLog.username == flt.user))
    if flt.action:
        conds.append(AuditLog.action == flt.action)
    if flt.entity:
        conds.append(AuditLog.entity == flt.entity)
        if flt.entity_id not in (None, ""):
            conds.append(AuditLog.entity_id == str(flt.entity_id))
    if flt.start:
        conds.append(AuditLog.at >= dt.datetime.combine(flt.start, dt.time()))
    if flt.end:
        conds.append(AuditLog.at < dt.datetime.combine(flt.end + dt.timedelta(days=1), dt.time()))
    return conds


def _select():
    return select(*[AuditLog.__table__.c[c] for c in COLUMNS])


def _newest_first(query):
    return query.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def page(engine: Engine, scope: Scope, flt: AuditFilter | None = None, *,
         after: tuple | None = None, limit: int = PAGE_SIZE) -> AuditPage:
    """One page of matching rows, newest first; pass the previous page's next_after as
    `after` (WHERE (at, id) < (:at, :id): page 1,000 costs what page 1 costs)."""
    require_admin(engine, scope, "audit_log")
    flt = flt or AuditFilter()
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    with engine.connect() as conn:
        query = _select().where(*_conditions(conn, flt))
        if after is not None:
            at, last_id = after
            # the one-column bound lets both engines range-scan the index on `at`
            query = query.where(tuple_(AuditLog.at, AuditLog.id)
                                < tuple_(literal(at, AuditLog.at.type), literal(int(last_id))),
                                AuditLog.at <= at)
        rows = [dict(r) for r in conn.execute(_newest_first(query).limit(limit + 1)).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, (rows[-1]["at"], rows[-1]["id"]) if more else None)


def iter_rows(engine: Engine, scope: Scope, flt: AuditFilter | None = None,
              chunk: int = 2000) -> Iterator[dict]:
    """Every matching row, newest first, streamed in chunks (the CSV and the CLI)."""
    require_admin(engine, scope, "audit_log")
    flt = flt or AuditFilter()
    with engine.connect() as conn:
        query = _newest_first(_select().where(*_conditions(conn, flt)))
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for part in result.mappings().partitions():
            for row in part:
                yield dict(row)


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return neutralise(value)


def write_csv(rows, out: BinaryIO, header: Sequence[str] = COLUMNS) -> int:
    """UTF-8 with a BOM (Excel); text that Excel would run as a formula is neutralised.
    `header`: the column names a person reads (the page), default the keys (the CLI)."""
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(header)
        n = 0
        for row in rows:
            writer.writerow([_cell(row[c]) for c in COLUMNS])
            n += 1
        text.flush()
    finally:
        text.detach()
    return n


def export_csv(engine: Engine, scope: Scope, flt: AuditFilter | None, out: BinaryIO,
               header: Sequence[str] = COLUMNS) -> int:
    """Write the filtered log to `out`; the export is itself audited."""
    flt = flt or AuditFilter()
    n = write_csv(iter_rows(engine, scope, flt), out, header)
    audit.log(engine, scope, "export", "audit_log", None,
              detail={"filter": flt.describe(), "rows": n, "format": "csv"})
    return n


def export_bytes(engine: Engine, scope: Scope, flt: AuditFilter | None,
                 header: Sequence[str] = COLUMNS) -> bytes:
    buf = io.BytesIO()
    export_csv(engine, scope, flt, buf, header)
    return buf.getvalue()


def usernames(engine: Engine, scope: Scope) -> list[str]:
    """Users to filter by: every account, then the command line ("system")."""
    require_admin(engine, scope, "audit_log")
    with engine.connect() as conn:
        names = list(conn.execute(select(User.username).order_by(User.username)).scalars())
    return [*names, "system"]
