"""crm users add | list"""

from __future__ import annotations

import getpass
import json

from crm_data.commands import CommandError, add_db_option, engine_from, require_schema
from crm_data.scope import ROLES


def register(sub) -> None:
    users = sub.add_parser("users", help="manage dashboard users")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    p = usub.add_parser("add", help="add a user")
    add_db_option(p)
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument("--name", help="display name")
    p.add_argument("--password", help="password (prompted when omitted; or CRM_PASSWORD)")
    p.set_defaults(func=cmd_add)

    p = usub.add_parser("list", help="list users")
    add_db_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_list)


def cmd_add(args) -> int:
    import os

    from crm_data.auth import AuthError, add_user

    engine = engine_from(args)
    require_schema(engine)
    password = args.password or os.environ.get("CRM_PASSWORD")
    if not password:
        password = getpass.getpass("Password: ")
    try:
        user_id = add_user(engine, args.username, password, args.role, args.name)
    except AuthError as exc:
        raise CommandError(str(exc)) from exc
    print(f"added user {args.username!r} ({args.role}), id {user_id}")
    return 0


def cmd_list(args) -> int:
    from crm_data.auth import list_users

    engine = engine_from(args)
    require_schema(engine)
    users = list_users(engine)
    if args.format == "json":
        print(json.dumps(users, ensure_ascii=False, default=str, indent=2))
        return 0
    for u in users:
        print(f"{u['id']:>4}  {u['username']:<16} {u['role']:<8} {'active' if u['active'] else 'disabled':<9} {u['display_name']}")
    return 0
