"""Scope and filter on fact tables (orders, interactions, stage changes) without joining
every fact row to customers + customer_stats.

With no filter, a role that sees every customer only has to skip deleted customers: a
NOT IN over the (few) deleted ids. Otherwise a semi-join IN (visible ids) — both engines
build a hash / ephemeral index of the ids once instead of two primary-key probes per row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, select

from crm_data.filters import CustomerFilter
from crm_data.models import Customer
from crm_data.reports.base import visible_customer_ids
from crm_data.scope import Scope


def visible(customer_id_col, scope: Scope, flt: CustomerFilter | None,
            ref: dt.date | None = None) -> ColumnElement[bool]:
    """`customer_id_col` (of a fact table) belongs to a customer this actor may see under
    the filter; the same set as customer_where over customers_from()."""
    if scope.sees_all_customers and (flt is None or flt.is_empty()):
        return customer_id_col.not_in(select(Customer.id).where(Customer.deleted_at.is_not(None)))
    return customer_id_col.in_(visible_customer_ids(scope, flt, ref))
