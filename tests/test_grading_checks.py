"""Each check kind passes on the right answer and says what it saw on a wrong one."""

from __future__ import annotations

import textwrap

import pytest

from k8s_course.grading import grade, load_exercise
from tests.grading_support import DEPLOYMENT, write_exercise

SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - {name: web, port: 80, targetPort: 8080}
"""
ANSWER = DEPLOYMENT + SERVICE


def run_check(tmp_path, check: str, answer: str, files: dict | None = None):
    """Grade `answer` against an exercise holding just this one check."""
    spec = "title: T\nlesson: 03-deployments#x\nchecks:\n  - id: the-check\n    points: 2\n" \
           "    hint: do it\n" + textwrap.indent(textwrap.dedent(check).strip(), "    ") + "\n"
    exercise = load_exercise(write_exercise(tmp_path, spec, files=files))
    result = grade(exercise, answer, server=lambda bundle: None).results[0]
    assert result.earned == (2 if result.passed else 0)
    return result


@pytest.mark.parametrize(("check", "answer", "passed", "message"), [
    ("expect: {kind: Deployment, name: web, namespace: shop}", DEPLOYMENT, True,
     "Deployment/web in namespace shop is there"),
    ("expect: {kind: Deployment, name: web, namespace: prod}", DEPLOYMENT, False,
     "Deployment/web is in namespace shop, not in namespace prod"),
    ("expect: {kind: Deployment, name: api}", DEPLOYMENT, False,
     "there is no Deployment named api; your answer has Deployment web"),
    ("expect: {kind: Service, name: web}", DEPLOYMENT, False,
     "there is no Service named web in your answer"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 3", DEPLOYMENT,
     False, "spec.replicas of Deployment/web is 2; expected 3"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 2", DEPLOYMENT,
     True, ""),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 2",
     DEPLOYMENT.replace("replicas: 2", 'replicas: "2"'), False,
     'is "2" (text in quotes); expected 2'),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\none_of: [1, 2]",
     DEPLOYMENT, True, ""),
    ("resource: {kind: Deployment, name: web}\npath: spec.paused\nequals: 1",
     DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  paused: true"), False, "expected 1"),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: '^nginx:1\\.2[0-9]$'", DEPLOYMENT, True, ""),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: ':latest$'", DEPLOYMENT, False, "is nginx:1.27; expected of the form"),
    ("resource: {kind: Deployment, name: web}\npath: spec.strategy\nexists: true", DEPLOYMENT,
     False, "spec.strategy of Deployment/web is missing"),
    ("resource: {kind: Deployment, name: web}\npath: metadata.namespace\nabsent: true",
     DEPLOYMENT, False, "metadata.namespace of Deployment/web should not be there"),
    ("resource: {kind: Deployment, name: web}\npath: spec.paused\nabsent: true", DEPLOYMENT,
     True, ""),
    ("resource: {kind: Deployment, name: gone}\npath: spec.replicas\nexists: true",
     DEPLOYMENT, False, "there is no Deployment named gone"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}", ANSWER, True,
     "Service/web selects the pods of Deployment/web"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: {app: api}"), False,
     "the selector of Service/web (app: api) does not match the pod labels of "
     "Deployment/web (app: web)"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     DEPLOYMENT + SERVICE.replace("namespace: shop", "namespace: default"), False,
     "a Service only selects pods in its own"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}", ANSWER,
     True, "port 80 of Service/web reaches containerPort 8080"),
    ("reaches: {service: web, port: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: http"), True, "reaches containerPort http"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: 80"), False,
     "port 80 of Service/web sends traffic to 80, but the pods of Deployment/web declare "
     "containerPort 8080"),
    ("reaches: {service: web, port: 443, workload: {kind: Deployment, name: web}}", ANSWER,
     False, "Service/web has no port 443"),
    # Quoted digits are a port name to Kubernetes: say so rather than "8080 but 8080".
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", 'targetPort: "8080"'), False,
     'sends traffic to "8080" in quotes: Kubernetes reads quoted digits as a port name'),
    ("valid: true", DEPLOYMENT, True, ""),
    ("valid: true", DEPLOYMENT.replace("replicas: 2", "replica: 2"), False, "line 7:"),
    # an error of the rules counts too: the server refuses this selector
    ("valid: true", DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"), False,
     "line 12: the template's pods carry app: api"),
    ("valid: true", "# nothing yet\n", False, "line 1: there is no Kubernetes object here"),
    # a port name the server refuses reaches nothing, even when both sides agree
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: HTTP").replace("name: http", "name: HTTP"),
     False, "sends traffic to the port name HTTP, which the API server refuses (it contains "
     "'H' (uppercase is not allowed)"),
    ("clean: [selector-matches-template]", DEPLOYMENT, True, ""),
    ("clean: [selector-matches-template]",
     DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"), False, "line "),
    ("clean: [selector-matches-template]", "# nothing yet\n", False,
     "there is no object in your answer to check"),
])
def test_check_kinds(tmp_path, check, answer, passed, message):
    result = run_check(tmp_path, check, answer)
    assert result.passed is passed, result.message
    assert message in result.message


def test_a_secret_value_never_appears_in_feedback(tmp_path):
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n"
              "stringData:\n  password: hunter2\n")
    result = run_check(tmp_path, "resource: {kind: Secret, name: db}\npath: stringData.password\n"
                                 "equals: s3cret", secret)
    assert not result.passed
    assert "hunter2" not in result.message and "stringData.password" in result.message


def test_a_python_check_is_an_escape_hatch(tmp_path):
    code = """
        def has_two(bundle):
            deployment = bundle.find("Deployment", "web")
            ok = deployment is not None and deployment.get(("spec", "replicas")) == 2
            return ok, "two replicas" if ok else "not two"
        def boom(bundle):
            raise RuntimeError("instructor bug")
    """
    good = run_check(tmp_path / "a", "python: checks.py:has_two", DEPLOYMENT, {"checks.py": code})
    assert (good.passed, good.message) == (True, "two replicas")
    crash = run_check(tmp_path / "b", "python: checks.py:boom", DEPLOYMENT, {"checks.py": code})
    assert not crash.passed
    assert "could not run this check (RuntimeError)" in crash.message
