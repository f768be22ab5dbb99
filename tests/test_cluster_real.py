"""Against a real API server: the course's kind cluster, or the context in K8S_COURSE_TEST_CONTEXT.

`cluster` tests need only an API server; `cluster_pods` tests need pods to
really run (a scheduler, kubelets, and image pulls from Docker Hub). Both are
skipped, with the reason, when no cluster answers. Everything happens in a
fresh namespace that is deleted at the end.
"""

from __future__ import annotations

import os
import uuid

import pytest

from k8s_course.cluster import actions
from k8s_course.cluster.client import Client, ClusterUnreachable
from k8s_course.cluster.guard import COURSE_CONTEXT, ContextError
from k8s_course.cluster.kind import what_is_missing
from k8s_course.cluster.portforward import endpoints
from k8s_course.findings import Severity

from .conftest import FIXTURES

WEB = """\
apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  namespace: {namespace}
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: {image}
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  namespace: {namespace}
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 80
"""


@pytest.fixture(scope="module")
def context() -> str:
    named = os.environ.get("K8S_COURSE_TEST_CONTEXT", "").strip()
    wanted = named or COURSE_CONTEXT
    try:
        Client.connect(wanted).server_version()
    except (ContextError, ClusterUnreachable) as error:
        # the same one-line explanations a learner gets (no kubeconfig, Docker or kind missing)
        missing = "" if named else " ".join(["", *what_is_missing()])
        pytest.skip(f"needs a reachable cluster (the course's kind cluster, or a context "
                    f"named in K8S_COURSE_TEST_CONTEXT): {error}{missing}")
    return wanted


@pytest.fixture(scope="module")
def namespace(context):
    """A fresh namespace, created for real (a shared cluster gets no namespace from a dry run)."""
    name = f"k8s-course-test-{uuid.uuid4().hex[:8]}"
    created = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
    assert actions.apply(created, context=context).ok
    yield name
    actions.delete(created, context=context)


def web(namespace: str, image: str = "nginx:1.27", replicas: object = 1) -> str:
    return WEB.format(namespace=namespace, image=image, replicas=replicas)


def line_of(text: str, start: str) -> int:
    (hit,) = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith(start)]
    return hit


@pytest.mark.cluster
def test_the_seed_example_passes_a_server_dry_run(context):
    report = actions.dry_run(FIXTURES / "seed" / "mlops.yaml", context=context)
    assert not report.errors, report.to_text()
    assert report.context == context and report.kube_version


@pytest.mark.cluster
@pytest.mark.parametrize(("replicas", "rule", "words", "line"), [
    ('"two"', "server-rejected", "expected numeric", "replicas:"),
    ("2\n  replicas: 3", "server-duplicate-key", "already set in map", "replicas: 3"),
])
def test_a_real_refusal_lands_on_the_learners_line(context, namespace, replicas, rule, words,
                                                   line):
    text = web(namespace, replicas=replicas)
    report = actions.dry_run(text, context=context)
    found = [f for f in report.errors if f.rule == rule]
    assert len(found) == 1, report.to_text()
    assert words in found[0].message
    assert found[0].line == line_of(text, line)


@pytest.mark.cluster
def test_apply_then_delete_leaves_nothing_behind(context, namespace):
    text = web(namespace)
    applied = actions.apply(text, context=context, wait=False)
    assert applied.ok, applied.to_text()
    deployment_only = text.split("---\n")[1]
    deleted = actions.delete(deployment_only, context=context)
    assert [(f.resource, f.message) for f in deleted.findings] == [("Deployment/web", "deleted")]
    again = actions.delete(deployment_only, context=context)
    assert "was not on the cluster" in again.findings[0].message


@pytest.mark.cluster_pods
def test_pods_roll_out_and_the_service_finds_them(context, namespace):
    report = actions.apply(web(namespace, replicas=2), context=context, timeout=240,
                           progress=lambda line: None)
    assert report.ok, report.to_text()
    assert "2/2 ready" in report.table
    shown = endpoints("web", namespace, context=context)
    assert len([e for e in shown.endpoints if e.ready]) == 2


@pytest.mark.cluster_pods
def test_a_missing_image_tag_is_explained(context, namespace):
    text = web(namespace, image="nginx:no-such-tag-k8s-course")
    report = actions.apply(text, context=context, timeout=90, progress=lambda line: None)
    found = [f for f in report.findings if f.rule == "pod-image"]
    assert found and found[0].severity is Severity.ERROR, report.to_text()
    assert found[0].line == line_of(text, "image:")
