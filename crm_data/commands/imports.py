"""crm import customers|orders|interactions FILE"""

from __future__ import annotations

import sys
from pathlib import Path

from crm_data.commands import CommandError, add_db_option, engine_from, require_schema

KINDS = ("customers", "orders", "interactions")


def register(sub) -> None:
    p = sub.add_parser(
        "import", help="import customers, orders or interactions from CSV / XLSX",
        description="One transaction: with --on-error abort (default) any bad row stops the "
                    "import and nothing is written; with skip the good rows go in.")
    add_db_option(p)
    p.add_argument("kind", choices=KINDS)
    p.add_argument("file", type=Path)
    p.add_argument("--mapping", type=Path, help="saved column mapping (JSON)")
    p.add_argument("--save-mapping", type=Path, help="write the mapping used to this JSON file")
    p.add_argument("--sheet", help="sheet of an XLSX file (default: the first)")
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.add_argument("--on-error", choices=("abort", "skip"), default="abort")
    p.add_argument("--duplicates", choices=("skip", "update", "abort"), default="skip",
                   help="existing customer / order (by code, phone, email): default skip")
    p.add_argument("--rejects", type=Path, help="write the reject report (.csv or .xlsx)")
    p.add_argument("--create-missing-customers", action="store_true",
                   help="orders / interactions: create customers the file names but the "
                        "database does not have")
    p.add_argument("--user", help="act as this user (default: system administrator)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_import)


def _scope(engine, username: str | None):
    from sqlalchemy import select

    from crm_data.accounts.scope import SYSTEM, Scope
    from crm_data.storage.models import User

    if not username:
        return SYSTEM
    with engine.connect() as conn:
        row = conn.execute(select(User.id, User.username, User.role)
                           .where(User.username == username.lower())).first()
    if row is None:
        raise CommandError(f"no user {username!r}")
    return Scope(row.id, row.username, row.role)


def cmd_import(args) -> int:
    from crm_data.i18n import t
    from crm_data.imports import FileProblem, import_file
    from crm_data.imports import mapping as mp
    from crm_data.imports.rejects import message, reasons, report_csv, report_xlsx

    lang = args.lang
    engine = engine_from(args, bulk=True)
    require_schema(engine)
    scope = _scope(engine, args.user)
    saved = None
    if args.mapping:
        try:
            saved = mp.from_json(args.mapping.read_bytes())
        except OSError as exc:
            raise CommandError(f"cannot read {args.mapping}: {exc}") from exc
        except FileProblem as exc:
            raise CommandError(message(exc, lang)) from exc

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(t("import.running", lang, done=done, total=total), flush=True)

    try:
        result = import_file(
            engine, scope, args.file, args.kind, sheet=args.sheet, mapping=saved,
            on_error=args.on_error, duplicates=args.duplicates,
            create_missing_customers=args.create_missing_customers, dry_run=args.dry_run,
            progress=progress)
    except FileProblem as exc:
        raise CommandError(message(exc, lang)) from exc
    if args.save_mapping:
        args.save_mapping.write_text(mp.to_json(result.mapping, args.kind), encoding="utf-8")
    counts = ", ".join(f"{t(f'import.count.{k}', lang)}: {v:,}" for k, v in result.counts().items()
                       if v or k in ("read", "inserted"))
    print(f"{args.file.name}: {counts} ({result.seconds:.1f} s)")
    for number, note in result.notes[:20]:
        print(f"  {t('import.report.row', lang)} {number}: {message(note, lang)}")
    if len(result.notes) > 20:
        print(f"  … {len(result.notes) - 20:,} {t('import.notes', lang).lower()}")
    for r in result.rows[:50]:
        print(f"  {t('import.report.row', lang)} {r.row} [{t(f'import.status.{r.status}', lang)}]: "
              f"{reasons(r.issues, lang)}", file=sys.stderr)
    if len(result.rows) > 50:
        print(f"  … {len(result.rows) - 50:,}", file=sys.stderr)
    if args.rejects and result.rows:
        data = report_xlsx(result, lang) if args.rejects.suffix.lower() == ".xlsx" \
            else report_csv(result, lang)
        args.rejects.write_bytes(data)
        print(f"{t('import.rejects', lang)}: {args.rejects}")
    if args.dry_run:
        print(t("import.cli.dry_run", lang))
    if result.aborted:
        print(message(result.abort_reason, lang), file=sys.stderr)
        return 1
    return 0
