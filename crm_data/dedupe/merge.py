"""Merge two customer records into one, and undo it within settings "dupes.undo_days".

In one transaction: the survivor takes the chosen value of each field (tags: both), every
row pointing at the loser (crm_data.dedupe.children: found from the schema) is moved to the
survivor — a row that would break a unique key the survivor already fills is set aside in
full instead — the loser is soft-deleted (reports leave deleted customers out, so nothing is
counted twice), the summaries and rollups are refreshed, and a customer_merges row keeps
both full before-states and the ids of every moved row, so that undo restores both exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Date, DateTime, Engine, MetaData, Table, func, insert, select, update
from sqlalchemy.orm import Session

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.dedupe import children
from crm_data.domain.clock import now
from crm_data.records.derived import customer_search_text, derive, tags_column, tags_list
from crm_data.records.writing import Conflict, NotFound
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, CustomerMerge, DuplicatePair, Order, StageChange
from crm_data.summaries import rollups

# Fields whose value the user picks from either record (the survivor's by default, the
# other's where the survivor's is blank). Code and id stay the survivor's; stages follow
# from the merged history; region and search_text are derived.
FIELDS = ("full_name", "phone", "email", "gender", "birth_date", "address", "province_code",
          "kind", "company", "industry", "occupation", "income_band", "education",
          "marital_status", "preferred_channel", "devices", "source", "owner_id", "notes",
          "consent")
# Consent moves as one: the flag with its dates and channel (Decree 13/2023).
_CONSENT = ("consent", "consent_at", "consent_withdrawn_at", "consent_channel")
_CHUNK = 500
_CUSTOMER = Customer.__table__


class UndoRefused(Exception):
    """The merge cannot be undone; `reason` is a catalogue key."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Merged:
    merge_id: int
    moved: int  # rows that now point at the survivor
    set_aside: int  # rows kept aside because the survivor already had their unique key


def _require(scope: Scope) -> None:
    if scope.role not in ("admin", "manager"):
        raise PermissionError("customers are merged by an admin or a manager")


def _row(session: Session, customer_id: int, lock: bool = False) -> dict | None:
    query = select(_CUSTOMER).where(_CUSTOMER.c.id == int(customer_id))
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    return dict(row) if row else None


def default_choices(survivor: dict, loser: dict) -> dict[str, str]:
    """The survivor's value, or the loser's where the survivor has none."""
    return {f: "loser" if survivor.get(f) in (None, "") and loser.get(f) not in (None, "")
            else "survivor" for f in FIELDS}


def merged_values(survivor: dict, loser: dict, choices: dict[str, str] | None) -> dict:
    picks = {**default_choices(survivor, loser), **(choices or {})}
    values = {}
    for f in FIELDS:
        src = loser if picks.get(f) == "loser" else survivor
        for col in (_CONSENT if f == "consent" else (f,)):
            values[col] = src.get(col)
    values["tags"] = tags_column(tags_list(survivor["tags"]) + tags_list(loser["tags"]))
    derived = derive({**values, "code": survivor["code"]})
    return {k: v for k, v in derived.items() if k != "code"}


def merge(engine: Engine, scope: Scope, survivor_id: int, loser_id: int,
          choices: dict[str, str] | None = None, versions: tuple[int, int] | None = None) -> Merged:
    """Merge `loser_id` into `survivor_id`; `versions` (survivor's, loser's as shown) refuse
    the merge with Conflict when either record changed since."""
    _require(scope)
    if int(survivor_id) == int(loser_id):
        raise ValueError("a customer cannot be merged with itself")
    with unit_of_work(engine) as s:
        survivor, loser = _row(s, survivor_id, lock=True), _row(s, loser_id, lock=True)
        for r in (survivor, loser):
            if r is None or r["deleted_at"] is not None or r["erased_at"] is not None:
                raise NotFound(survivor_id if r is survivor else loser_id)
        if versions is not None and (survivor["version"], loser["version"]) != tuple(map(int, versions)):
            raise Conflict(survivor_id)
        at = now()
        values = merged_values(survivor, loser, choices)
        new_version = survivor["version"] + 1
        s.execute(update(_CUSTOMER).where(_CUSTOMER.c.id == survivor["id"])
                  .values(**values, version=new_version, updated_at=at))
        s.execute(update(_CUSTOMER).where(_CUSTOMER.c.id == loser["id"])
                  .values(deleted_at=at, updated_at=at, version=loser["version"] + 1))
        moved, set_aside = _move(s, loser["id"], survivor["id"])
        s.execute(DuplicatePair.__table__.delete().where(
            DuplicatePair.dismissed_at.is_(None),
            (DuplicatePair.a_id == loser["id"]) | (DuplicatePair.b_id == loser["id"])))
        created = _refresh(s, [survivor["id"], loser["id"]], moved)
        # search_text is derived (and holds the phone in a form erasure does not look for):
        # undo recomputes it instead of keeping a copy
        before = {who: {k: v for k, v in r.items() if k != "search_text"}
                  for who, r in (("survivor", survivor), ("loser", loser))}
        record = CustomerMerge(survivor_id=survivor["id"], loser_id=loser["id"], merged_at=at,
                               merged_by=scope.user_id, before=audit.to_json(before),
                               moved=json.dumps(moved), survivor_version=new_version,
                               created=audit.to_json({"stage_changes": created, "set_aside": set_aside}))
        s.add(record)
        s.flush()
        n_moved = sum(len(v) for v in moved.values())
        n_aside = sum(len(v) for v in set_aside.values())
        audit.record(s, scope, "merge", "customer", survivor["id"], before=before,
                     after={k: v for k, v in values.items() if k != "search_text"},
                     detail={"merge_id": record.id, "loser_id": loser["id"], "loser_code": loser["code"],
                             "moved": {k: len(v) for k, v in moved.items() if v}, "set_aside": n_aside})
        return Merged(record.id, n_moved, n_aside)


def _move(s: Session, loser_id: int, survivor_id: int) -> tuple[dict, dict]:
    moved: dict[str, list[int]] = {}
    set_aside: dict[str, list[dict]] = {}
    for ref in children.references(s.connection()):
        t = ref.sql()
        fk, pk = t.c[ref.column], t.c[ref.pk]
        for group in ref.unique_with:
            mine, theirs = t.alias("mine"), t.alias("theirs")
            clash = select(theirs.c[ref.pk]).where(
                theirs.c[ref.column] == survivor_id,
                *[theirs.c[c] == mine.c[c] for c in group]).exists()
            ids = s.scalars(select(mine.c[ref.pk]).where(mine.c[ref.column] == loser_id, clash)).all()
            if ids:
                full = _reflect(s, ref.table)
                rows = s.execute(select(full).where(full.c[ref.pk].in_(ids))).mappings().all()
                set_aside.setdefault(ref.table, []).extend(dict(r) for r in rows)
                s.execute(full.delete().where(full.c[ref.pk].in_(ids)))
        ids = sorted(s.scalars(select(pk).where(fk == loser_id)).all())
        if ids:
            s.execute(update(t).where(fk == loser_id).values({ref.column: survivor_id}))
            moved[ref.key] = ids
    return moved, set_aside


def _reflect(s: Session, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=s.connection())


def _refresh(s: Session, ids: list[int], moved: dict[str, list[int]]) -> list[int]:
    """Summaries of both customers, and the rollup days of every moved order and lifecycle
    change recomputed for all owners (the rows changed customer, maybe owner). Returns the
    ids of the stage changes the refresh itself added (the merged history may imply a new
    journey stage), which an undo removes."""
    last = s.scalar(select(func.max(StageChange.id))) or 0
    summaries.refresh_customers(s, ids)
    touched = {"orders": rollups.Touched(), "flows": rollups.Touched()}
    for key, model, when, cond in (
            ("orders.customer_id", Order, Order.order_date, Order.status == "completed"),
            ("stage_changes.customer_id", StageChange, StageChange.changed_at,
             StageChange.kind == "lifecycle")):
        row_ids = moved.get(key, [])
        fact = "orders" if model is Order else "flows"
        for start in range(0, len(row_ids), _CHUNK):
            chunk = row_ids[start:start + _CHUNK]
            touched[fact].days.update(rollups.as_date(d) for d in s.scalars(
                select(when).where(model.id.in_(chunk), cond)))
    rollups.refresh(s, touched)
    return list(s.scalars(select(StageChange.id).where(StageChange.id > last,
                                                       StageChange.customer_id.in_(ids))))


def undo(engine: Engine, scope: Scope, merge_id: int) -> None:
    """Put both records and every moved row back as they were before the merge."""
    _require(scope)
    with unit_of_work(engine) as s:
        m = s.get(CustomerMerge, int(merge_id))
        if m is None:
            raise NotFound(merge_id)
        if m.undone_at is not None:
            raise UndoRefused("dupes.undo.already")
        if now() - m.merged_at > dt.timedelta(days=settings.get(s, "dupes.undo_days")):
            raise UndoRefused("dupes.undo.expired")
        survivor, loser = _row(s, m.survivor_id, lock=True), _row(s, m.loser_id, lock=True)
        # An edit (or an erasure) of the survivor since the merge would be overwritten.
        if survivor is None or survivor["version"] != m.survivor_version or survivor["deleted_at"] is not None:
            raise UndoRefused("dupes.undo.changed")
        if loser is None or loser["erased_at"] is not None:
            raise UndoRefused("dupes.undo.changed")
        before = json.loads(m.before)
        moved = json.loads(m.moved)
        created = json.loads(m.created)
        if created.get("stage_changes"):
            s.execute(StageChange.__table__.delete().where(StageChange.id.in_(created["stage_changes"])))
        refs = {r.key: r for r in children.references(s.connection())}
        for key, ids in moved.items():
            ref = refs[key]
            t = ref.sql()
            if ref.pk == ref.column:  # the loser's own row, moved because the survivor had none
                s.execute(update(t).where(t.c[ref.column] == m.survivor_id).values({ref.column: m.loser_id}))
                continue
            for start in range(0, len(ids), _CHUNK):
                s.execute(update(t).where(t.c[ref.pk].in_(ids[start:start + _CHUNK]),
                                          t.c[ref.column] == m.survivor_id)
                          .values({ref.column: m.loser_id}))
        for name, rows in created.get("set_aside", {}).items():
            full = _reflect(s, name)
            s.execute(insert(full), [_typed(full, r) for r in rows])
        at = now()
        for who, current in (("survivor", survivor), ("loser", loser)):
            values = _typed(_CUSTOMER, before[who])
            values.pop("id")
            values["search_text"] = customer_search_text(values["full_name"], values["code"],
                                                         values["phone"], values["email"],
                                                         values["company"])
            values["version"] = current["version"] + 1
            s.execute(update(_CUSTOMER).where(_CUSTOMER.c.id == current["id"]).values(**values))
        _refresh(s, [m.survivor_id, m.loser_id], moved)
        m.undone_at, m.undone_by = at, scope.user_id
        audit.record(s, scope, "merge_undo", "customer", m.survivor_id,
                     detail={"merge_id": m.id, "loser_id": m.loser_id})


def _typed(table, row: dict) -> dict:
    """A row read back from JSON: dates and times as Python values again."""
    out = {}
    for k, v in row.items():
        col = table.c[k]
        if v is not None and isinstance(col.type, DateTime):
            v = dt.datetime.fromisoformat(v)
        elif v is not None and isinstance(col.type, Date):
            v = dt.date.fromisoformat(v)
        out[k] = v
    return out


def recent(conn, limit: int = 20):
    """The latest merges with both codes, whether undone, and until when they can be."""
    days = settings.get(conn, "dupes.undo_days")
    s_, l_ = _CUSTOMER.alias("s"), _CUSTOMER.alias("l")
    rows = conn.execute(
        select(CustomerMerge.id, CustomerMerge.merged_at, CustomerMerge.undone_at,
               CustomerMerge.survivor_id, s_.c.code.label("survivor_code"),
               s_.c.full_name.label("survivor_name"), CustomerMerge.loser_id,
               l_.c.code.label("loser_code"))
        .join(s_, s_.c.id == CustomerMerge.survivor_id).join(l_, l_.c.id == CustomerMerge.loser_id)
        .order_by(CustomerMerge.merged_at.desc(), CustomerMerge.id.desc()).limit(limit)).all()
    return rows, days


def undoable_row(row: dict, days: int, at: dt.datetime | None = None) -> bool:
    """Not undone yet, and within the undo window."""
    at = at or now()
    return row["undone_at"] is None and at - row["merged_at"] <= dt.timedelta(days=days)



def records(engine: Engine, scope: Scope, a_id: int, b_id: int) -> tuple[dict, dict] | None:
    """Both alive records of a pair, every column (the compare view), or None."""
    _require(scope)
    with Session(engine) as s:
        rows = (_row(s, a_id), _row(s, b_id))
    if any(r is None or r["deleted_at"] is not None or r["erased_at"] is not None for r in rows):
        return None
    return rows


def recent_list(engine: Engine, scope: Scope, limit: int = 20) -> tuple[list, int]:
    _require(scope)
    with engine.connect() as conn:
        rows, days = recent(conn, limit)
    return [r._asdict() for r in rows], days
