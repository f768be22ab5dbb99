"""`k8s-course rules [ID]`: the rule catalogue, one rule in full, or the reference page."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "rules", help="list the checks the checker runs, or explain one",
        description="List every rule (id, severity, what it catches), show one rule "
                    "with its why and examples, or print the Markdown reference page.")
    parser.add_argument("rule", nargs="?", metavar="ID", help="a rule id to explain in full")
    parser.add_argument("--markdown", action="store_true",
                        help="print the reference page (docs/rules.md)")
    parser.add_argument("--anchors", action="store_true",
                        help="print the lesson anchors the rules link to, one a line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the catalogue loads here, not at import: `k8s-course --help` imports every command
    from ..findings import lesson_link
    from ..rules import all_rules, get
    from ..rules.reference import lesson_anchors, markdown

    if args.markdown:
        print(markdown(), end="")
    elif args.anchors:
        print("\n".join(lesson_anchors()))
    elif args.rule:
        try:
            entry = get(args.rule)
        except KeyError:
            close = [r.id for r in all_rules() if args.rule in r.id or r.id in args.rule]
            print(f"k8s-course: no rule {args.rule!r}" +
                  (f"; did you mean {', '.join(close)}?" if close else
                   "; `k8s-course rules` lists them"), file=sys.stderr)
            return 2
        print(f"{entry.id} ({entry.severity}, lesson {lesson_link(entry.lesson)})\n")
        print(entry.doc)
    else:
        rules = all_rules()
        width = max(len(r.id) for r in rules)
        for entry in rules:
            print(f"{entry.id:<{width}}  {entry.severity:<7}  {entry.summary}")
        print(f"\n{len(rules)} rules; `k8s-course rules ID` explains one.")
    return 0
