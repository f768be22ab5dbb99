"""Rules about counts and durations: whole numbers the API server keeps within a range."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import TEMPLATE_PATHS, graph_of, is_whole_number
from .catalogue import rule
from .containers import PROBES
from .fields import values_at

_JOB_FIELDS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
               "ttlSecondsAfterFinished")
_PROBE_FIELDS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold")


@dataclass(frozen=True)
class Bounds:
    """Where a whole number sits in objects of some kinds, the range the API server
    accepts and the lesson that teaches the field (paths may hold "*" for list items)."""

    kinds: tuple[str, ...]
    path: Path
    low: int
    high: int | None
    lesson: str


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
    *(Bounds(("HorizontalPodAutoscaler",), ("spec", "behavior", way, *rest), low, high,
             "08-scaling#hpa")
      for way in ("scaleUp", "scaleDown")
      for rest, low, high in ((("stabilizationWindowSeconds",), 0, 3600),
                              (("policies", "*", "periodSeconds"), 1, 1800),
                              (("policies", "*", "value"), 1, None))),
    Bounds(("Service",), ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"), 1,
           86400, "04-services#ports"),
)
# The same, in the pod spec of every kind that runs pods.
POD_DEADLINE = Bounds(tuple(TEMPLATE_PATHS), ("activeDeadlineSeconds",), 1, None,
                      "10-jobs#completions")
PROBE_FIELD = Bounds(tuple(TEMPLATE_PATHS), (), 0, None, "09-workloads#probes")
_BY_KIND: dict[str, list[Bounds]] = {
    kind: [bounds for bounds in BOUNDS if kind in bounds.kinds]
    for kind in dict.fromkeys(kind for bounds in BOUNDS for kind in bounds.kinds)}


def _range_words(bounds: Bounds) -> str:
    if bounds.high is None:
        return "0 or more" if bounds.low == 0 else f"at least {bounds.low}"
    return f"from {bounds.low} to {bounds.high}"


def _outside(resource: Resource, path: Path, value: object, bounds: Bounds) -> Iterator[Finding]:
    if is_whole_number(value) and (value < bounds.low or (
            bounds.high is not None and value > bounds.high)):
        yield resource.finding(
            path, f"{path[-1]} is {value}; it must be {_range_words(bounds)}",
            f"write {_range_words(bounds)}", lesson=bounds.lesson, at_value=True)


@rule("number-out-of-range", "error", "03-deployments#rollout")
def number_out_of_range(bundle: Bundle) -> Iterator[Finding]:
    """A count or a number of seconds outside what the API server accepts (often negative).

    Why: counts (completions, backoffLimit, history limits) and durations
    in seconds (minReadySeconds, probe delays, activeDeadlineSeconds) are
    refused below zero, and some have a floor or a ceiling of their own:
    a pod's activeDeadlineSeconds is at least 1, an autoscaler's
    stabilizationWindowSeconds at most 3600. A liveness or startup probe
    must have successThreshold 1, and a Deployment's progressDeadlineSeconds
    must be longer than its minReadySeconds.

    Bad (error):

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
    graph = graph_of(bundle)
    for kind, kind_bounds in _BY_KIND.items():
        for resource in graph.of_kind(kind):
            for bounds in kind_bounds:
                for path, value in values_at(resource.body, bounds.path):
                    yield from _outside(resource, path, value, bounds)
    for deployment in graph.of_kind("Deployment"):
        deadline = deployment.get(("spec", "progressDeadlineSeconds"))
        ready = deployment.get(("spec", "minReadySeconds"), 0)
        if is_whole_number(deadline) and is_whole_number(ready) and ready >= 0 and \
                0 <= deadline <= ready:
            yield deployment.finding(
                ("spec", "progressDeadlineSeconds"), f"progressDeadlineSeconds ({deadline}) "
                f"must be longer than minReadySeconds ({ready})", "give the rollout more "
                "time than one pod needs to count as ready, e.g. 600",
                lesson="03-deployments#rollout", at_value=True)
    for template in graph.templates:
        owner = template.owner
        yield from _outside(owner, (*template.spec_path, "activeDeadlineSeconds"),
                            template.spec.get("activeDeadlineSeconds"), POD_DEADLINE)
        for path, container in template.containers(init=True):
            yield from _probe_findings(owner, path, container)


def _probe_findings(owner: Resource, path: Path, container: dict) -> Iterator[Finding]:
    """Probe numbers: none negative, and one success is enough for liveness and startup."""
    for probe in PROBES:
        settings = container.get(probe)
        if not isinstance(settings, dict):
            continue
        for field in _PROBE_FIELDS:
            yield from _outside(owner, (*path, probe, field), settings.get(field), PROBE_FIELD)
        threshold = settings.get("successThreshold")
        if probe != "readinessProbe" and is_whole_number(threshold) and threshold > 1:
            yield owner.finding(
                (*path, probe, "successThreshold"), f"a {probe}'s successThreshold must be "
                f"1, not {threshold}", "delete the line (1 is the default); only a "
                "readinessProbe may ask for more successes", lesson="09-workloads#probes",
                at_value=True)
