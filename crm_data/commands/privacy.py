"""crm privacy export CODE --format json|xlsx -o FILE | crm privacy erase CODE --yes

One person's data (Decree 13/2023): the same functions as the customer page
(crm_data.privacy.person_data, crm_data.privacy.erasure); both are audited."""

from __future__ import annotations

from crm_data.commands import CommandError, add_db_option, engine_from, require_schema


def register(sub) -> None:
    p = sub.add_parser("privacy", help="export or erase one person's data (Decree 13/2023)")
    psub = p.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)

    e = psub.add_parser("export", help="everything about one customer as JSON or XLSX")
    add_db_option(e)
    e.add_argument("code", help="customer code, e.g. KH000123")
    e.add_argument("--format", choices=("json", "xlsx"), default=None,
                   help="file format (default: from the file name, else json)")
    e.add_argument("-o", "--output", required=True, help="file to write")
    e.set_defaults(func=cmd_export)

    r = psub.add_parser("erase", help="anonymise one customer everywhere, irreversibly "
                        "(orders and amounts are kept anonymously)")
    add_db_option(r)
    r.add_argument("code", help="customer code, e.g. KH000123")
    r.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    r.set_defaults(func=cmd_erase)


def _customer(engine, code: str) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.privacy.person_data import find_customer

    cid = find_customer(engine, SYSTEM, code)
    if cid is None:
        raise CommandError(f"no customer with code {code!r}")
    return cid


def cmd_export(args) -> int:
    from pathlib import Path

    from crm_data.accounts.scope import SYSTEM
    from crm_data.privacy.person_data import export_person

    engine = engine_from(args)
    require_schema(engine)
    fmt = args.format or ("xlsx" if args.output.lower().endswith(".xlsx") else "json")
    data = export_person(engine, SYSTEM, _customer(engine, args.code), fmt)
    Path(args.output).write_bytes(data)
    print(f"exported {args.code.upper()} to {args.output} ({fmt}, {len(data):,} bytes)")
    return 0


def cmd_erase(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.privacy.erasure import erase_person

    if not args.yes:
        raise CommandError("erasure cannot be undone: add --yes to confirm")
    engine = engine_from(args)
    require_schema(engine)
    done = erase_person(engine, SYSTEM, _customer(engine, args.code), args.code)
    changed = ", ".join(f"{k} {v}" for k, v in done.rows.items() if v)
    print(f"erased the personal data of {done.code} ({changed})")
    return 0
