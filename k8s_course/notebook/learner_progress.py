"""A learner's progress: every exercise of every lesson, from the saved answers.

`progress()` (also `k8s_course.progress()` and `k8s-course progress`) reads
the answers folder and nothing else of the learner's, and never writes: the
files are read the way a hand-in reads them (`grading.handin.collect`: plain
files only, links never followed, size bounded).

No score is stored anywhere: the editor keeps only the latest text of each
answer. So each saved answer that differs from its starter is graded here,
offline (never a cluster), and its score is the score of that text, the best
the saved work holds (under a millisecond an answer, warm). An answer equal to the
starter is "not started", as the Grade says.

Lessons come in course order and exercises in the order their notebook
(notebooks/NN-*.ipynb) opens their editors; an exercise no notebook shows
comes after those of its lesson.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

NOT_STARTED, STARTED, FULL_MARKS = "not started", "started", "full marks"
_EDITOR_CALL = re.compile(r"""editor\(\s*["']([^"']+)["']""")
_LESSON_TITLE = re.compile(r"^#\s+(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class ExerciseProgress:
    """Where one exercise stands: its status, and the saved answer's score."""

    id: str
    title: str
    status: str  # NOT_STARTED, STARTED or FULL_MARKS
    score: int
    maximum: int
    note: str = ""  # what went wrong reading or grading the saved answer

    @property
    def name(self) -> str:
        return self.id.partition("/")[2]

    @property
    def shown_score(self) -> str:
        return f"-/{self.maximum}" if self.status == NOT_STARTED else \
            f"{self.score}/{self.maximum}"


@dataclass(frozen=True)
class LessonProgress:
    name: str
    title: str
    exercises: tuple[ExerciseProgress, ...]

    @property
    def score(self) -> int:
        return sum(e.score for e in self.exercises)

    @property
    def maximum(self) -> int:
        return sum(e.maximum for e in self.exercises)


@dataclass(frozen=True)
class Progress:
    """Every lesson's exercises, a total, and a line for each file that was left out."""

    folder: str  # the answers folder, as the learner finds it
    lessons: tuple[LessonProgress, ...]
    notes: tuple[str, ...] = ()

    @property
    def exercises(self) -> list[ExerciseProgress]:
        return [e for lesson in self.lessons for e in lesson.exercises]

    @property
    def score(self) -> int:
        return sum(lesson.score for lesson in self.lessons)

    @property
    def maximum(self) -> int:
        return sum(lesson.maximum for lesson in self.lessons)

    def count(self, status: str) -> int:
        return sum(e.status == status for e in self.exercises)

    @property
    def total(self) -> str:
        return (f"Total: {self.score}/{self.maximum} points; {self.count(FULL_MARKS)} of "
                f"{len(self.exercises)} exercises with full marks, {self.count(STARTED)} "
                f"started, {self.count(NOT_STARTED)} not started.")

    def text(self) -> str:
        """Plain text, one line per exercise (the command line's output)."""
        width = max((len(e.name) for e in self.exercises), default=0)
        titles = min(max((len(e.title) for e in self.exercises), default=0), 48)
        lines = [f"Your progress, from the answers saved in {self.folder}"]
        for lesson in self.lessons:
            lines += ["", f"{lesson.title}  ({lesson.score}/{lesson.maximum})"]
            for e in lesson.exercises:
                title = e.title if len(e.title) <= titles else e.title[:titles - 1] + "…"
                line = f"  {e.name:<{width}}  {title:<{titles}}  {e.status:<11}  {e.shown_score}"
                lines.append(line.rstrip() + (f"  ({e.note})" if e.note else ""))
        lines += ["", self.total]
        lines += [f"left out: {note}" for note in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        rows = []
        for lesson in self.lessons:
            rows.append(f'<tr class="k8sp-lesson"><th colspan="3">{escape(lesson.title)}</th>'
                        f"<th>{lesson.score}/{lesson.maximum}</th></tr>")
            for e in lesson.exercises:
                note = f"<br><small>{escape(e.note)}</small>" if e.note else ""
                rows.append(
                    f'<tr><td><code>{escape(e.name)}</code></td><td>{escape(e.title)}{note}</td>'
                    f"<td>{_status_html(e.status)}</td><td>{e.shown_score}</td></tr>")
        notes = "".join(f"<li>{escape(note)}</li>" for note in self.notes)
        return (f'{_CSS}<div class="k8sp"><div>Your progress, from the answers saved in '
                f"<code>{escape(self.folder)}</code></div><table><thead><tr><th>exercise</th>"
                "<th>title</th><th>status</th><th>score</th></tr></thead><tbody>"
                f'{"".join(rows)}</tbody><tfoot><tr><td colspan="4">{escape(self.total)}'
                f"</td></tr></tfoot></table>"
                + (f"<div>Left out:</div><ul>{notes}</ul>" if notes else "") + "</div>")


def _status_html(status: str) -> str:
    if status == NOT_STARTED:
        return f'<span class="k8sp-not-started">{status}</span>'
    return f'<span class="k8sp-chip k8sp-{status.replace(" ", "-")}">{status}</span>'


# Text follows the JupyterLab theme through --jp-* variables; the status chips have
# fixed colours, each with its own background, readable on light and dark themes alike
# (the report's severity chips do the same).
_CSS = """<style>
.k8sp{font-family:var(--jp-ui-font-family,sans-serif);font-size:var(--jp-ui-font-size1,13px);
  color:var(--jp-ui-font-color1,#222);line-height:1.45}
.k8sp table{border-collapse:collapse;margin:4px 0;color:inherit;font:inherit}
.k8sp th,.k8sp td{padding:2px 10px;text-align:left;vertical-align:top}
.k8sp .k8sp-lesson th{border-top:1px solid var(--jp-border-color2,#ccc);padding-top:6px}
.k8sp tfoot td{border-top:1px solid var(--jp-border-color2,#ccc);font-weight:600}
.k8sp small,.k8sp .k8sp-not-started{color:var(--jp-ui-font-color2,#666)}
.k8sp code{font-family:var(--jp-code-font-family,monospace)}
.k8sp .k8sp-chip{display:inline-block;font-weight:700;font-size:11px;padding:0 6px;
  border-radius:3px}
.k8sp .k8sp-full-marks{background:#2e7d32;color:#fff}
.k8sp .k8sp-started{background:#ed8c00;color:#1a1a1a}
</style>"""


# --- reading the course and the answers -----------------------------------------

def lesson_plan(root: Path, exercise_ids: list[str]) -> list[tuple[str, str, list[str]]]:
    """(lesson, title, exercise ids in order) for every lesson that has exercises."""
    shown: dict[str, tuple[str, list[str]]] = {}
    for path in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        shown[path.stem] = _notebook_plan(path)
    plan = []
    for lesson in sorted({e.partition("/")[0] for e in exercise_ids}):
        title, order = shown.get(lesson, (lesson, []))
        ids = [e for e in order if e in exercise_ids]
        ids += sorted(e for e in exercise_ids if e.startswith(f"{lesson}/") and e not in ids)
        plan.append((lesson, title, ids))
    return plan


def _notebook_plan(path: Path) -> tuple[str, list[str]]:
    """A notebook's title and the exercises whose editors it opens, in order."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(cell["source"]) if isinstance(cell["source"], list)
                   else cell["source"] for cell in cells]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return path.stem, []  # a damaged notebook costs the order, not the view
    title = next((m.group(1).strip() for text in sources[:1]
                  for m in [_LESSON_TITLE.search(text)] if m), path.stem)
    order: list[str] = []
    for text in sources:
        order += [e for e in _EDITOR_CALL.findall(text) if e not in order]
    return title, order


def _exercise_progress(root: Path, exercise_id: str, saved: bytes | None) -> ExerciseProgress:
    from ..grading import ExerciseError, grade, load_exercise
    from ..grading.grade import offline

    try:
        exercise = load_exercise(root / "exercises" / exercise_id)
    except ExerciseError:
        return ExerciseProgress(exercise_id, exercise_id, NOT_STARTED, 0, 0,
                                "the course cannot load this exercise; tell your instructor")
    if saved is None or _same_text(saved, exercise.starter):
        return ExerciseProgress(exercise_id, exercise.title, NOT_STARTED, 0, exercise.maximum)
    try:
        graded = grade(exercise, saved, server=offline)
    except Exception as error:  # a checker bug must not hide the rest of the table
        return ExerciseProgress(exercise_id, exercise.title, STARTED, 0, exercise.maximum,
                                f"could not be graded ({type(error).__name__}); "
                                "this is a bug in the course tools")
    note = "" if graded.stages[0].passed else \
        "the saved text does not read as YAML; open its editor to see why"
    return ExerciseProgress(exercise_id, exercise.title,
                            FULL_MARKS if graded.full_marks else STARTED,
                            graded.score, graded.maximum, note)


def _same_text(saved: bytes, starter: str) -> bool:
    try:
        return saved.decode("utf-8").strip() == starter.strip()
    except UnicodeDecodeError:
        return False


def progress(answers: Path | None = None, root: Path | None = None) -> Progress:
    """Where the learner stands, from the answers in `answers` (default: the course's).

    ExerciseError when `root` (default: the course found from here) has no exercises.
    """
    from ..grading import ExerciseError, course_root, exercise_ids
    from ..grading.handin import HandInError, collect
    from .answers import answers_folder

    root = root or course_root()
    if not (root / "exercises").is_dir():
        raise ExerciseError(f"no exercises/ folder in {root}: is K8S_COURSE_ROOT the course?")
    folder = answers or answers_folder(root)
    try:
        saved, left_out = collect(folder)
    except HandInError as error:
        saved, left_out = [], [str(error)]
    texts = {answer.exercise: answer.text for answer in saved}
    ids = exercise_ids(root)
    left_out += [f"{e}: a saved answer for an exercise this course does not have"
                 for e in sorted(set(texts) - set(ids))]
    lessons = tuple(
        LessonProgress(lesson, title, tuple(_exercise_progress(root, e, texts.get(e))
                                    for e in order))
        for lesson, title, order in lesson_plan(root, ids))
    shown = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
    return Progress(shown, lessons, tuple(left_out))
