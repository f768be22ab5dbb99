"""Rules of lesson 03: a Deployment's selector, replicas and rollout strategy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle
from ..findings import Finding, format_path
from ..graph import (
    WORKLOAD_KINDS,
    PodTemplate,
    graph_of,
    is_whole_number,
    label_selector_matches,
)
from .catalogue import rule

LABEL_SELECTOR_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def _selector_problem(template: PodTemplate, selector: Any) -> tuple[tuple, str] | None:
    """(path, message) when the selector cannot select the template's pods.

    The path is where the API server points: at the template's labels
    ("selector does not match template labels"); the message names the
    selector's side.
    """
    labels = template.labels
    labels_path = (*template.path, "metadata", "labels")
    if template.owner.kind == "ReplicationController":
        match_labels, base = selector, "spec.selector"
    else:
        match_labels, base = selector.get("matchLabels"), "spec.selector.matchLabels"
        if not match_labels and not selector.get("matchExpressions"):
            # the path of the missing field: a misspelt `matchLabel:` the schema flagged covers it
            return ("spec", "selector", "matchLabels"), \
                "the selector is empty, which the API server refuses"
    if isinstance(match_labels, dict):
        for key, value in match_labels.items():
            if labels.get(key) != value:
                line = template.owner.document.locate(
                    ("spec", "selector", *(("matchLabels",) if "matchLabels" in base else ()),
                     key))[0]
                if key in labels:
                    return (*labels_path, key), (
                        f"the template's pods carry {key}: {labels[key]}, but {base} "
                        f"(line {line}) wants {key}: {value}")
                return labels_path, (f"the template's pods have no label {key!r}, but {base} "
                                     f"(line {line}) wants {key}: {value}")
    if template.owner.kind != "ReplicationController" and \
            not label_selector_matches(selector, labels):
        return ("spec", "selector", "matchExpressions"), \
            "the selector's matchExpressions exclude the template's own pods"
    return None


@rule("selector-matches-template", "error", "03-deployments#selector")
def selector_matches_template(bundle: Bundle) -> Iterator[Finding]:
    """A workload whose selector does not match the labels of its own pod template.

    Why: a Deployment (ReplicaSet, StatefulSet, DaemonSet) finds the pods it
    owns by its selector. The API server refuses one whose selector cannot
    match the pods its template creates ("selector does not match template
    labels"). Every key: value of matchLabels must appear in
    spec.template.metadata.labels.

    Bad (error):

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
                app: frontend
            spec:
              containers:
                - name: web
                  image: nginx:1.27

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
    """
    for template in graph_of(bundle).templates:
        owner = template.owner
        selector = owner.get(("spec", "selector"))
        # A Job's own selector is job-selector-set's finding unless manualSelector says so.
        checked = owner.kind in LABEL_SELECTOR_KINDS or (selector is not None and (
            owner.kind == "ReplicationController" or
            (owner.kind == "Job" and owner.get(("spec", "manualSelector")) is True)))
        if not checked or not isinstance(selector, dict):
            continue  # a missing selector is the schema's finding (or defaulted)
        problem = _selector_problem(template, selector)
        if problem:
            path, message = problem
            yield owner.finding(path, message, _selector_hint(template, selector),
                                at_value=path[-1] not in ("labels", "selector", "matchLabels",
                                                          "matchExpressions"))


def _selector_hint(template: PodTemplate, selector: dict) -> str:
    """Fix the template, not the selector: a selector cannot change once the object exists."""
    match_labels = selector if template.owner.kind == "ReplicationController" else \
        selector.get("matchLabels")
    pairs = [f"{k}: {v}" for k, v in match_labels.items()
             if isinstance(v, str | int | float | bool)] if isinstance(match_labels, dict) else []
    where = format_path((*template.path, "metadata", "labels"))
    if pairs:
        return (f"give the pods the selector's labels: put {', '.join(pairs)} under {where} "
                "(keep the selector: it cannot be changed once the object exists)")
    return (f"make the selector match the labels under {where}; the template is what you "
            "adjust, since a selector cannot be changed once the object exists")


@rule("negative-replicas", "error", "03-deployments#replicas")
def negative_replicas(bundle: Bundle) -> Iterator[Finding]:
    """A workload asking for fewer than zero replicas.

    Why: replicas says how many pods to keep running; 0 scales the workload
    down, and a negative number is refused by the API server.

    Bad (error):

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: -1
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

    Good:

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
                  image: nginx:1.27
    """
    for resource in bundle:
        replicas = resource.get(("spec", "replicas"))
        if resource.kind in WORKLOAD_KINDS and isinstance(replicas, int) and replicas < 0:
            yield resource.finding(("spec", "replicas"), f"replicas is {replicas}; it cannot be "
                                   "negative", "write 0 to stop every pod, or 1 or more",
                                   at_value=True)


def _is_zero(value: Any) -> bool:
    """maxSurge / maxUnavailable of 0 or "0%"."""
    if isinstance(value, str):
        return value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) == 0
    return is_whole_number(value) and value == 0


def _is_nonzero(value: Any) -> bool:
    """maxSurge / maxUnavailable above 0 (a whole number or a percentage)."""
    if isinstance(value, str):
        return value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) > 0
    return is_whole_number(value) and value > 0


@rule("rollout-strategy-invalid", "error", "03-deployments#rollout")
def rollout_strategy_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A rollout strategy the API server refuses: Recreate with a rollingUpdate
    block, maxSurge and maxUnavailable both 0 (or, on a DaemonSet, both above 0).

    Why: a Recreate rollout stops every old pod before starting new ones,
    so rollingUpdate settings mean nothing there and are refused. A rolling
    update needs room to move: with maxSurge 0 (no extra pod) and
    maxUnavailable 0 (no pod missing) it could never replace a single pod.
    A DaemonSet runs one pod per node, so it either starts the new pod
    first (maxSurge, with `maxUnavailable: 0`) or stops the old one first.

    Bad (error):

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 0
              maxUnavailable: 0
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

    Good:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 1
              maxUnavailable: 0
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
    """
    for resource in bundle:
        field = {"Deployment": "strategy", "DaemonSet": "updateStrategy"}.get(resource.kind)
        strategy = resource.get(("spec", field)) if field else None
        if not isinstance(strategy, dict):
            continue
        rolling = strategy.get("rollingUpdate")
        if strategy.get("type") == "Recreate" and rolling is not None:
            yield resource.finding(
                ("spec", field, "rollingUpdate"), "a Recreate strategy cannot have a "
                "rollingUpdate block: Recreate stops every old pod before starting new ones",
                "delete the rollingUpdate block, or set `type: RollingUpdate`")
        elif resource.kind == "DaemonSet" and isinstance(rolling, dict) and \
                _is_nonzero(rolling.get("maxSurge")) and \
                _is_nonzero(rolling.get("maxUnavailable", 1)):
            # A node runs one pod of a DaemonSet: it either surges or goes without, never both.
            yield resource.finding(
                ("spec", field, "rollingUpdate", "maxSurge"), "a DaemonSet cannot have both "
                "maxSurge and maxUnavailable above 0 (maxUnavailable is 1 when left out)",
                "add `maxUnavailable: 0` beside maxSurge, or drop maxSurge", at_value=True)
        elif isinstance(rolling, dict) and _is_zero(rolling.get("maxSurge")) and \
                _is_zero(rolling.get("maxUnavailable")):
            yield resource.finding(
                ("spec", field, "rollingUpdate", "maxUnavailable"), "maxSurge and "
                "maxUnavailable are both 0, so the rollout could never replace a pod",
                "allow one extra pod (`maxSurge: 1`) or one missing pod (`maxUnavailable: 1`)",
                at_value=True)
