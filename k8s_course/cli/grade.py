"""`k8s-course grade`: grade one answer, or a whole class's submissions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "grade", help="grade an answer to an exercise, or a folder of submissions",
        description="Grade ANSWER.yaml (or - for standard input) against EXERCISE "
                    "(an id like 03-deployments/three-replicas, or an exercise folder), "
                    "or grade SUBMISSIONS/<learner>/<exercise>.yaml and hand-in files "
                    "(k8s-course submit) with --batch into OUT/gradebook.csv, .json and "
                    ".html. With --batch and --context, each learner's answers are also "
                    "dry-run on that cluster in the learner's namespace (from --roster, or "
                    "learner-<name>). Exit 0: full marks (every submission, with --batch); "
                    "1: not full marks; 2: usage error.")
    parser.add_argument("exercise", nargs="?", metavar="EXERCISE")
    parser.add_argument("answer", nargs="?", metavar="ANSWER.yaml")
    parser.add_argument("--batch", metavar="SUBMISSIONS_DIR", type=Path)
    parser.add_argument("--out", metavar="DIR", type=Path)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--context", default=None, metavar="NAME",
                        help="with --batch: dry-run each learner's answers on this cluster")
    parser.add_argument("--roster", type=Path, default=None, metavar="ROSTER.csv",
                        help="with --context: the classroom roster that names the namespaces")
    parser.set_defaults(func=run, parser=parser)


def _usage(args: argparse.Namespace, message: str) -> int:
    args.parser.print_usage(sys.stderr)
    print(f"k8s-course grade: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from ..grading import ExerciseError  # loads only for this command

    if args.batch is not None:
        if args.exercise or args.answer or args.out is None:
            return _usage(args, "--batch takes a folder and --out DIR, no EXERCISE or ANSWER")
        if args.roster is not None and not args.context:
            return _usage(args, "--roster goes with --context NAME")
        if not args.batch.is_dir():
            return _usage(args, f"{args.batch} is not a folder")
    elif not (args.exercise and args.answer) or args.out is not None or args.context \
            or args.roster:
        return _usage(args, "give EXERCISE and ANSWER.yaml, or --batch DIR --out DIR")
    try:
        return _batch(args) if args.batch is not None else _single(args)
    except ExerciseError as error:
        print(f"k8s-course grade: {error}", file=sys.stderr)
        return 2


def _single(args: argparse.Namespace) -> int:
    import json

    from ..grading import grade

    answer = sys.stdin.buffer.read() if args.answer == "-" else args.answer
    result = grade(args.exercise, answer)
    print(json.dumps(result.as_dict(), indent=2) if args.format == "json" else result.text())
    return 0 if result.full_marks else 1


def _servers(context: str, roster: Path | None):
    """learner -> a dry run on `context` in that learner's namespace."""
    from ..classroom.roster import namespace_for, read_roster
    from ..cluster import dry_run

    named = {}
    if roster is not None:
        for learner in read_roster(roster.read_text(encoding="utf-8")):
            named[learner.name] = named[learner.namespace] = learner.namespace

    def server_for(learner: str):
        namespace = named.get(learner) or namespace_for(learner)
        return lambda bundle: dry_run(bundle, context=context, namespace=namespace)

    return server_for


def _batch(args: argparse.Namespace) -> int:
    from ..classroom.roster import RosterError
    from ..cluster import ClusterUnreachable, ContextError
    from ..cluster.client import Client
    from ..grading import batch, report

    try:
        server_for = _servers(args.context, args.roster) if args.context else None
        if args.context:  # a wrong name should stop the batch now, not skip every answer
            Client.connect(args.context).server_version()
    except (RosterError, OSError, UnicodeDecodeError, ContextError,
            ClusterUnreachable) as error:
        return _usage(args, str(error))
    entries = batch.grade_folder(args.batch, progress=batch.progress_bar(sys.stderr),
                                 server_for=server_for)
    book = batch.gradebook(entries)
    csv_path, json_path = batch.write_gradebook(book, args.out)
    html_path = report.write_report(book, args.out)
    skipped = sum(entry.status != batch.GRADED for entry in entries)
    print(f"graded {len(entries) - skipped} submissions of {len(book['learners'])} learners"
          f" ({skipped} skipped); wrote {csv_path}, {json_path} and {html_path}")
    full = all(e.status == batch.GRADED and e.score == e.maximum for e in entries)
    return 0 if entries and full else 1
