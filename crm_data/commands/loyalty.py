"""crm loyalty expire [--date D]"""

from __future__ import annotations

from crm_data.commands import add_db_option, engine_from, parse_date, require_schema


def register(sub) -> None:
    p = sub.add_parser("loyalty", help="loyalty points: expire the points due (crm loyalty expire)")
    add_db_option(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    e = actions.add_parser("expire", help="write the expiry of points due by --date (default today); "
                           "safe to re-run; nothing when loyalty.expiry_months is 0")
    add_db_option(e)
    e.add_argument("--date", type=parse_date, help="expire what is due by this day (default: today)")
    e.set_defaults(func=cmd_expire)


def cmd_expire(args) -> int:
    from crm_data.admin import settings
    from crm_data.domain.clock import today
    from crm_data.summaries import loyalty_expiry

    engine = engine_from(args)
    require_schema(engine)
    day = args.date or today()
    months = settings.get(engine, "loyalty.expiry_months")
    if months <= 0:
        print("points never expire (loyalty.expiry_months = 0): nothing to do")
        return 0
    customers, points = loyalty_expiry.expire_all(engine, day)
    print(f"{day:%d/%m/%Y}: {points} points expired for {customers} customers "
          f"(after {months} months)")
    return 0
