"""Rules about counts and durations: whole numbers the API server keeps within a range."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import TEMPLATE_PATHS, graph_of, is_whole_number
from .catalogue import rule
from .fields import values_at

_JOB_FIELDS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
               "ttlSecondsAfterFinished")
_PROBE_FIELDS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True)
class Bounds:
    """Where a whole number sits, the range the API server accepts and the lesson.

    With `in_pod` the path starts at the pod spec of every kind that runs pods.
    """

    kinds: tuple[str, ...]
    path: Path
    low: int
    high: int | None
    lesson: str
    in_pod: bool = False


_ROLLING = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
BOUNDS: tuple[Bounds, ...] = (
    Bounds(_ROLLING, ("spec", "minReadySeconds"), 0, None, "03-deployments#rollout"),
    Bounds(("Deployment", "StatefulSet", "DaemonSet"), ("spec", "revisionHistoryLimit"), 0,
           None, "03-deployments#rollout"),
    Bounds(("Deployment",), ("spec", "progressDeadlineSeconds"), 0, None,
           "03-deployments#rollout"),
    Bounds(("StatefulSet",), ("spec", "updateStrategy", "rollingUpdate", "partition"), 0, None,
           "09-workloads#statefulsets"),
    *(Bounds(("Job",), ("spec", field), 0, None, "10-jobs#completions") for field in _JOB_FIELDS),
    *(Bounds(("CronJob",), ("spec", "jobTemplate", "spec", field), 0, None,
             "10-jobs#completions") for field in _JOB_FIELDS),
    *(Bounds(("CronJob",), ("spec", field), 0, None, "10-jobs#history") for field in
      ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")),
    Bounds(tuple(TEMPLATE_PATHS), ("activeDeadlineSeconds",), 1, None, "10-jobs#completions",
           in_pod=True),
    *(Bounds(tuple(TEMPLATE_PATHS), (group, "*", probe, field), 0, None, "09-workloads#probes",
             in_pod=True)
      for group in ("containers", "initContainers") for probe in _PROBES
      for field in _PROBE_FIELDS),
    *(Bounds(("HorizontalPodAutoscaler",), ("spec", "behavior", way, *rest), low, high,
             "08-scaling#hpa")
      for way in ("scaleUp", "scaleDown")
      for rest, low, high in ((("stabilizationWindowSeconds",), 0, 3600),
                              (("policies", "*", "periodSeconds"), 1, 1800),
                              (("policies", "*", "value"), 1, None))),
    Bounds(("Service",), ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"), 1,
           86400, "04-services#ports"),
)


def _roots(bundle: Bundle, bounds: Bounds) -> Iterator[tuple[Resource, Path, object]]:
    graph = graph_of(bundle)
    for kind in bounds.kinds:
        for resource in graph.of_kind(kind):
            template = graph.template_of(resource) if bounds.in_pod else None
            if template is not None:
                yield resource, template.spec_path, template.spec
            elif not bounds.in_pod:
                yield resource, (), resource.body


def _range_words(bounds: Bounds) -> str:
    if bounds.high is None:
        return "0 or more" if bounds.low == 0 else f"at least {bounds.low}"
    return f"from {bounds.low} to {bounds.high}"


@rule("number-out-of-range", "error", "03-deployments#rollout")
def number_out_of_range(bundle: Bundle) -> Iterator[Finding]:
    """A count or a number of seconds outside what the API server accepts (often negative).

    Why: counts (completions, backoffLimit, history limits) and durations
    in seconds (minReadySeconds, probe delays, activeDeadlineSeconds) are
    refused below zero, and some have a floor or a ceiling of their own:
    a pod's activeDeadlineSeconds is at least 1, an autoscaler's
    stabilizationWindowSeconds at most 3600. A liveness or startup probe
    must have successThreshold 1.

    Bad:

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          backoffLimit: -1
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]

    Good:

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          backoffLimit: 3
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]
    """
    for bounds in BOUNDS:
        for resource, start, node in _roots(bundle, bounds):
            for path, value in values_at(node, bounds.path, start):
                if not is_whole_number(value):
                    continue  # text or a fraction is the schema's finding
                if value < bounds.low or (bounds.high is not None and value > bounds.high):
                    yield resource.finding(
                        path, f"{path[-1]} is {value}; it must be {_range_words(bounds)}",
                        f"write {_range_words(bounds)}", lesson=bounds.lesson, at_value=True)
    yield from _success_thresholds(bundle)


def _success_thresholds(bundle: Bundle) -> Iterator[Finding]:
    """A liveness or startup probe says the container is healthy after one success."""
    for template in graph_of(bundle).templates:
        for path, _ in template.containers(init=True):
            for probe in ("livenessProbe", "startupProbe"):
                where = (*path, probe, "successThreshold")
                value = template.owner.get(where)
                if is_whole_number(value) and value > 1:
                    yield template.owner.finding(
                        where, f"a {probe}'s successThreshold must be 1, not {value}",
                        "delete the line (1 is the default); only a readinessProbe may ask "
                        "for more successes", lesson="09-workloads#probes", at_value=True)
