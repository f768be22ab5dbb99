"""Recorded Status bodies the client cannot provoke itself -> findings on the right line.

The course always applies with force and with the name from the learner's
YAML, so a 409 conflict, a name that differs from the URL, an unknown
resource path and a strict-decoding error from a plain POST come straight
from the recordings here, through `server_findings`.
"""

from __future__ import annotations

import pytest

from k8s_course.cluster.client import Response
from k8s_course.cluster.errors import hide_values, parse_field, server_findings
from k8s_course.cluster.payload import payloads
from k8s_course.pipeline import load

from .fake_apiserver import recording


def refused(prefix: str, text: str | None = None):
    """Findings for a recorded refusal of the recorded body (or `text`)."""
    exchange = recording(prefix)
    bundle, _ = load(text or exchange["request"]["body"])
    answer = Response(exchange["response"]["status"], exchange["response"]["body"])
    return server_findings(bundle.resources[0], answer)


def test_conflict_points_at_the_contested_field():
    (finding,) = refused("22")
    assert (finding.rule, finding.line, finding.path) == (
        "server-conflict", 7, ("spec", "replicas"))
    assert 'conflict with "k8s-course"' in finding.message


def test_name_that_differs_from_the_url_points_at_the_name():
    (finding,) = refused("21")
    assert (finding.line, finding.path) == (5, ("metadata", "name"))
    assert "does not match the name on the URL (other-name)" in finding.message


def test_unknown_resource_is_about_the_whole_object():
    (finding,) = refused("28")
    assert finding.line == 1 and "could not find the requested resource" in finding.message


def test_strict_decoding_error_of_a_create_points_at_the_unknown_field():
    text = recording("27")["request"]["body"]  # JSON, one line: the column tells
    (finding,) = refused("27", text)
    assert finding.path == ("spec", "replica")
    assert finding.column == text.index('"replica"') + 1


@pytest.mark.parametrize(("field", "path"), [
    ("spec.ports[1].name", ("spec", "ports", 1, "name")),
    (".spec.replicas", ("spec", "replicas")),
    ('.spec.template.spec.containers[name="web"].imagePullPolicyy',
     ("spec", "template", "spec", "containers", 1, "imagePullPolicyy")),
    ('.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].x',
     ("spec", "template", "spec", "containers", 1, "ports", 0, "x")),
    ('.spec.template.spec.containers[name="gone"].image', ("spec", "template", "spec",
                                                           "containers")),
    ("metadata.labels[app.kubernetes.io/name]", ("metadata", "labels",
                                                 "app.kubernetes.io/name")),
])
def test_server_field_paths_become_ours(field, path):
    body = {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar"}, {"name": "web", "ports": [{"containerPort": 80}]}]}}}}
    assert parse_field(field, body) == path


def test_secret_values_are_hidden_from_server_messages():
    said = 'data[token]: Invalid value: "s3cr3t-value": must be shorter'
    assert "s3cr3t" not in hide_values(said)
    assert "Invalid value: (hidden): must be shorter" in hide_values(said)
    typed = ".data.token: expected string, got &value.valueUnstructured{Value:12345}"
    assert "12345" not in hide_values(typed)


def test_any_yaml_error_of_the_server_is_counted_from_the_sent_text():
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\n" \
           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  when: 12:30\n"
    bundle, _ = load(text)
    configmap = bundle.resources[1]
    payload = payloads(bundle)[id(configmap)]  # its text starts at the `---` on line 5
    answer = Response(400, {"kind": "Status", "message": "error converting YAML to JSON: yaml: "
                            "line 7: mapping values are not allowed in this context",
                            "reason": "BadRequest", "code": 400})
    (finding,) = server_findings(configmap, answer, payload)
    assert (finding.rule, finding.line, finding.column) == ("server-yaml", 11, 3)
    assert "mapping values are not allowed" in finding.message


SELECTOR_CHANGED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: website
  template:
    metadata:
      labels:
        app: website
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


@pytest.mark.parametrize(("field", "message", "words", "lesson"), [
    # The shape a 1.36 server gives when a live Deployment's selector is changed.
    ("spec.selector", 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":'
     '"website"}}: field is immutable', "`selector` cannot change", "01-manifest-anatomy"),
    ("roleRef", "Invalid value: rbac.RoleRef{...}: cannot change roleRef", "delete the binding",
     "07-rbac#bindings"),
    ("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', "
     "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
     "'minReadySeconds' are forbidden", "--cascade=orphan", "09-workloads#statefulsets"),
    ("data", "Forbidden: field is immutable when `immutable` is set", "`immutable: true`",
     "05-config#immutable"),
])
def test_a_field_that_cannot_change_says_how_to_change_it(field, message, words, lesson):
    bundle, _ = load(SELECTOR_CHANGED)
    body = {"kind": "Status", "status": "Failure", "reason": "Invalid", "code": 422,
            "message": f"refused: {field}: {message}",
            "details": {"causes": [{"reason": "FieldValueInvalid", "message": message,
                                    "field": field}]}}
    [finding] = server_findings(bundle.resources[0], Response(422, body))
    assert words in finding.hint and finding.lesson.startswith(lesson)
    assert message in finding.message  # the server's own words are kept
