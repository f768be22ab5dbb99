"""Rules of lesson 08 about ResourceQuotas and LimitRanges."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal

from ..bundle import Bundle, Resource
from ..capacity import (
    REQUIRED,
    admit,
    effective_resources,
    hard_limits,
    in_scope,
    limit_items,
    limit_range_problems,
    pod_groups,
    scope_key,
)
from ..findings import Finding, Path
from ..graph import as_mapping, graph_of, mappings_in
from ._values import parse_quantity
from .catalogue import rule

# What a ResourceQuota may limit by a plain name (names with a '/', such as
# count/deployments.apps or requests.nvidia.com/gpu, are open-ended).
QUOTA_RESOURCES = (
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
    "limits.ephemeral-storage", "pods", "resourcequotas", "services", "replicationcontrollers",
    "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports",
    "services.loadbalancers")
LIMIT_TYPES = ("Container", "Pod", "PersistentVolumeClaim")


@rule("quota-resource-unknown", "error", "08-scaling#quotas")
def quota_resource_unknown(bundle: Bundle) -> Iterator[Finding]:
    """A ResourceQuota limiting a resource name the quota system does not know.

    Why: a quota's `hard` keys are fixed names: `requests.cpu`,
    `limits.memory`, `pods`, `services`, `persistentvolumeclaims`,
    `requests.storage`..., or `count/<resource>.<group>` for any kind of
    object (`count/deployments.apps`). Misspelt ones (`request.cpu`,
    `storage`) are refused.

    Bad (error):

        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: team-quota
        spec:
          hard:
            request.cpu: "4"
            pods: "10"

    Good:

        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: team-quota
        spec:
          hard:
            requests.cpu: "4"
            pods: "10"
    """
    for quota in graph_of(bundle).of_kind("ResourceQuota"):
        hard = quota.get(("spec", "hard"))
        for name in hard if isinstance(hard, dict) else ():
            if not isinstance(name, str) or "/" in name or name in QUOTA_RESOURCES or \
                    name.startswith(("hugepages-", "requests.hugepages-")):
                continue
            meant = difflib.get_close_matches(name, QUOTA_RESOURCES, n=1)
            yield quota.finding(
                ("spec", "hard", name), f"{name!r} is not a resource a quota can limit",
                f"did you mean `{meant[0]}`?" if meant else
                "use requests.cpu, limits.memory, pods, count/deployments.apps and the like")


# (lower field, higher field, the field the API server blames, what is wrong), in the
# server's order.
_ORDER = (
    ("min", "max", "min", "the minimum is above the maximum"),
    ("min", "defaultRequest", "defaultRequest", "the minimum is above the default request"),
    ("defaultRequest", "max", "defaultRequest", "the default request is above the maximum"),
    ("defaultRequest", "default", "defaultRequest",
     "the default request is above the default limit"),
    ("min", "default", "default", "the minimum is above the default limit"),
    ("default", "max", "default", "the default limit is above the maximum"),
)


def _amounts(limit: dict, field: str) -> dict[str, Decimal]:
    parsed = {name: parse_quantity(value) for name, value in as_mapping(limit.get(field)).items()}
    return {name: amount for name, amount in parsed.items() if amount is not None}


def _limit_findings(resource: Resource, path: Path, limit: dict) -> Iterator[Finding]:
    kind = limit.get("type")
    if isinstance(kind, str) and kind not in LIMIT_TYPES and "/" not in kind:  # or qualified
        yield resource.finding((*path, "type"), f"{kind!r} is not a LimitRange type",
                               f"write one of {', '.join(LIMIT_TYPES)}", at_value=True)
    if kind == "Pod":
        for field in ("default", "defaultRequest"):
            if field in limit:
                yield resource.finding((*path, field), f"a Pod limit has no {field}: "
                                       "defaults are set per container",
                                       "move it to a limit of `type: Container`")
    bounds = [limit.get("min"), limit.get("max")]  # a wrong shape is the schema's finding
    if kind == "PersistentVolumeClaim" and all(isinstance(b, dict | None) for b in bounds) \
            and not any("storage" in b for b in bounds if b):
        yield resource.finding(path, "a PersistentVolumeClaim limit needs a storage min or "
                               "max", "add `max: {storage: 10Gi}` (or a min)")
    amounts = {field: _amounts(limit, field) for field in
               ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")}
    # The server reports each pair at the field that must change; one finding per value.
    reported: set[tuple[str, str]] = set()
    for low, high, where, words in _ORDER:
        for name, amount in amounts[low].items():
            other = amounts[high].get(name)
            if other is not None and amount > other and (where, name) not in reported:
                reported.add((where, name))
                yield resource.finding(
                    (*path, where, name), f"{name}: {words} ({limit[low][name]} > "
                    f"{limit[high][name]})", "keep min <= defaultRequest <= default <= max "
                    "for each resource", at_value=True)
    for name, ratio in amounts["maxLimitRequestRatio"].items():
        low, high = amounts["min"].get(name), amounts["max"].get(name)
        if ratio >= 1 and low and high is not None and ratio > high / low:
            yield resource.finding((*path, "maxLimitRequestRatio", name),
                                   f"{name}: the limit/request ratio "
                                   f"{limit['maxLimitRequestRatio'][name]} is above max/min "
                                   f"({high / low:g}), so no container could reach it",
                                   "lower the ratio, or widen min and max", at_value=True)
        if ratio < 1:
            shown = limit["maxLimitRequestRatio"][name]
            yield resource.finding((*path, "maxLimitRequestRatio", name),
                                   f"{name}: the limit/request ratio {shown} is below 1",
                                   "a limit is never below its request: use 1 or more",
                                   at_value=True)


@rule("limit-range-inconsistent", "error", "08-scaling#limit-ranges")
def limit_range_inconsistent(bundle: Bundle) -> Iterator[Finding]:
    """A LimitRange whose min, defaults and max contradict each other.

    Why: for each resource a LimitRange must keep min <= defaultRequest <=
    default <= max, and a maxLimitRequestRatio of at least 1; otherwise no
    container could satisfy it and the API server refuses it. `default`
    and `defaultRequest` belong to `type: Container` limits, not `Pod`,
    and each type has one entry.

    Bad (error):

        apiVersion: v1
        kind: LimitRange
        metadata:
          name: limits
        spec:
          limits:
            - type: Container
              default:
                memory: 1Gi
              max:
                memory: 512Mi

    Good:

        apiVersion: v1
        kind: LimitRange
        metadata:
          name: limits
        spec:
          limits:
            - type: Container
              default:
                memory: 512Mi
              max:
                memory: 1Gi
    """
    for limit_range in graph_of(bundle).of_kind("LimitRange"):
        types: set[str] = set()
        for index, limit in mappings_in(limit_range.get(("spec", "limits"))):
            kind = limit.get("type")
            if isinstance(kind, str) and kind in types:
                yield limit_range.finding(
                    ("spec", "limits", index, "type"), f"a second limit of type {kind}",
                    f"merge the two {kind} limits into one", at_value=True)
            types.add(kind if isinstance(kind, str) else "")
            yield from _limit_findings(limit_range, ("spec", "limits", index), limit)


# --- lesson 08: quotas and limit ranges (what admission does to each pod) -------------

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
        items = limit_items(bundle, namespace)
        names_of: dict[tuple, set[str]] = {}  # scope class -> the names its quotas require
        for group in pod_groups(bundle, namespace):
            # only the quotas whose scopes count these pods (a NotBestEffort quota
            # says nothing to pods without any requests or limits)
            key = scope_key(group)
            if key not in names_of:
                names_of[key] = {name for quota in quotas if in_scope(quota, group)
                                 for name in hard_limits(quota) if name in REQUIRED}
            names = names_of[key]
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


@rule("outside-limit-range", "error", "08-scaling#limit-ranges")
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
        items = limit_items(bundle, namespace)
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
