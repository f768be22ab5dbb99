"""Grade a class: `submissions/<learner>/<exercise>.yaml` -> a CSV and a JSON gradebook.

The submissions folder may also hold hand-in files (`k8s-course submit`,
see handin.py) beside the learners' folders: each is unpacked in memory and
its answers graded under the learner's name. When one learner handed in
several times, the newest hand-in counts and the others are listed as such.

A broken, hostile, huge or binary submission is graded like any other (the
checker turns it into findings) and recorded with what was wrong with it; a
file that is not a regular file, names no exercise, or is a damaged,
tampered or foreign hand-in, is recorded and skipped. Nothing one learner
hands in can stop the batch.
"""

from __future__ import annotations

import csv
import hashlib
import json
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from . import handin
from .grade import Server, grade
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
    feedback: str = ""  # the grade as the learner sees it (Grade.text())


def exercise_index(exercises: list[Exercise]) -> dict[str, Exercise]:
    """Ids and, where unambiguous, bare exercise names ("three-replicas") -> Exercise."""
    index = {exercise.id: exercise for exercise in exercises}
    names: dict[str, list[Exercise]] = {}
    for exercise in exercises:
        names.setdefault(exercise.id.rpartition("/")[2], []).append(exercise)
    # an id has a "/" and a bare name none, so a name never hides an id
    index.update({name: found[0] for name, found in names.items() if len(found) == 1})
    return index


ServerFor = Callable[[str], Server | None]


def submissions(folder: Path) -> Iterator[tuple[str, Path]]:
    """(learner, file) for every file below a learner's folder, in a stable order.

    Hidden files and folders (.git, .ipynb_checkpoints, an editor's .#lock) are no answers.
    """
    for learner in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if learner.is_dir() and not learner.is_symlink():
            for file in sorted(learner.rglob("*")):
                hidden = any(part.startswith(".") for part in file.relative_to(learner).parts)
                if not hidden and not file.is_dir():
                    yield learner.name, file


def _refusal(file: Path, suffix: str = "") -> str:
    """Why a file is not read at all ("" when it may be read)."""
    try:
        mode = file.lstat().st_mode
    except OSError as error:
        return f"cannot read it: {error.strerror}"
    if stat.S_ISLNK(mode):
        return "a symbolic link; submissions must be plain files"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if suffix and file.suffix.lower() != suffix:
        return f"not a hand-in ({suffix} file) nor a learner's folder"
    if not suffix and file.suffix.lower() not in YAML_SUFFIXES:
        return "not a .yaml or .yml file"
    return ""


def grade_one(learner: str, file: Path, root: Path, index: dict[str, Exercise],
              server: Server | None = None) -> Entry:
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
    return _graded(learner, relative, exercise, file, server)


def _graded(learner: str, where: str, exercise: Exercise, answer: Path | bytes,
            server: Server | None) -> Entry:
    try:
        result = grade(exercise, answer, server=server)
    except Exception as error:  # a grader bug costs one entry, never the batch
        return Entry(learner, where, exercise.id, "grader error", 0, exercise.maximum,
                     f"the grader failed on this file ({type(error).__name__})")
    problem = next((stage.sentence for stage in result.stages
                    if stage.passed is False and stage.name == "parses"), "")
    return Entry(learner, where, exercise.id, GRADED, result.score, result.maximum, problem,
                 tuple(r.id for r in result.results if not r.passed), result.text())


def handin_files(folder: Path) -> list[Path]:
    """The files directly in the submissions folder: hand-ins, or what claims to be one.

    A link to a folder is one of them (and refused as a link): it is no learner's folder.
    """
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")
                  and (p.is_symlink() or not p.is_dir()))


def read_handins(folder: Path) -> tuple[dict[str, tuple[str, handin.HandIn]], list[Entry]]:
    """learner -> (file, the hand-in that counts), and entries for every other file.

    A file that cannot be read or is no hand-in is an entry under its own
    name, so it is seen; of one learner's hand-ins the newest counts, and a
    byte-identical copy of one already read is named as such.
    """
    chosen: dict[str, tuple[str, handin.HandIn]] = {}
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for file in handin_files(folder):
        name = file.name
        refusal = _refusal(file, handin.HANDIN_SUFFIX)
        data = None if refusal else _read_bytes(file)
        if data is None:
            entries.append(Entry(f"({name})", name, status=SKIPPED,
                                 problem=refusal or "cannot read it"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            entries.append(Entry(f"({name})", name, status=SKIPPED,
                                 problem=f"duplicate: the same bytes as {seen[digest]}"))
            continue
        seen[digest] = name
        found = handin.unpack(data)
        if not found.learner:
            entries.append(Entry(f"({name})", name, status=SKIPPED, problem=found.problem))
            continue
        learner = found.learner.strip()
        if learner in chosen:
            older, newer = sorted([chosen[learner], (name, found)],
                                  key=lambda pair: (pair[1].created, pair[0]))
            chosen[learner] = newer
            entries.append(Entry(learner, older[0], status=SKIPPED, problem=(
                f"duplicate: an older hand-in by {learner}; {newer[0]} "
                f"(made {newer[1].created}) is graded instead")))
        else:
            chosen[learner] = (name, found)
    return chosen, entries


def _read_bytes(file: Path) -> bytes | None:
    try:
        with open(file, "rb") as handle:
            return handle.read(handin.MAX_HANDIN_BYTES + 1)
    except OSError:
        return None


def grade_handin(learner: str, file: str, found: handin.HandIn,
                 index: dict[str, Exercise], server: Server | None = None) -> list[Entry]:
    """One entry per answer in a hand-in, and one saying what is wrong with it, if anything."""
    entries = []
    if found.problem:
        entries.append(Entry(learner, file, status=SKIPPED, problem=found.problem))
    for answer in found.answers:
        where = f"{file}:{answer.exercise}"
        exercise = index.get(answer.exercise)
        if exercise is None:
            entries.append(Entry(learner, where, status=SKIPPED, problem=(
                f"names no exercise ({answer.exercise}) of this course "
                f"(handed in with course version {found.course_version or 'unknown'})")))
        else:
            entries.append(_graded(learner, where, exercise, answer.text, server))
    return entries


def grade_folder(folder: Path, exercises: list[Exercise] | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 server_for: ServerFor | None = None) -> list[Entry]:
    """Grade every submission under `folder` against the course's exercises.

    `server_for(learner)` gives the server stage for that learner's answers
    (a dry run in their namespace); by default it is grade()'s own.
    """
    if exercises is None:
        exercises = [load_exercise(exercise_id) for exercise_id in exercise_ids()]
    index = exercise_index(exercises)
    handins, entries = read_handins(folder)
    found = list(submissions(folder))
    total = len(found) + len(handins)
    server = server_for or (lambda learner: None)
    done = 0
    for learner, file in found:
        entries.append(grade_one(learner, file, folder, index, server(learner)))
        done += 1
        if progress:
            progress(done, total)
    for learner, (file, found_handin) in sorted(handins.items()):
        entries += grade_handin(learner, file, found_handin, index, server(learner))
        done += 1
        if progress:
            progress(done, total)
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


def lesson_of(exercise: str) -> str:
    """"03-deployments/three-replicas" -> "03-deployments"."""
    return exercise.partition("/")[0]


def gradebook(entries: list[Entry]) -> dict:
    """The JSON gradebook: exercise and lesson maxima, and per learner every entry and totals.

    When a learner hands in one exercise twice (.yaml and .yml, or a folder
    and a hand-in) the best counts. `problems` lists, per learner, what was
    wrong with what they handed in, so nobody's work disappears silently.
    """
    maxima = {e.exercise: e.maximum for e in entries if e.exercise}
    lessons: dict[str, int] = {}
    for exercise, maximum in sorted(maxima.items()):
        lessons[lesson_of(exercise)] = lessons.get(lesson_of(exercise), 0) + maximum
    learners: dict[str, dict] = {}
    for entry in entries:
        record = learners.setdefault(entry.learner, {"scores": {}, "submissions": []})
        record["submissions"].append({
            "file": entry.file, "exercise": entry.exercise, "status": entry.status,
            "score": entry.score, "maximum": entry.maximum, "failed": list(entry.failed),
            "problem": entry.problem, "feedback": entry.feedback})
        if entry.exercise:
            best = record["scores"].get(entry.exercise, 0)
            record["scores"][entry.exercise] = max(best, entry.score)
    for record in learners.values():
        record["scores"] = dict(sorted(record["scores"].items()))
        totals = dict.fromkeys(lessons, 0)
        for exercise, score in record["scores"].items():
            totals[lesson_of(exercise)] += score
        record["lessons"] = totals
        record["total"] = sum(record["scores"].values())
        record["maximum"] = sum(maxima.values())
        record["problems"] = [f"{s['file']}: {s['problem']}" for s in record["submissions"]
                              if s["status"] != GRADED and s["problem"]]
    return {"exercises": dict(sorted(maxima.items())), "lessons": lessons,
            "learners": dict(sorted(learners.items()))}


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading = + - @ would make it a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def write_gradebook(book: dict, out: Path) -> tuple[Path, Path]:
    """gradebook.csv and gradebook.json.

    The CSV has one row per learner: a column per exercise, a total per
    lesson, the overall total, and what was wrong with what they handed in.
    """
    out.mkdir(parents=True, exist_ok=True)
    columns, lessons = list(book["exercises"]), list(book["lessons"])
    csv_path, json_path = out / "gradebook.csv", out / "gradebook.json"
    # learner folder names can hold any bytes: never let one break the write
    with open(csv_path, "w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", *columns, *(f"{lesson} total" for lesson in lessons),
                         "total", "maximum", "problems"])
        writer.writerow(["(maximum)", *book["exercises"].values(), *book["lessons"].values(),
                         sum(book["exercises"].values()), "", ""])
        for learner, record in book["learners"].items():
            writer.writerow([_cell(learner), *(record["scores"].get(c, "") for c in columns),
                             *(record["lessons"][lesson] for lesson in lessons),
                             record["total"], record["maximum"],
                             _cell("; ".join(record["problems"]))])
    json_path.write_text(json.dumps(book, indent=2) + "\n", encoding="utf-8")
    return csv_path, json_path
