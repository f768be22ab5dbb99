"""The server-parity rules on their tricky edges: what the API server accepts stays quiet,
and what it refuses is found on the line it points at.

docs/validation-parity.md (tested by test_validation_parity.py) has one refused example
per server check; this file adds the accepted look-alikes and the grammars themselves.
"""

from __future__ import annotations

import pytest

from k8s_course import check
from k8s_course.findings import Severity
from k8s_course.rules._cron import schedule_problem, time_zone_problem
from k8s_course.rules._values import config_key_problem


def _loud(text: str) -> list:
    return [f for f in check(text).findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def _said(findings) -> list[str]:
    return [f"{f.rule} ({f.severity}) line {f.line}: {f.message}" for f in findings]


@pytest.mark.parametrize("schedule", [
    "*/15 * * * *", "0 9 * * mon-fri", "0 9 * * MON-FRI", "5/15 * * * *", "0 0 1 JAN *",
    "0 0 ? * *", "0 0 * * 0", "0 0 * * sun", "0-30/10 * * * *", "1,2,,3 * * * *",
    "0 0 1-31 1-12 0-6", "@midnight", "@hourly", "@annually", "@every 1h30m", "@every 90s",
    " 0 2 * * * ",
])
def test_schedules_the_api_server_accepts(schedule):
    assert schedule_problem(schedule) == ""


@pytest.mark.parametrize(("schedule", "words"), [
    ("", "empty"), ("0 2 * *", "has 4 fields"), ("0 0 2 * * *", "has 6 fields"),
    ("61 * * * *", "61 is out of range for the minute"), ("0 24 * * *", "hour"),
    ("0 0 0 * *", "day-of-month"), ("0 0 * 13 *", "month"), ("0 0 * * 7", "day-of-week"),
    ("@dayly", "@dayly"), ("@daily ", "macros"), ("@every soon", "duration"),
    ("*/0 * * * *", "step"), ("5-1 * * * *", "backwards"), ("1-2-3 * * * *", "'-'"),
    ("*/5/2 * * * *", "'/'"), ("x * * * *", "not a number"), ("0 0 * foo *", "jan"),
    ("CRON_TZ=UTC 0 2 * * *", "time zone"), ("-1 * * * *", "not a number"),
])
def test_schedules_the_api_server_refuses(schedule, words):
    assert words in schedule_problem(schedule)


@pytest.mark.parametrize(("zone", "ok"), [
    ("Europe/Paris", True), ("UTC", True), ("Etc/GMT+5", True), ("America/New_York", True),
    ("europe/paris", False), ("Local", False), ("local", False), ("", False),
    ("Europe/../Paris", False), ("Mars/Olympus_Mons", False), ("Europe/Pariss", False),
])
def test_time_zones(zone, ok):
    assert (time_zone_problem(zone) == "") is ok


@pytest.mark.parametrize(("key", "ok"), [
    ("LOG_LEVEL", True), ("app.properties", True), (".env", True), ("a-b_c.d", True),
    ("k" * 253, True), ("k" * 254, False), ("log level", False), ("a/b", False),
    (".", False), ("..", False), ("..data", False), ("", False), ("clé", False),
])
def test_config_keys(key, ok):
    assert (config_key_problem(key) == "") is ok


POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      env:
        - name: PATH
          value: /bin
        - name: PATH
{second}
"""


@pytest.mark.parametrize(("second", "warned"), [
    ('          value: "$(PATH):/opt/bin"', False),  # builds on the first: accepted quietly
    ('          value: "$(PATH)"', True),
    ("          value: /usr/bin", True),
    ("          valueFrom:\n            fieldRef:\n              fieldPath: metadata.name", True),
])
def test_env_defined_twice_follows_the_server_warning(second, warned):
    found = [f for f in _loud(POD.format(second=second)) if f.rule == "env-defined-twice"]
    assert bool(found) is warned
    if found:
        assert (found[0].line, found[0].severity) == (12, Severity.WARNING)


DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  updateStrategy:
    rollingUpdate:
{rolling}
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
        - name: agent
          image: busybox:1.37
"""


@pytest.mark.parametrize(("rolling", "line"), [
    ("      maxSurge: 1\n      maxUnavailable: 0", None),
    ("      maxUnavailable: 2", None),
    ("      maxSurge: 10%", 8),  # maxUnavailable defaults to 1
    ("      maxSurge: 1\n      maxUnavailable: 1", 8),
])
def test_daemonset_surges_or_goes_without(rolling, line):
    found = _loud(DAEMONSET.format(rolling=rolling))
    assert [(f.rule, f.line) for f in found] == \
        ([("rollout-strategy-invalid", line)] if line else []), _said(found)


@pytest.mark.parametrize("text", [
    # A User or Group subject without apiGroup gets the RBAC group by default.
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: a}\n"
    "subjects: [{kind: User, name: jane}]\n"
    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n",
    # A Job may keep its own selector when it says manualSelector: true.
    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  manualSelector: true\n"
    "  selector: {matchLabels: {run: a}}\n  template:\n    metadata: {labels: {run: a}}\n"
    "    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: busybox:1.37}]\n",
    # basic-auth needs username or password, not both.
    "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ntype: kubernetes.io/basic-auth\n"
    "stringData: {username: admin}\n",
    # Annotation keys are checked in lowercase; values are free text.
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
    "    Example.COM/Owner: 'Web team: see https://example.com'\n",
    # A Pod may run once: Never and OnFailure are fine there.
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  restartPolicy: Never\n"
    "  containers: [{name: a, image: busybox:1.37}]\n",
    # Probe numbers of 0 are defaulted, not refused; targetPort 0 means "the same as port".
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
    "    - name: a\n      image: nginx:1.27\n      ports: [{containerPort: 80}]\n"
    "      readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 0}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n"
    "  ports: [{port: 80, targetPort: 0}]\n",
    # The same port number over two protocols is two ports.
    "apiVersion: v1\nkind: Service\nmetadata: {name: dns}\nspec:\n  ports:\n"
    "    - {name: dns, port: 53, protocol: UDP}\n    - {name: dns-tcp, port: 53, protocol: TCP}\n",
    # GPUs and other extended resources carry a domain.
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
    "    - name: a\n      image: nginx:1.27\n      resources: {limits: {nvidia.com/gpu: 1}}\n",
    # A quota may count any kind of object, and extended resources carry a domain.
    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: a}\nspec:\n  hard:\n"
    "    {count/deployments.apps: '5', requests.nvidia.com/gpu: '2', services.nodeports: '0'}\n",
    "apiVersion: v1\nkind: LimitRange\nmetadata: {name: a}\nspec:\n  limits:\n"
    "    - type: Container\n      min: {cpu: 100m}\n      defaultRequest: {cpu: 200m}\n"
    "      default: {cpu: 500m}\n      max: {cpu: '1'}\n      maxLimitRequestRatio: {cpu: '4'}\n"
    "    - type: PersistentVolumeClaim\n      max: {storage: 10Gi}\n",
    # File modes: 0644 is octal in YAML, 420 is the same in decimal, 0 is allowed.
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n"
    "  containers: [{name: a, image: nginx:1.27}]\n  volumes:\n"
    "    - {name: s, secret: {secretName: s, defaultMode: 0400, optional: true}}\n"
    "    - name: c\n      configMap:\n        name: c\n        optional: true\n"
    "        defaultMode: 420\n        items: [{key: k, path: conf/app.conf, mode: 0}]\n",
    # A headless Service may have no ports; an ExternalName may end with a dot.
    "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: db}\n"
    "spec: {type: ExternalName, externalName: db.example.com.}\n",
])
def test_what_the_api_server_accepts_stays_quiet(text):
    found = _loud(text)
    assert found == [], _said(found)


def test_a_statefulset_claim_without_storage_is_found_at_its_resources():
    text = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: db
          image: postgres:17
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          limits:
            storage: 1Gi
"""
    [finding] = _loud(text)
    assert (finding.rule, finding.line, finding.severity) == \
        ("claim-spec-invalid", 22, Severity.ERROR)
    assert finding.dotted_path == "spec.volumeClaimTemplates[0].spec.resources"


def test_a_job_selector_is_one_finding_not_a_selector_mismatch_too():
    text = ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n"
            "  selector: {matchLabels: {app: a}}\n  template:\n    spec:\n"
            "      restartPolicy: Never\n      containers: [{name: a, image: busybox:1.37}]\n")
    assert [(f.rule, f.line) for f in _loud(text)] == [("job-selector-set", 5)]


def test_an_invalid_namespace_name_is_not_also_a_namespace_to_create():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: My_Team\n"
    assert [f.rule for f in _loud(text)] == ["invalid-name"]


def test_restart_policy_typo_on_a_deployment_gets_did_you_mean_not_two_findings():
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n"
            "  selector: {matchLabels: {app: a}}\n  template:\n"
            "    metadata: {labels: {app: a}}\n    spec:\n      restartPolicy: always\n"
            "      containers: [{name: a, image: nginx:1.27}]\n")
    [finding] = _loud(text)
    assert (finding.rule, finding.line) == ("unknown-value", 9)
    assert "`Always`" in finding.hint


WEB = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
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
          image: nginx:1.27
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: {target}
"""


@pytest.mark.parametrize(("target", "found"), [
    ("123456", [("service-port-range", 29)]),  # not also "no pod declares 123456"
    ("0", []),  # 0 means "the same as port", which the pods declare
    ("80", []),
    ("8080", [("target-port-unknown", 29)]),
])
def test_a_target_port_out_of_range_is_one_finding(target, found):
    assert [(f.rule, f.line) for f in _loud(WEB.format(target=target))] == found


def test_a_cluster_role_binding_to_a_role_is_one_finding_not_also_a_missing_role():
    text = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
            "metadata: {name: a}\nsubjects: [{kind: Group, name: devs}]\n"
            "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\n")
    assert [(f.rule, f.severity) for f in check(text).findings] == \
        [("role-ref-invalid", Severity.ERROR)]


def test_a_misspelt_request_is_one_finding_not_also_an_autoscaler_without_requests():
    deployment = WEB.split("---")[0].replace(
        "          ports:", "          resources:\n            requests:\n"
        "              cpus: 250m\n          ports:")
    hpa = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
           "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
           "  maxReplicas: 5\n  metrics:\n    - type: Resource\n      resource:\n"
           "        name: cpu\n        target: {type: Utilization, averageUtilization: 70}\n")
    assert [f.rule for f in _loud(deployment + "---\n" + hpa)] == ["resource-name-unknown"]


def test_a_port_of_the_wrong_shape_does_not_break_the_unnamed_ports_rule():
    text = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
            "  ports:\n    - port: [80]\n    - port: 443\n")
    report = check(text)
    assert "checker-bug" not in report.rules()
    assert "service-ports-unnamed" in report.rules()


@pytest.mark.parametrize("text", [
    # A string where a list or a mapping belongs is the schema's one finding, not also ours.
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a}\n"
    "rules:\n  - apiGroups: ''\n    resources: [pods]\n    verbs: [get]\n",
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n"
    "  accessModes: [ReadWriteOnce]\n  resources: {requests: 1Gi}\n",
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\nspec:\n"
    "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: a}\n  maxReplicas: 3\n"
    "  metrics: [{type: Resource, resource: cpu}]\n",
])
def test_a_wrong_shape_is_the_schemas_finding_alone(text):
    assert {f.rule for f in _loud(text)} == {"schema-type"}, _said(_loud(text))


@pytest.mark.parametrize("text", [
    # The missing field is there, misspelt: the schema's "did you mean" is the one finding.
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
    "    - name: a\n      image: nginx:1.27\n      livenessProbe:\n"
    "        httpget: {path: /, port: 80}\n",
    "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\nspec:\n"
    "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostpath: {path: /data}\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a}\n"
    "rules:\n  - apiGroups: ['']\n    resources: [pods]\n    verb: [get]\n",
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n"
    "  accessModes: [ReadWriteOnce]\n  resource: {requests: {storage: 1Gi}}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: a}\n"
    "  port: [{port: 80}]\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
    "    - name: a\n      image: nginx:1.27\n      env:\n        - name: X\n"
    "          valueFrom: {configMapRef: {name: a, key: x}}\n",
])
def test_a_misspelt_field_is_the_schemas_finding_alone(text):
    # (the schema stage may also call a required field missing: its own cascade, not a rule's)
    rules = {f.rule for f in _loud(text)}
    assert "schema-unknown-field" in rules, _said(_loud(text))
    assert rules <= {"schema-unknown-field", "schema-required"}, _said(_loud(text))
