"""crm duplicates find | list | merge SURVIVOR LOSER | undo MERGE_ID — the duplicates page's
functions (crm_data.dedupe) from the command line, acting as the system administrator."""

from __future__ import annotations

from crm_data.commands import CommandError, add_db_option, engine_from, require_schema


def register(sub) -> None:
    p = sub.add_parser("duplicates", help="find likely duplicate customers, merge, undo a merge")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("find", help="scan every customer and store the likely pairs")
    a.set_defaults(func=cmd_find)
    a = actions.add_parser("list", help="the stored pairs, best first")
    a.add_argument("--limit", type=int, default=50)
    a.set_defaults(func=cmd_list)
    a = actions.add_parser("merge", help="merge LOSER into SURVIVOR (customer ids)")
    a.add_argument("survivor", type=int)
    a.add_argument("loser", type=int)
    a.add_argument("--yes", action="store_true", help="confirm the merge")
    a.set_defaults(func=cmd_merge)
    a = actions.add_parser("undo", help="undo the merge MERGE_ID")
    a.add_argument("merge_id", type=int)
    a.set_defaults(func=cmd_undo)
    for parser in actions.choices.values():
        parser.add_argument("--lang", choices=("vi", "en"), default="vi")
        add_db_option(parser)


def _engine(args):
    engine = engine_from(args)
    require_schema(engine)
    return engine


def cmd_find(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.dedupe import finder
    from crm_data.i18n import t

    print(t("dupes.found", args.lang, n=finder.refresh(_engine(args), SYSTEM)))
    return 0


def cmd_list(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.dedupe import finder, reasons

    for p in finder.pair_list(_engine(args), SYSTEM, args.limit):
        print(f"{p[1]:>3}  {p[3]} {p[4]} {p[5]}  |  {p[6]} {p[7]} {p[8]}  |  "
              f"{reasons.describe(p[2], args.lang)}")
    return 0


def cmd_merge(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.dedupe import merge
    from crm_data.i18n import t
    from crm_data.writes import NotFound

    if not args.yes:
        raise CommandError(t("dupes.need_confirm", args.lang) + " (--yes)")
    try:
        done = merge.merge(_engine(args), SYSTEM, args.survivor, args.loser)
    except (NotFound, ValueError) as exc:
        raise CommandError(t("dupes.gone", args.lang)) from exc
    print(t("dupes.merged", args.lang, moved=done.moved, code=args.survivor), f"(merge {done.merge_id})")
    return 0


def cmd_undo(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.dedupe import merge
    from crm_data.i18n import t
    from crm_data.writes import NotFound

    try:
        merge.undo(_engine(args), SYSTEM, args.merge_id)
    except merge.UndoRefused as exc:
        raise CommandError(t(exc.reason, args.lang)) from exc
    except NotFound as exc:
        raise CommandError(str(exc)) from exc
    print(t("dupes.undo.done", args.lang))
    return 0
