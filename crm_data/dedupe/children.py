"""Every row that belongs to a customer, found by reading the live schema: each foreign key
to customers.id in any table (the inspector, not a hand-kept list, so that a table added
later follows a merge without anyone remembering it).

customer_stats is the one exception: it is derived, and crm_data.summaries recomputes it.
Another table keyed by the customer (one row each, e.g. a model's scores) keeps the
survivor's row; the loser's is moved when the survivor has none, set aside otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import column, inspect, table

DERIVED = frozenset({"customer_stats"})


@dataclass(frozen=True)
class Reference:
    table: str
    column: str  # the foreign key column
    pk: str  # the table's single-column primary key
    unique_with: tuple[tuple[str, ...], ...]  # other columns of unique keys holding `column`

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"

    def sql(self):
        cols = {self.column, self.pk, *(c for group in self.unique_with for c in group)}
        return table(self.table, *[column(c) for c in sorted(cols)])


def references(conn) -> list[Reference]:
    """(table, column) pairs pointing at customers.id, the customers table itself aside."""
    insp = inspect(conn)
    out = []
    for name in sorted(insp.get_table_names()):
        if name == "customers" or name in DERIVED:
            continue
        for fk in insp.get_foreign_keys(name):
            if fk["referred_table"] != "customers" or len(fk["constrained_columns"]) != 1:
                continue
            col = fk["constrained_columns"][0]
            pk = insp.get_pk_constraint(name)["constrained_columns"]
            if len(pk) != 1:
                raise RuntimeError(f"{name}: a merge moves rows by a single-column primary key")
            uniques = [u["column_names"] for u in insp.get_unique_constraints(name)]
            uniques += [i["column_names"] for i in insp.get_indexes(name) if i.get("unique")]
            groups = tuple(tuple(c for c in u if c != col) for u in uniques if col in u)
            if pk == [col]:  # one row per customer: the survivor's own row wins
                groups += ((),)
            out.append(Reference(name, col, pk[0], groups))
    return out
