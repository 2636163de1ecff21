"""crm rules apply | show | history — the classification rules (the Rules page's data)."""

from __future__ import annotations

import json
import time

from crm_data.commands import add_db_option, engine_from, parse_date, require_schema


def register(sub) -> None:
    p = sub.add_parser("rules", help="classification rules: apply them, show them, list versions")
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)

    a = rsub.add_parser("apply", help="re-apply the rules in force to every customer (tier, groups, "
                        "RFM, journey stage)")
    add_db_option(a)
    a.add_argument("--today", type=parse_date, help="pretend today is this date (yyyy-mm-dd)")
    a.set_defaults(func=cmd_apply)

    s = rsub.add_parser("show", help="print the rules in force (JSON) and the label definitions")
    add_db_option(s)
    s.add_argument("--version", type=int, help="a previous version instead")
    s.set_defaults(func=cmd_show)

    h = rsub.add_parser("history", help="list the versions, newest first")
    add_db_option(h)
    h.set_defaults(func=cmd_history)


def cmd_apply(args) -> int:
    from crm_data.rules import apply as rules_apply
    from crm_data.rules import store as rules_store

    engine = engine_from(args)
    require_schema(engine)
    started = time.perf_counter()
    count = rules_apply.apply_all(engine, args.today)
    version = rules_store.current(engine)[0]
    print(f"rules version {version} applied to {count:,} customers in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_show(args) -> int:
    from crm_data.commands import CommandError
    from crm_data.i18n import t
    from crm_data.rules import store as rules_store

    engine = engine_from(args)
    require_schema(engine)
    version, defn = rules_store.current(engine)
    if args.version is not None:
        defn, version = rules_store.definition_of(engine, args.version), args.version
        if defn is None:
            raise CommandError(f"no rules version {args.version}")
    print(json.dumps({"version": version, "definition": defn}, ensure_ascii=False, indent=2))
    n = defn["churn_days"]
    print(t("rules.definitions", "en", n=n, half=n // 2))
    return 0


def cmd_history(args) -> int:
    from crm_data.rules import store as rules_store

    engine = engine_from(args)
    require_schema(engine)
    for row in rules_store.history(engine).itertuples():
        restored = f" (restored from {int(row.restored_from)})" if row.restored_from == row.restored_from \
            and row.restored_from is not None else ""
        print(f"{row.version}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.created_by_name or '-'}\t"
              f"{row.note or ''}{restored}")
    return 0
