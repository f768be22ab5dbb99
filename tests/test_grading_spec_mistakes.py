"""Every mistake an instructor can make in exercise.yaml is told on its own line.

Each line names the file, the line, the key and what is wrong, so the
instructor fixes it before a learner sees a wrong grade. The tables below are
small broken exercises and the exact lines each must give; the tests after
them load good exercises and check the values grading relies on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import k8s_course.grading.spec as spec_module
from k8s_course.grading import ExerciseError, exercise_ids, load_exercise
from k8s_course.grading.grade import grade, offline
from k8s_course.grading.spec import course_root
from tests.grading_support import DEPLOYMENT, write_exercise

BASE = """\
title: Scale the web app
lesson: 03-deployments#replicas
checks:
  - id: exists
    points: 1
    expect: {kind: Deployment, name: web}
    hint: Write the Deployment web.
  - id: no-errors
    points: 1
    valid: true
    hint: Fix the errors first.
"""
REF = "{kind: Deployment, name: web}"
KINDS = ("expect, path, clean, valid, selects, reaches, python, scales, protects, fits-quota, "
         "can, cannot, uses, mounts")


def told(tmp_path: Path, spec: str) -> list[str]:
    """The lines of the ExerciseError, each without its `<folder>/exercise.yaml:` prefix."""
    folder = write_exercise(tmp_path, spec)
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder)
    prefix = f"{folder}/exercise.yaml:"
    lines = str(error.value).splitlines()
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


def first_check(text: str) -> str:
    """BASE with the first check's `expect:` line replaced by `text`."""
    return BASE.replace(f"expect: {REF}", text)


def path_check(*lines: str) -> str:
    """BASE whose first check is a path check on the Deployment web."""
    return first_check("\n    ".join((f"resource: {REF}", *lines)))


def key_of(case: tuple[str, list[str]]) -> str:
    """A case's id: the key its first line names (`checks[0].expect`), plain text for pytest."""
    return case[1][0].split(": ")[1]


EXERCISE_MISTAKES = [
    (BASE.replace("title: Scale the web app", "title: 5"),
     ["1: title: `title` is missing or not text"]),
    (BASE.replace("lesson: 03-deployments#replicas\n", ""),
     ["1: lesson: `lesson` is missing or not text"]),
    (BASE.replace("title: Scale the web app", "title: Scale\nhints: Replicas live under spec."),
     ["2: hints: `hints` must be a list of sentences"]),
    (BASE.replace("title: Scale the web app", "title: Scale\nhints: [1, two]"),
     ["2: hints: `hints` must be a list of sentences"]),
    (BASE.replace("title: Scale the web app", "title: Scale\nserver: 3"),
     ["2: server: `server` must be a mapping like {points: 1}"]),
    (BASE.replace("title: Scale the web app", "title: Scale\nserver: {points: 0}"),
     ["2: server: `server` must be a mapping like {points: 1}"]),
    (BASE.split("checks:")[0] + "checks: []\n", ["3: checks: `checks` must be a non-empty list"]),
    (BASE.split("checks:")[0], ["1: checks: `checks` must be a non-empty list"]),
    # a check that is not a mapping does not stop the checks after it being read
    (BASE.replace("checks:\n", "checks:\n  - just a sentence\n")
     .replace("id: no-errors", "id: No-errors"),
     ["4: checks[0]: each check must be a mapping with id, points, hint and a kind",
      "9: checks[2].id: `id` is missing or not kebab-case (like three-replicas)"]),
    (BASE.replace("id: no-errors", "id: exists"), ["8: checks[1].id: the id exists is used twice"]),
    (BASE.replace("hint: Write the Deployment web.", "hint: '  '"),
     ["7: checks[0].hint: `hint` is missing: say what to do when it fails"]),
    # nor does a check without a kind
    (BASE.replace(f"    expect: {REF}\n", "").replace("1\n    valid", "0\n    valid"),
     [f"4: checks[0]: a check needs exactly one kind of {KINDS} (found: none)",
      "8: checks[1].points: `points` is missing or not a whole number >= 1"]),
    (first_check(f"expect: {REF}\n    valid: true"),
     [f"4: checks[0]: a check needs exactly one kind of {KINDS} (found: expect, valid)"]),
    (BASE.replace("valid: true", "valid: false"), ["10: checks[1].valid: write `valid: true`"]),
]


@pytest.mark.parametrize(("spec", "lines"), EXERCISE_MISTAKES, ids=map(key_of, EXERCISE_MISTAKES))
def test_a_mistake_in_the_exercise_or_a_check_is_told_at_its_key(tmp_path, spec, lines):
    assert told(tmp_path, spec) == lines


REFERENCE_MISTAKES = [
    (first_check("expect: web"),
     ["6: checks[0].expect: must be a mapping like {kind: Deployment, name: web}"]),
    (first_check("expect: {kind: Deployment, nmae: web, namespace: 3}"),
     ["6: checks[0].expect.nmae: unknown key `nmae`; did you mean `name`?",
      "6: checks[0].expect.name: `name` is missing or not text",
      "6: checks[0].expect.namespace: `namespace` must be text"]),
    # a resource that is not a whole reference: the path is not looked up in any schema
    (first_check("resource: web\n    path: spec.replica\n    equals: 3"),
     ["6: checks[0].resource: must be a mapping like {kind: Deployment, name: web}"]),
    (first_check("resource: {name: web}\n    path: spec.replica\n    equals: 3"),
     ["6: checks[0].resource.kind: `kind` is missing or not text"]),
    (path_check("path: [spec, replicas]", "equals: 3"),
     ["7: checks[0].path: `path` must be text like spec.containers[0].image"]),
    (path_check("path: ''", "equals: 3"),
     ["7: checks[0].path: the path is empty; write it like spec.replicas"]),
    (path_check("path: spec.replicas", "exists: false"),
     ["8: checks[0].exists: write `exists: true`"]),
    (path_check("path: spec.paused", "absent: 1"), ["8: checks[0].absent: write `absent: true`"]),
    (path_check("path: spec.replicas", "one_of: []"),
     ["8: checks[0].one_of: `one_of` must be a non-empty list"]),
    (path_check("path: spec.replicas", "one_of: 3"),
     ["8: checks[0].one_of: `one_of` must be a non-empty list"]),
    (path_check("path: spec.template.spec.containers[*].image", "matches: '[a-z'"),
     ["8: checks[0].matches: not a valid regular expression: unterminated character set at "
      "position 0"]),
    (path_check("path: spec.replicas"),
     ["4: checks[0]: a path check needs exactly one of equals, one_of, matches, exists, absent"]),
    (path_check("path: spec.replicas", "equals: 3", "one_of: [3]"),
     ["4: checks[0]: a path check needs exactly one of equals, one_of, matches, exists, absent"]),
    (first_check("can: {as: u, resource: pods}"),
     ["6: checks[0].can.verb: `verb` is missing or not text"]),
    (first_check("uses: {configmap: settings}"),
     ["6: checks[0].uses.workload: must be a mapping like {kind: Deployment, name: web}"]),
]


@pytest.mark.parametrize(("spec", "lines"), REFERENCE_MISTAKES,
                         ids=map(key_of, REFERENCE_MISTAKES))
def test_a_reference_or_a_path_check_written_wrong_is_told_at_its_key(tmp_path, spec, lines):
    assert told(tmp_path, spec) == lines


def test_a_missing_starter_is_named(tmp_path):
    spec = BASE.replace("title: Scale the web app", "title: Scale\nstarter: begin.yaml")
    folder = tmp_path / "exercises/05-test/sample"
    assert told(tmp_path, spec) == [f"1: {folder}/begin.yaml is missing: give the learner a start"]


def test_files_that_are_not_utf8_are_told_not_taken_for_missing(tmp_path):
    folder = write_exercise(tmp_path, BASE)
    (folder / "task.md").write_bytes("Zoë's task\n".encode("latin-1"))
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder)
    assert str(error.value).startswith(
        f"{folder}/task.md:1:3: byte 0xeb at offset 2 is not valid UTF-8 text (save the file "
        "as UTF-8")
    (folder / "exercise.yaml").write_bytes(BASE.replace("Scale", "Zoë's").encode("latin-1"))
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder)
    assert str(error.value).startswith(
        f"{folder}/exercise.yaml:1:10: byte 0xeb at offset 9 is not valid UTF-8 text (save")


def test_an_exercise_written_in_full_loads_with_its_values(tmp_path):
    spec = BASE.replace("title: Scale the web app", "title: '  Scale  '\nhints: [One., Two.]\n"
                        "server: {points: 2}\nstarter: begin.yaml") + """\
  - id: image
    points: 3
    resource: {kind: Deployment, name: web}
    path: spec.template.spec.containers[*].image
    matches: '^nginx:'
    hint: '  Use nginx.  '
"""
    folder = write_exercise(tmp_path, spec, files={"begin.yaml": "kind: Deployment\n"})
    exercise = load_exercise(folder)
    assert (exercise.title, exercise.hints, exercise.server_points) == (
        "Scale", ("One.", "Two."), 2)
    assert exercise.starter == "kind: Deployment\n"
    image = exercise.checks[-1]
    assert (image.points, image.hint, image.path) == (
        3, "Use nginx.", ("spec", "template", "spec", "containers", "*", "image"))
    assert image.pattern.search("nginx:1.27")
    assert exercise.maximum == 5


def test_a_clean_check_may_name_one_rule_without_a_list(tmp_path):
    spec = BASE + """\
  - id: selects-its-pods
    points: 1
    clean: selector-matches-template
    hint: Make the selector match the template's labels.
"""
    exercise = load_exercise(write_exercise(tmp_path, spec))
    result = grade(exercise, DEPLOYMENT.replace("matchLabels: {app: web}",
                                                "matchLabels: {app: api}"), server=offline)
    assert [(r.id, r.passed) for r in result.results][-1] == ("selects-its-pods", False)
    result = grade(exercise, DEPLOYMENT, server=offline)
    assert result.results[-1].message == "no selector-matches-template problem"


@pytest.mark.parametrize(("first_line", "said"), [
    ("# loses:", "`# loses:` names no check or unknown checks: (none)"),
    ("# loses: exists, replica, zzz", "`# loses:` names no check or unknown checks: replica, zzz"),
], ids=["none", "unknown"])
def test_a_wrong_answer_must_name_checks_the_exercise_has(tmp_path, first_line, said):
    folder = write_exercise(tmp_path, BASE, files={"wrong/a.yaml": f"{first_line}\nkind: x\n"})
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder).wrong_answers()
    assert str(error.value) == f"{folder}/wrong/a.yaml:1: {said}"


def test_outside_a_course_folder_the_checkout_the_package_runs_from_is_the_root(
        tmp_path, monkeypatch):
    monkeypatch.delenv("K8S_COURSE_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert course_root() == Path(__file__).resolve().parents[1]
    assert "03-deployments/three-replicas" in exercise_ids()


def test_without_any_course_folder_the_error_says_how_to_name_one(tmp_path, monkeypatch):
    monkeypatch.delenv("K8S_COURSE_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    # as when the package is installed from a wheel: site-packages has no exercises/
    installed = tmp_path / "lib/site-packages/k8s_course/grading/spec.py"
    monkeypatch.setattr(spec_module, "__file__", str(installed))
    with pytest.raises(ExerciseError) as error:
        course_root()
    assert str(error.value) == (f"no exercises/ folder here or above {tmp_path.resolve()}; "
                                "set K8S_COURSE_ROOT to the course folder")


def test_an_exercise_is_found_by_a_folder_relative_to_here_or_else_by_its_id(tmp_path,
                                                                            monkeypatch):
    write_exercise(tmp_path, BASE)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert load_exercise("exercises/05-test/sample").id == "05-test/sample"  # a folder
    assert load_exercise("05-test/sample").id == "05-test/sample"  # an id, under the root
    with pytest.raises(ExerciseError) as error:
        load_exercise("05-test/nope")
    assert str(error.value) == (f"no exercise '05-test/nope': {tmp_path}/exercises/05-test/nope/"
                                "exercise.yaml does not exist")
