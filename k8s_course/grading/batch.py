"""Grade a class: `submissions/<learner>/<exercise>.yaml` -> a CSV and a JSON gradebook.

A broken, hostile, huge or binary submission is graded like any other (the
checker turns it into findings) and recorded with what was wrong with it; a
file that is not a regular file, or names no exercise, is recorded and
skipped. Nothing one learner hands in can stop the batch.
"""

from __future__ import annotations

import csv
import json
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .grade import grade
from .spec import Exercise, exercise_ids, load_exercise

YAML_SUFFIXES = (".yaml", ".yml")
GRADED, SKIPPED = "graded", "skipped"


@dataclass(frozen=True)
class Entry:
    """One submission's line in the gradebook."""

    learner: str
    file: str  # relative to the submissions folder
    exercise: str = ""  # the exercise id, "" when the file names none
    status: str = GRADED
    score: int = 0
    maximum: int = 0
    problem: str = ""  # why it was skipped, or why it did not parse
    failed: tuple[str, ...] = field(default_factory=tuple)


def exercise_index(exercises: list[Exercise]) -> dict[str, Exercise]:
    """Ids and, where unambiguous, bare exercise names ("three-replicas") -> Exercise."""
    index = {exercise.id: exercise for exercise in exercises}
    names: dict[str, list[Exercise]] = {}
    for exercise in exercises:
        names.setdefault(exercise.id.rpartition("/")[2], []).append(exercise)
    index.update({name: found[0] for name, found in names.items()
                  if len(found) == 1 and name not in index})
    return index


def submissions(folder: Path) -> Iterator[tuple[str, Path]]:
    """(learner, file) for every file below a learner's folder, in a stable order."""
    for learner in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if learner.is_dir() and not learner.is_symlink():
            for file in sorted(learner.rglob("*")):
                if not file.name.startswith(".") and not file.is_dir():
                    yield learner.name, file


def _refusal(file: Path) -> str:
    """Why a file is not read at all ("" when it may be read)."""
    try:
        mode = file.lstat().st_mode
    except OSError as error:
        return f"cannot read it: {error.strerror or type(error).__name__}"
    if stat.S_ISLNK(mode):
        return "a symbolic link; submissions must be plain files"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if file.suffix.lower() not in YAML_SUFFIXES:
        return "not a .yaml or .yml file"
    return ""


def grade_one(learner: str, file: Path, root: Path, index: dict[str, Exercise]) -> Entry:
    """The gradebook entry of one submitted file."""
    relative = file.relative_to(root).as_posix()
    refusal = _refusal(file)
    if refusal:
        return Entry(learner, relative, status=SKIPPED, problem=refusal)
    name = Path(relative).relative_to(learner).with_suffix("").as_posix()
    exercise = index.get(name)
    if exercise is None:
        return Entry(learner, relative, status=SKIPPED,
                     problem=f"names no exercise ({name}); use <exercise>.yaml or "
                             "<lesson>/<exercise>.yaml")
    try:
        result = grade(exercise, file)
    except Exception as error:  # a grader bug costs one entry, never the batch
        return Entry(learner, relative, exercise.id, "grader error", 0, exercise.maximum,
                     f"the grader failed on this file ({type(error).__name__})")
    parse = result.stages[0]
    return Entry(learner, relative, exercise.id, GRADED, result.score, result.maximum,
                 "" if parse.passed else parse.sentence,
                 tuple(r.id for r in result.results if not r.passed))


def grade_folder(folder: Path, exercises: list[Exercise] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[Entry]:
    """Grade every submission under `folder` against the course's exercises."""
    if exercises is None:
        exercises = [load_exercise(exercise_id) for exercise_id in exercise_ids()]
    index = exercise_index(exercises)
    found = list(submissions(folder))
    entries = []
    for done, (learner, file) in enumerate(found, 1):
        entries.append(grade_one(learner, file, folder, index))
        if progress:
            progress(done, len(found))
    return entries


def progress_bar(stream: IO[str], width: int = 30) -> Callable[[int, int], None]:
    """A progress bar drawn in place on `stream` (redrawn only when it moves)."""
    last = [-1]

    def draw(done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        if filled == last[0] and done != total:
            return
        last[0] = filled
        stream.write(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return draw


def gradebook(entries: list[Entry]) -> dict:
    """The JSON gradebook: exercise maxima, and per learner every entry and a total.

    When a learner hands in one exercise twice (.yaml and .yml) the best counts.
    """
    maxima = {e.exercise: e.maximum for e in entries if e.exercise}
    learners: dict[str, dict] = {}
    for entry in entries:
        record = learners.setdefault(entry.learner, {"scores": {}, "submissions": []})
        record["submissions"].append({
            "file": entry.file, "exercise": entry.exercise, "status": entry.status,
            "score": entry.score, "maximum": entry.maximum, "failed": list(entry.failed),
            "problem": entry.problem})
        if entry.exercise:
            best = record["scores"].get(entry.exercise, 0)
            record["scores"][entry.exercise] = max(best, entry.score)
    for record in learners.values():
        record["scores"] = dict(sorted(record["scores"].items()))
        record["total"] = sum(record["scores"].values())
        record["maximum"] = sum(maxima.values())
    return {"exercises": dict(sorted(maxima.items())), "learners": dict(sorted(learners.items()))}


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading = + - @ would make it a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def write_gradebook(book: dict, out: Path) -> tuple[Path, Path]:
    """gradebook.csv (one row per learner, one column per exercise) and gradebook.json."""
    out.mkdir(parents=True, exist_ok=True)
    columns = list(book["exercises"])
    csv_path, json_path = out / "gradebook.csv", out / "gradebook.json"
    # learner folder names can hold any bytes: never let one break the write
    with open(csv_path, "w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", *columns, "total", "maximum"])
        writer.writerow(["(maximum)", *book["exercises"].values(),
                         sum(book["exercises"].values()), ""])
        for learner, record in book["learners"].items():
            writer.writerow([_cell(learner), *(record["scores"].get(c, "") for c in columns),
                             record["total"], record["maximum"]])
    json_path.write_text(json.dumps(book, indent=2) + "\n", encoding="utf-8")
    return csv_path, json_path
