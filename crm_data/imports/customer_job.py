"""A customers import a chunk at a time, inside the import's one transaction: each chunk is
planned (customers.plan) against the customers as they were before the import and against
the file's keys that earlier chunks planned (kept on disk in a KeyStore), then written.
Lead answers and churn reasons are written last, once per customer, as before chunking."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_data.imports import customer_extras as extras
from crm_data.imports import customers
from crm_data.imports.cells import Context
from crm_data.imports.idlist import IdList
from crm_data.imports.keystore import SEP, KeyStore, key
from crm_data.imports.lookup import CodeSequence, CustomerIndex, customer_codes
from crm_data.imports.similar import similar_notes
from crm_data.storage.models import Customer


def record_key(number: int) -> str:
    return f"r{SEP}{number}"


class CustomerJob:
    code_fields = {"code": customers.CODE_PREFIX}  # file codes the code sequence must skip
    tables = ("customers", "customer_stats")  # what it fills (planner statistics)

    def __init__(self, session: Session, ctx: Context, duplicates: str,
                 sequences: dict[str, CodeSequence], create_missing: bool = False):
        del create_missing
        self.ctx, self.duplicates = ctx, duplicates
        self.max_id = session.scalar(select(func.max(Customer.id))) or 0
        self.codes = sequences["code"]
        self.codes.see(customer_codes(session, customers.CODE_PREFIX))
        self.store = KeyStore()
        self.before: dict[int, tuple] = {}  # customers the import updated: keys as they were
        self.extras: dict[int, list] = {}  # id → [(kind, row) order, found]
        self.similar: list = []  # notes, after the rows' own notes as before chunking
        self.touched = IdList()
        self.inserted = self.updated = 0
        self.created_customers = 0
        self._index: CustomerIndex | None = None

    def plan(self, session: Session, rows: list[tuple[int, dict]]) -> customers.Plan:
        values = [v for _n, v in rows]
        index = CustomerIndex.for_keys(
            session, {v["code"] for v in values if v.get("code")},
            {v["phone"] for v in values if v.get("phone")},
            {v["email"] for v in values if v.get("email")}, self.max_id, self.before)
        refs = self.store.get_many(key(*k) for v in values for k in customers._keys(v))
        records = self.store.get_many(record_key(n) for n in set(refs.values()))
        in_file = {tuple(k.split(SEP, 1)): records[record_key(n)] for k, n in refs.items()}
        self._stored = set(in_file)
        self._index = index
        p = customers.plan(session, self.ctx, rows, self.duplicates, index, in_file, self.codes)
        self.similar.extend(similar_notes(session, [(x.number, x.values) for x in p.inserts],
                                          self.max_id))
        return p

    def write(self, session: Session, p: customers.Plan) -> None:
        new_ids, later = customers.write(session, p)
        inserted, updated = customers.counts(p)
        self.inserted += inserted
        self.updated += updated
        records: dict[str, customers.Stored] = {}
        for x in p.inserts:
            cid = new_ids[x.values["code"]]
            self.touched.update((cid,))
            records[record_key(x.number)] = customers.Stored(x.number, cid, None, x.file_code)
        for x in p.updates:
            self.touched.update((x.existing_id,))
            self.before.setdefault(x.existing_id, self._index.keys[x.existing_id])
            records[record_key(x.number)] = customers.Stored(
                x.number, x.existing_id, x.existing_id, None)
        stored = {s.number: s for s in p.in_file.values() if isinstance(s, customers.Stored)}
        for x in p.merges:
            earlier = stored[x.number]
            if earlier.existing_id is None and not earlier.code and x.values.get("code"):
                records[record_key(x.number)] = customers.Stored(
                    x.number, earlier.cid, None, x.values["code"])
        for x, found in later:
            cid = x.existing_id if x.existing_id is not None else new_ids[x.values["code"]]
            first = stored.get(x.number) if x.merge else None
            was_insert = (x.existing_id is None) if first is None else first.existing_id is None
            entry = self.extras.setdefault(cid, [(0 if was_insert else 1, x.number), {}])
            entry[1].update(found)
        refs = {key(*k): (v.number) for k, v in p.in_file.items() if k not in self._stored}
        self.store.put_many(refs)
        self.store.put_many(records)

    def finish(self, session: Session):
        """Nothing is left to plan: every chunk was planned when it was read."""
        del session

    def complete(self, session: Session) -> IdList:
        later = [(customers.Planned(0, {}, existing_id=cid), found)
                 for cid, (_order, found) in sorted(self.extras.items(), key=lambda e: e[1][0])]
        extras.write(session, self.ctx.scope, later, {})
        return self.touched

    def close(self) -> None:
        self.store.close()
