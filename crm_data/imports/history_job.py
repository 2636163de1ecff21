"""Orders and interactions imported a chunk at a time, inside the import's one transaction:
each chunk's rows find their customers (owners.Resolver: existing ones as they were before
the import, or ones this import created in an earlier chunk), are planned and written. Order
codes seen in earlier chunks are kept on disk (KeyStore), so that a later line of an order
joins it wherever it is in the file. A customer whose earliest row is older than their
creation is moved back to it chunk by chunk."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_data.imports import customers, interactions, orders
from crm_data.imports.cells import Context
from crm_data.imports.idlist import IdList
from crm_data.imports.keystore import KeyStore
from crm_data.imports.lookup import CodeSequence
from crm_data.imports.owners import Resolver
from crm_data.storage.models import Order


class InteractionJob:
    code_fields = {"customer_code": customers.CODE_PREFIX}
    tables = ("customers", "interactions", "customer_stats", "stage_changes")

    def __init__(self, session: Session, ctx: Context, duplicates: str,
                 sequences: dict[str, CodeSequence], create_missing: bool = False):
        self.ctx, self.duplicates = ctx, duplicates
        self.resolver = Resolver.start(session, ctx, create_missing, sequences["customer_code"])
        self.touched = IdList()
        self.inserted = self.updated = 0
        self.similar: list = []

    @property
    def created_customers(self) -> int:
        return self.resolver.created

    def plan(self, session: Session, rows: list[tuple[int, dict]]):
        self.resolver.begin_chunk(session, [v for _n, v in rows])
        return interactions.plan(session, self.ctx, rows, self.duplicates, resolver=self.resolver)

    def write(self, session: Session, p) -> None:
        self.touched.update(interactions.write(session, p))
        self.resolver.start_at_earliest(session)
        self.inserted += interactions.counts(p)[0]

    def finish(self, session: Session) -> None:
        del session

    def complete(self, session: Session) -> IdList:
        del session
        return self.touched

    def close(self) -> None:
        self.resolver.close()


class OrderJob(InteractionJob):
    code_fields = {"code": orders.CODE_PREFIX, "customer_code": customers.CODE_PREFIX}
    tables = ("customers", "orders", "order_lines", "customer_stats", "stage_changes")

    def __init__(self, session: Session, ctx: Context, duplicates: str,
                 sequences: dict[str, CodeSequence], create_missing: bool = False):
        super().__init__(session, ctx, duplicates, sequences, create_missing)
        self.codes = sequences["code"]
        self.codes.see(orders.max_codes(session))
        self.max_order_id = session.scalar(select(func.max(Order.id))) or 0
        self.store = KeyStore()

    def plan(self, session: Session, rows: list[tuple[int, dict]]):
        self.resolver.begin_chunk(session, [v for _n, v in rows])
        codes = {v["code"] for _n, v in rows if v.get("code")}
        return orders.plan(session, self.ctx, rows, self.duplicates, resolver=self.resolver,
                           existing=orders.existing_orders(session, codes, self.max_order_id),
                           stored=self.store.get_many(codes), codes=self.codes)

    def write(self, session: Session, p) -> None:
        touched, remember = orders.write(session, p)
        self.touched.update(touched)
        self.resolver.start_at_earliest(session)
        inserted, updated = orders.counts(p)
        self.inserted += inserted
        self.updated += updated
        self.store.put_many(remember)

    def close(self) -> None:
        try:
            self.store.close()
        finally:
            super().close()
