"""crm bench: the benchmark of benchmarks/ (same code as `python -m benchmarks`)."""

from __future__ import annotations

import sys

from crm_data.commands import CommandError
from crm_data.storage.db import PROJECT_ROOT


def _benchmarks_cli():
    # benchmarks/ lives beside the package in a source checkout and is not installed.
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    try:
        from benchmarks import cli
    except ImportError:
        return None
    return cli


def register(sub) -> None:
    cli = _benchmarks_cli()
    if cli is None:
        return  # an installed package without the source checkout: no benchmark
    p = sub.add_parser("bench", help="time every page's queries at a given scale (make bench)")
    cli.add_arguments(p)
    p.set_defaults(func=cmd_bench)


def cmd_bench(args) -> int:
    from benchmarks.run import run

    try:
        return run(args)
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
