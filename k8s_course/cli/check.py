"""`k8s-course check FILE...`: the checker from a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..pipeline import check
from ..source import MAX_BYTES


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="check manifests and explain every mistake",
        description="Check Kubernetes manifests. Exit 0: no errors; 1: errors found; "
                    "2: usage error or unreadable file. Use - to read standard input.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--kube-version", default=None,
                        help="Kubernetes version whose schemas to use (default: %(default)s "
                             "means the course's pinned version)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    answers = []
    for name in args.files:
        if name == "-":
            answers.append(sys.stdin.buffer.read(MAX_BYTES + 1))  # the cap, not the stream
        else:
            answers.append(Path(name))  # a name on the command line is a file, never YAML
    try:
        # stdin is checked under the name "<stdin>"; files under their paths
        report = check(answers, kube_version=args.kube_version, name="<stdin>")
    except ValueError as error:
        print(f"k8s-course: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(report.to_json())
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        print(report.to_text(color=color))
    if "file-unreadable" in report.rules():
        return 2
    return 0 if report.ok else 1
