"""Rules about autoscaling and disruption budgets."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import PodTemplate, is_whole_number
from . import rule

SCALABLE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


@rule("hpa-target-missing", "warning", "08-scaling#hpa")
def hpa_target_missing(bundle: Bundle) -> Iterator[Finding]:
    """A HorizontalPodAutoscaler whose scaleTargetRef names no workload of the answer.

    Why: the autoscaler changes the replicas of the object it names by kind
    and name in its own namespace. A typo there leaves it with nothing to
    scale (its status says FailedGetScale).

    Given:

        apiVersion: apps/v1
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
                  resources:
                    requests:
                      cpu: 100m

    Bad:

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: webapp
          minReplicas: 1
          maxReplicas: 5

    Good:

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: web
          minReplicas: 1
          maxReplicas: 5
    """
    graph = bundle.graph
    for hpa in graph.of_kind("HorizontalPodAutoscaler"):
        kind = hpa.get(("spec", "scaleTargetRef", "kind"))
        name = hpa.get(("spec", "scaleTargetRef", "name"))
        if not isinstance(kind, str) or not isinstance(name, str) or \
                graph.lookup(kind, hpa.namespace, name) is not None:
            continue
        others = [r.name for k in SCALABLE_KINDS for r in graph.of_kind(k)
                  if r.namespace == hpa.namespace]
        yield hpa.finding(
            ("spec", "scaleTargetRef", "name"),
            f"no {kind} {name!r} in namespace {hpa.namespace} in this answer",
            f"name a workload of this answer ({', '.join(others)})" if others
            else "the autoscaler needs a Deployment or StatefulSet of that name to scale",
            severity=None if graph.templates else Severity.INFO, at_value=True)


@rule("hpa-min-above-max", "error", "08-scaling#hpa")
def hpa_min_above_max(bundle: Bundle) -> Iterator[Finding]:
    """A HorizontalPodAutoscaler whose minReplicas is above maxReplicas (or below 1).

    Why: the autoscaler keeps the replicas between minReplicas and
    maxReplicas; the API server refuses a range that is empty, and a
    minimum below 1.

    Bad:

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: web
          minReplicas: 5
          maxReplicas: 2

    Good:

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: web
          minReplicas: 2
          maxReplicas: 5
    """
    for hpa in bundle.graph.of_kind("HorizontalPodAutoscaler"):
        low, high = hpa.get(("spec", "minReplicas")), hpa.get(("spec", "maxReplicas"))
        if is_whole_number(low) and low < 1:
            yield hpa.finding(("spec", "minReplicas"), f"minReplicas is {low}; it must be "
                              "at least 1", "write `minReplicas: 1`", at_value=True)
        elif isinstance(low, int) and isinstance(high, int) and low > high:
            yield hpa.finding(("spec", "minReplicas"), f"minReplicas {low} is above "
                              f"maxReplicas {high}", "swap them, or raise maxReplicas",
                              at_value=True)


def _pdb_targets(bundle: Bundle, pdb: Resource) -> list[PodTemplate] | None:
    selector = pdb.get(("spec", "selector"))
    if not isinstance(selector, dict):
        return None
    return bundle.graph.selected_by_selector(pdb.namespace, selector)


@rule("pdb-selects-nothing", "warning", "08-scaling#pdb")
def pdb_selects_nothing(bundle: Bundle) -> Iterator[Finding]:
    """A PodDisruptionBudget whose selector matches no pod of its namespace.

    Why: a budget protects the pods its selector matches during node drains
    and upgrades. Matching nothing, it protects nothing.

    Given:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
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

    Bad:

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          minAvailable: 2
          selector:
            matchLabels:
              app: webapp

    Good:

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          minAvailable: 2
          selector:
            matchLabels:
              app: web
    """
    for pdb in bundle.graph.of_kind("PodDisruptionBudget"):
        if _pdb_targets(bundle, pdb) == []:
            yield pdb.finding(
                ("spec", "selector"), f"this budget's selector matches no pod in namespace "
                f"{pdb.namespace} of this answer",
                "copy the labels of the workload's spec.template.metadata.labels",
                severity=None if bundle.graph.templates else Severity.INFO)


def _fewest_replicas(template: PodTemplate, autoscaled: dict[tuple, Resource]) -> int | None:
    """The fewest pods the owner may run: its replicas, or its autoscaler's minimum."""
    owner = template.owner
    if owner.kind not in SCALABLE_KINDS:
        return None
    hpa = autoscaled.get((owner.kind, owner.namespace, owner.name))
    replicas = hpa.get(("spec", "minReplicas"), 1) if hpa is not None \
        else owner.get(("spec", "replicas"), 1)
    return replicas if is_whole_number(replicas) else None


def _autoscaled(bundle: Bundle) -> dict[tuple, Resource]:
    """(kind, namespace, name) of each autoscaled workload -> its autoscaler."""
    found = {}
    for hpa in bundle.graph.of_kind("HorizontalPodAutoscaler"):
        kind = hpa.get(("spec", "scaleTargetRef", "kind"))
        name = hpa.get(("spec", "scaleTargetRef", "name"))
        if isinstance(kind, str) and isinstance(name, str):
            found[(kind, hpa.namespace, name)] = hpa
    return found


@rule("pdb-blocks-disruption", "warning", "08-scaling#pdb")
def pdb_blocks_disruption(bundle: Bundle) -> Iterator[Finding]:
    """A PodDisruptionBudget that allows no pod to be evicted at all.

    Why: `maxUnavailable: 0`, `minAvailable: 100%`, or a minAvailable equal
    to the replicas means no voluntary eviction is ever allowed, so
    `kubectl drain` and cluster upgrades hang on these pods. Leave room for
    at least one pod to go.

    Bad:

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          maxUnavailable: 0
          selector:
            matchLabels:
              app: web

    Good:

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          maxUnavailable: 1
          selector:
            matchLabels:
              app: web
    """
    autoscaled = _autoscaled(bundle)
    for pdb in bundle.graph.of_kind("PodDisruptionBudget"):
        low, high = pdb.get(("spec", "minAvailable")), pdb.get(("spec", "maxUnavailable"))
        if high in (0, "0%"):
            yield pdb.finding(("spec", "maxUnavailable"), "maxUnavailable 0 lets no pod be "
                              "evicted, so node drains never finish",
                              "allow at least one: `maxUnavailable: 1`", at_value=True)
        elif low == "100%":
            yield pdb.finding(("spec", "minAvailable"), "minAvailable 100% lets no pod be "
                              "evicted, so node drains never finish",
                              "use a number below the replicas, or `maxUnavailable: 1`",
                              at_value=True)
        elif is_whole_number(low):
            replicas = [_fewest_replicas(t, autoscaled) for t in _pdb_targets(bundle, pdb) or []]
            if replicas and None not in replicas and low >= sum(replicas):
                yield pdb.finding(
                    ("spec", "minAvailable"), f"minAvailable {low} is not below the "
                    f"{sum(replicas)} pods it covers (at their fewest), so no pod may ever be "
                    "evicted",
                    f"use minAvailable {max(sum(replicas) - 1, 0)} or raise the replicas",
                    at_value=True)


def _utilization_resources(hpa: Resource) -> Iterator[tuple[tuple, str]]:
    """(path, resource name) of each metric the autoscaler computes as % of requests."""
    if hpa.api_version == "autoscaling/v1":
        if hpa.get(("spec", "targetCPUUtilizationPercentage")) is not None:
            yield ("spec", "targetCPUUtilizationPercentage"), "cpu"
        return
    metrics = hpa.get(("spec", "metrics"))
    if metrics is None:
        # No metrics: the default is 80% of the CPU request, so point at the target.
        yield ("spec", "scaleTargetRef", "name"), "cpu"
    for index, metric in enumerate(metrics if isinstance(metrics, list) else []):
        resource = metric.get("resource") if isinstance(metric, dict) else None
        if isinstance(resource, dict) and metric.get("type") == "Resource" and \
                isinstance(resource.get("target"), dict) and \
                resource["target"].get("type") == "Utilization":
            yield ("spec", "metrics", index, "resource", "name"), resource.get("name")


def _requests_everywhere(template: PodTemplate, name: str) -> bool:
    """Does every container request `name` (a limit alone counts: it becomes the request)?"""
    for _, container in template.containers():
        resources = container.get("resources")
        resources = resources if isinstance(resources, dict) else {}
        if not any(isinstance(resources.get(group), dict) and name in resources[group]
                   for group in ("requests", "limits")):
            return False
    return True


@rule("hpa-needs-requests", "warning", "08-scaling#hpa")
def hpa_needs_requests(bundle: Bundle) -> Iterator[Finding]:
    """An autoscaler on CPU or memory utilization whose pods do not request that resource.

    Why: utilization is usage divided by the request. If a container of the
    target has no request for that resource, the autoscaler cannot compute
    it: `kubectl get hpa` shows `<unknown>` and nothing scales. (Without a
    metrics list, autoscaling/v2 uses 80% of the CPU request.)

    Given:

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: web
          minReplicas: 1
          maxReplicas: 5
          metrics:
            - type: Resource
              resource:
                name: cpu
                target:
                  type: Utilization
                  averageUtilization: 70

    Bad:

        apiVersion: apps/v1
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
                  resources:
                    requests:
                      memory: 64Mi

    Good:

        apiVersion: apps/v1
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
                  resources:
                    requests:
                      cpu: 100m
                      memory: 64Mi
    """
    graph = bundle.graph
    for hpa in graph.of_kind("HorizontalPodAutoscaler"):
        kind = hpa.get(("spec", "scaleTargetRef", "kind"))
        name = hpa.get(("spec", "scaleTargetRef", "name"))
        target = graph.lookup(kind, hpa.namespace, name) \
            if isinstance(kind, str) and isinstance(name, str) else None
        template = graph.template_of(target) if target is not None else None
        if template is None:
            continue
        for path, resource in _utilization_resources(hpa):
            if isinstance(resource, str) and not _requests_everywhere(template, resource):
                yield hpa.finding(
                    path, f"this autoscaler scales on {resource} utilization, but a container "
                    f"of {target.ref} requests no {resource}, so the utilization is unknown",
                    f"add resources.requests.{resource} to every container of {target.ref}",
                    at_value=True)
