"""crm init | seed | rebuild | demo-info"""

from __future__ import annotations

import time

from crm_data.commands import CommandError, add_db_option, engine_from, parse_date, require_schema


def register(sub) -> None:
    p = sub.add_parser("init", help="create or upgrade the database schema (safe to re-run)")
    add_db_option(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("seed", help="fill the database with realistic Vietnamese sample data")
    add_db_option(p)
    p.add_argument("--customers", type=int, default=5000, help="number of customers (default 5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed: same seed, same data")
    p.add_argument("--today", type=parse_date, help="pretend today is this date (yyyy-mm-dd)")
    p.add_argument("--if-empty", action="store_true",
                   help="do nothing unless the database is new (no customers and no users)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("rebuild", help="recompute the per-customer summary table")
    add_db_option(p)
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("demo-info", help="print the dashboard URL and the demo logins that exist")
    add_db_option(p)
    p.add_argument("--url", default="http://localhost:8501")
    p.set_defaults(func=cmd_demo_info)


def cmd_init(args) -> int:
    from crm_data.storage import schema

    engine = engine_from(args)
    schema.upgrade(engine)
    print(f"database ready at revision {schema.current_revision(engine)} ({engine.url.render_as_string()})")
    _first_admin(engine)
    return 0


def _first_admin(engine) -> None:
    """The first administrator from CRM_ADMIN_USERNAME / CRM_ADMIN_PASSWORD (an existing
    user of that name is left alone); `crm init` itself never creates a known password."""
    import os

    from crm_data.accounts.auth import AuthError, add_user, has_users, list_users

    username = os.environ.get("CRM_ADMIN_USERNAME", "").strip()
    password = os.environ.get("CRM_ADMIN_PASSWORD", "")
    if username and password:
        if any(u["username"] == username.lower() for u in list_users(engine)):
            print(f"user {username.lower()!r} exists; CRM_ADMIN_PASSWORD not applied")
            return
        try:
            add_user(engine, username, password, "admin", os.environ.get("CRM_ADMIN_NAME"))
        except AuthError as exc:
            raise CommandError(f"CRM_ADMIN_USERNAME / CRM_ADMIN_PASSWORD: {exc}") from exc
        print(f"added administrator {username.lower()!r}")
    elif not has_users(engine):
        print("no users yet: add the first administrator with `crm users add NAME --role admin` "
              "(or set CRM_ADMIN_USERNAME and CRM_ADMIN_PASSWORD and run `crm init`), "
              "or fill a new database with sample data and demo logins: `crm seed`")


def cmd_seed(args) -> int:
    from crm_data import sample

    if args.customers < 1:
        raise CommandError("--customers must be at least 1")
    engine = engine_from(args)
    require_schema(engine)
    if args.if_empty and not sample.is_new(engine):
        print("database already has customers or users; not seeding")
        return 0
    if not sample.is_empty(engine):
        raise CommandError("the database already has customers; seed an empty database")
    started = time.perf_counter()
    result = sample.generate(engine, customers=args.customers, seed=args.seed, ref=args.today)
    print(f"seeded {result.customers:,} customers, {result.orders:,} orders, "
          f"{result.interactions:,} interactions in {time.perf_counter() - started:.1f} s")
    if not sample.demo_logins(engine):
        print("no demo logins added: the database already had users")
    return 0


def cmd_rebuild(args) -> int:
    from crm_data import summaries

    engine = engine_from(args)
    require_schema(engine)
    started = time.perf_counter()
    count = summaries.rebuild_all(engine)
    print(f"rebuilt the summary of {count:,} customers in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_demo_info(args) -> int:
    from crm_data.sample import demo_logins

    engine = engine_from(args)
    require_schema(engine)
    logins = demo_logins(engine)
    print()
    print(f"  Dashboard: {args.url}")
    if logins:
        print("  Demo logins (username / password / role):")
        for username, password, role in logins:
            print(f"    {username:<8} {password:<12} {role}")
    else:
        print("  Sign in with your own account (`crm users list`; add one with "
              "`crm users add NAME --role admin`).")
    print()
    return 0
