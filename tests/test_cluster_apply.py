"""dry_run / apply / delete against the fake API server: order, findings on lines, cleanup."""

from __future__ import annotations

import json

import pytest

from k8s_course import check, cli
from k8s_course.bundle import Bundle
from k8s_course.cluster import actions
from k8s_course.cluster.client import ApiResource
from k8s_course.cluster.payload import payloads
from k8s_course.findings import Severity
from k8s_course.pipeline import load

from .conftest import FIXTURES
from .fake_apiserver import recording, running

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: rec-mlops\n"


@pytest.fixture
def server(tmp_path, monkeypatch):
    with running(tmp_path, monkeypatch, others=("classroom",)) as fake:
        yield fake


def recorded_yaml(prefix: str) -> str:
    """The YAML a recording sent: what a learner might have written."""
    return recording(prefix)["request"]["body"]


def line_of(text: str, start: str) -> int:
    """1-based number of the only line that starts with `start` (after its indentation)."""
    (hit,) = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith(start)]
    return hit


def errors(report) -> list:
    return [f for f in report.findings if f.severity is Severity.ERROR]


def applied(server) -> list[str]:
    return [r["path"] for r in server.calls("PATCH")]


# --- ordering ----------------------------------------------------------------

def test_cluster_scoped_objects_go_first_then_the_rest_as_written():
    def target(kind: str, namespaced: bool):
        return actions.Target(None, ApiResource("v1", kind.lower() + "s", kind, namespaced),
                              None, None)
    written = [target("Service", True), target("ClusterRole", False),
               target("Deployment", True), target("Namespace", False)]
    order = [t.api.kind for t in actions.apply_order(written)]
    assert order == ["Namespace", "ClusterRole", "Service", "Deployment"]


def test_apply_keeps_the_written_order_so_a_namespace_written_last_fails_as_with_kubectl(
        server):
    text = (FIXTURES / "seed" / "mlops.yaml").read_text()
    deployment, service, namespace = text.split("---\n")[1], text.split("---\n")[2], NAMESPACE
    answer = f"{deployment}---\n{service}---\n{namespace.replace('rec-mlops', 'mlops')}"
    first = actions.apply(answer, wait=False)
    assert applied(server) == [
        "/apis/apps/v1/namespaces/mlops/deployments/fastapi-app",
        "/api/v1/namespaces/mlops/services/fast-api-service",
        "/api/v1/namespaces/mlops",
    ]
    lines = [n for n, line in enumerate(answer.splitlines(), 1)
             if line.strip() == "namespace: mlops"]
    assert [(f.rule, f.severity, f.line, f.resource) for f in errors(first)] == [
        ("server-namespace-missing", Severity.ERROR, lines[0], "Deployment/fastapi-app"),
        ("server-namespace-missing", Severity.ERROR, lines[1], "Service/fast-api-service")]
    assert 'namespaces "mlops" not found' in errors(first)[0].message
    assert "before this object" in errors(first)[0].hint
    second = actions.apply(answer, wait=False)  # the namespace exists now, as with kubectl
    assert second.ok, second.to_text()


# --- the report says where it ran ------------------------------------------------

def test_report_names_context_namespace_and_server_version(server):
    report = actions.dry_run(FIXTURES / "seed" / "mlops.yaml")
    assert report.ok, report.to_text()
    assert (report.context, report.namespaces, report.kube_version) == (
        "kind-k8s-course", ("mlops",), "1.36")
    assert "server dry run: context kind-k8s-course, namespace mlops" in report.summary()
    assert "kind-k8s-course" in report.to_text()


def test_apply_says_created_then_configured(server):
    seed = FIXTURES / "seed" / "mlops.yaml"
    first = actions.apply(seed, wait=False)
    second = actions.apply(seed, wait=False)
    said = [(f.resource, f.message) for f in first.findings if f.rule == "cluster-accepted"]
    assert said == [("Namespace/mlops", "created"), ("Deployment/fastapi-app", "created"),
                    ("Service/fast-api-service", "created")]
    assert ("Deployment/fastapi-app", "configured") in [
        (f.resource, f.message) for f in second.findings]
    assert server.get("apps/v1", "deployments", "mlops", "fastapi-app") is not None


def test_a_checked_report_can_be_sent_as_is(server):
    report = actions.dry_run(check(FIXTURES / "seed" / "mlops.yaml"))
    assert report.ok and len(server.calls("PATCH")) == 3


def test_dry_run_changes_nothing(server):
    server.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mlops"}})
    report = actions.dry_run(FIXTURES / "seed" / "mlops.yaml")
    assert report.ok
    assert all(r["query"].get("dryRun") == "All" for r in server.calls("PATCH"))
    assert server.get("apps/v1", "deployments", "mlops", "fastapi-app") is None


def test_every_apply_is_server_side_with_the_course_field_manager(server):
    actions.dry_run(FIXTURES / "seed" / "mlops.yaml")
    for call in server.calls("PATCH"):
        assert call["headers"]["content-type"] == "application/apply-patch+yaml"
        assert call["query"]["fieldManager"] == "k8s-course"
        assert call["query"]["force"] == "true"
        assert call["query"]["fieldValidation"] == "Strict"


# --- a bundle that creates its own namespace ----------------------------------------

def test_dry_run_creates_the_bundles_namespace_on_the_course_cluster(server):
    seed = FIXTURES / "seed" / "mlops.yaml"
    report = actions.dry_run(seed)
    assert report.ok, report.to_text()
    created = [f for f in report.findings if f.rule == "cluster-namespace-created"]
    assert len(created) == 1 and created[0].line == line_of(seed.read_text(), "name: mlops")
    assert "for real" in created[0].message
    assert server.get("v1", "namespaces", "", "mlops") is not None
    dry = [c for c in server.calls("PATCH") if c["query"].get("dryRun") == "All"]
    assert [c["path"].rsplit("/", 1)[1] for c in dry] == ["fastapi-app", "fast-api-service"]


def test_dry_run_leaves_a_shared_cluster_alone_and_says_what_it_could_not_check(server):
    report = actions.dry_run(FIXTURES / "seed" / "mlops.yaml", context="classroom")
    assert server.get("v1", "namespaces", "", "mlops") is None
    assert all(c["query"].get("dryRun") == "All" for c in server.calls("PATCH"))
    skipped = [f for f in report.findings if f.rule == "cluster-not-dry-run"]
    assert [f.resource for f in skipped] == ["Deployment/fastapi-app",
                                             "Service/fast-api-service"]
    assert all(f.severity is Severity.WARNING for f in skipped)
    assert report.context == "classroom"


def test_without_the_namespace_in_the_bundle_the_server_404_points_at_it(server):
    text = NAMESPACE.replace("rec-mlops", "other") + "---\n" + recorded_yaml("08")
    report = actions.dry_run(text)
    (finding,) = errors(report)
    assert finding.rule == "server-namespace-missing"
    assert finding.line == line_of(text, "namespace: rec-mlops")
    assert 'namespaces "rec-mlops" not found' in finding.message
    assert "kubectl create namespace rec-mlops" in finding.hint


# --- the recorded refusals, mapped to the learner's lines -------------------------

RECORDED_ERRORS = [
    # recording, rule, the text of the line the finding must point at, server words kept
    ("14", "server-rejected", 'replicas: "two"', "expected numeric (int or float), got string"),
    ("15", "server-rejected", "replica: 2", "field not declared in schema"),
    ("17", "server-duplicate-key", "replicas: 3", 'key "replicas" already set in map'),
    ("18", "server-invalid", "labels:", "`selector` does not match template `labels`"),
    ("19", "server-invalid", "- name: fastapi-app-container", "Required value"),
    ("20", "server-invalid", "name: Web_App", "RFC 1123 subdomain"),
]


@pytest.mark.parametrize(("prefix", "rule", "line_text", "words"), RECORDED_ERRORS)
def test_recorded_server_error_lands_on_the_learners_line(server, prefix, rule, line_text,
                                                           words):
    # a Namespace first, so the object's own lines are not the document's first lines
    text = NAMESPACE + "---\n" + recorded_yaml(prefix)
    report = actions.dry_run(text)
    found = [f for f in errors(report) if f.rule == rule]
    assert len(found) == 1, report.to_text()
    assert found[0].line == line_of(text, line_text)
    assert words in found[0].message
    assert found[0].hint


def test_two_unnamed_service_ports_give_two_findings(server):
    text = NAMESPACE + "---\n" + recorded_yaml("24")
    report = actions.dry_run(text)
    found = [f for f in errors(report) if f.rule == "server-invalid"]
    assert [f.line for f in found] == [line_of(text, "- port: 80"), line_of(text, "- port: 443")]
    assert all("`name`" in f.hint for f in found)


def test_node_port_out_of_range_is_refused_on_a_real_apply(server):
    text = NAMESPACE + "---\n" + recorded_yaml("26")
    assert actions.dry_run(text).ok  # as recorded: a dry run does not allocate ports
    (finding,) = errors(actions.apply(text, wait=False))
    assert finding.line == line_of(text, "nodePort: 80")
    assert "30000-32767" in finding.message and "30000 and 32767" in finding.hint


def test_secret_values_never_appear_in_the_report(server):
    text = NAMESPACE + "---\n" + recorded_yaml("25")
    report = actions.dry_run(text)
    (finding,) = errors(report)
    assert finding.line == line_of(text, "data:")
    assert "illegal base64" in finding.message and "stringData" in finding.hint
    assert "not base64!" not in report.to_text() + report.to_json()


def test_unknown_kind_and_unknown_api_version_are_found_by_discovery(server):
    text = ("apiVersion: apps/v1\nkind: Deploymentz\nmetadata:\n  name: x\n---\n"
            "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata:\n  name: old\n")
    report = actions.dry_run(text)
    kind, version = errors(report)
    assert (kind.rule, kind.line, kind.hint) == (
        "server-unknown-kind", 2, "did you mean kind: Deployment?")
    assert (version.rule, version.line) == ("server-unknown-kind", 6)
    assert "apps/v1beta2" in version.message
    assert server.calls("PATCH") == []


def test_an_object_without_a_name_is_not_sent(server):
    report = actions.dry_run("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    assert [f.rule for f in errors(report)] == ["cluster-skipped"]
    assert server.calls("PATCH") == []


# --- delete ----------------------------------------------------------------------

def test_delete_removes_objects_before_their_namespace(server):
    seed = FIXTURES / "seed" / "mlops.yaml"
    assert actions.apply(seed, wait=False).ok
    report = actions.delete(seed)
    assert report.ok and report.action == "delete"
    assert [c["path"].rsplit("/", 1)[1] for c in server.calls("DELETE")] == [
        "fast-api-service", "fastapi-app", "mlops"]
    assert server.objects == {}
    again = actions.delete(seed)
    assert {f.message for f in again.findings} == {"was not on the cluster (nothing to delete)"}


# --- bad input and the command line ------------------------------------------------

@pytest.mark.parametrize("answer", [
    "kind: [unclosed\n", b"\x00\x01binary", "- a list\n- not an object\n", "", "{}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [not, a, string]\n",
])
def test_bad_input_becomes_findings_and_is_never_sent(server, answer):
    report = actions.dry_run(answer)
    assert not report.ok
    assert server.calls("PATCH") == []


def test_the_command_line_exit_codes(server, tmp_path, capsys):
    seed = str(FIXTURES / "seed" / "mlops.yaml")
    assert cli.main(["cluster", "dry-run", seed]) == 0
    assert "server dry run: context kind-k8s-course" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text(NAMESPACE + "---\n" + recorded_yaml("14"))
    assert cli.main(["cluster", "apply", str(broken), "--no-wait"]) == 1
    assert cli.main(["cluster", "delete", seed, "--context", "nope"]) == 3
    assert "no context 'nope'" in capsys.readouterr().out


def test_each_object_is_sent_as_the_learner_wrote_it():
    text = "# my app\n" + NAMESPACE + "---\n" + recorded_yaml("14")
    bundle, _ = load(text)
    sent = payloads(bundle)
    namespace, deployment = bundle.resources
    assert sent[id(namespace)] == (text.split("---\n")[0], 1)
    assert sent[id(deployment)] == ("---\n" + recorded_yaml("14"), 6)


def test_a_bundle_without_its_text_is_sent_as_json():
    bundle, _ = load(NAMESPACE + "---\n" + recorded_yaml("14"))
    built = Bundle(resources=bundle.resources)  # made in code: no source text to cut from
    sent = [payloads(built)[id(r)] for r in built]
    assert [p.first_line for p in sent] == [0, 0]
    assert [json.loads(p.text) for p in sent] == [r.body for r in built]
