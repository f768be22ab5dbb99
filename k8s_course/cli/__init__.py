"""The `k8s-course` command: one subcommand per module in `COMMANDS`.

Each command module has `add_parser(subparsers)` (which sets `func`) and
lives in this package as `<name>.py`, so commands load only when used.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMANDS = ("check", "grade", "submit", "progress", "cluster", "classroom", "rules", "update")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="k8s-course",
        description="Check, grade and try Kubernetes manifests for the k8s-course.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        import_module(f".{name}", __package__).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit 0 when clean, 1 when errors were found, 2 on usage errors."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 for --help
        return int(exit_.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
