"""Rules of lesson 08 about PodDisruptionBudgets."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import PodTemplate, graph_of, is_whole_number
from .catalogue import rule

SCALABLE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def _pdb_targets(bundle: Bundle, pdb: Resource) -> list[PodTemplate] | None:
    selector = pdb.get(("spec", "selector"))
    if not isinstance(selector, dict):
        return None
    return graph_of(bundle).selected_by_selector(pdb.namespace, selector)


@rule("pdb-selects-nothing", "warning", "08-scaling#pdb")
def pdb_selects_nothing(bundle: Bundle) -> Iterator[Finding]:
    """A PodDisruptionBudget whose selector matches no pod of its namespace.

    Why: a budget protects the pods its selector matches during node drains
    and upgrades. Matching nothing, it protects nothing. (When the answer
    holds no workload in the budget's namespace, this is only a reminder:
    the pods may come from elsewhere.)

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

    Bad (warning):

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
    graph = graph_of(bundle)
    for pdb in graph.of_kind("PodDisruptionBudget"):
        if _pdb_targets(bundle, pdb) != []:
            continue
        around = graph.templates_in(pdb.namespace)
        if any(bundle.flagged(t.owner, (*t.path, "metadata", "labels")) for t in around):
            continue  # pod labels the schema stage flagged (`lables:`) are the real cause
        yield pdb.finding(
            ("spec", "selector"), f"this budget's selector matches no pod in namespace "
            f"{pdb.namespace} of this answer",
            "make its matchLabels the pod labels of the workload "
            "(spec.template.metadata.labels)",
            # with no workload in its namespace the pods may come from elsewhere
            severity=None if around else Severity.INFO)


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
    for hpa in graph_of(bundle).of_kind("HorizontalPodAutoscaler"):
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

    Bad (warning):

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
    for pdb in graph_of(bundle).of_kind("PodDisruptionBudget"):
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


@rule("pdb-both-limits", "error", "08-scaling#pdb")
def pdb_both_limits(bundle: Bundle) -> Iterator[Finding]:
    """A PodDisruptionBudget with both minAvailable and maxUnavailable.

    Why: a budget says either how many pods must stay up (`minAvailable`)
    or how many may be down at once (`maxUnavailable`), never both: the
    API server refuses the pair. Keep the one the lesson asks for.

    Bad (error):

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          minAvailable: 2
          maxUnavailable: 1
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
    for pdb in graph_of(bundle).of_kind("PodDisruptionBudget"):
        spec = pdb.get(("spec",))
        if isinstance(spec, dict) and spec.get("minAvailable") is not None and \
                spec.get("maxUnavailable") is not None:
            yield pdb.finding(("spec", "minAvailable"), "minAvailable and maxUnavailable "
                              "cannot both be set", "keep one of them: minAvailable (pods "
                              "that must stay up) or maxUnavailable (pods that may be down)")
