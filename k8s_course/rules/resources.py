"""Rules of lesson 08 about compute resources: what containers request and limit."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import (
    WORKLOAD_KINDS,
    graph_of,
)
from ._values import label_key_problem, parse_quantity
from .catalogue import rule


@rule("requests-above-limits", "error", "08-scaling#resources")
def requests_above_limits(bundle: Bundle) -> Iterator[Finding]:
    """A container requesting more CPU or memory than its own limit.

    Why: the request is what the scheduler reserves, the limit the most the
    container may use. A request above the limit can never be honoured, so
    the API server refuses it.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  memory: 512Mi
                limits:
                  memory: 256Mi

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  memory: 256Mi
                limits:
                  memory: 512Mi
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers(init=True):
            resources = container.get("resources")
            if not isinstance(resources, dict):
                continue
            requests, limits = resources.get("requests"), resources.get("limits")
            if not isinstance(requests, dict) or not isinstance(limits, dict):
                continue
            for name, wanted in requests.items():
                asked, cap = parse_quantity(wanted), parse_quantity(limits.get(name))
                if asked is not None and cap is not None and asked > cap:
                    yield template.owner.finding(
                        (*path, "resources", "requests", name),
                        f"the {name} request {wanted} is above the limit {limits[name]}",
                        f"lower the request to at most {limits[name]}, or raise the limit",
                        at_value=True)


@rule("no-resources", "info", "08-scaling#resources")
def no_resources(bundle: Bundle) -> Iterator[Finding]:
    """A workload's container with no CPU or memory requests or limits.

    Why: without requests the scheduler cannot place the pods sensibly, an
    autoscaler cannot compute utilisation, and without limits one container
    can starve its neighbours. Fine for a first try; worth adding later. It
    is only a reminder for workloads (Deployments, StatefulSets, Jobs...),
    whose pods a controller keeps running: a bare Pod is a one-off
    experiment (as in the first lessons), not what you deploy.

    Bad (info):

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
                      memory: 128Mi
                    limits:
                      memory: 256Mi
    """
    for template in graph_of(bundle).templates:
        if template.owner.kind not in WORKLOAD_KINDS:
            continue
        for path, container in template.containers():
            resources = container.get("resources")
            if not (isinstance(resources, dict) and (resources.get("requests")
                                                     or resources.get("limits"))):
                name = container.get("name") or "this container"
                yield template.owner.finding(
                    path, f"container {name!r} sets no resource requests or limits",
                    "add resources.requests (cpu, memory) and resources.limits (memory)")


# What a container may request or limit without a domain prefix (hugepages-<size> too).
CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def container_resource_problem(name: str) -> str:
    """Why a container can neither request nor limit a resource of this name ("" if it can)."""
    if "/" in name:
        return label_key_problem(name) and "it is not a valid resource name"
    if name in CONTAINER_RESOURCES or name.startswith("hugepages-"):
        return ""
    return "containers request only cpu, memory and ephemeral-storage (or a resource " \
        "with a domain, such as nvidia.com/gpu)"


@rule("resource-name-unknown", "error", "08-scaling#resources")
def resource_name_unknown(bundle: Bundle) -> Iterator[Finding]:
    """A container requesting or limiting a resource Kubernetes does not know (`cpus`, `mem`).

    Why: a container's requests and limits name `cpu`, `memory` or
    `ephemeral-storage` exactly (lowercase, singular); other resources,
    such as GPUs, carry a domain: `nvidia.com/gpu`. The API server refuses
    any other name.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  cpus: 250m

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  cpu: 250m
    """
    for template in graph_of(bundle).templates:
        for path, _ in template.containers(init=True):
            for group in ("requests", "limits"):
                amounts = template.owner.get((*path, "resources", group))
                for name in amounts if isinstance(amounts, dict) else ():
                    problem = container_resource_problem(name) if isinstance(name, str) else ""
                    if problem:
                        meant = difflib.get_close_matches(name.lower(), CONTAINER_RESOURCES, 1)
                        yield template.owner.finding(
                            (*path, "resources", group, name), f"{name!r}: {problem}",
                            f"did you mean `{meant[0]}`?" if meant else
                            "write cpu, memory or ephemeral-storage")
