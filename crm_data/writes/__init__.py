"""Writes behind the customer forms: each function is one transaction with an audit row
and a summary refresh of the customers it touched.

- writes.customer: create / update / soft delete / restore a customer
- writes.bulk: bulk edit of a selection (owner, tags, stage)
- writes.activity: interactions, orders, payments, feedback, appointments
- writes.stages: move a lead / journey stage (lost needs a reason)

Errors the forms show: ValidationFailed (per-field i18n keys), DuplicateFound (a likely
duplicate needs confirmation), Conflict (someone saved since the form was loaded),
NotFound (not there or not yours); PermissionError for a role that may not write.
"""

from __future__ import annotations

from crm_data.records.writing import Conflict, DuplicateFound, NotFound, ValidationFailed

__all__ = ["Conflict", "DuplicateFound", "NotFound", "ValidationFailed"]
