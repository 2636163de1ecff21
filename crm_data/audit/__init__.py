"""The audit trail. Every write adds its row inside its own transaction (`record`), or in one
of its own (`log`); `browse` reads it back for the audit page, the CLI and the CSV export."""

from crm_data.audit.trail import log, record, to_json

__all__ = ["log", "record", "to_json"]
