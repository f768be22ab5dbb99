"""Rules of lesson 09 about ReplicaSets and ReplicationControllers written by hand, where a
Deployment does the job better."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of
from .catalogue import rule


@rule("replicationcontroller-legacy", "info", "09-workloads#replicationcontrollers")
def replicationcontroller_legacy(bundle: Bundle) -> Iterator[Finding]:
    """A ReplicationController, the predecessor of ReplicaSets and Deployments.

    Why: a ReplicationController keeps N pods running, but its selector can
    only test equality and it has no rollouts: changing the image means
    replacing pods by hand. A Deployment does the same job with set-based
    selectors, rolling updates and rollbacks. It still works; write a
    Deployment instead.

    Bad (info):

        apiVersion: v1
        kind: ReplicationController
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27-alpine

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
                  image: nginx:1.27-alpine
    """
    for controller in graph_of(bundle).of_kind("ReplicationController"):
        yield controller.finding(
            ("kind",), "a ReplicationController has no rolling updates or rollbacks",
            "write a Deployment (apps/v1): `selector.matchLabels` instead of `selector`",
            at_value=True)


@rule("replicaset-by-hand", "info", "09-workloads#replicasets")
def replicaset_by_hand(bundle: Bundle) -> Iterator[Finding]:
    """A ReplicaSet written by hand rather than made by a Deployment.

    Why: a ReplicaSet keeps N copies of one pod template and nothing more.
    Change its template and the running pods keep the old one; only new
    pods get the change. A Deployment creates a ReplicaSet per template and
    moves pods from the old to the new one for you.

    Bad (info):

        apiVersion: apps/v1
        kind: ReplicaSet
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
                  image: nginx:1.27-alpine
    """
    for replica_set in graph_of(bundle).of_kind("ReplicaSet"):
        yield replica_set.finding(
            ("kind",), "a ReplicaSet does not update its pods when its template changes",
            "write `kind: Deployment`; the rest of this manifest stays the same", at_value=True)
