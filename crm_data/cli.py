"""The `crm` command: init, seed, rebuild, report, users, … (`crm --help`).

Each group of subcommands lives in crm_data/commands/<name>.py with a `register(sub)`.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

from crm_data.commands import CommandError

COMMAND_MODULES = ("core", "reports", "users", "customers", "imports", "bench", "backup", "audit",
                   "privacy", "today", "loyalty", "model", "dupes", "rules")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm", description="crm-dashboard: customer reports for Vietnamese SMEs.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = import_module(f"crm_data.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"crm_data.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"crm {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe()


def _closed_pipe() -> int:
    """`crm report … | head`: the reader left. Stop quietly, as other Unix tools do; stdout
    goes to /dev/null so that the interpreter's final flush does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 141  # 128 + SIGPIPE: what a shell reports for a command ended by a closed pipe


if __name__ == "__main__":
    sys.exit(main())
