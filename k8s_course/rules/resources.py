"""Rules of lesson 08 about compute resources: requests, limits, ResourceQuota and
LimitRange."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..capacity import (
    REQUIRED,
    ContainerLimits,
    admit,
    container_limits,
    effective_resources,
    hard_limits,
    in_scope,
    limit_range_problems,
    pod_groups,
)
from ..findings import Finding
from ..graph import (
    WORKLOAD_KINDS,
    graph_of,
)
from ._values import parse_quantity
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


# --- lesson 08: quotas and limit ranges (what admission does to each pod) -------------

def _limit_items(bundle: Bundle, namespace: str) -> list[ContainerLimits]:
    return [item for limit_range in graph_of(bundle).of_kind("LimitRange")
            if limit_range.namespace == namespace for item in container_limits(limit_range)]


@rule("quota-needs-requests", "warning", "08-scaling#quotas")
def quota_needs_requests(bundle: Bundle) -> Iterator[Finding]:
    """A container without a request or limit that its namespace's ResourceQuota counts.

    Why: when a quota sets `requests.cpu`, `limits.memory` (or `cpu`,
    `memory`...), the API server refuses every pod with a container that does
    not state that value, unless a LimitRange fills in a default. The
    Deployment itself is accepted, so nothing looks wrong; its pods are simply
    never created (`kubectl describe replicaset` shows `FailedCreate ...
    must specify limits.memory`). A warning, because a LimitRange outside
    this answer could supply the default.

    Given:

        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: compute
        spec:
          hard:
            requests.cpu: "1"
            limits.memory: 1Gi

    Bad (warning):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27-alpine
              resources:
                requests:
                  cpu: 100m

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27-alpine
              resources:
                requests:
                  cpu: 100m
                limits:
                  memory: 128Mi
    """
    graph = graph_of(bundle)
    for namespace in dict.fromkeys(q.namespace for q in graph.of_kind("ResourceQuota")):
        quotas = [q for q in graph.of_kind("ResourceQuota") if q.namespace == namespace]
        items = _limit_items(bundle, namespace)
        for group in pod_groups(bundle, namespace):
            # only the quotas whose scopes count these pods (a NotBestEffort quota
            # says nothing to pods without any requests or limits)
            names = {name for quota in quotas if in_scope(quota, group)
                     for name in hard_limits(quota) if name in REQUIRED}
            template = graph.template_of(group.owner)
            for path, container in template.containers(init=True) if names else ():
                requests, limits = effective_resources(container, items)
                lacking = sorted(name if "." in name else f"requests.{name}" for name in names
                                 if name.rpartition(".")[2] not in
                                 (limits if REQUIRED[name] == "limits" else requests))
                if lacking:
                    said = ", ".join(dict.fromkeys(lacking))
                    yield group.owner.finding(
                        path, f"the namespace's ResourceQuota counts {said}, but container "
                        f"{container.get('name') or '?'!r} sets no such value, so the API "
                        "server will refuse its pods",
                        f"add {said} under this container's resources (or a LimitRange "
                        "with defaults)")


@rule("outside-limit-range", "error", "08-scaling#limitranges")
def outside_limit_range(bundle: Bundle) -> Iterator[Finding]:
    """A container whose requests or limits fall outside its namespace's LimitRange.

    Why: a LimitRange of type Container sets the smallest request (`min`),
    the largest limit (`max`) and the largest limit/request ratio a container
    may have. Pods that break them are refused when a controller creates
    them, with `minimum cpu usage per Container is 100m, but request is 50m`
    and the like.

    Given:

        apiVersion: v1
        kind: LimitRange
        metadata:
          name: bounds
        spec:
          limits:
            - type: Container
              max:
                memory: 512Mi

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27-alpine
              resources:
                limits:
                  memory: 1Gi

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27-alpine
              resources:
                limits:
                  memory: 256Mi
    """
    graph = graph_of(bundle)
    for namespace in {r.namespace for r in graph.of_kind("LimitRange")}:
        items = _limit_items(bundle, namespace)
        for template in graph.templates_in(namespace):
            for path, container in template.containers(init=True):
                requests, limits = effective_resources(container, items)
                problems = limit_range_problems(str(container.get("name") or "?"), requests,
                                                limits, items)
                if problems:
                    has_resources = isinstance(container.get("resources"), dict)
                    yield template.owner.finding(
                        (*path, "resources") if has_resources else path,
                        "the namespace's LimitRange refuses this container: " +
                        "; ".join(problems),
                        "keep requests and limits between the LimitRange's min and max")


@rule("quota-exceeded", "warning", "08-scaling#quotas")
def quota_exceeded(bundle: Bundle) -> Iterator[Finding]:
    """A ResourceQuota that the answer's own pods, at their replicas, already exceed.

    Why: the quota is checked each time a pod is created; once the pods of
    the namespace use up a `hard` amount, the next pod is refused (`exceeded
    quota`), so a Deployment stays short of its replicas and an autoscaler
    cannot reach its maxReplicas. Pods are counted at their replicas (an
    autoscaled workload at its maxReplicas), after LimitRange defaults.

    Given:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 4
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
                      cpu: 300m

    Bad (warning):

        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: compute
        spec:
          hard:
            requests.cpu: "1"

    Good:

        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: compute
        spec:
          hard:
            requests.cpu: "2"
    """
    graph = graph_of(bundle)
    for namespace in {q.namespace for q in graph.of_kind("ResourceQuota")}:
        for refusal in admit(bundle, namespace).refusals:
            if refusal.owner.kind == "ResourceQuota":
                yield refusal.owner.finding(
                    ("spec", "hard", refusal.resource), refusal.reason,
                    "raise this limit, or lower the replicas or requests of the pods")
