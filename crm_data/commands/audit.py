"""crm audit [--user U] [--action A] [--entity E --id N] [--from D --to D] [--format table|json|csv]

The same rows, in the same order, as the Audit page (crm_data.audit.browse)."""

from __future__ import annotations

import json
import sys

from crm_data.commands import CommandError, add_db_option, engine_from, parse_date, require_schema


def register(sub) -> None:
    p = sub.add_parser("audit", help="print the audit log (newest first), filtered")
    add_db_option(p)
    p.add_argument("--user", help="username (\"system\": the command line)")
    p.add_argument("--action", help="login, logout, create, update, delete, export, download, "
                   "import, import_failed, denied, erase, person_export, …")
    p.add_argument("--entity", help="record type: customer, order, user, customers, audit_log, …")
    p.add_argument("--id", dest="entity_id", help="record id (with --entity)")
    p.add_argument("--from", dest="start", type=parse_date, help="first day (yyyy-mm-dd)")
    p.add_argument("--to", dest="end", type=parse_date, help="last day, inclusive")
    p.add_argument("--limit", type=int, help="at most this many rows")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args) -> int:
    from itertools import islice

    from crm_data.accounts.scope import SYSTEM
    from crm_data.audit import browse as audit_log

    if args.entity_id and not args.entity:
        raise CommandError("--id needs --entity")
    if args.start and args.end and args.start > args.end:
        raise CommandError("--from is after --to")
    engine = engine_from(args)
    require_schema(engine)
    flt = audit_log.AuditFilter(user=args.user, action=args.action, entity=args.entity,
                                entity_id=args.entity_id, start=args.start, end=args.end)
    rows = audit_log.iter_rows(engine, SYSTEM, flt)
    if args.limit is not None:
        rows = islice(rows, max(0, args.limit))
    if args.format == "csv":
        audit_log.write_csv(rows, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return 0
    if args.format == "json":
        out = [{**r, "at": r["at"].isoformat(sep=" ")} for r in rows]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        record = f"{r['entity'] or ''}#{r['entity_id']}" if r["entity_id"] else (r["entity"] or "")
        print(f"{r['id']:>7}  {r['at']:%Y-%m-%d %H:%M:%S}  {r['username'] or '':<16} "
              f"{r['action']:<14} {record:<20} {r['detail'] or ''}")
    return 0
