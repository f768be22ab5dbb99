"""What a namespace's ResourceQuota and LimitRange admission would say, computed offline.

When a controller creates a pod, two admission plugins look at it before it
is stored: LimitRanger fills in the LimitRange's default requests and limits
and refuses containers outside its min/max, then ResourceQuota refuses the
pod when it sets no request or limit the quota counts, or when the pods
already running plus this one would exceed the quota. This module repeats
both for the pods an answer would run, at their replicas, as pure functions
from a Bundle to a Verdict; graders and rules read the Verdict.

What is modelled, and what is not:
- a pod's requests default to its limits (API defaulting), then the
  LimitRange's `defaultRequest` and `default` fill what is still missing;
  a LimitRange's own defaults (`default` from `max`, `defaultRequest` from
  `default`, then from `min`) are applied first, as the API server does;
- Container-type limits (min, max, maxLimitRequestRatio); Pod- and
  PVC-type limits are not checked;
- quota resources: pods, cpu/memory requests and limits (`cpu` means
  `requests.cpu`), `requests.storage`, and object counts of the kinds
  listed in OBJECT_COUNTS; other names are reported as not counted;
- quota scopes Terminating, NotTerminating, BestEffort, NotBestEffort and
  PriorityClass;
- replicas: a workload an autoscaler scales counts at the autoscaler's
  maxReplicas (the most it may ask for), a DaemonSet at one pod per node
  (`nodes`, one on the course's kind cluster), a Job at its parallelism.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from .bundle import Bundle, Resource
from .graph import PodTemplate, as_list, as_mapping, graph_of, is_whole_number, mappings_in
from .rules._values import parse_quantity

COMPUTE = ("cpu", "memory")
# quota names that make every container state a request or limit (the quota
# admission's "must specify"), and the side of `resources` each one needs
REQUIRED = {"cpu": "requests", "memory": "requests", "requests.cpu": "requests",
            "requests.memory": "requests", "limits.cpu": "limits",
            "limits.memory": "limits"}
# quota names that count objects -> the kind they count
OBJECT_COUNTS = {
    "services": "Service", "configmaps": "ConfigMap", "secrets": "Secret",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "replicationcontrollers": "ReplicationController",
    "count/services": "Service", "count/configmaps": "ConfigMap",
    "count/secrets": "Secret", "count/persistentvolumeclaims": "PersistentVolumeClaim",
    "count/deployments.apps": "Deployment", "count/replicasets.apps": "ReplicaSet",
    "count/statefulsets.apps": "StatefulSet", "count/daemonsets.apps": "DaemonSet",
    "count/jobs.batch": "Job", "count/cronjobs.batch": "CronJob",
    "count/horizontalpodautoscalers.autoscaling": "HorizontalPodAutoscaler",
}
SCALED_KINDS = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet")

Amounts = dict[str, Decimal]


@dataclass(frozen=True)
class PodGroup:
    """The pods one workload runs: how many, and what each requests after defaults."""

    owner: Resource
    count: int
    why: str  # how the count was found ("replicas 3", "maxReplicas of HPA/api"...)
    usage: Amounts  # quota resource name -> amount for one pod
    missing: dict[str, tuple[str, ...]]  # "requests.cpu" -> containers without it
    limit_range_problems: tuple[str, ...]
    best_effort: bool
    terminating: bool
    priority_class: str


@dataclass(frozen=True)
class Refusal:
    """One reason the admission plugins would refuse pods of the answer."""

    owner: Resource  # the workload whose pods are refused, or the quota they exceed
    reason: str
    quota: Resource | None = None  # the ResourceQuota that refuses (None: LimitRanger)
    resource: str = ""  # the quota resource name it is about


@dataclass
class Verdict:
    """What admission says about every pod of one namespace of the answer."""

    namespace: str
    quotas: list[Resource]
    limit_ranges: list[Resource]
    groups: list[PodGroup]
    used: dict[str, Amounts] = field(default_factory=dict)  # quota name -> usage
    refusals: list[Refusal] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)  # quota names not modelled

    @property
    def fits(self) -> bool:
        return not self.refusals


# --- quantities as learners write them -------------------------------------------

def show(name: str, amount: Decimal) -> str:
    """A quantity in the form a learner would write it: 1500m, 2, 384Mi, 1Gi, 5."""
    if name.endswith("cpu"):
        if amount == amount.to_integral_value():
            return str(int(amount))
        return f"{(amount * 1000).normalize():f}m"
    if name.endswith(("memory", "storage")) and amount:
        for suffix, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if amount % size == 0:
                return f"{int(amount // size)}{suffix}"
    return f"{amount.normalize():f}"


def _amounts(value: object) -> Amounts:
    """A ResourceList as numbers; values that are not quantities are left out."""
    found = {}
    for name, text in as_mapping(value).items():
        amount = parse_quantity(text)
        if isinstance(name, str) and amount is not None:
            found[name] = amount
    return found


# --- LimitRanger --------------------------------------------------------------------

@dataclass(frozen=True)
class ContainerLimits:
    """One LimitRange's Container-type item, with the API server's own defaults applied."""

    default: Amounts
    default_request: Amounts
    min: Amounts
    max: Amounts
    ratio: Amounts


def container_limits(limit_range: Resource) -> list[ContainerLimits]:
    """The Container items of a LimitRange, defaulted as the API server stores them."""
    items = []
    for _, item in mappings_in(limit_range.get(("spec", "limits"))):
        if item.get("type") != "Container":
            continue
        low, high = _amounts(item.get("min")), _amounts(item.get("max"))
        default = {**high, **_amounts(item.get("default"))}
        request = {**low, **default, **_amounts(item.get("defaultRequest"))}
        items.append(ContainerLimits(default, request, low, high,
                                     _amounts(item.get("maxLimitRequestRatio"))))
    return items


def limit_items(bundle: Bundle, namespace: str) -> list[ContainerLimits]:
    """The Container items of every LimitRange in the namespace; all of them apply."""
    return [item for limit_range in graph_of(bundle).of_kind("LimitRange")
            if limit_range.namespace == namespace for item in container_limits(limit_range)]


def effective_resources(container: dict, limits: list[ContainerLimits]
                        ) -> tuple[Amounts, Amounts]:
    """A container's (requests, limits) once its pod is created in the namespace.

    The API server first copies each limit into a missing request; then
    LimitRanger adds the LimitRange's default request and limit where the
    container still has none.
    """
    resources = as_mapping(container.get("resources"))
    wanted, capped = _amounts(resources.get("limits")), _amounts(resources.get("limits"))
    wanted.update(_amounts(resources.get("requests")))
    for item in limits:
        for name, amount in item.default_request.items():
            wanted.setdefault(name, amount)
        for name, amount in item.default.items():
            capped.setdefault(name, amount)
    return wanted, capped


def limit_range_problems(name: str, requests: Amounts, limits: Amounts,
                         items: list[ContainerLimits]) -> list[str]:
    """Why LimitRanger refuses this container ([] when it admits it), in its own words."""
    problems = []
    for item in items:
        for resource, low in item.min.items():
            if resource not in requests:
                problems.append(f"minimum {resource} per container is {show(resource, low)}, "
                                f"and container {name} sets no request")
            elif requests[resource] < low:
                problems.append(f"minimum {resource} per container is {show(resource, low)}, "
                                f"but container {name} requests "
                                f"{show(resource, requests[resource])}")
        for resource, high in item.max.items():
            if resource not in limits:
                problems.append(f"maximum {resource} per container is {show(resource, high)}, "
                                f"and container {name} sets no limit")
            elif limits[resource] > high:
                problems.append(f"maximum {resource} per container is {show(resource, high)}, "
                                f"but container {name} has the limit "
                                f"{show(resource, limits[resource])}")
        for resource, cap in item.default.items():
            if limits.get(resource) == cap and requests.get(resource, cap) > cap:
                problems.append(f"container {name} requests {show(resource, requests[resource])} "
                                f"{resource} but sets no limit, and the default limit "
                                f"{show(resource, cap)} is below that request")
        for resource, ratio in item.ratio.items():
            asked, cap = requests.get(resource), limits.get(resource)
            if asked and cap and cap / asked > ratio:
                problems.append(f"the {resource} limit of container {name} is "
                                f"{(cap / asked).normalize():f} times its request; "
                                f"at most {ratio.normalize():f} is allowed")
    return problems


# --- the pods of a namespace ---------------------------------------------------------

def _autoscaled(bundle: Bundle, namespace: str) -> dict[tuple[str, str], Resource]:
    found = {}
    for hpa in graph_of(bundle).of_kind("HorizontalPodAutoscaler"):
        ref = as_mapping(hpa.get(("spec", "scaleTargetRef")))
        if hpa.namespace == namespace and isinstance(ref.get("name"), str):
            found[(str(ref.get("kind")), ref["name"])] = hpa
    return found


def _count(owner: Resource, hpa: Resource | None, nodes: int) -> tuple[int, str]:
    """How many pods of this owner may run at once, and why."""
    kind, get = owner.kind, owner.get
    if kind in SCALED_KINDS and hpa is not None:
        high = hpa.get(("spec", "maxReplicas"))
        if is_whole_number(high):
            return high, f"maxReplicas {high} of {hpa.ref}"
    if kind in SCALED_KINDS:
        replicas = get(("spec", "replicas"), 1)
        replicas = replicas if is_whole_number(replicas) else 1
        return replicas, f"replicas {replicas}"
    if kind == "DaemonSet":
        return nodes, f"one per node, {nodes} node" + ("" if nodes == 1 else "s")
    if kind in ("Job", "CronJob"):
        spec = owner.get(("spec",) if kind == "Job" else ("spec", "jobTemplate", "spec"))
        spec = as_mapping(spec)
        parallel = spec.get("parallelism", 1)
        parallel = parallel if is_whole_number(parallel) else 1
        completions = spec.get("completions")
        if is_whole_number(completions):
            parallel = min(parallel, completions)
        return parallel, f"parallelism {parallel}"
    return 1, "one pod"


def _pod_group(template: PodTemplate, count: int, why: str,
               items: list[ContainerLimits]) -> PodGroup:
    total: Amounts = {}
    init_peak: Amounts = {}
    missing: dict[str, list[str]] = {}
    problems: list[str] = []
    shaped = False  # does any container request or limit cpu or memory (not BestEffort)
    for path, container in template.containers(init=True):
        name = str(container.get("name") or "?")
        requests, limits = effective_resources(container, items)
        problems += limit_range_problems(name, requests, limits, items)
        shaped = shaped or any(r in requests or r in limits for r in COMPUTE)
        for quota_name, side in REQUIRED.items():
            resource = quota_name.rpartition(".")[2]
            if resource not in (requests if side == "requests" else limits):
                missing.setdefault(quota_name, []).append(name)
        usage = {**{f"requests.{r}": a for r, a in requests.items()},
                 **{f"limits.{r}": a for r, a in limits.items()}}
        is_init = "initContainers" in path
        for key, amount in usage.items():
            if is_init:  # init containers run one at a time, before the others
                init_peak[key] = max(init_peak.get(key, Decimal(0)), amount)
            else:
                total[key] = total.get(key, Decimal(0)) + amount
    for key, amount in init_peak.items():
        total[key] = max(total.get(key, Decimal(0)), amount)
    for resource in COMPUTE:  # `cpu` and `memory` in a quota mean the requests
        if f"requests.{resource}" in total:
            total[resource] = total[f"requests.{resource}"]
    total["pods"] = Decimal(1)
    deadline = template.spec.get("activeDeadlineSeconds")
    priority = template.spec.get("priorityClassName")
    return PodGroup(template.owner, count, why, total,
                    {k: tuple(v) for k, v in missing.items()}, tuple(problems), not shaped,
                    is_whole_number(deadline) and deadline >= 0,
                    priority if isinstance(priority, str) else "")


def pod_groups(bundle: Bundle, namespace: str, *, nodes: int = 1) -> list[PodGroup]:
    """The pods every workload of the namespace would run, after LimitRange defaults."""
    graph = graph_of(bundle)
    items = limit_items(bundle, namespace)
    autoscaled = _autoscaled(bundle, namespace)
    groups = []
    for template in graph.templates_in(namespace):
        owner = template.owner
        count, why = _count(owner, autoscaled.get((owner.kind, owner.name)), nodes)
        groups.append(_pod_group(template, count, why, items))
    return groups


# --- ResourceQuota -------------------------------------------------------------------

def _scope_matches(scope: str, operator: str, values: list, group: PodGroup) -> bool:
    if scope == "Terminating":
        return group.terminating
    if scope == "NotTerminating":
        return not group.terminating
    if scope == "BestEffort":
        return group.best_effort
    if scope == "NotBestEffort":
        return not group.best_effort
    if scope == "PriorityClass":
        present = bool(group.priority_class)
        return {"Exists": present, "DoesNotExist": not present,
                "In": group.priority_class in values,
                "NotIn": group.priority_class not in values}.get(operator, False)
    return False  # CrossNamespacePodAffinity and unknown scopes: not modelled


def in_scope(quota: Resource, group: PodGroup) -> bool:
    """Does this quota count the pods of this group (its scopes all match)?"""
    for scope in as_list(quota.get(("spec", "scopes"))):
        if not _scope_matches(str(scope), "Exists", [], group):
            return False
    selector = as_mapping(quota.get(("spec", "scopeSelector")))
    for _, expression in mappings_in(selector.get("matchExpressions")):
        if not _scope_matches(str(expression.get("scopeName")), str(expression.get("operator")),
                              as_list(expression.get("values")), group):
            return False
    return True


def _storage(bundle: Bundle, namespace: str) -> Amounts:
    """Claims and their storage requests: those written, and a StatefulSet's per replica."""
    claims, storage = Decimal(0), Decimal(0)
    graph = graph_of(bundle)
    for claim in graph.of_kind("PersistentVolumeClaim"):
        if claim.namespace == namespace:
            claims += 1
            storage += parse_quantity(claim.get(("spec", "resources", "requests", "storage"))) \
                or Decimal(0)
    for workload in graph.of_kind("StatefulSet"):
        if workload.namespace != namespace:
            continue
        replicas = workload.get(("spec", "replicas"), 1)
        replicas = replicas if is_whole_number(replicas) else 1
        for _, template in mappings_in(workload.get(("spec", "volumeClaimTemplates"))):
            size = as_mapping(as_mapping(as_mapping(template.get("spec")).get("resources"))
                              .get("requests")).get("storage")
            claims += replicas
            storage += replicas * (parse_quantity(size) or Decimal(0))
    return {"persistentvolumeclaims": claims, "count/persistentvolumeclaims": claims,
            "requests.storage": storage}


def _objects(bundle: Bundle, namespace: str, name: str) -> Decimal:
    kind = OBJECT_COUNTS[name]
    return Decimal(sum(1 for r in graph_of(bundle).of_kind(kind) if r.namespace == namespace))


def hard_limits(quota: Resource) -> Amounts:
    """A ResourceQuota's `spec.hard`, as numbers."""
    return _amounts(quota.get(("spec", "hard")))


def _required(quota: Resource, hard: Amounts, group: PodGroup) -> Iterator[Refusal]:
    """The quota admission's "must specify": a container lacks what the quota counts."""
    lacking: dict[str, list[str]] = {}  # container -> the quota names it lacks
    for name in sorted(hard):
        for container in group.missing.get(name, ()):
            said = name if "." in name else f"requests.{name}"
            if said not in lacking.setdefault(container, []):
                lacking[container].append(said)
    if lacking:
        said = "; ".join(f"container {container} lacks {', '.join(names)}"
                         for container, names in lacking.items())
        yield Refusal(group.owner, f"quota {quota.name} requires every container to state "
                      f"what it counts: {said}", quota, min(n for v in lacking.values()
                                                            for n in v))


@dataclass
class _Classes:
    """A namespace's pod groups by scope class, with what each class uses in all.

    A quota counts all of a class or none of it, and a namespace has many
    workloads but few classes, so asking each quota about each class (not
    each group) keeps admission linear in the size of the answer.
    """

    members: dict[tuple, list[PodGroup]]
    order: dict[int, int]  # id(group) -> its place in the namespace, for stable messages
    totals: dict[tuple, Decimal] = field(default_factory=dict)  # (class, name) -> all its use
    ranked: dict[tuple, list[PodGroup]] = field(default_factory=dict)  # most use first

    @classmethod
    def of(cls, groups: list[PodGroup]) -> _Classes:
        classes = cls({}, {id(g): index for index, g in enumerate(groups)})
        for group in groups:
            classes.members.setdefault(scope_key(group), []).append(group)
        return classes

    def used(self, keys: list[tuple], name: str, left_out: list[PodGroup]) -> Decimal:
        """What the pods of these classes use of `name`, without the groups left out."""
        if left_out:  # added up without them, not subtracted: large amounts round
            skipped = {id(g) for g in left_out}
            return sum((_use(g, name) for key in keys for g in self.members[key]
                        if id(g) not in skipped), Decimal(0))
        for key in keys:  # only the names a quota asks about are ever added up
            if (key, name) not in self.totals:
                self.totals[key, name] = sum((_use(g, name) for g in self.members[key]),
                                             Decimal(0))
        return sum((self.totals[key, name] for key in keys), Decimal(0))

    def counted_by(self, quota: Resource) -> list[tuple]:
        return [key for key, members in self.members.items() if in_scope(quota, members[0])]

    def ranking(self, key: tuple, name: str) -> list[PodGroup]:
        if (key, name) not in self.ranked:
            self.ranked[key, name] = sorted(
                (g for g in self.members[key] if g.usage.get(name)),
                key=lambda g: (-_use(g, name), self.order[id(g)]))
        return self.ranked[key, name]


def scope_key(group: PodGroup) -> tuple[bool, bool, str]:
    """What quota scopes look at: groups with the same key are counted by the same quotas."""
    return group.best_effort, group.terminating, group.priority_class


def _use(group: PodGroup, name: str) -> Decimal:
    return group.count * group.usage.get(name, Decimal(0))


def admit(bundle: Bundle, namespace: str, *, nodes: int = 1) -> Verdict:
    """What LimitRanger and ResourceQuota admission say about the namespace's pods."""
    graph = graph_of(bundle)
    verdict = Verdict(namespace,
                      [q for q in graph.of_kind("ResourceQuota") if q.namespace == namespace],
                      [r for r in graph.of_kind("LimitRange") if r.namespace == namespace],
                      pod_groups(bundle, namespace, nodes=nodes))
    for group in verdict.groups:  # LimitRanger runs first and refuses on its own
        for problem in group.limit_range_problems:
            verdict.refusals.append(Refusal(group.owner, f"LimitRange: {problem}"))
    refused = {id(r.owner) for r in verdict.refusals}
    classes = _Classes.of([g for g in verdict.groups if id(g.owner) not in refused])
    storage = _storage(bundle, namespace)
    for quota in verdict.quotas:
        # a negative amount is refused with the quota itself (negative-quantity says so)
        hard = {name: amount for name, amount in hard_limits(quota).items() if amount >= 0}
        keys = classes.counted_by(quota)
        required = {k: v for k, v in hard.items() if k in REQUIRED}
        lacking = sorted((g for key in keys for g in classes.members[key]
                          if any(name in g.missing for name in required)),
                         key=lambda g: classes.order[id(g)])
        for group in lacking:  # never created, so it uses none of the quota
            verdict.refusals += _required(quota, required, group)
        used: Amounts = {}
        for name, limit in hard.items():
            counts = "pods" if name == "count/pods" else name  # every pod, whatever its phase
            if counts == "pods" or name in REQUIRED:
                used[name] = classes.used(keys, counts, lacking)
            elif name in OBJECT_COUNTS and name != "persistentvolumeclaims":
                used[name] = _objects(bundle, namespace, name)
            elif name in storage:
                used[name] = storage[name]
            else:
                verdict.not_counted.append(name)
                continue
            if used[name] > limit:
                verdict.refusals.append(Refusal(
                    quota, f"exceeded quota {quota.name}: {name} needs {show(name, used[name])} "
                    f"({_breakdown(classes, keys, lacking, counts) or 'objects of this answer'}), "
                    f"limited: {show(name, limit)}", quota, name))
        verdict.used[quota.name] = used
    return verdict


BREAKDOWN_PARTS = 3  # a crowded namespace would otherwise name every workload in it


def _breakdown(classes: _Classes, keys: list[tuple], lacking: list[PodGroup], name: str) -> str:
    """"3 pods of Deployment/api (replicas 3) x 500m" for the groups that use most of `name`."""
    left_out = {id(g) for g in lacking}
    top: list[PodGroup] = []
    others = 0
    for key in keys:
        ranking = classes.ranking(key, name)
        kept = len(ranking) - sum(1 for g in lacking
                                  if scope_key(g) == key and g.usage.get(name))
        top += islice((g for g in ranking if id(g) not in left_out), BREAKDOWN_PARTS)
        others += max(0, kept - BREAKDOWN_PARTS)
    top.sort(key=lambda g: (-_use(g, name), classes.order[id(g)]))
    others += max(0, len(top) - BREAKDOWN_PARTS)
    parts = [f"{g.count} pod{'' if g.count == 1 else 's'} of {g.owner.ref} ({g.why})"
             + ("" if name == "pods" else f" x {show(name, g.usage[name])}")
             for g in sorted(top[:BREAKDOWN_PARTS], key=lambda g: classes.order[id(g)])]
    if others:
        parts.append(f"{others} other workload{'' if others == 1 else 's'}")
    return " + ".join(parts)
