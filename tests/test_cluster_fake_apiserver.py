"""The fake API server answers the recorded requests the way the real one did.

Each recording's request is replayed, in order, against tests/fake_apiserver.py,
and the answer compared with the recorded one: the status code always, and the
whole body for errors (the Status objects the cluster layer turns into findings)
and discovery. Object bodies carry fresh uids and timestamps, so for those we
compare what the client reads: kind, name, namespace and resourceVersion's
presence (a dry run has none).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError

import pytest

from .fake_apiserver import RECORDINGS, TOKEN, FakeApiServer, recording

# Recordings that need a controller or kubelet to have acted (replicasets, pods,
# events, endpointslices, a rolled-out Deployment's status), and the one plain
# POST create the course never sends: the fake answers these with different state.
NOT_REPLAYED = {"27", "30", "31", "32", "33", "34", "35", "36"}
RECORDED = sorted(p.name for p in RECORDINGS.glob("[0-9]*.json")
                  if p.name[:2] not in NOT_REPLAYED)


def send(server: FakeApiServer, request: dict) -> tuple[int, object]:
    headers = dict(request["headers"], Authorization=f"Bearer {TOKEN}")
    body = request["body"].encode() if request["body"] else None
    call = urllib.request.Request(server.url + request["path"], data=body, headers=headers,
                                  method=request["method"])
    try:
        with urllib.request.urlopen(call) as answer:
            return answer.status, json.loads(answer.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def replayed():
    """Every replayed recording's (recorded response, fake's status, fake's body)."""
    results = {}
    with FakeApiServer() as server:
        for name in RECORDED:
            exchange = json.loads((RECORDINGS / name).read_text())
            results[name] = (exchange["response"], *send(server, exchange["request"]))
    return results


@pytest.mark.parametrize("name", RECORDED)
def test_fake_answers_like_the_recording(replayed, name):
    recorded, status, body = replayed[name]
    assert status == recorded["status"]
    expected = recorded["body"]
    failed = expected.get("kind") == "Status" and expected.get("status") == "Failure"
    if failed or name[:2] <= "06":  # refusals and discovery: the very same bodies
        assert body == expected
    elif expected.get("kind") == "Status":  # a successful delete
        assert body["status"] == "Success"
        assert {k: v for k, v in body["details"].items() if k != "uid"} == {
            k: v for k, v in expected["details"].items() if k != "uid"}
    else:
        assert (body["kind"], body["metadata"]["name"], body["metadata"].get("namespace")) == (
            expected["kind"], expected["metadata"]["name"], expected["metadata"].get("namespace"))
        assert ("resourceVersion" in body["metadata"]) == (
            "resourceVersion" in expected["metadata"])
        if expected["kind"] == "Namespace":
            assert body["status"] == expected["status"]


def test_fake_wants_the_bearer_token():
    exchange = recording("01")["request"]
    with FakeApiServer() as server:
        call = urllib.request.Request(server.url + exchange["path"])
        with pytest.raises(HTTPError) as refused:
            urllib.request.urlopen(call)
    assert refused.value.code == 401


def test_fake_lists_by_label_selector():
    with FakeApiServer() as server:
        for item in recording("33")["response"]["body"]["items"]:
            server.put(dict(item, kind="Pod", apiVersion="v1"))
        request = dict(recording("33")["request"])
        status, body = send(server, request)
        assert status == 200 and len(body["items"]) == 2
        assert "kind" not in body["items"][0]  # list items carry no kind, as recorded
        status, body = send(server, dict(request, path=request["path"].replace(
            "app%3Dfastapi-app", "app%3Dother")))
        assert body["items"] == []
        status, body = send(server, dict(request, path=request["path"].replace(
            "app%3Dfastapi-app", "app%20in%20(x,fastapi-app),!absent")))
        assert len(body["items"]) == 2


def _call(server: FakeApiServer, method: str, path: str, body: dict | None = None,
          token: str = TOKEN) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(server.url + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(call) as answer:
            return answer.status, json.loads(answer.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


TOKEN_PATH = "/api/v1/namespaces/class-a/serviceaccounts/learner/token"


def test_fake_issues_tokens_that_authenticate_as_the_service_account():
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
               "spec": {"expirationSeconds": 3600}}
    with FakeApiServer() as server:
        status, body = _call(server, "POST", TOKEN_PATH, request)
        assert (status, body["code"], body["message"]) == (
            404, 404, 'serviceaccounts "learner" not found')
        server.put({"apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": {"name": "learner", "namespace": "class-a"}})
        status, body = _call(server, "POST", TOKEN_PATH, request)
        assert status == 201 and body["kind"] == "TokenRequest"
        assert body["spec"]["expirationSeconds"] == 3600
        assert body["metadata"] == {"creationTimestamp": None}
        assert set(body["status"]) == {"token", "expirationTimestamp"}
        token = body["status"]["token"]
        # no binding yet: the authorizer's 403, worded as a real API server words it
        status, body = _call(server, "GET", "/api/v1/nodes", token=token)
        assert (status, body["reason"], body["details"]) == (403, "Forbidden", {"kind": "nodes"})
        assert body["message"] == ('nodes is forbidden: User "system:serviceaccount:class-a:'
                                   'learner" cannot list resource "nodes" in API group "" at '
                                   "the cluster scope")
        status, body = _call(server, "GET", "/apis/apps/v1/namespaces/class-a/deployments/web",
                             token=token)
        assert body["details"] == {"name": "web", "group": "apps", "kind": "deployments"}
        assert body["message"].startswith('deployments.apps "web" is forbidden: User')
        server.put({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": {"name": "view", "namespace": "class-a"},
                    "subjects": [{"kind": "ServiceAccount", "name": "learner"}],
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                "name": "view"}})
        assert _call(server, "GET", "/api/v1/namespaces/class-a/pods", token=token)[0] == 200
        assert _call(server, "GET", "/api/v1/namespaces/other/pods", token=token)[0] == 403


def test_fake_refuses_a_token_shorter_than_ten_minutes():
    with FakeApiServer() as server:
        server.put({"apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": {"name": "learner", "namespace": "class-a"}})
        status, body = _call(server, "POST", TOKEN_PATH, {"spec": {"expirationSeconds": 599}})
    assert (status, body["reason"]) == (422, "Invalid")
    assert body["message"] == (
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: '
        "Invalid value: 599: may not specify a duration less than 10 minutes")


def test_fake_reports_quota_status():
    with FakeApiServer() as server:
        server.put({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {
            "name": "q", "namespace": "class-a"}, "spec": {"hard": {"pods": "2", "cpu": "1"}}})
        server.put({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "p", "namespace": "class-a"}})
        _, body = _call(server, "GET", "/api/v1/namespaces/class-a/resourcequotas/q")
    assert body["status"] == {"hard": {"pods": "2", "cpu": "1"}, "used": {"pods": "1", "cpu": "0"}}
