"""`k8s-course submit --name NAME`: pack the saved answers into one file to hand in."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "submit", help="pack your saved answers into one file to hand in",
        description="Write one zip of your saved answers (answers/<lesson>/<exercise>"
                    ".answer.yaml, or $K8S_COURSE_ANSWERS) with a manifest of your name, "
                    "the course version and a sha256 of each answer. Nothing else is "
                    "written, and nothing outside the answers folder is included. "
                    "Exit 0: written; 2: nothing to hand in, or it could not be written.")
    parser.add_argument("--name", required=True, help='your name, e.g. "Ada Lovelace"')
    parser.add_argument("--answers", type=Path, default=None, metavar="DIR",
                        help="the answers folder (default: the course's answers/)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="the file to write (default: handin-<name>-<time>.zip here)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..grading import ExerciseError, course_root
    from ..grading.handin import HandInError, file_name, iso
    from ..notebook.answers import answers_folder
    from ..notebook.handin import hand_in

    try:
        folder = args.answers or answers_folder(course_root())
        created = iso(time.time())
        out = args.out or Path(file_name(args.name, created))
        written, left_out = hand_in(args.name, folder, out, created)
    except (HandInError, ExerciseError) as error:
        print(f"k8s-course submit: {error}", file=sys.stderr)
        return 2
    for line in left_out:
        print(f"left out: {line}", file=sys.stderr)
    print(f"wrote {out} ({len(written.answers)} answers); hand this file to your instructor")
    return 0
