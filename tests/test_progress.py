"""The learner's progress view: every exercise, its status and score, from the saved answers only.

`k8s_course.progress()` in a notebook and `k8s-course progress` on the command
line read the answers folder, grade each changed answer offline, and never write.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import k8s_course
from k8s_course.cli import main
from k8s_course.grading import exercise_ids, load_exercise
from k8s_course.notebook.learner_progress import (
    FULL_MARKS,
    NOT_STARTED,
    STARTED,
    ExerciseProgress,
    LessonProgress,
    Progress,
    progress,
)

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_EXERCISE = FIXTURES / "course" / "exercises" / "99-fixture" / "hello-config"


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch):
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)  # grading stays offline
    monkeypatch.delenv("K8S_COURSE_ANSWERS", raising=False)


def _save(folder: Path, exercise_id: str, text: str | bytes) -> Path:
    path = folder / f"{exercise_id}.answer.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _by_id(shown: Progress) -> dict[str, ExerciseProgress]:
    return {e.id: e for e in shown.exercises}


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under the folder (hidden ones too), with its bytes and times."""
    if not folder.exists():
        return {}
    found = {".": (folder.stat().st_mtime_ns,)}
    for path in folder.rglob("*"):
        info = path.lstat()
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        found[path.relative_to(folder).as_posix()] = (info.st_mode, info.st_mtime_ns, data)
    return found


def test_every_exercise_of_every_lesson_is_shown_in_course_order(tmp_path: Path):
    shown = progress(tmp_path / "answers", ROOT)
    assert [lesson.name for lesson in shown.lessons] == sorted(
        {e.partition("/")[0] for e in exercise_ids(ROOT)})
    assert sorted(e.id for e in shown.exercises) == exercise_ids(ROOT)
    assert shown.lessons[0].title == "00 · Start here"
    assert all(e.status == NOT_STARTED for e in shown.exercises)
    assert shown.score == 0
    assert shown.maximum == sum(load_exercise(e).maximum for e in exercise_ids(ROOT))


def test_a_saved_answer_is_graded_offline_and_a_starter_is_not_started(tmp_path: Path):
    answers = tmp_path / "answers"
    right = load_exercise("03-deployments/three-replicas")
    _save(answers, right.id, right.solution_file.read_text())
    wrong = load_exercise("04-services/target-port")
    [mistake, *_] = wrong.wrong_answers()
    _save(answers, wrong.id, mistake.file.read_text())
    untouched = load_exercise("05-config/settings-as-files")
    _save(answers, untouched.id, untouched.starter)

    shown = _by_id(progress(answers, ROOT))
    assert (shown[right.id].status, shown[right.id].score) == (FULL_MARKS, right.maximum)
    lost = sum(c.points for c in wrong.checks if c.id in mistake.loses)
    assert shown[wrong.id].status == STARTED
    assert shown[wrong.id].score == wrong.maximum - lost
    assert shown[untouched.id].status == NOT_STARTED
    assert shown[untouched.id].shown_score == f"-/{untouched.maximum}"
    total = progress(answers, ROOT)
    assert total.score == right.maximum + wrong.maximum - lost
    assert (total.count(FULL_MARKS), total.count(STARTED)) == (1, 1)


def test_broken_and_stray_files_get_a_clear_line_and_never_a_crash(tmp_path: Path):
    answers = tmp_path / "answers"
    _save(answers, "03-deployments/three-replicas", b"\xff\xfe\x00garbage\x00" * 50)
    _save(answers, "04-services/nodeport", "kind: [unclosed\n  - : :\n")
    _save(answers, "99-gone/old-exercise", "kind: ConfigMap\n")
    (answers / "notes.txt").write_text("not a lesson folder")
    (answers / "03-deployments" / "scratch.txt").write_text("not an answer")
    _save(answers, "05-config/huge", b"a: b\n" * 300_000)  # larger than any answer
    (answers / "05-config" / "token-from-secret.answer.yaml").symlink_to("/etc/passwd")

    shown = progress(answers, ROOT)
    exercises = _by_id(shown)
    for broken in ("03-deployments/three-replicas", "04-services/nodeport"):
        assert exercises[broken].status == STARTED
        assert exercises[broken].score == 0
        # offline, no server check is added for an answer with nothing to send
        assert exercises[broken].maximum == load_exercise(broken).maximum
        assert "does not read as YAML" in exercises[broken].note
    assert exercises["05-config/token-from-secret"].status == NOT_STARTED  # link not followed
    notes = "\n".join(shown.notes)
    assert "notes.txt: not a lesson folder" in notes
    assert "03-deployments/scratch.txt: not a saved answer" in notes
    assert "05-config/huge.answer.yaml: larger than" in notes
    assert "05-config/token-from-secret.answer.yaml: a link or special file" in notes
    assert "99-gone/old-exercise: a saved answer for an exercise this course does not have" \
        in notes
    assert "left out: notes.txt" in shown.text()


def test_it_reads_the_answers_and_never_writes(tmp_path: Path):
    answers = tmp_path / "answers"
    exercise = load_exercise("03-deployments/three-replicas")
    _save(answers, exercise.id, exercise.solution_file.read_text())
    _save(answers, "04-services/nodeport", "kind: [broken\n")
    os.utime(answers, ns=(1, 1))
    before = _snapshot(answers)
    progress(answers, ROOT)
    assert main(["progress", "--answers", str(answers)]) == 0
    assert _snapshot(answers) == before
    missing = tmp_path / "never-saved"
    progress(missing, ROOT)
    assert main(["progress", "--answers", str(missing)]) == 0
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers"]


def test_the_answers_folder_defaults_to_the_course_s(tmp_path: Path, monkeypatch):
    answers = tmp_path / "kept"
    exercise = load_exercise("03-deployments/three-replicas")
    _save(answers, exercise.id, exercise.solution_file.read_text())
    monkeypatch.setenv("K8S_COURSE_ANSWERS", str(answers))
    monkeypatch.setenv("K8S_COURSE_ROOT", str(ROOT))
    shown = k8s_course.progress()
    assert _by_id(shown)[exercise.id].status == FULL_MARKS
    assert shown.folder == str(answers)


def _course(tmp_path: Path, notebook_order: list[str]) -> Path:
    """A course of one lesson whose three exercises are copies of the fixture's."""
    root = tmp_path / "course"
    for name in ("b-first", "a-second", "c-in-no-notebook"):
        shutil.copytree(FIXTURE_EXERCISE, root / "exercises" / "99-fixture" / name)
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# 99 · A lesson\n", "text"]}]
    cells += [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
               "source": f'editor("99-fixture/{name}")'} for name in notebook_order]
    (root / "notebooks").mkdir()
    (root / "notebooks" / "99-fixture.ipynb").write_text(json.dumps({"cells": cells}))
    return root


def test_exercises_come_in_the_order_their_notebook_shows_them(tmp_path: Path):
    root = _course(tmp_path, ["b-first", "a-second"])
    [lesson] = progress(tmp_path / "answers", root).lessons
    assert lesson.title == "99 · A lesson"
    assert [e.name for e in lesson.exercises] == ["b-first", "a-second", "c-in-no-notebook"]
    assert [e.title for e in lesson.exercises] == ["Say hello with a ConfigMap"] * 3


def test_a_damaged_notebook_costs_the_order_not_the_view(tmp_path: Path):
    root = _course(tmp_path, ["b-first"])
    (root / "notebooks" / "99-fixture.ipynb").write_bytes(b"\x00{not json")
    [lesson] = progress(tmp_path / "answers", root).lessons
    assert lesson.title == "99-fixture"
    assert [e.name for e in lesson.exercises] == ["a-second", "b-first", "c-in-no-notebook"]


def _made_up() -> Progress:
    exercises = (
        ExerciseProgress("01-x/one", "Write <b>it</b> & more", FULL_MARKS, 4, 4),
        ExerciseProgress("01-x/two", "Second", STARTED, 1, 3, "a <note>"),
        ExerciseProgress("01-x/three", "Third", NOT_STARTED, 0, 5))
    return Progress("answers", (LessonProgress("01-x", "01 · X", exercises),), ("odd.txt: <x>",))


def test_text_has_a_line_per_exercise_and_a_total():
    text = _made_up().text()
    lines = text.splitlines()
    assert lines[0] == "Your progress, from the answers saved in answers"
    assert "01 · X  (5/12)" in lines
    assert any(line.split()[:1] == ["two"] and "started" in line and line.endswith(
        "1/3  (a <note>)") for line in lines)
    assert any(line.split()[:1] == ["three"] and line.endswith("not started  -/5")
               for line in lines)
    assert "Total: 5/12 points; 1 of 3 exercises with full marks, 1 started, 1 not started." \
        in lines
    assert lines[-1] == "left out: odd.txt: <x>"


def test_html_is_a_table_with_every_exercise_escaped():
    html = _made_up()._repr_html_()
    assert html.count("<tr><td><code>") == 3 and "<table>" in html and "<tfoot>" in html
    assert "Write &lt;b&gt;it&lt;/b&gt; &amp; more" in html and "<b>it</b>" not in html
    assert "a &lt;note&gt;" in html and "odd.txt: &lt;x&gt;" in html
    assert '<span class="k8sp-chip k8sp-full-marks">full marks</span>' in html
    assert '<span class="k8sp-chip k8sp-started">started</span>' in html
    assert '<span class="k8sp-not-started">not started</span>' in html
    assert "Total: 5/12 points" in html


def test_the_command_prints_the_view(tmp_path: Path, capsys):
    answers = tmp_path / "answers"
    exercise = load_exercise("03-deployments/three-replicas")
    _save(answers, exercise.id, exercise.solution_file.read_text())
    assert main(["progress", "--answers", str(answers)]) == 0
    out = capsys.readouterr().out
    assert any(line.split()[:1] == ["three-replicas"] and "full marks" in line
               and line.endswith(f"{exercise.maximum}/{exercise.maximum}")
               for line in out.splitlines())
    assert "Total: " in out


def test_the_command_says_when_there_is_no_course(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path / "nowhere"))
    assert main(["progress"]) == 2
    assert "no exercises/ folder in" in capsys.readouterr().err


def test_asking_for_progress_loads_no_grading_until_it_is_called():
    code = ("import sys, k8s_course; k8s_course.progress; print([m for m in ("
            "'k8s_course.grading', 'yaml', 'jsonschema_rs', 'ipywidgets') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_an_answers_folder_that_is_a_file_is_a_line_not_a_crash(tmp_path: Path):
    answers = tmp_path / "answers"
    answers.write_text("not a folder")
    shown = progress(answers, ROOT)
    assert all(e.status == NOT_STARTED for e in shown.exercises)
    assert len(shown.notes) == 1 and "cannot read the answers folder" in shown.notes[0]
    assert answers.read_text() == "not a folder"
