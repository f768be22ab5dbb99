"""A classroom on a real API server: the course's kind cluster, or K8S_COURSE_TEST_CONTEXT.

Marked `cluster` and skipped, with the reason, when no cluster answers. One
learner with a random name is planned, applied, checked and taken down; the
learner's own kubeconfig must work in their namespace and be refused
elsewhere by the real RBAC authorizer.
"""

from __future__ import annotations

import os
import uuid

import pytest

from k8s_course.classroom import live
from k8s_course.classroom.plan import Sizing, plan
from k8s_course.classroom.roster import Learner
from k8s_course.cluster import actions
from k8s_course.cluster.client import Client, ClusterUnreachable
from k8s_course.cluster.guard import COURSE_CONTEXT, ContextError

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: mlops}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""


@pytest.fixture(scope="module")
def context() -> str:
    wanted = os.environ.get("K8S_COURSE_TEST_CONTEXT", "").strip() or COURSE_CONTEXT
    try:
        Client.connect(wanted).server_version()
    except (ContextError, ClusterUnreachable) as error:
        pytest.skip(f"needs a reachable cluster (the course's kind cluster, or a context "
                    f"named in K8S_COURSE_TEST_CONTEXT): {error}")
    return wanted


@pytest.mark.cluster
def test_a_learner_works_in_their_namespace_and_is_refused_elsewhere(context, tmp_path,
                                                                      monkeypatch):
    learner = Learner("Test Learner", f"k8s-course-test-{uuid.uuid4().hex[:8]}")
    client = live.connect(context)
    said: list[str] = []
    try:
        assert live.apply_plan(client, plan([learner], Sizing()), said.append) == 0, said
        assert live.issue_kubeconfigs(client, [learner], tmp_path, 600, said.append) == 0, said
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / f"{learner.namespace}.yaml"))
        monkeypatch.setenv("K8S_COURSE_CONTEXT", "k8s-course-classroom")
        report = actions.dry_run(DEPLOYMENT)
        assert report.ok and report.namespaces == (learner.namespace,), report.to_text()
        mine = Client.connect()
        assert mine.request("GET", "/api/v1/nodes").status == 403
        assert mine.request("GET", "/api/v1/namespaces/kube-system/secrets").status == 403
        monkeypatch.undo()
        assert any(learner.namespace in line for line in live.status_lines(client))
    finally:
        assert live.take_down(live.connect(context), [learner], said.append) == 0, said
