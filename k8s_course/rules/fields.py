"""Rules about fields that take one of a fixed set of words (type, policies, modes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import TEMPLATE_PATHS, graph_of
from .catalogue import rule

POD_KINDS = tuple(TEMPLATE_PATHS)  # every kind that runs pods, bare Pods included
JOB_KINDS = ("Job", "CronJob")
CONTAINER_GROUPS = ("containers", "initContainers")


@dataclass(frozen=True)
class Allowed:
    """The words a field accepts, where it sits and the lesson that teaches it.

    `path` may hold "*" for every item of a list; with `in_pod` it starts at
    the pod spec of the kinds' pod templates (a Deployment's
    spec.template.spec, a CronJob's spec.jobTemplate.spec.template.spec).
    `left_to` lists values that are refused here but that another rule
    explains better.
    """

    kinds: tuple[str, ...]
    path: tuple[str, ...]
    values: tuple[str, ...]
    what: str
    lesson: str
    in_pod: bool = False
    left_to: tuple[str, ...] = ()


_PROTOCOLS = ("TCP", "UDP", "SCTP")
_ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
_TRAFFIC = ("Cluster", "Local")
_UPDATES = ("RollingUpdate", "OnDelete")

# The 1.36 OpenAPI schema lists no allowed values for these fields, but the API
# server refuses anything else (the words are case-sensitive).
ALLOWED: tuple[Allowed, ...] = (
    Allowed(("Service",), ("spec", "type"), ("ClusterIP", "NodePort", "LoadBalancer",
                                              "ExternalName"),
            "a Service type", "04-services#types"),
    Allowed(("Service",), ("spec", "externalTrafficPolicy"), _TRAFFIC,
            "an externalTrafficPolicy", "04-services#types"),
    Allowed(("Service",), ("spec", "internalTrafficPolicy"), _TRAFFIC,
            "an internalTrafficPolicy", "04-services#types"),
    Allowed(("Service",), ("spec", "ports", "*", "protocol"), _PROTOCOLS,
            "a port protocol", "04-services#ports"),
    *(Allowed(POD_KINDS, (group, "*", "imagePullPolicy"), ("Always", "IfNotPresent", "Never"),
              "an imagePullPolicy", "03-deployments#pull-policy", in_pod=True)
      for group in CONTAINER_GROUPS),
    *(Allowed(POD_KINDS, (group, "*", "ports", "*", "protocol"), _PROTOCOLS,
              "a port protocol", "03-deployments#ports", in_pod=True)
      for group in CONTAINER_GROUPS),
    Allowed(("Pod",), ("restartPolicy",), ("Always", "OnFailure", "Never"),
            "a pod restartPolicy", "03-deployments#template", in_pod=True),
    # Workloads that keep pods running take only Always; restart-policy-not-always
    # explains why OnFailure and Never are refused there.
    Allowed(tuple(k for k in POD_KINDS if k not in (*JOB_KINDS, "Pod")), ("restartPolicy",),
            ("Always",), "a restartPolicy for this kind", "09-workloads#restart-policy",
            in_pod=True, left_to=("OnFailure", "Never")),
    # Always is refused for Jobs too, but job-restart-policy explains why.
    Allowed(JOB_KINDS, ("restartPolicy",), ("OnFailure", "Never"), "a Job's restartPolicy",
            "10-jobs#restart-policy", in_pod=True, left_to=("Always",)),
    Allowed(("Deployment",), ("spec", "strategy", "type"), ("RollingUpdate", "Recreate"),
            "a Deployment strategy", "03-deployments#rollout"),
    Allowed(("StatefulSet", "DaemonSet"), ("spec", "updateStrategy", "type"), _UPDATES,
            "an updateStrategy type", "09-workloads#statefulsets"),
    Allowed(("StatefulSet",), ("spec", "podManagementPolicy"), ("OrderedReady", "Parallel"),
            "a podManagementPolicy", "09-workloads#statefulsets"),
    Allowed(("CronJob",), ("spec", "concurrencyPolicy"), ("Allow", "Forbid", "Replace"),
            "a concurrencyPolicy", "10-jobs#concurrency"),
    Allowed(("PersistentVolumeClaim", "PersistentVolume"), ("spec", "accessModes", "*"),
            _ACCESS_MODES, "an access mode", "06-storage#claims"),
    Allowed(("StatefulSet",), ("spec", "volumeClaimTemplates", "*", "spec", "accessModes", "*"),
            _ACCESS_MODES, "an access mode", "06-storage#claims"),
    Allowed(("PersistentVolume",), ("spec", "persistentVolumeReclaimPolicy"),
            ("Retain", "Delete", "Recycle"), "a reclaim policy", "06-storage#claims"),
)


def values_at(node: Any, pattern: Path, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(path, value) of every value the pattern reaches; wrong shapes reach nothing.

    A step is a key, a list index, or "*" for every item of a list (graders'
    field paths use the same walk).
    """
    if not pattern:
        yield prefix, node
        return
    step, rest = pattern[0], pattern[1:]
    if step == "*":
        for index, item in enumerate(node if isinstance(node, list) else []):
            yield from values_at(item, rest, (*prefix, index))
    elif isinstance(step, int):
        if isinstance(node, list) and 0 <= step < len(node):
            yield from values_at(node[step], rest, (*prefix, step))
    elif isinstance(node, dict) and step in node:
        yield from values_at(node[step], rest, (*prefix, step))


def _roots(bundle: Bundle, entry: Allowed) -> Iterator[tuple[Resource, Path, Any]]:
    """(object, path where the pattern starts, node there) for each object a row covers."""
    for kind in entry.kinds:
        for resource in graph_of(bundle).of_kind(kind):
            template = graph_of(bundle).template_of(resource) if entry.in_pod else None
            if template is not None:
                yield resource, template.spec_path, template.spec
            elif not entry.in_pod:
                yield resource, (), resource.body


# Short names from `kubectl get pv` output that learners copy into manifests.
ABBREVIATIONS = {"rwo": "ReadWriteOnce", "rox": "ReadOnlyMany", "rwx": "ReadWriteMany",
                 "rwop": "ReadWriteOncePod"}


def did_you_mean(value: str, allowed: tuple[str, ...]) -> str:
    """The allowed word the learner meant: same letters in another case, an
    abbreviation, or the unique word it begins ("Rolling" -> RollingUpdate)."""
    wanted = "".join(c for c in value.lower() if c.isalnum())
    same = [word for word in allowed if word.lower() == wanted]
    if same:
        return same[0]
    if ABBREVIATIONS.get(wanted) in allowed:
        return ABBREVIATIONS[wanted]
    starts = [word for word in allowed if len(wanted) >= 3 and word.lower().startswith(wanted)]
    return starts[0] if len(starts) == 1 else ""


@rule("unknown-value", "error", "04-services#types")
def unknown_value(bundle: Bundle) -> Iterator[Finding]:
    """A field that takes one of a few fixed words holds another (often wrong case).

    Why: fields such as a Service's type, imagePullPolicy, restartPolicy, a
    Deployment's strategy type, port protocols, access modes and reclaim
    policies accept only a handful of words, spelt exactly (NodePort, not
    Nodeport). The schema does not list them, so only the API server
    refuses the object; this rule says so first and names the word you
    probably meant.

    Bad (error):

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: Nodeport
          ports:
            - port: 80

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          ports:
            - port: 80
    """
    for entry in ALLOWED:
        for resource, start, node in _roots(bundle, entry):
            for path, value in values_at(node, entry.path, start):
                if not isinstance(value, str) or value in entry.values or \
                        value in entry.left_to:
                    continue  # a value of the wrong type is the schema's finding
                choices = ", ".join(entry.values)
                meant = did_you_mean(value, entry.values)
                yield resource.finding(
                    path, f"{value!r} is not {entry.what}; the API server accepts only "
                    f"{choices}, spelt exactly so",
                    f"did you mean `{meant}`?" if meant else f"write one of {choices}",
                    lesson=entry.lesson, at_value=True)


# Fields taking a count or a percentage: (kinds, path, may exceed 100%, lesson).
PERCENT_FIELDS = (
    (("Deployment",), ("spec", "strategy", "rollingUpdate", "maxSurge"), True,
     "03-deployments#rollout"),
    (("Deployment",), ("spec", "strategy", "rollingUpdate", "maxUnavailable"), False,
     "03-deployments#rollout"),
    (("DaemonSet",), ("spec", "updateStrategy", "rollingUpdate", "maxSurge"), False,
     "09-workloads#daemonsets"),
    (("DaemonSet",), ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"), False,
     "09-workloads#daemonsets"),
    (("PodDisruptionBudget",), ("spec", "minAvailable"), False, "08-scaling#pdb"),
    (("PodDisruptionBudget",), ("spec", "maxUnavailable"), False, "08-scaling#pdb"),
)


def percent_problem(value: Any, over_100: bool) -> str:
    """Why a count-or-percentage value is refused ("" when it is fine)."""
    if isinstance(value, bool):
        return ""  # the schema's finding
    if isinstance(value, int):
        return f"{value} is negative; write 0 or more" if value < 0 else ""
    if not isinstance(value, str):
        return ""
    if not value.endswith("%") or not value[:-1].isdigit() or not value[:-1].isascii():
        return (f"{value!r} is neither a whole number nor a percentage; write e.g. `1` or "
                "`25%`")
    if not over_100 and int(value[:-1]) > 100:
        return f"{value} is more than 100%"
    return ""


@rule("percent-invalid", "error", "03-deployments#rollout")
def percent_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A count-or-percentage field (maxSurge, maxUnavailable, minAvailable) the server refuses.

    Why: these fields take either a whole number of pods (`1`) or a
    percentage written with its sign (`"25%"`); the percentage is a
    percentage of the replicas, so most of them stop at 100% (maxSurge of
    a Deployment may go higher). `25` percent without the sign, `"1.5"` or
    a negative number are refused.

    Bad (error):

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          minAvailable: 50 %
          selector:
            matchLabels:
              app: web

    Good:

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          minAvailable: 50%
          selector:
            matchLabels:
              app: web
    """
    for kinds, path, over_100, lesson in PERCENT_FIELDS:
        for resource in (r for kind in kinds for r in graph_of(bundle).of_kind(kind)):
            problem = percent_problem(resource.get(path), over_100)
            if problem:
                yield resource.finding(path, f"{path[-1]}: {problem}",
                                       "a number of pods (`1`) or a percentage (`\"25%\"`)",
                                       lesson=lesson, at_value=True)
