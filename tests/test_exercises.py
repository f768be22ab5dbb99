"""Every exercise under exercises/ keeps its contract, found automatically.

For each one: the solution scores full marks with no checker error; the
starter scores less; at least two wrong answers are kept, and each loses
exactly the checks its `# loses:` line names. A new exercise is picked up
without touching this file, so one without wrong answers fails the suite.
"""

from __future__ import annotations

import re
import shutil
import sys
import types
from pathlib import Path

import pytest
import yaml

import k8s_course
from k8s_course.grading import exercise_ids, grade, load_exercise, verify

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
EXERCISES = exercise_ids(ROOT)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)


def test_the_course_has_exercises():
    assert len(EXERCISES) >= 2
    assert {"03-deployments/three-replicas", "04-services/service-selects-app"} <= set(EXERCISES)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_exercise_keeps_its_contract(exercise_id):
    exercise = load_exercise(ROOT / "exercises" / exercise_id)
    assert verify(exercise) == []


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_exercise_names_a_lesson_anchor(exercise_id):
    lesson = load_exercise(ROOT / "exercises" / exercise_id).lesson
    assert re.fullmatch(r"\d\d-[a-z0-9-]+#[A-Za-z0-9_-]+", lesson), lesson


def test_an_exercise_without_wrong_answers_breaks_the_contract(tmp_path):
    shutil.copytree(FIXTURE_COURSE / "exercises", tmp_path / "exercises")
    shutil.copytree(FIXTURE_COURSE / "solutions", tmp_path / "solutions")
    folder = tmp_path / "exercises/99-fixture/hello-config"
    assert verify(load_exercise(folder)) == []
    shutil.rmtree(folder / "wrong")
    assert verify(load_exercise(folder)) == [
        f"0 wrong answers in {folder.resolve() / 'wrong'}; keep at least 2"]


def test_a_wrong_answer_that_loses_other_checks_breaks_the_contract(tmp_path):
    shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    folder = tmp_path / "course/exercises/99-fixture/hello-config"
    capital = folder / "wrong/capital-h.yaml"
    capital.write_text(capital.read_text().replace("loses: says-hello", "loses: configmap-exists"))
    plural = folder / "wrong/plural-name.yaml"
    plural.write_text(plural.read_text().replace("configmap-exists, says-hello", "says-hello"))
    (tmp_path / "course/solutions/99-fixture/hello-config.yaml").write_text("kind: ConfigMap\n")
    (folder / "starter.yaml").write_text(
        (tmp_path / "course/exercises/99-fixture/hello-config/wrong/capital-h.yaml").read_text()
        .replace("Hello", "hello"))
    problems = verify(load_exercise(folder))
    assert problems[0] == ("the solution scores 0/4 (fails configmap-exists, says-hello, "
                           "no-errors)")
    assert "the solution has checker errors" in problems[1]
    assert problems[2] == "the starter already scores full marks"
    assert problems[3] == ("capital-h.yaml loses says-hello; its first line says "
                           "configmap-exists")
    assert problems[4] == ("plural-name.yaml loses configmap-exists, says-hello; its first line "
                           "says says-hello")


# --- an answer with an error never scores full marks ------------------------------

# One mistake the API server refuses, put into the first object of a solution:
# where it goes, its value, and the finding the checker must give for it.
INJECTED = {
    "schema": (("metadata", "lables"), {"app": "web"}, "schema-unknown-field"),
    "rules": (("metadata", "labels", "course-tier"), "front end", "invalid-label"),
}


def _inject(text: str, where: tuple, value) -> str:
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    node = documents[0]
    for key in where[:-1]:
        node = node.setdefault(key, {})
    node[where[-1]] = value
    return yaml.safe_dump_all(documents, sort_keys=False)


def _line_of(text: str, key: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1)
                if line.strip().startswith(f"{key}:"))


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_solution_written_out_again_still_scores_full_marks(exercise_id):
    """The control for the test below: rewriting the YAML alone costs nothing."""
    exercise = load_exercise(ROOT / "exercises" / exercise_id)
    rewritten = _inject(exercise.solution_file.read_text(), ("metadata", "labels", "tier"), "web")
    assert grade(exercise, rewritten, server=lambda bundle: None).full_marks


@pytest.mark.parametrize("stage", sorted(INJECTED))
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_solution_with_one_refused_mistake_never_scores_full_marks(exercise_id, stage):
    exercise = load_exercise(ROOT / "exercises" / exercise_id)
    where, value, rule = INJECTED[stage]
    answer = _inject(exercise.solution_file.read_text(), where, value)
    graded = grade(exercise, answer, server=lambda bundle: None)
    found = [(f.rule, f.severity.value, f.line) for f in graded.report.findings
             if f.rule == rule]
    assert found == [(rule, "error", _line_of(answer, where[-1]))]
    assert graded.score < graded.maximum and not graded.full_marks
    failed = [r.id for r in graded.results if not r.passed]
    assert failed == [c.id for c in exercise.checks if c.kind == "valid"]
    assert graded.score == graded.maximum - sum(
        c.points for c in exercise.checks if c.kind == "valid")


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_solution_with_a_broken_yaml_document_never_scores_full_marks(exercise_id):
    """The parse stage: an extra document that YAML cannot read (kubectl refuses the file)."""
    exercise = load_exercise(ROOT / "exercises" / exercise_id)
    answer = exercise.solution_file.read_text().rstrip("\n") + "\n---\nkind: Service: web\n"
    graded = grade(exercise, answer, server=lambda bundle: None)
    assert [(f.rule, f.severity.value, f.line) for f in graded.report.findings
            if f.severity.value == "error"] == [
        ("yaml-syntax", "error", len(answer.splitlines()))]
    assert not graded.full_marks
    assert [r.id for r in graded.results if not r.passed] == [
        c.id for c in exercise.checks if c.kind == "valid"]


def test_verify_names_a_missing_solution_a_wrong_answer_that_loses_nothing_and_a_bad_header(
        tmp_path, monkeypatch):
    shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    folder = tmp_path / "course/exercises/99-fixture/hello-config"
    solution = tmp_path / "course/solutions/99-fixture/hello-config.yaml"
    solved = solution.read_text()
    capital = folder / "wrong/capital-h.yaml"
    capital.write_text("# loses: configmap-exists, says-hello\n" + solved)
    solution.unlink()
    # the contract is checked offline, even where a cluster is configured
    calls = []
    fake = types.ModuleType("k8s_course.cluster")
    fake.dry_run = lambda answer, context=None: calls.append(context)
    monkeypatch.setitem(sys.modules, "k8s_course.cluster", fake)
    monkeypatch.setattr(k8s_course, "cluster", fake, raising=False)
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "kind-k8s-course")
    assert verify(load_exercise(folder)) == [
        f"no solution: write {solution.resolve()}",
        "capital-h.yaml loses nothing; its first line says configmap-exists, says-hello"]
    capital.write_text("kind: ConfigMap\n")
    assert verify(load_exercise(folder)) == [
        f"no solution: write {solution.resolve()}",
        f"{capital.resolve()}:1: the first line must be `# loses: <check-id>, ...`"]
    solution.write_text(solved)  # the solution too is graded offline
    assert verify(load_exercise(folder)) == [
        f"{capital.resolve()}:1: the first line must be `# loses: <check-id>, ...`"]
    assert calls == []
