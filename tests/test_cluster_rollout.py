"""After apply: rollout progress, a kubectl-like table, and stuck pods in learner terms.

Pods and events start from the recorded ones (33-pods-list, 34-events-list:
a real server without a scheduler, so its pods stay Pending) and get the
container states a kubelet reports for each failure.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from k8s_course.cluster import actions
from k8s_course.cluster.rollout import (
    age,
    label_selector,
    pod_problems,
    pod_row,
    rollout_status,
)
from k8s_course.findings import Severity

from .conftest import FIXTURES
from .fake_apiserver import recorded_body, running

SEED = FIXTURES / "seed" / "mlops.yaml"


def recorded_pod(**status) -> dict:
    """The first recorded pod, with a kubelet-style status merged in."""
    pod = copy.deepcopy(recorded_body("33")["items"][0])
    pod["kind"], pod["apiVersion"] = "Pod", "v1"
    pod["status"].update(status)
    return pod


def waiting(reason: str, message: str = "", **more) -> dict:
    return {"name": "fastapi-app-container", "image": "heyitsrj/mlops-fastapi-app:v3",
            "ready": False, "restartCount": more.pop("restarts", 0),
            "state": {"waiting": {"reason": reason, "message": message}}, **more}


def event(pod: dict, reason: str, message: str, kind: str = "Warning") -> dict:
    base = copy.deepcopy(recorded_body("34")["items"][0])
    base["involvedObject"] = {"kind": "Pod", "namespace": pod["metadata"]["namespace"],
                              "name": pod["metadata"]["name"]}
    base.update(reason=reason, message=message, type=kind)
    return base


# --- pure translations --------------------------------------------------------------

def test_the_recorded_deployment_is_not_rolled_out():
    assert rollout_status(recorded_body("30")) == (False, "0/2 ready")


def test_a_deployment_with_every_replica_available_is_rolled_out():
    deployment = copy.deepcopy(recorded_body("30"))
    deployment["status"].update(updatedReplicas=2, availableReplicas=2, readyReplicas=2)
    assert rollout_status(deployment) == (True, "2/2 ready")
    deployment["metadata"]["generation"] = 2  # a newer spec the controller has not seen
    assert rollout_status(deployment)[0] is False


def test_statefulset_and_daemonset_rollout():
    assert rollout_status({"kind": "StatefulSet", "spec": {"replicas": 3}, "status": {
        "replicas": 3, "readyReplicas": 3, "updatedReplicas": 3}}) == (True, "3/3 ready")
    assert rollout_status({"kind": "DaemonSet", "status": {
        "desiredNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": 1}}) == (
        False, "1/2 ready")


@pytest.mark.parametrize("reason", ["ImagePullBackOff", "ErrImagePull"])
def test_image_pull_failures_say_the_image_or_tag_does_not_exist(reason):
    pod = recorded_pod(phase="Pending", containerStatuses=[waiting(reason)])
    said = event(pod, "Failed", 'Failed to pull image "heyitsrj/mlops-fastapi-app:v3": not found')
    (problem,) = pod_problems(pod, [said])
    assert problem.rule == "pod-image" and problem.container == "fastapi-app-container"
    assert "image or its tag does not exist" in problem.message
    assert "not found" in problem.message  # the node's own words
    assert "tag" in problem.hint


def test_crash_loop_says_the_container_exits_and_wants_its_logs():
    status = waiting("CrashLoopBackOff", restarts=4,
                     lastState={"terminated": {"exitCode": 1, "reason": "Error"}})
    (problem,) = pod_problems(recorded_pod(phase="Running", containerStatuses=[status]), [])
    assert problem.rule == "pod-crashing" and problem.wants_logs
    assert "exit code 1" in problem.message and "restarted 4 times" in problem.message


def test_pending_with_a_scheduler_event_gives_its_reason():
    pod = recorded_pod()
    said = event(pod, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.")
    (problem,) = pod_problems(pod, [said])
    assert problem.rule == "pod-pending"
    assert "0/1 nodes are available: 1 Insufficient cpu." in problem.message
    assert "resources.requests" in problem.hint


def test_the_recorded_pending_pods_have_no_scheduler_to_explain():
    events = recorded_body("34")["items"]
    for pod in recorded_body("33")["items"]:
        (problem,) = pod_problems(pod, events)
        assert problem.rule == "pod-pending" and "no scheduler has explained" in problem.message


def test_a_missing_configmap_is_named():
    status = waiting("CreateContainerConfigError", 'configmap "app-config" not found')
    (problem,) = pod_problems(recorded_pod(containerStatuses=[status]), [])
    assert problem.rule == "pod-config" and 'configmap "app-config" not found' in problem.message


def test_a_running_pod_has_no_problem():
    running_status = {"name": "c", "ready": True, "restartCount": 0,
                      "state": {"running": {"startedAt": "2026-11-23T21:21:13Z"}}}
    pod = recorded_pod(phase="Running", containerStatuses=[running_status])
    pod["spec"]["nodeName"] = "k8s-course-control-plane"
    assert pod_problems(pod, []) == []


def test_label_selector_and_pod_row_and_age():
    assert label_selector({"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["a", "b"]},
        {"key": "canary", "operator": "DoesNotExist"}]}) == "app=web,tier in (a,b),!canary"
    now = datetime(2026, 11, 23, 21, 26, 13, tzinfo=UTC)
    pod = recorded_pod(containerStatuses=[waiting("ImagePullBackOff", restarts=0)])
    assert pod_row(pod, now) == ("fastapi-app-68fb544c5-2wpcd", "0/1", "ImagePullBackOff", "0",
                                 "5m")
    assert age("not a time", now) == "?"


# --- apply, then follow the rollout on the fake server ---------------------------------

@pytest.fixture
def server(tmp_path, monkeypatch):
    with running(tmp_path, monkeypatch) as fake:
        yield fake


def seeded_pod(server, status: dict, **pod_status) -> dict:
    pod = recorded_pod(containerStatuses=[status], **pod_status)
    pod["metadata"]["namespace"] = "mlops"
    return server.put(pod)


def test_apply_reports_a_bad_image_on_the_image_line_without_waiting_in_vain(server):
    seeded_pod(server, waiting("ImagePullBackOff"))
    lines = []
    report = actions.apply(SEED, timeout=600, progress=lines.append)
    polls = [c for c in server.calls("GET") if c["path"].endswith("/deployments/fastapi-app")]
    assert len(polls) == 1  # a pull that failed will not heal: no second look
    (finding,) = [f for f in report.findings if f.rule == "pod-image"]
    assert finding.severity is Severity.ERROR
    assert finding.line == SEED.read_text().splitlines().index(
        "          image: heyitsrj/mlops-fastapi-app:v3") + 1
    assert lines == ["Deployment/fastapi-app: 0/2 ready"]
    assert "ImagePullBackOff" in report.table and "fastapi-app-68fb544c5-2wpcd" in report.table
    assert "Service/fast-api-service" in report.table and "LoadBalancer" in report.table
    assert report.table in report.to_text()


def test_apply_shows_a_crashing_containers_last_log_lines(server):
    pod = seeded_pod(server, waiting("CrashLoopBackOff", restarts=3,
                                     lastState={"terminated": {"exitCode": 2}}), phase="Running")
    server.logs[("mlops", pod["metadata"]["name"], "fastapi-app-container")] = (
        "starting\n" + "".join(f"line {n}\n" for n in range(20)) + "ModuleNotFoundError: app\n")
    report = actions.apply(SEED, timeout=0, progress=lambda line: None)
    (finding,) = [f for f in report.findings if f.rule == "pod-crashing"]
    assert "ModuleNotFoundError: app" in finding.message
    assert "starting" not in finding.message  # only the last lines
    log_calls = [c for c in server.calls("GET") if c["path"].endswith("/log")]
    assert log_calls[0]["query"]["previous"] == "true"


def test_apply_waits_until_rolled_out(server):
    actions.apply(SEED, wait=False)
    deployment = server.get("apps/v1", "deployments", "mlops", "fastapi-app")
    deployment["status"] = {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
                            "readyReplicas": 2, "availableReplicas": 2}
    lines = []
    report = actions.apply(SEED, timeout=5, progress=lines.append)
    assert report.ok, report.to_text()
    assert lines == ["Deployment/fastapi-app: 2/2 ready - rolled out"]
    assert "2/2 ready" in report.table


def test_a_rollout_that_is_just_slow_is_a_warning(server):
    report = actions.apply(SEED, timeout=0, progress=lambda line: None)
    (finding,) = [f for f in report.findings if f.rule == "rollout-incomplete"]
    assert finding.severity is Severity.WARNING and report.ok


def test_a_cluster_that_goes_away_while_watching_is_a_finding(tmp_path, monkeypatch):
    with running(tmp_path, monkeypatch) as fake:
        report = actions.apply(SEED, timeout=0, progress=lambda line: fake.__exit__())
    assert [f.rule for f in report.errors] == ["cluster-unreachable"]
    assert report.context == "kind-k8s-course"
