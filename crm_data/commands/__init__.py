"""Subcommands of `crm`; each module has register(subparsers)."""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy import Engine


class CommandError(Exception):
    """A user error: printed as one line, exit code 2."""


def engine_from(args, bulk: bool = False) -> Engine:
    """The command's engine; `bulk`: for one long write (storage.db.make_bulk_engine)."""
    from crm_data.storage.db import make_bulk_engine, make_engine

    return (make_bulk_engine if bulk else make_engine)(getattr(args, "database_url", None) or None)


def add_db_option(parser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: CRM_DATABASE_URL or data/crm.db)")


def parse_date(text: str) -> dt.date:
    """yyyy-mm-dd or dd/mm/yyyy (an argparse type: a bad date is a usage error)."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (use yyyy-mm-dd or dd/mm/yyyy)")


def require_schema(engine: Engine) -> None:
    from crm_data.storage import schema

    if schema.current_revision(engine) is None:
        raise CommandError("the database has no schema yet: run `crm init` first")
