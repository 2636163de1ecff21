"""Customer rows: convert each row to validated column values, then plan against the file
itself and the database (duplicates by code, phone, email), then write in chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from crm_data.accounts.scope import Scope
from crm_data.domain.clock import now
from crm_data.imports import customer_extras as extras
from crm_data.imports import parsing
from crm_data.imports.cells import Context, Row, enum_parser
from crm_data.imports.errors import Issue
from crm_data.imports.lookup import CodeSequence, CustomerIndex
from crm_data.records import tags as tag_rules
from crm_data.records import validation as v
from crm_data.records.derived import derive
from crm_data.storage.bulk import among
from crm_data.storage.models import Customer

CODE_PREFIX = "KH"
ENUMS = {  # import field → enumeration in the i18n catalogue
    "gender": "gender", "source": "source", "preferred_channel": "channel", "kind": "kind",
    "occupation": "occupation", "income_band": "income_band", "education": "education",
    "marital_status": "marital_status", "industry": "industry",
}
TEXTS = {"address": 300, "company": 200, "notes": v.LONG_TEXT}
# Every column an inserted row carries (Core executemany needs one key set).
INSERT_COLUMNS = (
    "code", "full_name", "search_text", "phone", "email", "gender", "birth_date", "address",
    "province_code", "region", "occupation", "income_band", "education", "marital_status",
    "kind", "company", "industry", "preferred_channel", "source", "owner_id", "lifecycle_stage",
    "pipeline_stage", "tags", "consent", "consent_at", "notes", "created_at", "updated_at",
    "version",
)
_DEFAULTS = {"kind": "individual", "lifecycle_stage": "awareness", "pipeline_stage": "new",
             "tags": "", "consent": False, "version": 1}
_KEYS = ("code", "phone", "email")


def convert(row: Row) -> dict:
    """Field values of a customer row (only the columns the file has and fills)."""
    out: dict = {}
    out["code"] = row.get("code", v.optional_text, 32)
    out["full_name"] = row.require("full_name", v.required_text, 200)
    out["phone"] = row.phone()
    out["email"] = row.get("email", v.email)
    out["birth_date"] = row.get("birth_date", parsing.date, not_future=True)
    out["province_code"] = row.province()
    for name, enum in ENUMS.items():
        out[name] = row.get(name, enum_parser(enum), memo=True)
    for name, max_len in TEXTS.items():
        out[name] = row.get(name, v.optional_text, max_len)
    out["tags"] = row.get("tags", v.tags) or None
    out.update(extras.convert(row))
    created = row.get("created_at", parsing.timestamp, not_future=True)
    out["created_at"] = created
    out["consent"] = row.get("consent", parsing.yes_no)
    if out["consent"]:
        out["consent_at"] = created or now()
    if row.ctx.scope.role == "staff":
        out["owner_id"] = row.ctx.scope.user_id  # staff import their own customers
    elif row.has("owner"):
        out["owner_id"] = row.get("owner", row.ctx.user_id)
    return {k: val for k, val in out.items() if val is not None}


@dataclass
class Planned:
    number: int  # file row
    values: dict
    existing_id: int | None = None  # an update of this customer
    merged_rows: list[int] = field(default_factory=list)
    file_code: str | None = None  # the code the file gave (None: assigned by the import)
    merge: bool = False  # later rows merged into a customer an earlier chunk wrote


@dataclass(frozen=True)
class Stored:
    """A customer an earlier chunk of the same file planned and wrote (its in-file key)."""
    number: int
    cid: int
    existing_id: int | None
    code: str | None  # the code the file gave


@dataclass
class Plan:
    inserts: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    merges: list[Planned] = field(default_factory=list)  # into customers of earlier chunks
    skipped: list[tuple[int, Issue]] = field(default_factory=list)
    rejected: list[tuple[int, Issue]] = field(default_factory=list)
    duplicates: list[tuple[int, Issue]] = field(default_factory=list)  # every duplicate found
    touched: set[int] = field(default_factory=set)
    scope: Scope | None = None  # who imports (the churn reasons' author)
    in_file: dict = field(default_factory=dict)  # (key, value) → Planned | Stored


def plan(session: Session, ctx: Context, rows: list[tuple[int, dict]], duplicates: str,
         index: CustomerIndex, in_file: dict, codes: CodeSequence) -> Plan:
    """Decide per converted row of one chunk: insert, update an existing customer, skip or
    reject. `in_file` holds the chunk's keys that earlier chunks planned (Stored); `index`
    the customers as they were before the import; `codes` continues across chunks."""
    del session
    out = Plan(scope=ctx.scope, in_file=in_file)
    for number, values in rows:
        keys = _keys(values)
        earlier = next((in_file[k] for k in keys if k in in_file), None)
        matches = {k: index_match(index, k) for k in keys}
        hits = {k: m for k, m in matches.items() if m is not None}
        ids = {m.id for m in hits.values()}
        if len(ids) > 1:
            a, b = sorted({m.code for m in hits.values()})[:2]
            out.rejected.append((number, Issue("import.dup.conflict", {"a": a, "b": b})))
            continue
        code_hit = hits.get(("code", values.get("code")))
        if code_hit is not None and code_hit.erased:
            out.rejected.append((number, Issue("import.dup.erased", {"code": code_hit.code})))
            continue
        if code_hit is not None and code_hit.deleted:
            out.rejected.append((number, Issue("import.dup.deleted", {"code": code_hit.code})))
            continue
        if earlier is not None:
            by = next(k[0] for k in keys if in_file.get(k) is earlier)
            issue = Issue("import.dup.in_file", {"row": earlier.number, "by": by})
            out.duplicates.append((number, issue))
            if duplicates == "update":
                if isinstance(earlier, Stored):
                    problem, merged = _merge_stored(earlier, number, values, ids)
                    if problem:
                        out.rejected.append((number, problem))
                        continue
                    out.merges.append(merged)
                    for k in _keys(values):
                        if not (k[0] == "code" and earlier.existing_id is not None):
                            in_file.setdefault(k, earlier)
                    continue
                problem = _merge(earlier, values, ids)
                if problem:
                    out.rejected.append((number, problem))
                    continue
                earlier.merged_rows.append(number)
                for k in _keys(earlier.values):
                    in_file.setdefault(k, earlier)
            else:
                out.skipped.append((number, issue))
            continue
        if ids:
            hit = next(iter(hits.values()))
            by = next(iter(hits))[0]
            issue = Issue("import.dup.in_db", {"code": hit.code, "by": by})
            out.duplicates.append((number, issue))
            if duplicates != "update":
                out.skipped.append((number, issue))
                continue
            if not _may_update(ctx, hit):
                out.rejected.append((number, Issue("import.dup.not_yours", {"code": hit.code})))
                continue
            values = {k: val for k, val in values.items() if k != "code"}
            planned = Planned(number, values, existing_id=hit.id)
            out.updates.append(planned)
            out.touched.add(hit.id)
        else:
            planned = Planned(number, values)
            out.inserts.append(planned)
        for k in keys:
            in_file[k] = planned
    codes.see(p.values["code"] for p in out.inserts if p.values.get("code"))
    for p in out.inserts:
        p.file_code = p.values.get("code")
        if not p.file_code:
            p.values["code"] = codes.take()
    return out


def _merge_stored(earlier: Stored, number: int, values: dict, ids: set[int]
                  ) -> tuple[Issue | None, Planned | None]:
    """_merge for a customer an earlier chunk wrote: the later row becomes an update of it."""
    conflict = Issue("import.dup.conflict_rows", {"row": earlier.number})
    if earlier.existing_id is not None and ids and ids != {earlier.existing_id}:
        return conflict, None
    if earlier.existing_id is None and ids:
        return conflict, None
    if earlier.code and values.get("code") and earlier.code != values["code"]:
        return conflict, None
    kept = {k: val for k, val in values.items()
            if not (k == "code" and earlier.existing_id is not None)}
    return None, Planned(earlier.number, kept, existing_id=earlier.cid, merged_rows=[number],
                         merge=True)


def _keys(values: dict) -> list[tuple[str, str]]:
    return [(k, values[k]) for k in _KEYS if values.get(k)]


def index_match(index: CustomerIndex, key: tuple[str, str]):
    name, value = key
    return {"code": index.by_code, "phone": index.by_phone, "email": index.by_email}[name].get(value)


def _may_update(ctx: Context, hit) -> bool:
    return ctx.scope.sees_all_customers or hit.owner_id == ctx.scope.user_id


def _merge(earlier: Planned, values: dict, ids: set[int]) -> Issue | None:
    """A later row about the same customer: its filled cells win, but it may not point
    at another customer (code) or pull in a second existing one."""
    if earlier.existing_id is not None and ids and ids != {earlier.existing_id}:
        return Issue("import.dup.conflict_rows", {"row": earlier.number})
    if earlier.existing_id is None and ids:
        return Issue("import.dup.conflict_rows", {"row": earlier.number})
    for key in _KEYS:
        mine, theirs = earlier.values.get(key), values.get(key)
        if key == "code" and mine and theirs and mine != theirs:
            return Issue("import.dup.conflict_rows", {"row": earlier.number})
    merged = dict(earlier.values)
    merged.update({k: val for k, val in values.items()
                   if not (k == "code" and earlier.existing_id is not None)})
    earlier.values = merged
    return None


# --- writing ---------------------------------------------------------------------------

def insert_rows(session: Session, planned: list[Planned]) -> dict[str, int]:
    """Insert one chunk; returns code → new id."""
    if not planned:
        return {}
    stamp = now()
    params = []
    _canonical_tags(session, planned)
    for p in planned:
        row = {c: None for c in INSERT_COLUMNS} | _DEFAULTS | {"created_at": stamp}
        row.update({k: val for k, val in p.values.items() if val is not None})
        row["updated_at"] = stamp
        params.append(derive(row))
    table = Customer.__table__
    before = session.scalar(select(func.max(table.c.id))) or 0
    session.execute(insert(table), params)  # plain executemany: RETURNING is slower here
    codes = {r["code"] for r in params}
    rows = session.execute(select(table.c.id, table.c.code).where(table.c.id > before))
    return {code: cid for cid, code in rows if code in codes}


def update_rows(session: Session, planned: list[Planned]) -> None:
    """Update one chunk of existing customers with the file's filled cells (blank cells
    never erase); derived columns recomputed from the merged record. A merge (a later row
    about a customer this import wrote) keeps the version the import gave it."""
    if not planned:
        return
    table = Customer.__table__
    ids = [p.existing_id for p in planned]
    current = {r["id"]: dict(r) for r in session.execute(
        select(table).where(among(session, table.c.id, ids))).mappings()}
    _canonical_tags(session, planned)
    stamp = now()
    groups: dict[tuple[str, ...], list[dict]] = {}
    for p in planned:
        merged = current[p.existing_id] | {k: val for k, val in p.values.items() if val is not None}
        derived = derive(merged)
        changes = {k: derived[k] for k in (*p.values, "search_text", "region", "tag_keys")
                   if k in derived and k != "id" and (k != "code" or p.merge)}
        changes["updated_at"] = stamp
        changes["version"] = current[p.existing_id]["version"] + (0 if p.merge else 1)
        groups.setdefault(tuple(sorted(changes)), []).append(
            {"_id": p.existing_id, **{f"v_{k}": val for k, val in changes.items()}})
    for cols, params in groups.items():
        stmt = (update(table).where(table.c.id == bindparam("_id"))
                .values({c: bindparam(f"v_{c}") for c in cols}))
        session.execute(stmt, params)


def _canonical_tags(session: Session, planned: list[Planned]) -> None:
    """Each file's tag in the spelling first entered in the database (crm_data.records.tags)."""
    spelled = tag_rules.canonical_many(session, [p.values.get("tags") for p in planned])
    for p in planned:
        if p.values.get("tags"):
            p.values["tags"] = spelled[p.values["tags"]]


def counts(p: Plan) -> tuple[int, int]:
    """(inserted, updated): a later row merged into an earlier one counts as an update."""
    merged = sum(len(x.merged_rows) for x in (*p.inserts, *p.updates, *p.merges))
    return len(p.inserts), len(p.updates) + merged


def write(session: Session, p: Plan) -> tuple[dict[str, int], list]:
    """Write one chunk's plan; returns (code → new id, the extras to write at the end)."""
    later = extras.take(p.inserts, [*p.updates, *p.merges])  # not columns of customers
    new_ids = insert_rows(session, p.inserts)
    update_rows(session, p.updates)
    update_rows(session, p.merges)
    return new_ids, later
