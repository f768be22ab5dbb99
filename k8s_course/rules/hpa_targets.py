"""Rules of lesson 08 about what an autoscaler scales: a target it cannot scale, or
one whose own `replicas` fights it."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of
from .catalogue import rule

SCALABLE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


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
