"""Rules of lesson 08 about HorizontalPodAutoscalers."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import PodTemplate, graph_of, is_whole_number, mappings_in
from ._known import METRIC, METRIC_TARGET, has_stray_field
from ._values import parse_quantity
from .catalogue import rule
from .resources import container_resource_problem

# What an autoscaler can scale, among the kinds the course teaches.
_SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


@rule("hpa-target-missing", "error", "08-scaling#hpa")
def hpa_target_missing(bundle: Bundle) -> Iterator[Finding]:
    """A HorizontalPodAutoscaler whose scaleTargetRef names no workload of the answer.

    Why: the autoscaler changes the replicas of the object it names by kind
    and name in its own namespace. A typo there leaves it with nothing to
    scale (its status says FailedGetScale). When the answer has no workload
    of that kind in the namespace, the target may be applied from elsewhere,
    and this is only a reminder.

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

    Bad (error):

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
        same_kind = graph.names_of(kind, hpa.namespace)
        other = next((k for k in _SCALABLE if k != kind
                      and graph.lookup(k, hpa.namespace, name) is not None), None)
        if other is not None:  # the name is right, the kind is not
            yield hpa.finding(
                ("spec", "scaleTargetRef", "kind"), f"{name} in namespace {hpa.namespace} is a "
                f"{other}, not a {kind}", f"write `kind: {other}` (and its apiVersion)",
                at_value=True)
            continue
        if not same_kind:
            # the target may be applied from elsewhere: only a reminder
            yield hpa.finding(
                ("spec", "scaleTargetRef", "name"),
                f"no {kind} {name!r} in namespace {hpa.namespace} in this answer; until it "
                "exists the autoscaler has nothing to scale",
                f"make sure a {kind} named {name} runs in namespace {hpa.namespace}",
                severity=Severity.INFO, at_value=True)
            continue
        close = graph.close_name(kind, hpa.namespace, name, cutoff=0.6)
        yield hpa.finding(
            ("spec", "scaleTargetRef", "name"),
            f"no {kind} {name!r} in namespace {hpa.namespace}; this answer's {kind} there "
            f"{'is' if len(same_kind) == 1 else 'are'} {', '.join(same_kind)}",
            f"did you mean `name: {close}`?" if close else
            f"name the {kind} to scale: {', '.join(same_kind)}", at_value=True)


@rule("hpa-min-above-max", "error", "08-scaling#hpa")
def hpa_min_above_max(bundle: Bundle) -> Iterator[Finding]:
    """A HorizontalPodAutoscaler whose minReplicas is above maxReplicas (or either below 1).

    Why: the autoscaler keeps the replicas between minReplicas and
    maxReplicas; the API server refuses a range that is empty, and a
    minimum or maximum below 1.

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
        if is_whole_number(high) and high < 1:
            yield hpa.finding(("spec", "maxReplicas"), f"maxReplicas is {high}; it must be "
                              "at least 1", "write the most replicas to run, e.g. "
                              "`maxReplicas: 5`", at_value=True)
        elif is_whole_number(low) and is_whole_number(high) and 1 <= high < low:
            # The API server blames maxReplicas, as the value that should grow.
            yield hpa.finding(("spec", "maxReplicas"), f"maxReplicas {high} is below "
                              f"minReplicas {low}", "swap them, or raise maxReplicas",
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
        names = {key for group in ("requests", "limits")
                 if isinstance(resources.get(group), dict) for key in resources[group]}
        # A misspelt name (`cpus`) is resource-name-unknown's finding, not a missing request.
        if name not in names and not any(
                isinstance(key, str) and container_resource_problem(key) for key in names):
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


# metric type -> the field holding its source, as the autoscaling/v2 API writes it
METRIC_SOURCES = {"Resource": "resource", "ContainerResource": "containerResource",
                  "Pods": "pods", "Object": "object", "External": "external"}
TARGET_TYPES = ("Utilization", "Value", "AverageValue")


def _target_findings(hpa: Resource, path: tuple, target: dict, kind: str) -> Iterator[Finding]:
    """What the API server refuses in one metric's target."""
    target_type = target.get("type")
    if isinstance(target_type, str) and target_type not in TARGET_TYPES:
        yield hpa.finding((*path, "type"), f"{target_type!r} is not a target type",
                          f"write one of {', '.join(TARGET_TYPES)}", at_value=True)
    utilization = target.get("averageUtilization")
    if is_whole_number(utilization) and utilization < 1:
        yield hpa.finding((*path, "averageUtilization"), "averageUtilization must be above 0",
                          "e.g. `averageUtilization: 70` (percent of the request)",
                          at_value=True)
    for field in ("value", "averageValue"):
        amount = parse_quantity(target.get(field))
        if amount is not None and amount == 0:  # below 0 is negative-quantity's finding
            yield hpa.finding((*path, field), f"{field} must be above 0", "write a positive "
                              "amount", at_value=True)
    has = [field for field in ("averageUtilization", "averageValue", "value") if field in target]
    if has_stray_field(target, METRIC_TARGET):
        return  # a misspelt target field is the schema's finding
    if kind in ("Resource", "ContainerResource"):
        if not {"averageUtilization", "averageValue"} & set(has):
            yield hpa.finding(path, f"a {kind} metric's target needs averageUtilization (a "
                              "percentage of the request) or averageValue",
                              "e.g. `target: {type: Utilization, averageUtilization: 70}`")
        elif {"averageUtilization", "averageValue"} <= set(has):
            yield hpa.finding((*path, "averageValue"), "a target cannot set both "
                              "averageUtilization and averageValue", "keep one of them")
    elif kind == "Pods" and "averageValue" not in has:
        yield hpa.finding(path, "a Pods metric's target needs averageValue",
                          "e.g. `target: {type: AverageValue, averageValue: \"100\"}`")
    elif kind in ("Object", "External") and not {"value", "averageValue"} & set(has):
        yield hpa.finding(path, f"an {kind} metric's target needs value or averageValue",
                          "e.g. `target: {type: Value, value: \"100\"}`")


@rule("hpa-metric-invalid", "error", "08-scaling#metrics")
def hpa_metric_invalid(bundle: Bundle) -> Iterator[Finding]:
    """An autoscaler metric the API server refuses: no block for its type, or an empty target.

    Why: each metric names its `type` (Resource, Pods, Object, External,
    ContainerResource) and fills the block of the same name. A Resource
    metric's target says `averageUtilization` (percent of what the pods
    request) or `averageValue`; `type: Utilization` alone is not a target.

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
          minReplicas: 1
          maxReplicas: 5
          metrics:
            - type: Resource
              resource:
                name: cpu
                target:
                  type: Utilization

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
          metrics:
            - type: Resource
              resource:
                name: cpu
                target:
                  type: Utilization
                  averageUtilization: 70
    """
    for hpa in graph_of(bundle).of_kind("HorizontalPodAutoscaler"):
        if hpa.api_version == "autoscaling/v1":
            continue
        for index, metric in mappings_in(hpa.get(("spec", "metrics"))):
            path, kind = ("spec", "metrics", index), metric.get("type")
            if not isinstance(kind, str):
                continue
            if kind not in METRIC_SOURCES:
                yield hpa.finding((*path, "type"), f"{kind!r} is not a metric type",
                                  f"write one of {', '.join(METRIC_SOURCES)}", at_value=True)
                continue
            source = metric.get(METRIC_SOURCES[kind])
            if source is None and not has_stray_field(metric, METRIC):
                yield hpa.finding(path, f"a {kind} metric needs its `{METRIC_SOURCES[kind]}:` "
                                  "block", f"add `{METRIC_SOURCES[kind]}:` with the metric's "
                                  "name and target")
                continue
            if not isinstance(source, dict):
                continue  # the block written as something else is the schema's finding
            others = [f for f in METRIC_SOURCES.values() if f in metric and
                      f != METRIC_SOURCES[kind]]
            for other in others:
                yield hpa.finding((*path, other), f"a {kind} metric fills only "
                                  f"`{METRIC_SOURCES[kind]}:`, not `{other}:`",
                                  f"move it to its own metric with `type: {other}`")
            target = source.get("target")
            if isinstance(target, dict):
                yield from _target_findings(hpa, (*path, METRIC_SOURCES[kind], "target"),
                                            target, kind)
