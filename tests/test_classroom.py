"""A classroom on one shared cluster: roster -> plan -> apply -> status -> down.

The plan is checked with the course's own checker, and its RBAC is proved to
confine with the offline authorizer (`k8s_course.access.can`) for every
learner. The live flow runs against tests/fake_apiserver.py, whose issued
tokens are authorized by RBAC over what was applied, so a learner's
kubeconfig is shown to work in their namespace and nowhere else.
"""

from __future__ import annotations

import stat

import pytest
import yaml

from k8s_course import check
from k8s_course.access import Request, can
from k8s_course.classroom.plan import MANAGED_BY, Sizing, learner_objects, plan, plan_yaml
from k8s_course.classroom.roster import Learner, RosterError, namespace_for, read_roster
from k8s_course.classroom.status import learner_line, pod_trouble
from k8s_course.cli import main
from k8s_course.cluster import actions
from k8s_course.cluster.client import Client
from k8s_course.findings import Severity
from k8s_course.pipeline import load

from .fake_apiserver import running

ROSTER = "name,email\nAda Lovelace,ada@example.org\nBob,bob@example.org\nZoë Ärger,\n"
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


def user(namespace: str) -> str:
    return f"system:serviceaccount:{namespace}:learner"


# --- the roster --------------------------------------------------------------------

def test_a_roster_gives_each_learner_a_namespace_name():
    learners = read_roster(ROSTER)
    assert learners == [Learner("Ada Lovelace", "learner-ada-lovelace"),
                        Learner("Bob", "learner-bob"), Learner("Zoë Ärger", "learner-zoe-arger")]
    assert read_roster("Name,Namespace\nAda,ada-ns\n") == [Learner("Ada", "ada-ns")]
    assert len(namespace_for("x" * 100)) == 63


@pytest.mark.parametrize("text, said", [
    ("", "the roster is empty"),
    ("email\nada@example.org\n", "with a `name` column"),
    ("name,email\nAda,a@x\n\n,b@x\n", "line 4: no name"),
    ("name\nAda Lovelace\nada  lovelace\n", "lines 2 and 3 both get namespace"),
    ("name\n李雷\n", "has no letter or digit a namespace name can use"),
    ("name,namespace\nAda,Ada_NS\n", "'Ada_NS' cannot be a namespace name"),
    ("name\n\x00ada\n", "line 2: the name holds control characters"),
])
def test_a_roster_that_cannot_be_used_says_which_line(text, said):
    with pytest.raises(RosterError) as error:
        read_roster(text)
    assert said in str(error.value)


# --- the plan ----------------------------------------------------------------------

def test_the_plan_checks_clean_with_the_course_checker():
    report = check(plan_yaml(plan(read_roster(ROSTER), Sizing())))
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    assert len(report.bundle.resources) == 18


def test_every_planned_object_is_labelled_and_sized_by_the_flags():
    sizing = Sizing(cpu="3", memory="6Gi", pods=7, storage="1Gi")
    objects = learner_objects(Learner("Ada", "learner-ada"), sizing)
    assert [o["kind"] for o in objects] == ["Namespace", "ServiceAccount", "Role", "RoleBinding",
                                            "ResourceQuota", "LimitRange"]
    for obj in objects:
        assert obj["metadata"]["labels"][MANAGED_BY[0]] == MANAGED_BY[1]
        assert obj["metadata"].get("namespace", "learner-ada") == "learner-ada"
    hard = objects[4]["spec"]["hard"]
    assert (hard["requests.cpu"], hard["limits.memory"], hard["pods"],
            hard["requests.storage"]) == ("3", "6Gi", "7", "1Gi")


def test_plan_command_writes_the_manifests(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    out = tmp_path / "classroom.yaml"
    assert main(["classroom", "plan", str(roster), "--out", str(out), "--pods", "5"]) == 0
    objects = list(yaml.safe_load_all(out.read_text()))
    assert len(objects) == 18 and objects[4]["spec"]["hard"]["pods"] == "5"
    assert "3 learners, 18 objects" in capsys.readouterr().out
    assert main(["classroom", "plan", str(roster), "--out", str(out), "--cpu", "two"]) == 2
    roster.write_text("email\nx\n")
    assert main(["classroom", "plan", str(roster), "--out", str(out)]) == 2
    assert "`name` column" in capsys.readouterr().err


# --- proof: the RBAC confines every learner ----------------------------------------

def test_every_learner_can_work_in_their_namespace_and_nowhere_else():
    learners = read_roster(ROSTER)
    bundle, problems = load(plan_yaml(plan(learners, Sizing())))
    assert not problems
    for learner in learners:
        me, mine = user(learner.namespace), learner.namespace
        allowed = [Request(me, "create", "deployments", mine, "apps"),
                   Request(me, "patch", "deployments", mine, "apps", "web"),
                   Request(me, "create", "services", mine),
                   Request(me, "get", "secrets", mine, name="db"),
                   Request(me, "create", "roles", mine, "rbac.authorization.k8s.io"),
                   Request(me, "get", "pods/log", mine, name="web-1")]
        for request in allowed:
            assert can(bundle, request).allowed, request
        denied = [Request(me, "list", "nodes"),
                  Request(me, "get", "nodes", name="node-1"),
                  Request(me, "create", "namespaces"),
                  Request(me, "list", "secrets"),  # across all namespaces
                  Request(me, "update", "resourcequotas", mine, name="learner-quota"),
                  Request(me, "delete", "limitranges", mine, name="learner-defaults"),
                  Request(me, "create", "clusterrolebindings", "", "rbac.authorization.k8s.io")]
        for other in learners:
            if other != learner:
                denied += [Request(me, verb, "secrets", other.namespace, name="db")
                           for verb in ("get", "list")]
                denied.append(Request(me, "create", "deployments", other.namespace, "apps"))
        for request in denied:
            decision = can(bundle, request)
            assert not decision.allowed and not decision.unsure, (request, decision.reason)


# --- status, from what the server lists --------------------------------------------

def _pod(name: str, **status) -> dict:
    return {"metadata": {"name": name}, "status": status}


@pytest.mark.parametrize("pod, trouble", [
    (_pod("a", phase="Running", conditions=[{"type": "Ready", "status": "True"}]), ""),
    (_pod("b", phase="Succeeded"), ""),
    (_pod("c", phase="Pending", containerStatuses=[
        {"state": {"waiting": {"reason": "ImagePullBackOff"}}}]), "ImagePullBackOff"),
    (_pod("d", phase="Running", containerStatuses=[
        {"state": {"waiting": {"reason": "CrashLoopBackOff"}}}]), "CrashLoopBackOff"),
    (_pod("e", phase="Pending", conditions=[
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]),
     "Pending (Unschedulable)"),
])
def test_a_pod_that_is_not_ready_says_why(pod, trouble):
    assert pod_trouble(pod) == trouble


def test_a_status_line_counts_pods_quota_refusals_and_use():
    namespace = {"metadata": {"name": "learner-ada", "annotations": {
        "k8s-course.dev/learner-name": "Ada"}}, "status": {"phase": "Active"}}
    pods = [_pod("c", containerStatuses=[{"state": {"waiting": {"reason": "ImagePullBackOff"}}}]),
            _pod("a", conditions=[{"type": "Ready", "status": "True"}])]
    events = [{"reason": "FailedCreate", "count": 3, "message": 'pods "web-1" is forbidden: '
               "exceeded quota: learner-quota, requested: pods=1, used: pods=2, limited: pods=2"},
              {"reason": "FailedCreate", "message": 'pods "db-0" is forbidden: violates '
               'PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'},
              {"reason": "Scheduled", "message": "exceeded quota"}]
    quota = {"status": {"hard": {"pods": "2", "requests.cpu": "2"},
                        "used": {"pods": "2", "requests.cpu": "200m"}}}
    line = learner_line(namespace, 6, 6, pods, events, quota)
    assert line == ("learner-ada  Ada  objects 6/6  2 pods, 1 not ready: 1 ImagePullBackOff; "
                    "1 pod creation refused by Pod Security; 3 pod creations refused by the "
                    "quota  (pods 2/2, requests.cpu 200m/2)")


# --- the live flow against the fake API server -------------------------------------

@pytest.fixture
def classroom(tmp_path, monkeypatch):
    """A fake shared cluster (context `classroom`), and a plan for the roster."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("K8S_COURSE_NAMESPACE", raising=False)
    (tmp_path / "roster.csv").write_text(ROSTER)
    assert main(["classroom", "plan", "roster.csv"]) == 0
    with running(tmp_path, monkeypatch, others=("classroom",)) as fake:
        yield fake


def test_apply_then_learners_work_only_in_their_namespace(classroom, tmp_path, monkeypatch,
                                                          capsys):
    assert main(["classroom", "apply", "classroom.yaml", "--context", "classroom",
                 "--token-hours", "2"]) == 0
    out = capsys.readouterr().out
    assert "Namespace learner-ada-lovelace created" in out
    assert "RoleBinding learner-bob/learner-edit created" in out
    assert classroom.get("rbac.authorization.k8s.io/v1", "roles", "learner-bob", "learner-edit")
    files = sorted((tmp_path / "kubeconfigs").iterdir())
    assert [f.name for f in files] == ["learner-ada-lovelace.yaml", "learner-bob.yaml",
                                       "learner-zoe-arger.yaml"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((tmp_path / "kubeconfigs").stat().st_mode) == 0o700
    ada = yaml.safe_load(files[0].read_text())
    assert ada["contexts"][0]["context"]["namespace"] == "learner-ada-lovelace"
    token_call = next(r for r in classroom.calls("POST") if r["path"].endswith("/token"))
    assert '"expirationSeconds": 7200' in token_call["body"]

    # Ada, with nothing but her kubeconfig: the lesson's `mlops` lands in her namespace
    monkeypatch.setenv("KUBECONFIG", str(files[0]))
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "k8s-course-classroom")
    report = actions.apply(DEPLOYMENT, wait=False)
    assert report.ok, report.to_text()
    assert classroom.get("apps/v1", "deployments", "learner-ada-lovelace", "web")
    assert not classroom.get("apps/v1", "deployments", "mlops", "web")
    notes = [f.message for f in report.findings if f.rule == "cluster-namespace-confined"]
    assert notes == ["sent to your namespace learner-ada-lovelace instead of mlops: on "
                     "k8s-course-classroom you work in learner-ada-lovelace only"]
    # ... and the API server itself refuses her anything outside it
    client = Client.connect()
    denied = client.request("GET", "/api/v1/namespaces/learner-bob/secrets")
    assert denied.status == 403
    assert denied.body["message"] == (
        'secrets is forbidden: User "system:serviceaccount:learner-ada-lovelace:learner" '
        'cannot list resource "secrets" in API group "" in the namespace "learner-bob"')
    assert client.request("GET", "/api/v1/nodes").status == 403
    assert client.request("GET", "/api/v1/namespaces/learner-ada-lovelace/secrets").ok


def test_a_namespace_object_is_not_sent_for_a_confined_learner(classroom, monkeypatch):
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "classroom")
    monkeypatch.setenv("K8S_COURSE_NAMESPACE", "learner-bob")
    classroom.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "learner-bob"}})
    text = ("apiVersion: v1\nkind: Namespace\nmetadata: {name: mlops}\n---\n" + DEPLOYMENT
            + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
              "metadata: {name: reader}\nrules: []\n"
            + "---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: mine, namespace: mlops}"
              "\nspec: {hard: {pods: '5'}}\n")
    report = actions.dry_run(text)
    assert report.ok
    messages = [f.message for f in report.findings if f.rule == "cluster-namespace-confined"]
    assert len(messages) == 4
    assert any("the ResourceQuota is your instructor's" in m for m in messages)
    assert any("objects written for mlops go there" in m for m in messages)
    assert any("a ClusterRole is cluster-wide" in m for m in messages)
    assert any("instead of mlops" in m for m in messages)
    sent = [r["path"] for r in classroom.calls("PATCH")]
    assert sent == ["/apis/apps/v1/namespaces/learner-bob/deployments/web"]


def test_status_shows_each_learner_and_their_troubles(classroom, tmp_path, capsys):
    assert main(["classroom", "apply", "classroom.yaml", "--context", "classroom"]) == 0
    classroom.put({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "web-1", "namespace": "learner-bob"}, "status": {
        "phase": "Pending", "containerStatuses": [
            {"name": "web", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}})
    capsys.readouterr()
    assert main(["classroom", "status", "--context", "classroom"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "learner-ada-lovelace  Ada Lovelace  objects 6/6  0 pods  "
        "(pods 0/20, requests.cpu 0/2, requests.memory 0/2Gi)",
        "learner-bob  Bob  objects 6/6  1 pod, 1 not ready: 1 ImagePullBackOff  "
        "(pods 1/20, requests.cpu 0/2, requests.memory 0/2Gi)",
        "learner-zoe-arger  Zoë Ärger  objects 6/6  0 pods  "
        "(pods 0/20, requests.cpu 0/2, requests.memory 0/2Gi)"]
    planned = plan_yaml(plan([Learner("Bob", "learner-bob"), Learner("Eve", "learner-eve")],
                             Sizing()))
    more = tmp_path / "more.yaml"
    more.write_text(planned)
    assert main(["classroom", "status", str(more), "--context", "classroom"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "learner-eve  Eve  MISSING: no classroom namespace on classroom (run `classroom apply`)")


def test_down_removes_exactly_what_apply_made(classroom, tmp_path, capsys):
    classroom.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-prod"}})
    assert main(["classroom", "apply", "classroom.yaml", "--context", "classroom"]) == 0
    # a plan naming a namespace apply never made is refused for that namespace
    foreign = tmp_path / "foreign.yaml"
    planned = plan_yaml(plan([Learner("Prod", "team-prod"), Learner("Bob", "learner-bob")],
                             Sizing()))
    foreign.write_text(planned)
    capsys.readouterr()
    assert main(["classroom", "down", str(foreign), "--context", "classroom"]) == 1
    out = capsys.readouterr().out
    assert "team-prod: REFUSED, it exists but was not made by `classroom apply`" in out
    assert "learner-bob: deleted" in out
    assert classroom.get("v1", "namespaces", "", "team-prod")
    assert main(["classroom", "down", "--context", "classroom"]) == 0
    left = sorted(k[3] for k in classroom.objects if k[1] == "namespaces")
    assert left == ["team-prod"]
    deleted = sorted(r["path"] for r in classroom.calls("DELETE"))
    assert deleted == ["/api/v1/namespaces/learner-ada-lovelace", "/api/v1/namespaces/learner-bob",
                       "/api/v1/namespaces/learner-zoe-arger"]


@pytest.mark.parametrize("argv, code, said", [
    (["classroom", "apply", "classroom.yaml"], 2, "--context"),
    (["classroom", "apply", "classroom.yaml", "--context", "nope"], 3, "no context 'nope'"),
    (["classroom", "down", "--context", "nope"], 3, "no context 'nope'"),
    (["classroom", "apply", "roster.csv", "--context", "classroom"], 2, "not a plan written"),
    (["classroom", "apply", "classroom.yaml", "--context", "classroom", "--token-hours", "0.1"],
     2, "at least 10 minutes"),
])
def test_the_live_commands_need_a_named_context_and_a_plan(classroom, capsys, argv, code, said):
    assert main(argv) == code
    assert said in capsys.readouterr().err
    assert classroom.calls("PATCH") == [] and classroom.calls("DELETE") == []


def test_a_plan_with_a_foreign_object_is_not_applied(classroom, tmp_path, capsys):
    text = (tmp_path / "classroom.yaml").read_text()
    (tmp_path / "mixed.yaml").write_text(
        text + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n")
    assert main(["classroom", "apply", "mixed.yaml", "--context", "classroom"]) == 2
    assert classroom.calls("PATCH") == []


def test_the_grader_dry_runs_in_the_learners_namespace(classroom, tmp_path, monkeypatch):
    from k8s_course.grading import grade
    from tests.grading_support import SCALE_SPEC, SOLVED, write_exercise

    folder = write_exercise(tmp_path, SCALE_SPEC, exercise_id="03-deployments/scale")
    classroom.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "learner-bob"}})
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "classroom")
    monkeypatch.setenv("K8S_COURSE_NAMESPACE", "learner-bob")
    result = grade(folder, SOLVED)  # the answer says namespace: shop
    assert result.full_marks and result.stages[-1].passed, result.text()
    assert [r["path"] for r in classroom.calls("PATCH")] == [
        "/apis/apps/v1/namespaces/learner-bob/deployments/web"]


def test_endpoints_are_read_in_the_learners_namespace(classroom, monkeypatch):
    from k8s_course.cluster import endpoints

    monkeypatch.setenv("K8S_COURSE_CONTEXT", "classroom")
    monkeypatch.setenv("K8S_COURSE_NAMESPACE", "learner-bob")
    classroom.put({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {
        "name": "web-x", "namespace": "learner-bob",
        "labels": {"kubernetes.io/service-name": "web"}},
        "endpoints": [{"addresses": ["10.0.0.5"], "conditions": {"ready": True}}],
        "ports": [{"port": 8000, "protocol": "TCP"}]})
    found = endpoints("web", "mlops")
    assert found.namespace == "learner-bob" and len(found.endpoints) == 1


@pytest.mark.parametrize("text", [
    "just text\n", "- a list\n", "apiVersion: v1\nkind: Namespace\nmetadata: [x]\n",
    "kind: Namespace\nmetadata:\n  name: x\n  labels: {app.kubernetes.io/managed-by: "
    "k8s-course-classroom}\n", "a: [\n", "\x00\x01binary",
])
def test_a_broken_plan_is_a_usage_error_not_a_crash(classroom, tmp_path, capsys, text):
    (tmp_path / "broken.yaml").write_text(text)
    assert main(["classroom", "apply", "broken.yaml", "--context", "classroom"]) == 2
    assert main(["classroom", "down", "broken.yaml", "--context", "classroom"]) == 2
    assert classroom.calls("PATCH") == [] and classroom.calls("DELETE") == []


def test_a_refused_object_is_reported_and_the_rest_still_applied(classroom, tmp_path, capsys):
    text = (tmp_path / "classroom.yaml").read_text()
    (tmp_path / "bad.yaml").write_text(text.replace("name: learner-defaults\n  namespace: "
                                                    "learner-bob", "name: Learner_Defaults\n"
                                                    "  namespace: learner-bob", 1))
    assert main(["classroom", "apply", "bad.yaml", "--context", "classroom"]) == 1
    out = capsys.readouterr().out
    assert "LimitRange learner-bob/Learner_Defaults REFUSED (422)" in out
    assert "learner-zoe-arger: wrote" in out
    assert classroom.get("v1", "limitranges", "learner-zoe-arger", "learner-defaults")
