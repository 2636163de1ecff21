"""Scope and filter on fact tables (orders, interactions, stage changes) without joining
every fact row to customers + customer_stats.

With no filter, a role that sees every customer only has to skip deleted customers: a
NOT IN over the (few) deleted ids. Otherwise a semi-join IN (visible ids) — both engines
build a hash / ephemeral index of the ids once instead of two primary-key probes per row.

The semi-join tests `customer_id + 0`: SQLite would otherwise drive the query from the list
of ids, probing (customer_id, date) once per visible customer — thousands of probes for a
staff member's customers — instead of reading the period's index range once (the covering
date indexes) and checking each row against the list. PostgreSQL plans a hash semi-join
either way. A scope-only list (no filter) needs no customer_stats join.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, literal_column, select

from crm_data.accounts.scope import Scope
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import visible_customer_ids
from crm_data.storage.models import Customer


def visible(customer_id_col, scope: Scope, flt: CustomerFilter | None,
            ref: dt.date | None = None) -> ColumnElement[bool]:
    """`customer_id_col` (of a fact table) belongs to a customer this actor may see under
    the filter; the same set as customer_where over customers_from()."""
    unfiltered = flt is None or flt.is_empty()
    if scope.sees_all_customers and unfiltered:
        return customer_id_col.not_in(select(Customer.id).where(Customer.deleted_at.is_not(None)))
    ids = (select(Customer.id).where(scope.customer_clause(Customer)) if unfiltered
           else visible_customer_ids(scope, flt, ref))
    return within(customer_id_col, ids)


def within(customer_id_col, ids) -> ColumnElement[bool]:
    """`customer_id_col` is in the SELECT of ids `ids` (read the fact table's index range,
    check each row against the ids: the `+ 0` above)."""
    return (customer_id_col + literal_column("0")).in_(ids)


def visible_per_customer(customer_id_col, scope: Scope, flt: CustomerFilter | None,
                         ref: dt.date | None = None) -> ColumnElement[bool]:
    """The same set, written so that SQLite drives the query from the visible customers
    (`customer_id IN (their ids)`, probing a (customer_id, date, …) covering index): for
    aggregates per customer over a long period, whose groups then come out in customer order
    without sorting the period's rows."""
    if flt is None or flt.is_empty():
        return customer_id_col.in_(select(Customer.id).where(scope.customer_clause(Customer)))
    return customer_id_col.in_(visible_customer_ids(scope, flt, ref))
