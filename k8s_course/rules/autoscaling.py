"""Rules of lesson 08 about HorizontalPodAutoscalers."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import PodTemplate, graph_of, is_whole_number
from .catalogue import rule

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

    Bad (warning):

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
    graph = graph_of(bundle)
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

    Bad (error):

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
    for hpa in graph_of(bundle).of_kind("HorizontalPodAutoscaler"):
        low, high = hpa.get(("spec", "minReplicas")), hpa.get(("spec", "maxReplicas"))
        if is_whole_number(low) and low < 1:
            yield hpa.finding(("spec", "minReplicas"), f"minReplicas is {low}; it must be "
                              "at least 1", "write `minReplicas: 1`", at_value=True)
        elif isinstance(low, int) and isinstance(high, int) and low > high:
            yield hpa.finding(("spec", "minReplicas"), f"minReplicas {low} is above "
                              f"maxReplicas {high}", "swap them, or raise maxReplicas",
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

    Bad (warning):

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
    graph = graph_of(bundle)
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


# --- lesson 08: an autoscaler that cannot do its job -----------------------------------

# Built-in kinds with no /scale subresource: an autoscaler can never scale them.
NOT_SCALABLE = ("DaemonSet", "Job", "CronJob", "Pod", "Service", "ConfigMap", "Secret",
                "PersistentVolumeClaim", "HorizontalPodAutoscaler")


@rule("hpa-fights-replicas", "warning", "08-scaling#hpa")
def hpa_fights_replicas(bundle: Bundle) -> Iterator[Finding]:
    """A workload that sets `replicas` while an autoscaler scales it.

    Why: once a HorizontalPodAutoscaler scales a Deployment or StatefulSet,
    it owns `spec.replicas`. A `replicas` in your file is applied again on
    every `kubectl apply`, so each apply snaps the pod count back to that
    number until the autoscaler corrects it: pods are killed under load,
    then recreated. Leave `replicas` out and let minReplicas set the floor.

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
          minReplicas: 2
          maxReplicas: 6

    Bad (warning):

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
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
                  image: nginx:1.27-alpine
                  resources:
                    requests:
                      cpu: 100m

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
                  image: nginx:1.27-alpine
                  resources:
                    requests:
                      cpu: 100m
    """
    graph = graph_of(bundle)
    for hpa in graph.of_kind("HorizontalPodAutoscaler"):
        kind = hpa.get(("spec", "scaleTargetRef", "kind"))
        name = hpa.get(("spec", "scaleTargetRef", "name"))
        target = graph.lookup(kind, hpa.namespace, name) \
            if isinstance(kind, str) and isinstance(name, str) else None
        if target is not None and target.kind in SCALABLE_KINDS and \
                target.get(("spec", "replicas")) is not None:
            yield target.finding(
                ("spec", "replicas"), f"{hpa.ref} scales this {target.kind}, but every apply of "
                "this file resets its replicas to the number written here",
                "remove `replicas`; the autoscaler's minReplicas is the floor")


@rule("hpa-target-not-scalable", "error", "08-scaling#hpa")
def hpa_target_not_scalable(bundle: Bundle) -> Iterator[Finding]:
    """A HorizontalPodAutoscaler aimed at a kind that cannot be scaled.

    Why: an autoscaler changes the `replicas` of its target through the
    target's scale subresource, which only Deployments, StatefulSets,
    ReplicaSets and ReplicationControllers (and some custom resources) have.
    A DaemonSet runs one pod per node and a Job runs to completion: neither
    has replicas, so the autoscaler reports FailedGetScale forever.

    Bad (error):

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: agent
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: DaemonSet
            name: agent
          minReplicas: 1
          maxReplicas: 3

    Good:

        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: agent
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: agent
          minReplicas: 1
          maxReplicas: 3
    """
    for hpa in graph_of(bundle).of_kind("HorizontalPodAutoscaler"):
        kind = hpa.get(("spec", "scaleTargetRef", "kind"))
        if kind in NOT_SCALABLE:
            yield hpa.finding(
                ("spec", "scaleTargetRef", "kind"), f"a {kind} has no replicas to scale",
                "scale a Deployment or StatefulSet" + (
                    "; a DaemonSet grows with the nodes instead" if kind == "DaemonSet" else ""),
                at_value=True)
