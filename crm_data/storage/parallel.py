"""Independent one-row read statements at once, each on its own pooled connection.

On PostgreSQL every statement of a READ COMMITTED transaction takes its own snapshot, so
running a page's independent aggregates on separate connections gives the same guarantees
as running them one after the other on one connection, in about the time of the slowest
(each is a server process of its own). SQLite keeps them on one connection: there one
transaction is one snapshot, and a thread would only add GIL contention to its CPU work.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, Row

# A few at a time: more would only queue on a 2-core server and take pooled connections
# that other sessions' pages need (the pool holds 10 + 10 overflow).
WORKERS = 3


def one_rows(engine: Engine, statements: list) -> list[Row]:
    """Each statement's single row, in the order given."""
    if engine.dialect.name != "postgresql" or len(statements) < 2:
        with engine.connect() as conn:
            return [conn.execute(q).one() for q in statements]

    def run(q):
        with engine.connect() as conn:
            return conn.execute(q).one()

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(statements))) as pool:
        return list(pool.map(run, statements))
