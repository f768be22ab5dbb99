"""Staged grading, partial credit, the Grade's renderings, hints and the cluster seam."""

from __future__ import annotations

import re
import sys
import types

import pytest

import k8s_course
from k8s_course.bundle import Bundle
from k8s_course.findings import Finding, Severity
from k8s_course.grading import Grade, grade, load_exercise, next_hint
from k8s_course.grading.grade import NO_CLUSTER, SERVER_CHECK, CheckResult
from k8s_course.pipeline import load
from k8s_course.report import Report
from tests.grading_support import DEPLOYMENT, SCALE_SPEC, SOLVED, write_exercise

SPEC = SCALE_SPEC.replace("checks:\n", """\
hints: [A Deployment keeps replicas copies running., Replicas is a number.]
server: {points: 2}
checks:
""") + """\
  - id: valid
    points: 1
    valid: true
    hint: Fix the errors first.
"""


@pytest.fixture
def exercise(tmp_path, monkeypatch):
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    return load_exercise(write_exercise(tmp_path, SPEC))


def test_k8s_course_grade_is_the_grading_entry_point():
    assert k8s_course.grade is grade


def test_full_marks(exercise):
    result = grade(exercise, SOLVED)
    assert (result.score, result.maximum, result.full_marks) == (4, 4, True)
    assert result.feedback == "Full marks: 4/4 points."
    assert all(r.passed for r in result.results)


def test_partial_credit_with_a_schema_error(exercise):
    # a quoted number fails the schema, yet the checks that can still be judged earn points
    result = grade(exercise, SOLVED.replace("replicas: 3", 'replicas: "3"'))
    assert (result.score, result.maximum, result.full_marks) == (1, 4, False)
    stages = {stage.name: stage for stage in result.stages}
    assert stages["parses"].passed is True
    assert stages["fits the schema"].passed is False
    assert "line 7" in stages["fits the schema"].sentence
    assert stages["meets the checks"].passed is False
    assert result.feedback == "Not yet: 1/4 points. Next: Set three replicas."


def test_yaml_that_does_not_parse_fails_the_first_stage_and_every_check(exercise):
    result = grade(exercise, "kind: Deployment\n  name: [web\n")
    assert result.stages[0].passed is False
    assert "YAML cannot read this" in result.stages[0].sentence
    assert result.score == 0 and result.maximum == 4


@pytest.mark.parametrize("answer", [b"\x00\x01binary", 42, None, "x" * 100, b"\xff\xfe\xfd"])
def test_any_answer_gets_a_grade_never_an_exception(exercise, answer):
    result = grade(exercise, answer)
    assert result.score == 0
    assert result.stages[0].passed is False


def test_answers_can_be_text_bytes_paths_or_bundles(exercise, tmp_path):
    path = tmp_path / "answer.yaml"
    path.write_text(SOLVED)
    bundle, _ = load(SOLVED)
    for answer in (SOLVED, SOLVED.encode(), path, str(path), bundle):
        assert grade(exercise, answer).full_marks, answer


def test_an_exercise_can_be_named_by_id(tmp_path, monkeypatch):
    write_exercise(tmp_path, SPEC)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    assert grade("05-test/sample", SOLVED).full_marks


def test_text_is_deterministic_and_lists_stages_checks_and_hints(exercise, tmp_path):
    wrong = DEPLOYMENT
    text = grade(exercise, wrong).text()
    again = grade(load_exercise(exercise.folder), wrong)
    assert text == str(grade(exercise, wrong)) == again.text()
    assert text.splitlines()[:2] == ["Scale the web app (05-test/sample)", "Not yet: 2/4 points"]
    assert "  skip accepted by the server: " + NO_CLUSTER in text
    assert "  [ ] three   0/2  spec.replicas of Deployment/web is 2; expected 3" in text
    assert "      hint: Set three replicas." in text
    assert "  [x] exists  1/1" in text
    assert str(tmp_path) not in text and not re.search(r"0x[0-9a-f]{6,}", text)


def test_html_summary_escapes_what_the_learner_wrote(exercise):
    answer = DEPLOYMENT.replace("name: web\n  namespace", "name: <b>x</b>\n  namespace")
    html = grade(exercise, answer)._repr_html_()
    assert html.startswith('<div class="k8s-course-grade">') and "Not yet: " in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "hint:</b> Write the Deployment web in namespace shop." in html


def test_ipython_shows_the_full_text(exercise):
    printed = []
    grade(exercise, SOLVED)._repr_pretty_(types.SimpleNamespace(text=printed.append), False)
    assert printed == [grade(exercise, SOLVED).text()]


def test_as_dict_is_the_json_form(exercise):
    data = grade(exercise, DEPLOYMENT).as_dict()
    assert data["score"] == 2 and data["maximum"] == 4 and data["full_marks"] is False
    assert [c["id"] for c in data["checks"] if not c["passed"]] == ["three"]
    assert data["stages"][0] == {"name": "parses", "passed": True, "sentence": "the YAML reads"}


def test_hints_go_nudge_then_where_to_look_then_the_fix_for_this_mistake(exercise):
    hints = [next_hint(exercise, DEPLOYMENT, shown) for shown in range(4)]
    assert hints == ["A Deployment keeps replicas copies running.", "Replicas is a number.",
                     "Set three replicas.", None]
    assert next_hint(exercise, SOLVED, 0) is None
    assert all(h is None or "replicas: 3" not in h for h in hints)


# --- the cluster stage: a seam, tested with fake servers -----------------------

def _report(bundle: Bundle, *errors: str) -> Report:
    return Report([Finding("server-rejected", Severity.ERROR, e) for e in errors], bundle)


def test_a_server_that_accepts_adds_its_points(exercise):
    seen = []
    result = grade(exercise, SOLVED, server=lambda b: seen.append(b) or _report(b))
    assert isinstance(seen[0], Bundle) and len(seen[0]) == 1
    assert (result.score, result.maximum) == (6, 6)
    assert result.stages[-1] == ("accepted by the server", True,
                                 "the API server accepts it (dry run)")
    assert result.results[-1].id == SERVER_CHECK


def test_a_server_that_rejects_costs_its_points_and_says_why(exercise):
    result = grade(exercise, SOLVED, server=lambda b: _report(b, "admission webhook denied it"))
    assert (result.score, result.maximum) == (4, 6)
    assert result.stages[-1].passed is False
    assert "admission webhook denied it" in result.stages[-1].sentence


def test_an_unreachable_server_changes_nothing(exercise):
    def unreachable(bundle):
        raise ConnectionRefusedError("no route")

    result = grade(exercise, SOLVED, server=unreachable)
    assert (result.score, result.maximum) == (4, 4)
    assert result.stages[-1].passed is None
    assert "ConnectionRefusedError" in result.stages[-1].sentence


def test_a_cluster_report_saying_unreachable_changes_nothing(exercise):
    def unreachable(bundle):
        return Report([Finding("cluster-unreachable", Severity.ERROR,
                               "cannot reach the API server at 127.0.0.1:6443")], bundle)

    result = grade(exercise, SOLVED, server=unreachable)
    assert (result.score, result.maximum) == (4, 4)
    assert result.stages[-1] == ("accepted by the server", None,
                                 "skipped: cannot reach the API server at 127.0.0.1:6443")


def test_without_a_cluster_the_stage_is_skipped(exercise, monkeypatch):
    monkeypatch.setitem(sys.modules, "k8s_course.cluster", None)  # importing it would fail
    result = grade(exercise, SOLVED)
    assert result.stages[-1] == ("accepted by the server", None, NO_CLUSTER)
    assert (result.score, result.maximum) == (4, 4)


def test_with_a_configured_context_the_cluster_layer_is_used(exercise, monkeypatch):
    calls = []
    fake = types.ModuleType("k8s_course.cluster")
    fake.dry_run = lambda answer, context=None: calls.append(context) or _report(answer)
    monkeypatch.setitem(sys.modules, "k8s_course.cluster", fake)
    monkeypatch.setattr(k8s_course, "cluster", fake, raising=False)
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "kind-k8s-course")
    result = grade(exercise, SOLVED)
    assert calls == ["kind-k8s-course"]
    assert isinstance(result, Grade) and (result.score, result.maximum) == (6, 6)


def test_the_untouched_starter_is_not_started_and_gives_nothing_away(exercise):
    starter = exercise.starter
    untouched = grade(exercise, "\n" + starter)  # as an answer cell holds it
    assert not untouched.full_marks and untouched.starter
    assert untouched.verdict == "Not started"
    assert "Not yet" not in untouched.text() and "Not yet" not in untouched._repr_html_()
    assert "hint:" not in untouched.text() and "nothing is graded yet" in untouched.feedback
    changed = grade(exercise, starter + "# my try\n")
    assert changed.verdict == "Not yet" and not changed.starter


def test_the_html_grade_shows_each_check_with_its_points_and_only_failures_explained(exercise):
    """What a learner sees under a graded cell, colour by verdict."""
    head = '<div class="k8s-course-grade"><b style="color:var'
    stages = ("parses: ok · fits the schema: ok · passes the rules: ok · meets the checks: {} · "
              "accepted by the server: skipped")
    assert grade(exercise, DEPLOYMENT)._repr_html_() == (
        f'{head}(--jp-warn-color0, #9a6700)">Not yet: 2/4 points</b> &mdash; Scale the web app'
        f"<br><small>{stages.format('no')}</small><ul>"
        "<li>✔ <code>exists</code> 1/1</li>"
        "<li>✘ <code>three</code> 0/2<br><small>spec.replicas of Deployment/web is 2; "
        "expected 3</small><br><small><b>hint:</b> Set three replicas.</small></li>"
        "<li>✔ <code>valid</code> 1/1</li></ul></div>")
    assert grade(exercise, SOLVED)._repr_html_() == (
        f'{head}(--jp-success-color0, #1a7f37)">Full marks: 4/4 points</b> &mdash; Scale the '
        f"web app<br><small>{stages.format('ok')}</small><ul>"
        "<li>✔ <code>exists</code> 1/1</li><li>✔ <code>three</code> 2/2</li>"
        "<li>✔ <code>valid</code> 1/1</li></ul></div>")
    assert grade(exercise, "\n" + exercise.starter)._repr_html_() == (
        f'{head}(--jp-ui-font-color1, #333)">Not started: 0/4 points</b> &mdash; Scale the web '
        "app<br>This is the exercise&#x27;s starting text, unchanged, so nothing is graded "
        "yet. Work in the editor above (its Grade button grades what you write there), or "
        "change the answer here and run this cell again.</div>")


def test_the_json_form_names_every_field_a_gradebook_reads(exercise):
    data = grade(exercise, DEPLOYMENT).as_dict()
    assert list(data) == ["exercise", "score", "maximum", "full_marks", "feedback", "stages",
                          "checks"]
    assert (data["exercise"], data["feedback"]) == (
        "05-test/sample", "Not yet: 2/4 points. Next: Set three replicas.")


def test_hints_never_reach_the_cluster_even_with_a_context(exercise, monkeypatch):
    """A hint must come at once: asking for one is no dry run against the course's cluster."""
    calls = []
    fake = types.ModuleType("k8s_course.cluster")
    fake.dry_run = lambda answer, context=None: calls.append(context) or _report(answer)
    monkeypatch.setitem(sys.modules, "k8s_course.cluster", fake)
    monkeypatch.setattr(k8s_course, "cluster", fake, raising=False)
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "kind-k8s-course")
    assert next_hint(exercise, DEPLOYMENT, 2) == "Set three replicas."
    assert calls == []


def test_the_text_grade_lists_every_stage_and_check_aligned(exercise):
    quoted = DEPLOYMENT.replace("replicas: 2", 'replicas: "2"')
    schema = 'line 7: spec.replicas must be a whole number such as 3; you wrote "2"'
    assert grade(exercise, quoted).text().splitlines() == [
        "Scale the web app (05-test/sample)",
        "Not yet: 1/4 points",
        "  ok   parses: the YAML reads",
        f"  FAIL fits the schema: {schema}",
        "  ok   passes the rules: no rule finds an error (1 warning in the report)",
        "  FAIL meets the checks: 1/4 points from 1 of 3 checks",
        "  skip accepted by the server: skipped: no cluster configured",
        "  [x] exists  1/1",
        "  [ ] three   0/2  spec.replicas of Deployment/web is 2; expected 3",
        "      hint: Set three replicas.",
        f"  [ ] valid   0/1  {schema}",
        "      hint: Fix the errors first.",
    ]
    assert grade(exercise, "\n" + exercise.starter).text() == (
        "Scale the web app (05-test/sample)\nNot started: 0/4 points\n  This is the exercise's "
        "starting text, unchanged, so nothing is graded yet. Work in the editor above (its "
        "Grade button grades what you write there), or change the answer here and run this "
        "cell again.")


def test_a_stage_counts_its_warnings_in_words(exercise):
    stages = {s.name: s for s in grade(exercise, SOLVED.replace("nginx:1.27", "nginx:latest"),
                                       server=lambda bundle: None).stages}
    # two warnings (the namespace is not created here, the image is :latest) and an info
    assert stages["passes the rules"] == (
        "passes the rules", True, "no rule finds an error (2 warnings in the report)")
    assert stages["fits the schema"] == ("fits the schema", True, "every object fits the schema")


HPA_V2BETA2 = """\
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
"""


def test_an_answer_is_graded_against_the_kubernetes_version_asked_for(exercise):
    """autoscaling/v2beta2 was served until Kubernetes 1.25."""
    old = grade(exercise, SOLVED + HPA_V2BETA2, kube_version="1.25")
    assert old.full_marks and old.report.summary().endswith(
        "(checked against Kubernetes 1.25)")
    new = grade(exercise, SOLVED + HPA_V2BETA2)
    assert not new.full_marks and new.report.summary().endswith(
        "(checked against Kubernetes 1.36)")
    assert new.stages[1].sentence.startswith(
        "line 20: autoscaling/v2beta2 for HorizontalPodAutoscaler was removed in Kubernetes 1.26")


SERVER_HINT = "fix what the API server says, then grade again"


def test_the_server_stage_records_exactly_what_happened(exercise):
    answered = []
    accepted = grade(exercise, SOLVED, server=lambda b: answered.append(_report(b)) or answered[0])
    assert accepted.server_report is answered[0]  # the whole dry run, beyond its summary
    assert accepted.results[-1] == CheckResult(
        SERVER_CHECK, 2, 2, True, "the API server accepts it (dry run)", SERVER_HINT)
    empty = grade(exercise, "# nothing yet\n", server=lambda b: _report(b))
    assert empty.stages[-1] == ("accepted by the server", False,
                                "nothing to send: no object parsed")
    assert empty.results[-1] == CheckResult(
        SERVER_CHECK, 2, 0, False, "nothing to send: no object parsed", SERVER_HINT)
    assert empty.server_report is None and empty.maximum == 6
    silent = grade(exercise, SOLVED, server=lambda b: None)
    assert (silent.stages[-1], silent.server_report, silent.maximum) == (
        ("accepted by the server", None, NO_CLUSTER), None, 4)

    def unreachable(bundle):
        raise ConnectionRefusedError("no route")

    assert grade(exercise, SOLVED, server=unreachable).stages[-1] == (
        "accepted by the server", None, "skipped: the cluster did not answer "
        "(ConnectionRefusedError)")
