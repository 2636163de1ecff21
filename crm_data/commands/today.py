"""crm today [--date D] [--user U] [--kind K …] [--owner U …] [--format table|json|csv]:
the Today list the dashboard shows that user (crm_data.daily.today.items)."""

from __future__ import annotations

import json
import sys

from crm_data.commands import CommandError, add_db_option, engine_from, parse_date, require_schema


def register(sub) -> None:
    from crm_data.daily.today import KINDS, PER_KIND

    p = sub.add_parser("today", help="print the Today list (follow-ups, appointments, birthdays, …)")
    add_db_option(p)
    p.add_argument("--date", type=parse_date, help="the day (default: today, Vietnam time)")
    p.add_argument("--user", help="as this user sees it (default: the system, every customer)")
    p.add_argument("--kind", action="append", choices=KINDS, help="only these kinds (repeatable)")
    p.add_argument("--owner", action="append", help="only customers of these owners (username)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the reasons")
    p.add_argument("--limit", type=int, default=PER_KIND,
                   help=f"items per kind, the earliest due first, as the page lists them (default "
                        f"{PER_KIND}; 0: all)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_today)


def _user_ids(engine, names) -> dict[str, tuple]:
    from sqlalchemy import select

    from crm_data.storage.models import User

    with engine.connect() as conn:
        rows = conn.execute(select(User.username, User.id, User.role)
                            .where(User.username.in_([n.strip().lower() for n in names]))).all()
    found = {r.username: (r.id, r.role) for r in rows}
    missing = [n for n in names if n.strip().lower() not in found]
    if missing:
        raise CommandError(f"no such user: {', '.join(missing)}")
    return found


def cmd_today(args) -> int:
    from crm_data import summaries
    from crm_data.accounts.scope import SYSTEM, Scope
    from crm_data.commands.reports import _records
    from crm_data.daily import today

    engine = engine_from(args)
    require_schema(engine)
    summaries.ensure_fresh(engine)  # as the dashboard does: today's groups and scores
    scope = SYSTEM
    if args.user:
        (name, (uid, role)), = _user_ids(engine, [args.user]).items()
        scope = Scope(uid, name, role)
    owners = tuple(uid for uid, _role in _user_ids(engine, args.owner).values()) if args.owner else ()
    try:
        df = today.items(engine, scope, args.date, owners=owners, which=tuple(args.kind or ()),
                         lang=args.lang, limit=args.limit or None)
    except PermissionError as exc:
        raise CommandError(str(exc)) from exc
    if args.format == "json":
        json.dump(_records(df), sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        df.to_csv(sys.stdout, index=False)
    else:
        from crm_data.i18n import t
        from crm_data.reports import text_table

        shown = df.drop(columns=["customer_id", "owner_id", "source_id", "kind_total"])
        shown["kind"] = shown["kind"].map(lambda k: t(f"today.kind.{k}", args.lang))
        print(text_table.render(shown, args.lang))
    return 0
