"""`k8s-course update`: the learner's workspace is made, updated, and never loses their work."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat

from k8s_course.cli import main
from k8s_course.cli.update import VERSIONS, fingerprint, update

ROOT = Path(__file__).resolve().parents[1]


def _course(tmp_path: Path, *lessons: str) -> Path:
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    for name in lessons:
        shutil.copy(ROOT / "notebooks" / name, course / "notebooks" / name)
    return course


def _edit(path: Path, text: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1].source += text
    nbformat.write(notebook, path)


def _run_cells(path: Path) -> None:
    """What running a notebook does to the file: outputs and counts, no cell text changed."""
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", text=f"ran {number}\n")]
    nbformat.write(notebook, path)


def test_first_run_copies_every_lesson(tmp_path):
    course = _course(tmp_path, "00-start-here.ipynb", "01-manifest-anatomy.ipynb")
    changes = update(course)
    assert [c.action for c in changes] == ["added", "added"]
    for name in ("00-start-here.ipynb", "01-manifest-anatomy.ipynb"):
        mine = course / "my-course" / name
        assert mine.read_bytes() == (course / "notebooks" / name).read_bytes()
    assert set(json.loads((course / "my-course" / VERSIONS).read_text())) == {
        "00-start-here.ipynb", "01-manifest-anatomy.ipynb"}


def test_an_update_adds_new_lessons_and_refreshes_untouched_ones(tmp_path):
    course = _course(tmp_path, "00-start-here.ipynb")
    update(course)
    _run_cells(course / "my-course" / "00-start-here.ipynb")  # run, not edited
    _edit(course / "notebooks" / "00-start-here.ipynb", "\n# a correction from the course")
    shutil.copy(ROOT / "notebooks" / "01-manifest-anatomy.ipynb", course / "notebooks")
    changes = {c.lesson: c.action for c in update(course)}
    assert changes == {"00-start-here.ipynb": "updated", "01-manifest-anatomy.ipynb": "added"}
    mine = (course / "my-course" / "00-start-here.ipynb").read_text()
    assert "a correction from the course" in mine


def test_an_edited_lesson_is_never_overwritten_and_the_newer_one_is_put_beside(tmp_path):
    course = _course(tmp_path, "00-start-here.ipynb")
    update(course)
    mine = course / "my-course" / "00-start-here.ipynb"
    _edit(mine, "\n# my own notes")
    before = mine.read_bytes()
    assert [c.action for c in update(course)] == ["same"]  # no course change: nothing to say
    _edit(course / "notebooks" / "00-start-here.ipynb", "\n# a correction from the course")
    [change] = update(course)
    assert change.action == "newer"
    assert "you edited yours" in change.note and "my-course/newer/00-start-here.ipynb" in \
        change.note
    assert mine.read_bytes() == before
    newer = course / "my-course" / "newer" / "00-start-here.ipynb"
    assert fingerprint(newer) == fingerprint(course / "notebooks" / "00-start-here.ipynb")


def test_answers_are_never_touched(tmp_path):
    course = _course(tmp_path, "00-start-here.ipynb")
    answer = course / "answers" / "00-start-here" / "first-check.answer.yaml"
    answer.parent.mkdir(parents=True)
    answer.write_text("kind: ConfigMap\n")
    update(course)
    update(course)
    assert answer.read_text() == "kind: ConfigMap\n"


def test_the_command_prints_what_it_did(tmp_path, capsys):
    course = _course(tmp_path, "00-start-here.ipynb")
    assert main(["update", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "added 00-start-here.ipynb" in out and "my-course/ is up to date" in out
    assert main(["update", "--course", str(tmp_path / "nowhere")]) == 2


def test_the_workspace_is_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "my-course/" in ignored and "answers/" in ignored
