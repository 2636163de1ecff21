"""crm users add | list | disable | enable | set-role | reset-password | unlock"""

from __future__ import annotations

import getpass
import json
import os

from crm_data.accounts.scope import ROLES
from crm_data.commands import CommandError, add_db_option, engine_from, require_schema


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

    p = usub.add_parser("list", help="list users with their sign-in wait")
    add_db_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_list)

    for action, help_text in (("disable", "disable a user and end their sessions"),
                              ("enable", "enable a disabled user"),
                              ("unlock", "clear the sign-in wait of a user")):
        p = usub.add_parser(action, help=help_text)
        add_db_option(p)
        p.add_argument("username")
        p.set_defaults(func=cmd_change, action=action)

    p = usub.add_parser("set-role", help="give a user another role")
    add_db_option(p)
    p.add_argument("username")
    p.add_argument("role", choices=ROLES)
    p.set_defaults(func=cmd_change, action="set-role")

    p = usub.add_parser("reset-password", help="set a new password (ends the user's sessions)")
    add_db_option(p)
    p.add_argument("username")
    p.add_argument("--password", help="new password (prompted when omitted; or CRM_PASSWORD)")
    p.set_defaults(func=cmd_change, action="reset-password")


def _password(args) -> str:
    password = args.password or os.environ.get("CRM_PASSWORD")
    if not password:
        password = getpass.getpass("Password: ")
    return password


def cmd_add(args) -> int:
    from crm_data.accounts.auth import AuthError, add_user

    engine = engine_from(args)
    require_schema(engine)
    try:
        user_id = add_user(engine, args.username, _password(args), args.role, args.name)
    except AuthError as exc:
        raise CommandError(str(exc)) from exc
    print(f"added user {args.username.strip().lower()!r} ({args.role}), id {user_id}")
    return 0


def cmd_change(args) -> int:
    from crm_data.accounts import auth

    engine = engine_from(args)
    require_schema(engine)
    calls = {
        "disable": lambda: auth.set_active(engine, args.username, False),
        "enable": lambda: auth.set_active(engine, args.username, True),
        "unlock": lambda: auth.unlock(engine, args.username),
        "set-role": lambda: auth.set_role(engine, args.username, getattr(args, "role", "")),
        "reset-password": lambda: auth.reset_password(engine, args.username, _password(args)),
    }
    try:
        calls[args.action]()
    except auth.AuthError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.action}: {args.username.strip().lower()!r} done")
    return 0


def cmd_list(args) -> int:
    from crm_data.accounts.auth import list_users

    engine = engine_from(args)
    require_schema(engine)
    users = list_users(engine)
    if args.format == "json":
        print(json.dumps(users, ensure_ascii=False, default=str, indent=2))
        return 0
    for u in users:
        state = "active" if u["active"] else "disabled"
        wait = f"wait {u['retry_after']} s" if u["retry_after"] else ""
        last = u["last_login_at"].strftime("%d/%m/%Y %H:%M") if u["last_login_at"] else "-"
        print(f"{u['id']:>4}  {u['username']:<16} {u['role']:<8} {state:<9} {last:<16} "
              f"{wait:<10} {u['display_name']}")
    return 0
