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
    p.add_argument("--if-empty", action="store_true", help="do nothing when customers exist")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("rebuild", help="recompute the per-customer summary table")
    add_db_option(p)
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("demo-info", help="print the dashboard URL and the demo logins")
    p.add_argument("--url", default="http://localhost:8501")
    p.set_defaults(func=cmd_demo_info)


def cmd_init(args) -> int:
    from crm_data import schema

    engine = engine_from(args)
    schema.upgrade(engine)
    print(f"database ready at revision {schema.current_revision(engine)} ({engine.url.render_as_string()})")
    return 0


def cmd_seed(args) -> int:
    from crm_data import sample

    if args.customers < 1:
        raise CommandError("--customers must be at least 1")
    engine = engine_from(args)
    require_schema(engine)
    if args.if_empty and not sample.is_empty(engine):
        sample.ensure_demo_users(engine)
        print("database already has customers; not seeding")
        return 0
    if not sample.is_empty(engine):
        raise CommandError("the database already has customers; seed an empty database")
    started = time.perf_counter()
    result = sample.generate(engine, customers=args.customers, seed=args.seed, ref=args.today)
    print(f"seeded {result.customers:,} customers, {result.orders:,} orders, "
          f"{result.interactions:,} interactions in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_rebuild(args) -> int:
    from crm_data import summary

    engine = engine_from(args)
    require_schema(engine)
    started = time.perf_counter()
    count = summary.rebuild_all(engine)
    print(f"rebuilt the summary of {count:,} customers in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_demo_info(args) -> int:
    from crm_data.sample import DEMO_USERS

    print()
    print(f"  Dashboard: {args.url}")
    print("  Demo logins (username / password / role):")
    for username, password, role, _name in DEMO_USERS:
        if username in ("admin", "manager", "staff", "viewer"):
            print(f"    {username:<8} {password:<12} {role}")
    print()
    return 0
