"""crm backup FILE | crm restore FILE"""

from __future__ import annotations

from crm_data.commands import CommandError, add_db_option, engine_from, require_schema


def register(sub) -> None:
    p = sub.add_parser("backup", help="copy the whole database to FILE (safe while the app runs)")
    p.add_argument("file", help="the backup file to write (SQLite file, or pg_dump -Fc archive)")
    p.add_argument("--yes", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    add_db_option(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the whole database with the backup in FILE")
    p.add_argument("file", help="a file written by `crm backup` for the same kind of database")
    p.add_argument("--yes", action="store_true", help="confirm: all current data is replaced")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    add_db_option(p)
    p.set_defaults(func=cmd_restore)


def _say(key: str, lang: str, values: dict) -> str:
    from crm_data.i18n import t

    return t(key, lang, **values)


def cmd_backup(args) -> int:
    from crm_data.admin import backup
    from crm_data.domain.formatting import number

    engine = engine_from(args)
    require_schema(engine)
    try:
        done = backup.backup(engine, args.file, overwrite=args.yes)
    except backup.BackupError as exc:
        raise CommandError(_say(exc.key, args.lang, exc.values)) from exc
    print(_say("backup.done", args.lang, {"tables": done.tables, "rows": number(done.rows, args.lang),
                                          "path": done.path}))
    return 0


def cmd_restore(args) -> int:
    from crm_data.admin import backup
    from crm_data.domain.formatting import number

    engine = engine_from(args)
    try:
        done = backup.restore(engine, args.file, confirm=args.yes)
    except backup.BackupError as exc:
        raise CommandError(_say(exc.key, args.lang, exc.values)) from exc
    print(_say("backup.restored", args.lang, {"tables": done.tables, "rows": number(done.rows, args.lang),
                                              "path": done.path}))
    return 0
