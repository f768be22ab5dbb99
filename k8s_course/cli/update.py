"""`k8s-course update`: the learner's own copy of the course, made and kept up to date.

The lessons in notebooks/ belong to the course (git tracks them); a learner
works in `my-course/` (git-ignored), made from notebooks/ on the first run.
Each later run, after a `git pull` say, brings the workspace up to date
without ever costing the learner their work:

- a lesson the workspace lacks is copied in;
- a lesson the learner has not edited is replaced by its newer version;
- a lesson the learner edited is left alone; when the course has a newer
  version of it, that version is put in `my-course/newer/` and a note says so.

"Edited" means a cell's text changed: running cells (new outputs) is not
editing. `.course-versions.json` in the workspace remembers which course
version each lesson was copied from. Saved answers live in answers/, which
this command never touches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

WORKSPACE = "my-course"
LESSONS = "notebooks"
NEWER = "newer"
VERSIONS = ".course-versions.json"


@dataclass(frozen=True)
class Change:
    """What an update did to one lesson, in a sentence for the learner."""

    lesson: str
    action: str  # added | updated | kept | newer | same
    note: str


def fingerprint(notebook: Path) -> str:
    """A digest of the cells' types and texts (not outputs): what a learner edits."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return ""  # unreadable: treated as edited, so never overwritten
    text = json.dumps([[cell.get("cell_type"), "".join(cell.get("source", ""))]
                       for cell in cells if isinstance(cell, dict)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_versions(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def update(course: Path, workspace: Path | None = None) -> list[Change]:
    """Bring the workspace (default course/my-course) up to date with course/notebooks."""
    workspace = workspace or course / WORKSPACE
    workspace.mkdir(parents=True, exist_ok=True)
    versions_file = workspace / VERSIONS
    versions = _read_versions(versions_file)
    changes = []
    for lesson in sorted((course / LESSONS).glob("*.ipynb")):
        name, mine = lesson.name, workspace / lesson.name
        latest = fingerprint(lesson)
        if not mine.exists():
            shutil.copyfile(lesson, mine)
            versions[name] = latest
            changes.append(Change(name, "added", f"added {name}"))
            continue
        copied_from, current = versions.get(name), fingerprint(mine)
        edited = current not in (copied_from, latest)
        if latest in (copied_from, current):
            versions[name] = latest
            changes.append(Change(name, "same", f"{name} is up to date"))
        elif not edited:
            shutil.copyfile(lesson, mine)
            versions[name] = latest
            changes.append(Change(name, "updated", f"updated {name} to the course's new version"))
        else:
            newer = workspace / NEWER / name
            newer.parent.mkdir(exist_ok=True)
            shutil.copyfile(lesson, newer)
            changes.append(Change(name, "newer", (
                f"note: {name} has a newer version in the course, and you edited yours: "
                f"yours is kept as it is; the new one is {newer.relative_to(course)}")))
    versions_file.write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n",
                             encoding="utf-8")
    return changes


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "update", help=f"make or update your own copy of the lessons ({WORKSPACE}/)",
        description=f"Copy new and updated lessons from {LESSONS}/ into your workspace "
                    f"{WORKSPACE}/, never overwriting a lesson you edited or your answers.")
    parser.add_argument("--course", type=Path, default=None, metavar="DIR",
                        help="the course folder (default: the one around the current folder)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..grading import ExerciseError, course_root

    try:
        course = args.course or course_root()
    except ExerciseError as error:
        print(f"k8s-course update: {error}")
        return 2
    if not (course / LESSONS).is_dir():
        print(f"k8s-course update: no {LESSONS}/ folder in {course}")
        return 2
    changes = update(course)
    for change in changes:
        if change.action != "same":
            print(change.note)
    added = sum(c.action in ("added", "updated") for c in changes)
    print(f"{WORKSPACE}/ is up to date ({len(changes)} lessons"
          + (f", {added} new or updated" if added else "") + ")")
    return 0
