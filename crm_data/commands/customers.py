"""crm export customers [filter options] --format csv|xlsx -o FILE"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from crm_data.commands import CommandError, add_db_option, engine_from, require_schema


def register(sub) -> None:
    p = sub.add_parser("export", help="export customers (exactly the filtered list) to CSV / XLSX")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    c = what.add_parser("customers", help="the customers matching a filter")
    add_db_option(c)
    c.add_argument("--filter", default="", help="filter as a URL query string, the one in the "
                   "dashboard's address bar, e.g. 'regions=south&tiers=vip'")
    c.add_argument("--search", help="free-text search: name, code, phone, email, company")
    c.add_argument("--region", action="append", default=[], help="north | central | south (repeatable)")
    c.add_argument("--tier", action="append", default=[], help="vip | regular | none (repeatable)")
    c.add_argument("--owner", action="append", default=[], type=int, help="owner user id (repeatable)")
    c.add_argument("--segment", type=int, help="a saved segment's id")
    c.add_argument("--format", choices=("csv", "xlsx"), default=None,
                   help="file format (default: from the file name, else csv)")
    c.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    c.add_argument("-o", "--output", required=True, help="file to write")
    c.set_defaults(func=cmd_export_customers)


def filter_from_args(args):
    from crm_data.filters.customer_filter import CustomerFilter

    flt = CustomerFilter.from_query({k: ",".join(v) for k, v in parse_qs(args.filter).items()})
    changes = {}
    if args.search:
        changes["search"] = args.search
    if args.region:
        changes["regions"] = tuple(args.region)
    if args.tier:
        changes["tiers"] = tuple(args.tier)
    if args.owner:
        changes["owners"] = tuple(args.owner)
    return flt.with_(**changes) if changes else flt


def cmd_export_customers(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.customers import export as exports
    from crm_data.customers import saved_segments

    engine = engine_from(args)
    require_schema(engine)
    flt = filter_from_args(args)
    if args.segment is not None:
        seg = saved_segments.segment_filter(engine, args.segment)
        if seg is None:
            raise CommandError(f"no saved segment {args.segment}")
        # the segment, narrowed by any other options given
        flt = seg.with_(**{k: v for k, v in vars(flt).items() if v not in (None, (), "")})
    fmt = args.format or ("xlsx" if args.output.lower().endswith(".xlsx") else "csv")
    started = time.perf_counter()
    n = exports.export_customers(engine, SYSTEM, flt, fmt, args.output, lang=args.lang)
    print(f"exported {n:,} customers to {args.output} ({fmt}) in "
          f"{time.perf_counter() - started:.1f} s")
    return 0
