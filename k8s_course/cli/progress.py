"""`k8s-course progress`: where you stand in every exercise of every lesson."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "progress", help="show every exercise: not started, started, or its score",
        description="List every exercise of every lesson, in course order, with its status "
                    "(not started, started, full marks) and the score of your saved answer "
                    "(answers/<lesson>/<exercise>.answer.yaml, or $K8S_COURSE_ANSWERS), "
                    "graded offline now, and a total. Reads the answers folder only; "
                    "writes nothing. Exit 0, or 2 when the course cannot be found.")
    parser.add_argument("--answers", type=Path, default=None, metavar="DIR",
                        help="the answers folder (default: the course's answers/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..grading import ExerciseError
    from ..notebook.learner_progress import progress

    try:
        shown = progress(args.answers)
    except ExerciseError as error:
        print(f"k8s-course progress: {error}", file=sys.stderr)
        return 2
    print(shown.text())
    return 0
