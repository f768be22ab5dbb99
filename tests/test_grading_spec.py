"""exercise.yaml is validated so an instructor's mistake is caught with its line."""

from __future__ import annotations

import os

import pytest

from k8s_course.grading import ExerciseError, exercise_ids, load_exercise
from k8s_course.grading.fieldpath import ANY, parse, values_at
from tests.grading_support import write_exercise

GOOD = """
title: Scale the web app
lesson: 03-deployments#replicas
hints: [Replicas live under spec.]
checks:
  - id: exists
    points: 1
    expect: {kind: Deployment, name: web, namespace: shop}
    hint: Write the Deployment web.
  - id: replicas
    points: 2
    resource: {kind: Deployment, name: web}
    path: spec.replicas
    equals: 3
    hint: 'Write `replicas: 3`.'
  - id: no-errors
    points: 1
    valid: true
    hint: Fix the errors first.
"""


def problems(tmp_path, spec: str, **files) -> str:
    folder = write_exercise(tmp_path, spec, files=files)
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder)
    return str(error.value)


def test_a_good_exercise_loads_with_everything_the_notebook_needs(tmp_path):
    folder = write_exercise(tmp_path, GOOD)
    exercise = load_exercise(folder)
    assert exercise.id == "05-test/sample"
    assert exercise.title == "Scale the web app"
    assert exercise.lesson == "03-deployments#replicas"
    assert exercise.task == "Do the thing.\n"
    assert exercise.starter.startswith("apiVersion: v1")
    assert exercise.hints == ("Replicas live under spec.",)
    assert [c.id for c in exercise.checks] == ["exists", "replicas", "no-errors"]
    assert exercise.maximum == 4
    assert exercise.folder == folder.resolve()
    assert exercise.solution_file == tmp_path.resolve() / "solutions/05-test/sample.yaml"


def test_exercises_are_found_by_id_under_the_course_root(tmp_path, monkeypatch):
    write_exercise(tmp_path, GOOD)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    assert exercise_ids() == ["05-test/sample"]
    assert load_exercise("05-test/sample").title == "Scale the web app"
    with pytest.raises(ExerciseError, match="no exercise '05-test/nope'"):
        load_exercise("05-test/nope")


def test_the_course_root_is_found_from_the_current_directory(tmp_path, monkeypatch):
    write_exercise(tmp_path, GOOD)
    monkeypatch.delenv("K8S_COURSE_ROOT", raising=False)
    monkeypatch.chdir(tmp_path / "exercises" / "05-test")
    assert load_exercise("05-test/sample").id == "05-test/sample"


def test_an_edited_exercise_is_reloaded(tmp_path):
    folder = write_exercise(tmp_path, GOOD)
    assert load_exercise(folder).title == "Scale the web app"
    text = GOOD.replace("Scale the web app", "Scale it")
    (folder / "exercise.yaml").write_text(text)
    stat = (folder / "exercise.yaml").stat()
    os.utime(folder / "exercise.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_exercise(folder).title == "Scale it"


@pytest.mark.parametrize(("change", "expected"), [
    (("equals: 3", "equal: 3"), "unknown key `equal`; did you mean `equals`?"),
    (("    points: 2\n", ""), "checks[1].points: `points` is missing"),
    (("    points: 2\n", "    points: two\n"), "not a whole number"),
    (("    expect:", "    expects:"), "a check needs exactly one kind"),
    (("path: spec.replicas", "path: spec.replica"),
     "spec.replica is not a field of Deployment in the Kubernetes schema"),
    (("path: spec.replicas", "path: spec..replicas"), "cannot read the path"),
    (("id: replicas", "id: Replicas"), "not kebab-case"),
    (("id: replicas", "id: exists"), "the id exists is used twice"),
    (("    hint: Write the Deployment web.\n", ""), "`hint` is missing"),
    (("equals: 3", "equals: 3\n    exists: true"), "exactly one of equals"),
    (("title: Scale the web app", "titel: Scale"), "unknown key `titel`; did you mean `title`?"),
])
def test_instructor_mistakes_are_named_with_their_line(tmp_path, change, expected):
    message = problems(tmp_path, GOOD.replace(*change))
    assert expected in message
    assert "exercise.yaml:" in message


def test_every_mistake_is_reported_at_once(tmp_path):
    spec = GOOD.replace("equals: 3", "equal: 3").replace("    points: 1\n", "")
    message = problems(tmp_path, spec)
    assert "equal" in message and "points" in message
    assert len(message.splitlines()) >= 2


def test_the_line_of_a_mistake_is_given(tmp_path):
    message = problems(tmp_path, GOOD.replace("path: spec.replicas", "path: spec.replica"))
    line = GOOD.lstrip("\n").splitlines().index("    path: spec.replica" + "s") + 1
    assert f"exercise.yaml:{line}:" in message


def test_unknown_rule_ids_in_clean_are_instructor_errors(tmp_path):
    spec = GOOD + """
  - id: tidy
    points: 1
    clean: [selector-matches-templat]
    hint: Fix the selector.
"""
    message = problems(tmp_path, spec)
    assert "unknown rule id selector-matches-templat" in message
    assert "did you mean selector-matches-template?" in message


def test_yaml_an_instructor_cannot_write_is_explained(tmp_path):
    message = problems(tmp_path, GOOD.replace("hint: 'Write `replicas: 3`.'",
                                              "hint: Write `replicas: 3`."))
    assert "YAML cannot read this" in message
    assert "quote" in message


def test_an_empty_exercise_file_is_explained(tmp_path):
    message = problems(tmp_path, "# nothing yet\n")
    assert message.endswith("exercise.yaml:1: exercise.yaml must be a mapping with title, "
                            "lesson and checks")
    assert len(message.splitlines()) == 1


def test_missing_task_and_python_function_are_reported(tmp_path):
    spec = GOOD + """
  - id: custom
    points: 1
    python: checks.py:has_probe
    hint: Add a probe.
"""
    code = "def other(bundle):\n    return 1\n"
    folder = write_exercise(tmp_path, spec, files={"checks.py": code})
    (folder / "task.md").unlink()
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder)
    assert "task.md is missing" in str(error.value)
    assert "has no function has_probe" in str(error.value)


def test_wrong_answers_must_name_the_checks_they_lose(tmp_path):
    folder = write_exercise(tmp_path, GOOD, files={
        "wrong/a.yaml": "# loses: replicas, exists\nkind: Deployment\n",
        "wrong/b.yaml": "kind: Deployment\n",
        "wrong/c.yaml": "# loses: replica\nkind: Deployment\n"})
    exercise = load_exercise(folder)
    (folder / "wrong/b.yaml").rename(folder / "wrong/z.yml")  # not a .yaml: not a wrong answer
    (folder / "wrong/c.yaml").rename(folder / "wrong/c.txt")
    assert [w.loses for w in exercise.wrong_answers()] == [frozenset({"replicas", "exists"})]
    (folder / "wrong/z.yml").rename(folder / "wrong/b.yaml")
    with pytest.raises(ExerciseError, match=r"b\.yaml:1: the first line must be"):
        exercise.wrong_answers()
    (folder / "wrong/b.yaml").unlink()
    (folder / "wrong/c.txt").rename(folder / "wrong/c.yaml")
    with pytest.raises(ExerciseError, match="unknown checks: replica"):
        exercise.wrong_answers()


@pytest.mark.parametrize(("text", "steps"), [
    ("spec.replicas", ("spec", "replicas")),
    ("spec.containers[0].image", ("spec", "containers", 0, "image")),
    ("spec.containers[*].ports[*].containerPort",
     ("spec", "containers", ANY, "ports", ANY, "containerPort")),
    ('metadata.labels["app.kubernetes.io/name"]', ("metadata", "labels", "app.kubernetes.io/name")),
    ("metadata.annotations['example.com/owner']", ("metadata", "annotations", "example.com/owner")),
])
def test_field_paths(text, steps):
    assert parse(text) == steps


@pytest.mark.parametrize(("text", "said"), [
    ("spec..replicas", "cannot read the path 'spec..replicas' at character 5; "
                       'write it like spec.containers[0].image or labels["app"]'),
    ("spec.containers[0]image", "cannot read the path 'spec.containers[0]image' at character 19; "
                                'write it like spec.containers[0].image or labels["app"]'),
    (".spec", "cannot read the path '.spec' at character 1; "
              'write it like spec.containers[0].image or labels["app"]'),
    ("", "the path is empty; write it like spec.replicas"),
], ids=["two-dots", "no-dot", "leading-dot", "empty"])
def test_a_field_path_that_does_not_read_says_where_it_stops(text, said):
    with pytest.raises(ValueError) as error:
        parse(text)
    assert str(error.value) == said


def test_values_at_fans_out_over_lists_and_skips_what_is_missing():
    body = {"spec": {"containers": [{"ports": [{"p": 1}, {"p": 2}]}, {"ports": "oops"}, {}]}}
    assert list(values_at(body, parse("spec.containers[*].ports[*].p"))) == [1, 2]
    assert list(values_at(body, parse("spec.containers[5].ports"))) == []
    assert list(values_at(body, parse("spec.containers.ports"))) == []


def test_an_exercise_without_a_valid_check_is_an_instructor_error(tmp_path):
    folder = write_exercise(tmp_path, GOOD)
    text = GOOD.split("  - id: no-errors")[0]
    (folder / "exercise.yaml").write_text(text)
    with pytest.raises(ExerciseError) as error:
        load_exercise(folder)
    assert str(error.value) == (f"{folder.resolve()}/exercise.yaml:5: checks: add a check with "
                                "`valid: true`: without one, an answer with errors (one the API "
                                "server refuses) could score full marks")


def test_every_check_kind_is_documented_for_instructors():
    """exercises/README.md has a table row for each kind the loader accepts."""
    from pathlib import Path

    from k8s_course.grading.spec import KINDS

    table = (Path(__file__).resolve().parents[1] / "exercises" / "README.md").read_text()
    undocumented = [kind for kind in KINDS if f"| `{kind}` |" not in table
                    and f"| `{kind}` + " not in table]
    assert undocumented == []


@pytest.mark.parametrize(("python", "problem"), [
    ("checks.py", "write it as `checks.py:function_name`"),
    ("fn:ok.py", "write it as `checks.py:function_name`"),
    ("nope.py:fn", "{folder}/nope.py does not exist in the exercise folder"),
    ("../outside.py:fn", "{folder}/../outside.py does not exist in the exercise folder"),
    ("bad.py:fn", "{folder}/bad.py fails to import: ValueError('boom')"),
    ("ok.py:missing", "{folder}/ok.py has no function missing"),
    ("ok.py:NUMBER", "{folder}/ok.py has no function NUMBER"),
    ("ok.py:fn:extra", "{folder}/ok.py has no function fn:extra"),
])
def test_a_python_check_that_cannot_run_is_refused_on_its_line(tmp_path, python, problem):
    spec = GOOD + f"  - id: custom\n    points: 1\n    python: {python}\n    hint: h\n"
    (tmp_path / "exercises" / "05-test").mkdir(parents=True)
    (tmp_path / "exercises" / "05-test" / "outside.py").write_text("def fn(b):\n    return 1\n")
    folder = tmp_path / "exercises" / "05-test" / "sample"
    said = problems(tmp_path, spec, **{"bad.py": "raise ValueError('boom')\n",
                                       "ok.py": "NUMBER = 3\ndef fn(bundle):\n    return 1\n"})
    assert said == f"{folder}/exercise.yaml:21: checks[3].python: " + problem.format(
        folder=folder)


@pytest.mark.parametrize(("check", "said"), [
    ("scales: [a]", ["scales: `scales` must be a mapping with hpa and workload"]),
    ("scales: {hpa: 5, workload: {kind: Deployment, name: web}, namespace: 3, namespce: x}",
     ["scales.namespce: unknown key `namespce`; did you mean `namespace`?",
      "scales.hpa: `hpa` must be the object's name",
      "scales.namespace: `namespace` must be text"]),
    ("protects: {pdb: '', workload: {kind: Deployment, name: web, namespace: [x]}}",
     ["protects.pdb: `pdb` must be the object's name",
      "protects.workload.namespace: `namespace` must be text"]),
    ("fits-quota: [a]", ["fits-quota: `fits-quota` must be a mapping like {namespace: mlops}"]),
    ("fits-quota: {namespace: shop, extra: 1}",
     ["fits-quota.extra: unknown key `extra`; expected one of namespace"]),
    ("can: [a]", ["can: `can` must be a mapping like {as: system:serviceaccount:mlops:app, "
                  "verb: get, resource: configmaps, namespace: mlops}"]),
    ("cannot: [a]", ["cannot: `cannot` must be a mapping like {as: system:serviceaccount:"
                     "mlops:app, verb: get, resource: configmaps, namespace: mlops}"]),
    ("can: {as: u, verb: get, resource: pods, expect: yes please, namespace: 3}",
     ["can.namespace: `namespace` is missing or not text",
      "can.expect: `expect` must be true or false"]),
    ("can: {as: '', verb: 3}", ["can.as: `as` is missing or not text",
                                "can.verb: `verb` is missing or not text",
                                "can.resource: `resource` is missing or not text"]),
    ("cannot: {as: u, verb: get, resource: pods, expect: true}",
     ["cannot.expect: unknown key `expect`; expected one of as, verb, resource, namespace, "
      "group, name"]),
    ("selects: [a]", ["selects: `selects` must be a mapping with service and workload"]),
    ("reaches: [a]", ["reaches: `reaches` must be a mapping with service and workload"]),
    ("selects: {service: 3, workload: {kind: Deployment, name: web}, port: 80}",
     ["selects.port: unknown key `port`; expected one of service, workload, namespace",
      "selects.service: `service` must be the Service's name"]),
    ("reaches: {service: web, workload: {kind: Deployment}, port: true}",
     ["reaches.workload.name: `name` is missing or not text",
      "reaches.port: `port` must be the Service port's number or name"]),
    ("reaches: {service: web, workload: web, port: [1], namespace: x}",
     ["reaches.workload: must be a mapping like {kind: Deployment, name: web}",
      "reaches.port: `port` must be the Service port's number or name"]),
    ("uses: [a]", ["uses: `uses` must be a mapping like {workload: {kind: Deployment, name: "
                   "web}, configmap: web-settings}"]),
    ("mounts: [a]", ["mounts: `mounts` must be a mapping like {workload: {kind: Deployment, "
                     "name: web}, configmap: web-settings}"]),
    ("uses: {workload: {kind: Pod, name: app}, configmap: a, secret: b}",
     ["uses: name exactly one of configmap, secret, claim"]),
    ("uses: {workload: {kind: Pod, name: app}, configmap: ''}",
     ["uses.configmap: `configmap` must be the object's name"]),
    ("mounts: {workload: {kind: Pod, name: app}, claim: c, path: 3}",
     ["mounts.path: `path` must be a mountPath like /etc/app"]),
    ("clean: 5", ["clean: `clean` must be a list of rule ids"]),
    ("clean: []", ["clean: `clean` must be a list of rule ids"]),
    ("clean: [selector-matches-templat, zzzzzz]",
     ["clean: unknown rule id selector-matches-templat; did you mean selector-matches-template?",
      "clean: unknown rule id zzzzzz"]),
])
def test_each_mistake_in_a_check_of_a_relation_or_a_use_is_told_at_its_key(tmp_path, check,
                                                                            said):
    spec = GOOD + f"  - id: custom\n    points: 1\n    {check}\n    hint: h\n"
    at = f"{tmp_path}/exercises/05-test/sample/exercise.yaml:21: checks[3]."
    assert problems(tmp_path, spec).splitlines() == [at + line for line in said]


@pytest.mark.parametrize("check", [
    "reaches: {service: web, workload: {kind: Deployment, name: web}, port: http, "
    "namespace: shop}",
    "mounts: {workload: {kind: Pod, name: app}, claim: c, path: /data}",
    "clean: selector-matches-template",
    "scales: {hpa: h, workload: {kind: Deployment, name: web}, namespace: shop}",
    "protects: {pdb: p, workload: {kind: Deployment, name: web, namespace: shop}}",
    "can: {as: u, verb: get, resource: pods, namespace: shop, group: apps, name: x, "
    "expect: false}",
])
def test_coverage_and_access_checks_written_in_full_load(tmp_path, check):
    spec = GOOD + f"  - id: custom\n    points: 1\n    {check}\n    hint: h\n"
    assert load_exercise(write_exercise(tmp_path, spec)).checks[-1].id == "custom"
