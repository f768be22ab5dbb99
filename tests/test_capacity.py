"""Quota and LimitRange admission, computed offline: what the API server would admit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from k8s_course import check
from k8s_course.capacity import admit, show
from k8s_course.pipeline import load

from .conftest import yaml_text

QUOTA = yaml_text("""
    apiVersion: v1
    kind: ResourceQuota
    metadata: {name: q, namespace: ml}
    spec:
      hard: {pods: "5", requests.cpu: "2", limits.memory: 1Gi}
    """)


def _workload(kind: str, spec: str, pod: str) -> str:
    template = f"spec:\n{spec}  template:\n    metadata: {{labels: {{app: w}}}}\n    spec:\n" \
        + "".join(f"      {line}\n" for line in pod.strip("\n").splitlines())
    api = {"Job": "batch/v1", "CronJob": "batch/v1", "Pod": "v1"}.get(kind, "apps/v1")
    return f"---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: w, namespace: ml}}\n" \
        + template


POD = """
containers:
  - name: app
    image: busybox:1.36
    resources: {requests: {cpu: 500m}, limits: {memory: 256Mi}}
"""


def _verdict(text: str):
    bundle, _ = load(text)
    return admit(bundle, "ml")


def test_a_limit_alone_becomes_the_request():
    pod = POD.replace("requests: {cpu: 500m}, limits: {memory: 256Mi}",
                      "limits: {cpu: 300m, memory: 256Mi}")
    verdict = _verdict(QUOTA + _workload("Deployment", "  replicas: 2\n", pod))
    assert verdict.fits
    assert verdict.used["q"]["requests.cpu"] == Decimal("0.6")


def test_init_containers_count_at_their_peak_not_on_top():
    pod = POD + """
initContainers:
  - name: setup
    image: busybox:1.36
    resources: {requests: {cpu: "1"}, limits: {memory: 64Mi}}
"""
    verdict = _verdict(QUOTA + _workload("Deployment", "  replicas: 1\n", pod))
    assert verdict.used["q"]["requests.cpu"] == Decimal(1)  # max(500m, 1), not 1.5
    assert verdict.used["q"]["limits.memory"] == 256 * 2**20


@pytest.mark.parametrize(("kind", "spec", "pods"), [
    ("StatefulSet", "  replicas: 3\n  serviceName: w\n", 3),
    ("DaemonSet", "", 1),  # one per node; the course's kind cluster has one
    ("Job", "  parallelism: 4\n  completions: 2\n", 2),
    ("Deployment", "", 1),
])
def test_each_kind_runs_its_number_of_pods(kind, spec, pods):
    pod = POD + ("restartPolicy: Never\n" if kind == "Job" else "")
    verdict = _verdict(QUOTA + _workload(kind, spec, pod))
    assert verdict.used["q"]["pods"] == pods


def test_scopes_choose_which_pods_a_quota_counts():
    # a BestEffort quota may only count pods (the API server refuses anything else)
    best_effort = QUOTA.replace('requests.cpu: "2", limits.memory: 1Gi', "").replace(
        '"5", ', '"5"').replace("hard:", "scopes: [BestEffort]\n  hard:")
    verdict = _verdict(best_effort + _workload("Deployment", "  replicas: 9\n", POD))
    assert verdict.fits and verdict.used["q"]["pods"] == 0  # these pods set resources
    bare = POD.replace("    resources: {requests: {cpu: 500m}, limits: {memory: 256Mi}}\n", "")
    verdict = _verdict(best_effort.replace('"5"', '"3"') +
                       _workload("Deployment", "  replicas: 9\n", bare))
    assert [r.resource for r in verdict.refusals] == ["pods"]


def test_limit_range_bounds_and_ratio_refuse_containers():
    limit_range = yaml_text("""
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {name: lr, namespace: ml}
        spec:
          limits:
            - type: Container
              min: {cpu: 600m}
              maxLimitRequestRatio: {memory: "2"}
        """)
    # the memory request is written; a limit alone would have become the request
    pod = POD.replace("requests: {cpu: 500m}", "requests: {cpu: 500m, memory: 64Mi}")
    verdict = _verdict(limit_range + _workload("Deployment", "", pod))
    assert [r.reason for r in verdict.refusals] == [
        "LimitRange: minimum cpu per container is 600m, but container app requests 500m",
        "LimitRange: the memory limit of container app is 4 times its request; at most 2 "
        "is allowed"]


def test_storage_and_object_counts():
    quota = QUOTA.replace("hard: {", "hard: {requests.storage: 2Gi, count/deployments.apps: "
                          '"1", services.nodeports: "1", ')
    claims = "  replicas: 3\n  serviceName: w\n  volumeClaimTemplates:\n" \
        "    - metadata: {name: data}\n      spec:\n        accessModes: [ReadWriteOnce]\n" \
        "        resources: {requests: {storage: 1Gi}}\n"
    verdict = _verdict(quota + _workload("StatefulSet", claims, POD))
    assert verdict.used["q"]["requests.storage"] == 3 * 2**30
    assert verdict.used["q"]["count/deployments.apps"] == 0
    assert verdict.not_counted == ["services.nodeports"]
    assert [r.resource for r in verdict.refusals] == ["requests.storage"]


@pytest.mark.parametrize(("name", "amount", "shown"), [
    ("requests.cpu", Decimal("1.5"), "1500m"), ("cpu", Decimal(2), "2"),
    ("limits.memory", Decimal(384 * 2**20), "384Mi"), ("requests.storage", Decimal(2**30), "1Gi"),
    ("pods", Decimal(7), "7"), ("requests.memory", Decimal(1000), "1000"),
])
def test_amounts_are_shown_as_a_learner_writes_them(name, amount, shown):
    assert show(name, amount) == shown


def test_hostile_shapes_do_not_crash():
    text = QUOTA.replace('hard: {pods: "5", requests.cpu: "2", limits.memory: 1Gi}',
                         "hard: [1, 2]\n  scopes: oops") + \
        _workload("Deployment", "  replicas: many\n", "containers: [{resources: 7}, 3]")
    verdict = _verdict(text)
    assert verdict.fits


def test_a_default_limit_below_the_written_request_refuses_the_pod():
    """The docs' own trap: a request but no limit, and a smaller default limit."""
    limit_range = yaml_text("""
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {name: lr, namespace: ml}
        spec:
          limits:
            - type: Container
              default: {memory: 512Mi}
        """)
    pod = POD.replace("limits: {memory: 256Mi}", "requests: {memory: 700Mi}").replace(
        "requests: {cpu: 500m}, ", "")
    verdict = _verdict(limit_range + _workload("Deployment", "", pod))
    assert [r.reason for r in verdict.refusals] == [
        "LimitRange: container app requests 700Mi memory but sets no limit, and the default "
        "limit 512Mi is below that request"]


def test_the_quota_rule_follows_the_quota_scopes():
    """A NotBestEffort quota does not count (or refuse) pods that set no resources."""
    scoped = QUOTA.replace("hard:", "scopes: [NotBestEffort]\n  hard:")
    bare = POD.replace("    resources: {requests: {cpu: 500m}, limits: {memory: 256Mi}}\n", "")
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n---\n"
    assert "quota-needs-requests" not in check(
        namespace + scoped + _workload("Deployment", "", bare)).rules()
    assert "quota-needs-requests" in check(
        namespace + QUOTA + _workload("Deployment", "", bare)).rules()
    assert _verdict(scoped + _workload("Deployment", "", bare)).fits


def _deployment(name: str, replicas: int, cpu: str) -> str:
    return (f"---\napiVersion: apps/v1\nkind: Deployment\n"
            f"metadata: {{name: {name}, namespace: ml}}\n"
            f"spec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n"
            f"      containers:\n        - name: app\n          image: busybox:1.36\n"
            f"          resources: {{requests: {{cpu: {cpu}}}, limits: {{memory: 64Mi}}}}\n")


def test_a_crowded_namespace_names_the_biggest_users_of_an_exceeded_quota():
    # ten workloads exceed the quota: the message names the three that use the
    # most, in the order they were written, and counts the rest
    sizes = [(1, "100m"), (4, "500m"), (1, "200m"), (3, "1"), (1, "100m"),
             (2, "1500m"), (1, "100m"), (1, "100m"), (1, "100m"), (1, "100m")]
    text = QUOTA + "".join(_deployment(f"w{i}", n, cpu) for i, (n, cpu) in enumerate(sizes))
    verdict = _verdict(text)
    (refusal,) = [r for r in verdict.refusals if r.resource == "requests.cpu"]
    assert verdict.used["q"]["requests.cpu"] == Decimal("8.8")
    assert refusal.reason == (
        "exceeded quota q: requests.cpu needs 8800m (4 pods of Deployment/w1 (replicas 4) x 500m"
        " + 3 pods of Deployment/w3 (replicas 3) x 1 + 2 pods of Deployment/w5 (replicas 2)"
        " x 1500m + 7 other workloads), limited: 2")


def test_a_group_refused_by_one_quota_still_counts_for_another():
    # quota b requires a cpu limit that w0 lacks: b refuses w0's pods, so only
    # w1 counts against b, while quota q counts both
    other = QUOTA.replace("name: q,", "name: b,").replace(
        'pods: "5", requests.cpu: "2", limits.memory: 1Gi', 'limits.cpu: "1", requests.cpu: "1"')
    text = QUOTA + other + _deployment("w0", 2, "500m") + _deployment("w1", 1, "300m").replace(
        "limits: {memory: 64Mi}", "limits: {memory: 64Mi, cpu: 300m}")
    verdict = _verdict(text)
    assert verdict.used["q"]["requests.cpu"] == Decimal("1.3")
    assert verdict.used["b"]["requests.cpu"] == Decimal("0.3")
    assert [r.owner.name for r in verdict.refusals] == ["w0"]


def test_a_refused_giant_does_not_round_away_what_the_others_use():
    # 28 significant digits: subtracting a huge refused request from the total
    # would lose the 1n the admitted pod asks for
    quota = QUOTA.replace('pods: "5", requests.cpu: "2", limits.memory: 1Gi',
                          'requests.memory: "0", limits.cpu: "10"')
    giant = _deployment("giant", 1, "1").replace(
        "requests: {cpu: 1}, limits: {memory: 64Mi}", 'requests: {memory: "123456789012345678901"}')
    small = _deployment("small", 1, "1").replace(
        "requests: {cpu: 1}, limits: {memory: 64Mi}", "requests: {memory: 1n}, limits: {cpu: 1}")
    verdict = _verdict(quota + giant + small)
    assert verdict.used["q"]["requests.memory"] == Decimal("1e-9")
    assert [r.resource for r in verdict.refusals if r.quota is not None] == [
        "limits.cpu", "requests.memory"]


@pytest.mark.parametrize(("text", "amount"), [
    ("1Ei", Decimal(2**60)), ("2E", Decimal("2e18")), ("1e3", Decimal(1000)),
    ("1E3", Decimal(1000)), ("5E+2", Decimal(500)), ("1.5Ki", Decimal(1536)),
])
def test_exa_and_exbi_are_suffixes_and_e_with_digits_an_exponent(text, amount):
    from k8s_course.rules._values import parse_quantity

    assert parse_quantity(text) == amount
