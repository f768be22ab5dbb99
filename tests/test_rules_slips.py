"""Slips a newcomer made in the first lessons: each gets one clear finding, at the right place."""

from __future__ import annotations

import pytest

from k8s_course import check
from k8s_course.findings import Severity
from k8s_course.rules.fields import ALLOWED, did_you_mean

from .conftest import yaml_text
from .test_rules_cross import NAMESPACE, deployment, service

APP = NAMESPACE + "---\n" + deployment(port="- containerPort: 8000") + "---\n"


def loud(report) -> list:
    return [f for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def only(report, rule: str):
    """The single loud finding of the report, which must come from `rule`."""
    findings = loud(report)
    assert [f.rule for f in findings] == [rule], [(f.rule, f.message) for f in findings]
    return findings[0]


def test_quoted_target_port_is_an_error_with_the_fix_not_a_missing_endpoint():
    report = check(APP + service(target='"8000"'))
    finding = only(report, "port-number-quoted")
    assert finding.severity is Severity.ERROR
    assert finding.dotted_path == "spec.ports[0].targetPort"
    assert finding.hint == "remove the quotes: `targetPort: 8000`"
    assert "checker-bug" not in report.rules()


def test_quoted_digits_as_an_ingress_backend_port_name_get_one_finding():
    ingress = yaml_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: mlops
        spec:
          defaultBackend:
            service:
              name: fast-api-service
              port:
                name: "80"
        """)
    finding = only(check(APP + service(target="8000") + "---\n" + ingress), "port-number-quoted")
    assert finding.hint == "write the number as `number: 80` instead of `name:`"


def test_quoted_digits_elsewhere_a_port_name_or_probe_port_are_refused_too():
    pod = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 8080
                  name: "8080"
              readinessProbe:
                httpGet:
                  path: /
                  port: "8080"
        """)
    found = [(f.rule, f.dotted_path) for f in loud(check(pod))]
    assert found == [
        ("port-number-quoted", "spec.containers[0].ports[0].name"),
        ("port-number-quoted", "spec.containers[0].readinessProbe.httpGet.port")]
    assert "made of digits only" in loud(check(pod))[0].message
    # A real name (with letters) in quotes is fine.
    assert loud(check(pod.replace('"8080"', '"http"'))) == []


@pytest.mark.parametrize("selector", [
    "matchLabels: {app: fastapi-app}",
    "matchLabels: {app: fastapi-app}, app: fastapi-app",
    "matchLabels: null",
    "matchLabels: [app]",
    "matchExpressions: [{key: app, operator: Exists}]",
])
def test_deployment_style_selector_on_a_service_is_explained_without_crashing(selector):
    report = check(APP + service(selector=selector))
    assert "checker-bug" not in report.rules()
    # one mistake, one finding: the schema stage or the rule, never both
    [finding] = [f for f in report.findings if f.rule in ("service-selects-nothing",
                                                          "schema-type")]
    assert finding.severity is Severity.ERROR
    assert finding.line == APP.count("\n") + 7  # the line under `selector:`
    assert "a Service's selector is plain `key: value` labels" in finding.message
    assert "belongs to Deployments" in finding.message
    assert finding.dotted_path.startswith("spec.selector.match")


def test_matchlabels_hint_shows_the_selector_to_write():
    report = check(APP + service(selector="matchLabels: {app: fastapi-app}"))
    [finding] = report.errors
    assert "`selector: {app: fastapi-app}`" in finding.hint


SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n"


@pytest.mark.parametrize(("text", "path", "meant"), [
    (SERVICE + "  type: Nodeport\n", "spec.type", "NodePort"),
    (SERVICE + "  type: clusterip\n", "spec.type", "ClusterIP"),
    (SERVICE + "  type: Internal\n", "spec.type", ""),
    (SERVICE + "  externalTrafficPolicy: local\n", "spec.externalTrafficPolicy", "Local"),
    (SERVICE + "      protocol: tcp\n", "spec.ports[0].protocol", "TCP"),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  restartPolicy: on-failure\n"
     "  containers: [{name: a, image: 'busybox:1.37', imagePullPolicy: ifNotPresent}]\n",
     "spec.restartPolicy", "OnFailure"),
    ("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n"
     "  accessModes: [RWO]\n  resources: {requests: {storage: 1Gi}}\n",
     "spec.accessModes[0]", "ReadWriteOnce"),
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a}\nspec:\n  schedule: '@daily'\n"
     "  concurrencyPolicy: forbid\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
     "          restartPolicy: Never\n          containers: [{name: a, image: 'busybox:1.37'}]\n",
     "spec.concurrencyPolicy", "Forbid"),
])
def test_unknown_value_names_the_word_meant_at_the_value(text, path, meant):
    report = check(text)
    findings = [f for f in loud(report) if f.rule == "unknown-value"]
    assert findings and all(f.severity is Severity.ERROR for f in findings)
    first = findings[0]
    assert first.dotted_path == path
    assert (f"did you mean `{meant}`?" if meant else "write one of") in first.hint
    line = text.splitlines()[first.line - 1]
    assert line[first.column - 1:].startswith(str(report.bundle.resources[0].get(first.path)))
    # Only the new rule speaks about a misspelt type: no "a Nodeport Service has no node ports".
    assert {f.rule for f in loud(report)} == {"unknown-value"}


def test_misspelt_service_type_with_node_port_gets_one_finding():
    text = SERVICE.replace("- port: 80", "- port: 80\n      nodePort: 30080") + "  type: Nodeport\n"
    assert only(check(text), "unknown-value").dotted_path == "spec.type"


def test_job_restart_policy_always_stays_with_its_own_rule():
    job = yaml_text("""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: a
        spec:
          template:
            spec:
              restartPolicy: Always
              containers: [{name: a, image: "busybox:1.37"}]
        """)
    only(check(job), "job-restart-policy")
    lower = only(check(job.replace("Always", "never")), "unknown-value")
    assert lower.hint == "did you mean `Never`?" and "OnFailure, Never" in lower.message


def test_every_allowed_word_is_accepted_and_suggestions_stay_within_the_table():
    for entry in ALLOWED:
        for word in entry.values:
            assert did_you_mean(word.upper(), entry.values) == word
    assert did_you_mean("Rolling", ("RollingUpdate", "OnDelete")) == "RollingUpdate"
    assert did_you_mean("On", ("OnFailure", "OnDelete")) == ""


DEPLOYMENT_STRATEGY = yaml_text("""
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      strategy:
        type: TYPE
        rollingUpdate:
          maxSurge: SURGE
          maxUnavailable: 0
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers: [{name: web, image: "nginx:1.27"}]
    """)


@pytest.mark.parametrize(("strategy", "surge", "path"), [
    ("Recreate", "1", "spec.strategy.rollingUpdate"),
    ("RollingUpdate", "0", "spec.strategy.rollingUpdate.maxUnavailable"),
    ("RollingUpdate", '"0%"', "spec.strategy.rollingUpdate.maxUnavailable"),
    ("RollingUpdate", '"25%"', None),
    ("RollingUpdate", "1", None),
])
def test_rollout_strategies_the_api_server_refuses(strategy, surge, path):
    text = DEPLOYMENT_STRATEGY.replace("TYPE", strategy).replace("SURGE", surge)
    if path is None:
        assert loud(check(text)) == []
    else:
        assert only(check(text), "rollout-strategy-invalid").dotted_path == path


def test_selector_mismatch_points_at_the_template_labels_and_names_the_selector_line():
    text = DEPLOYMENT_STRATEGY.replace("labels: {app: web}", "labels: {app: frontend}")
    finding = only(check(text.replace("TYPE", "RollingUpdate").replace("SURGE", "1")),
                   "selector-matches-template")
    assert finding.dotted_path == "spec.template.metadata.labels.app"
    assert finding.line == 15
    assert "spec.selector.matchLabels (line 12) wants app: web" in finding.message


@pytest.mark.parametrize(("kind", "hint"), [
    ("ConfigMap", "names cannot hold a namespace: write `namespace: mlops` under metadata "
                  "and `name: fastapi-settings`"),
    ("Namespace", "for example `name: mlops-fastapi-settings`"),  # no namespace to move to
])
def test_a_namespace_written_into_the_name(kind, hint):
    report = check(f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: mlops/fastapi-settings\n")
    assert only(report, "invalid-name").hint == hint


def test_resources_tip_is_for_workloads_not_bare_pods():
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n" \
          "  containers: [{name: a, image: 'nginx:1.27'}]\n"
    assert "no-resources" not in check(pod).rules()
    workload = DEPLOYMENT_STRATEGY.replace("TYPE", "RollingUpdate").replace("SURGE", "1")
    assert [f.severity for f in check(workload).findings if f.rule == "no-resources"] == [
        Severity.INFO]
